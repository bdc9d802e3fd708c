// Formatting for people (client/cli/format.h): long text summarised for tables, id lists.
#include "client/cli/format.h"

#include "absl/strings/str_cat.h"
#include "client/cli/table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::cli {
namespace {

using ::testing::HasSubstr;

TEST(Summary, ShortTextIsUnchanged) {
  EXPECT_EQ(Summary("left complaint 25 days after return"), "left complaint 25 days after return");
  EXPECT_EQ(Summary(""), "");
}

TEST(Summary, LongListBecomesItsCountAndLatestAndAdviceIsDropped) {
  std::string cited;
  for (int day = 10; day < 28; ++day) absl::StrAppend(&cited, cited.empty() ? "" : ", ", "scrum 2026-11-", day);
  absl::StrAppend(&cited, ", lineout landing 2026-11-28, fall 2026-11-02");
  const std::string reason = absl::StrCat(
      "left hamstring complaint began 2026-11-30 within 14 days of 20 awkward contact events (", cited,
      "): suspected pelvic origin; assess pelvis and piriformis before treating the hamstring");
  EXPECT_EQ(Summary(reason),
            "left hamstring complaint began 2026-11-30 within 14 days of 20 awkward contact events, latest "
            "lineout landing 2026-11-28: suspected pelvic origin");
  // A short parenthesis is kept.
  EXPECT_EQ(Summary(absl::StrCat("a (b, c) ", std::string(200, 'x'), "; advice"), 20), "a (b, c)...");
}

TEST(Summary, CutsAtAWordWithinTheWidth) {
  const std::string s = Summary("the quick brown fox jumps over the lazy dog", 20);
  EXPECT_EQ(s, "the quick brown...");
  EXPECT_LE(DisplayWidth(Summary("åäö åäö åäö åäö åäö åäö", 10)), 10u);
}

TEST(IdSummary, FirstFewAndHowManyMore) {
  google::protobuf::RepeatedField<int64_t> ids;
  for (int i = 1; i <= 3; ++i) ids.Add(i);
  EXPECT_EQ(IdSummary(ids), "1, 2, 3");
  for (int i = 4; i <= 122; ++i) ids.Add(i);
  EXPECT_EQ(IdSummary(ids), "1, 2, 3, 4, 5 (+117 more)");
}

}  // namespace
}  // namespace touchline::cli
