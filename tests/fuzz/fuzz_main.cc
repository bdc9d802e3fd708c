// libFuzzer entry point; TOUCHLINE_FUZZ_BODY names the body (fuzz_bodies.h).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return touchline::fuzz::TOUCHLINE_FUZZ_BODY(data, size);
}
