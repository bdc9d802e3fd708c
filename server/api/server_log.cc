#include "server/api/server_log.h"

#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace touchline::api {

void LogLine(const std::string& line) {
  // One fprintf per line: stderr is unbuffered, so concurrent lines do not interleave mid-line.
  std::fprintf(stderr, "%s touchline-server %s\n",
               absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()).c_str(),
               line.c_str());
}

void LogLineLimited(const std::string& line) {
  static std::mutex mutex;
  static absl::Time window_start = absl::InfinitePast();
  static int written_in_window = 0;
  static int64_t dropped = 0;
  int64_t dropped_before = 0;
  {
    std::lock_guard lock(mutex);
    const absl::Time now = absl::Now();
    if (now - window_start >= absl::Seconds(1)) {
      window_start = now;
      written_in_window = 0;
    }
    if (written_in_window >= kMaxLimitedLinesPerSecond) {
      ++dropped;
      return;
    }
    ++written_in_window;
    dropped_before = dropped;
    dropped = 0;
  }
  if (dropped_before > 0) {
    LogLine(absl::StrCat("(", dropped_before, " similar lines dropped: at most ",
                         kMaxLimitedLinesPerSecond, " a second)"));
  }
  LogLine(line);
}

}  // namespace touchline::api
