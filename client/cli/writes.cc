#include "client/cli/writes.h"

#include <cstdint>
#include <random>

#include "absl/strings/str_format.h"

namespace touchline::cli {

std::string NewRequestId() {
  std::random_device rd;
  uint32_t w[4] = {rd(), rd(), rd(), rd()};
  w[1] = (w[1] & 0xffff0fffu) | 0x00004000u;  // version 4
  w[2] = (w[2] & 0x3fffffffu) | 0x80000000u;  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%04x%08x", w[0], w[1] >> 16, w[1] & 0xffff,
                         w[2] >> 16, w[2] & 0xffff, w[3]);
}

}  // namespace touchline::cli
