// Lines a caller can cause at will are written at a bounded rate (issue 16: 3,000 garbage requests
// wrote 930 KB of log in 0.4 s), and what was dropped is said.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "server/api/server_log.h"

namespace touchline::api {
namespace {

TEST(ServerLog, CallerCausedLinesAreRateLimitedAndTheDropIsSaid) {
  absl::SleepFor(absl::Milliseconds(1100));  // a fresh one-second window
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 3000; ++i) LogLineLimited("error: INTERNAL: garbage request");
  const std::string flood = ::testing::internal::GetCapturedStderr();
  const std::vector<std::string> lines = absl::StrSplit(flood, '\n', absl::SkipEmpty());
  EXPECT_LE(lines.size(), static_cast<size_t>(kMaxLimitedLinesPerSecond));
  EXPECT_GE(lines.size(), 1u);

  absl::SleepFor(absl::Milliseconds(1100));
  ::testing::internal::CaptureStderr();
  LogLineLimited("error: INTERNAL: one more");
  const std::string after = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(after, ::testing::HasSubstr(
                         absl::StrCat(3000 - lines.size(), " similar lines dropped")));
  EXPECT_THAT(after, ::testing::HasSubstr("one more"));
}

}  // namespace
}  // namespace touchline::api
