// Outcomes by protocol (outcome_rules.h): the six-week bucket at the minute, the never-started
// bucket, recurrence within 12 months with the same-site rule, median days lost of the resolved.
#include "server/domain/outcome_rules.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::domain {
namespace {

using ::testing::ElementsAre;

absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}
absl::Duration Days(int d) { return absl::Hours(24 * d); }

Complaint Make(Id id, Id player, absl::Time onset, std::optional<absl::Time> resolved,
               std::string code = "", Side side = Side::kLeft) {
  Complaint c;
  c.id = id;
  c.player_id = player;
  c.side = side;
  c.onset_at = onset;
  c.resolved_at = resolved;
  c.osiics_code = std::move(code);
  return c;
}

const ProtocolKey kFourSign{"piriformis-4sign", "1.0.0"};
const ProtocolKey kRehab{"hamstring-rehab", "2.1.0"};

TEST(OutcomeRulesTest, SixWeekBucketAtTheMinute) {
  const FlagThresholds th;
  const absl::Time onset = At(2026, 1, 5, 9, 30);
  const Complaint c = Make(1, 1, onset, std::nullopt);
  EXPECT_EQ(ClassifyAntiSpasmStart(c, onset + Days(42), th), AntiSpasmStart::kByDay42);
  EXPECT_EQ(ClassifyAntiSpasmStart(c, onset + Days(42) + absl::Minutes(1), th),
            AntiSpasmStart::kAfterDay42);
  EXPECT_EQ(ClassifyAntiSpasmStart(c, onset, th), AntiSpasmStart::kByDay42);
  EXPECT_EQ(ClassifyAntiSpasmStart(c, std::nullopt, th), AntiSpasmStart::kNeverStarted);
}

TEST(OutcomeRulesTest, StartCountsOnlyBetweenOnsetAndReturn) {
  const absl::Time onset = At(2026, 1, 5);
  const Complaint c = Make(1, 1, onset, onset + Days(20));
  const std::vector<absl::Time> reports = {onset - absl::Minutes(1), onset + Days(20) + absl::Minutes(1)};
  EXPECT_EQ(AntiSpasmStartedAt(c, reports, onset + Days(100)), std::nullopt);
  const std::vector<absl::Time> in = {onset + Days(20), onset + Days(3)};
  EXPECT_EQ(AntiSpasmStartedAt(c, in, onset + Days(100)), onset + Days(3));
  // While open: only what was reported by as_of.
  const Complaint open = Make(2, 1, onset, std::nullopt);
  EXPECT_EQ(AntiSpasmStartedAt(open, in, onset + Days(10)), onset + Days(3));
  EXPECT_EQ(AntiSpasmStartedAt(open, in, onset + Days(2)), std::nullopt);
}

TEST(OutcomeRulesTest, RecurrenceWithinTwelveMonthsUsesSameSite) {
  const FlagThresholds th;
  const absl::Time returned = At(2026, 3, 1);
  const Complaint index = Make(1, 1, returned - Days(30), returned, "TM1");
  const absl::Time as_of = returned + Days(800);
  // Same tissue at day 365 after return: late recurrence, within.
  EXPECT_TRUE(RecurredWithin12Months(
      index, std::vector<Complaint>{index, Make(2, 1, returned + Days(365), std::nullopt, "TMH")},
      as_of, th));
  // A minute past 365 days: delayed, not within.
  EXPECT_FALSE(RecurredWithin12Months(
      index,
      std::vector<Complaint>{index, Make(2, 1, returned + Days(365) + absl::Minutes(1),
                                         std::nullopt, "TM1")},
      as_of, th));
  // Same side, another tissue: subsequent related, not a recurrence.
  EXPECT_FALSE(RecurredWithin12Months(
      index, std::vector<Complaint>{index, Make(2, 1, returned + Days(10), std::nullopt, "TT1")},
      as_of, th));
  // Other side: not a recurrence.
  EXPECT_FALSE(RecurredWithin12Months(
      index,
      std::vector<Complaint>{index,
                             Make(2, 1, returned + Days(10), std::nullopt, "TM1", Side::kRight)},
      as_of, th));
  // Uncoded later complaint: side+region fallback (thigh), a recurrence.
  EXPECT_TRUE(RecurredWithin12Months(
      index, std::vector<Complaint>{index, Make(2, 1, returned + Days(10), std::nullopt, "")},
      as_of, th));
  // Not yet known at as_of.
  EXPECT_FALSE(RecurredWithin12Months(
      index, std::vector<Complaint>{index, Make(2, 1, returned + Days(10), std::nullopt, "TM1")},
      returned + Days(9), th));
}

