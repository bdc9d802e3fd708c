#include "server/api/server_log.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace touchline::api {

void LogLine(const std::string& line) {
  // One fprintf per line: stderr is unbuffered, so concurrent lines do not interleave mid-line.
  std::fprintf(stderr, "%s touchline-server %s\n",
               absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()).c_str(),
               line.c_str());
}

}  // namespace touchline::api