TEST(OutcomeRulesTest, MedianOfResolvedOnly) {
  EXPECT_EQ(Median({}), std::nullopt);
  EXPECT_EQ(Median({7}), 7.0);
  EXPECT_EQ(Median({30, 10, 20}), 20.0);
  EXPECT_EQ(Median({10, 40, 20, 30}), 25.0);
}

TEST(OutcomeRulesTest, CellsByProtocolAndBucket) {
  const FlagThresholds th;
  const absl::Time from = At(2026, 1, 1);
  const absl::Time to = At(2027, 1, 1);
  const absl::Time as_of = At(2027, 6, 1);
  std::vector<Complaint> cs = {
      Make(1, 1, At(2026, 1, 10), At(2026, 2, 9), "TM1"),   // 30 days, early start, recurs
      Make(2, 1, At(2026, 4, 1), std::nullopt, "TM1"),      // its recurrence (not treated)
      Make(3, 2, At(2026, 2, 1), At(2026, 2, 21)),          // 20 days, early start
      Make(4, 3, At(2026, 3, 1), At(2026, 5, 20)),          // 80 days, late start
      Make(5, 4, At(2026, 5, 1), std::nullopt),             // open, never started
      Make(6, 5, At(2025, 12, 1), At(2026, 1, 1)),          // before the period
      Make(7, 6, At(2026, 12, 1), At(2027, 1, 10)),         // 40 days, early, follow-up open
  };
  std::vector<ComplaintTreatment> ts = {
      {1, {kFourSign, kFourSign}, {At(2026, 1, 12)}},
      {3, {kFourSign, kRehab}, {At(2026, 2, 3), At(2026, 2, 2)}},
      {4, {kFourSign}, {At(2026, 4, 20)}},  // day 50
      {5, {kFourSign}, {}},
      {6, {kFourSign}, {At(2025, 12, 2)}},
      {7, {kFourSign}, {At(2026, 12, 2)}},
  };
  const auto out = ComputeProtocolOutcomes(cs, ts, from, to, as_of, th);
  ASSERT_EQ(out.size(), 6u);  // two protocols x three buckets, by name
  EXPECT_EQ(out[0].protocol, kRehab);
  EXPECT_EQ(out[0].start, AntiSpasmStart::kByDay42);
  EXPECT_EQ(out[0].complaints, 1);
  EXPECT_EQ(out[0].median_days_lost, 20.0);
  EXPECT_EQ(out[1].complaints, 0);
  EXPECT_EQ(out[1].median_days_lost, std::nullopt);

  const ProtocolOutcome& early = out[3];
  EXPECT_EQ(early.protocol, kFourSign);
  EXPECT_EQ(early.start, AntiSpasmStart::kByDay42);
  EXPECT_THAT(early.complaint_ids, ElementsAre(1, 3, 7));
  EXPECT_EQ(early.resolved, 3);
  EXPECT_EQ(early.unresolved, 0);
  EXPECT_EQ(early.recurred_within_12_months, 1);
  EXPECT_EQ(early.follow_up_incomplete, 1);  // 7: returned 2027-01-10, as_of 2027-06-01
  EXPECT_EQ(early.median_days_lost, 30.0);   // 20, 30, 40

  const ProtocolOutcome& late = out[4];
  EXPECT_EQ(late.start, AntiSpasmStart::kAfterDay42);
  EXPECT_THAT(late.complaint_ids, ElementsAre(4));
  EXPECT_EQ(late.median_days_lost, 80.0);

  const ProtocolOutcome& never = out[5];
  EXPECT_EQ(never.start, AntiSpasmStart::kNeverStarted);
  EXPECT_THAT(never.complaint_ids, ElementsAre(5));
  EXPECT_EQ(never.unresolved, 1);
  EXPECT_EQ(never.resolved, 0);
  EXPECT_EQ(never.median_days_lost, std::nullopt);
}

}  // namespace
}  // namespace touchline::domain
