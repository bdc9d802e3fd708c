// The six-week window (issue 19 item 2) at the minute: WINDOW_CLOSING at day 28 and day 35, the
// queue by time left to day 42, anti-spasm work by adherence reports, and when the flag monitor
// must wake. Every instant is explicit: no clock, no sleeping.
#include "server/domain/window_rules.h"

#include <optional>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr Id kPlayer = 7;
const absl::Time kOnset = absl::FromCivil(absl::CivilMinute(2026, 10, 1, 8, 30), absl::UTCTimeZone());
absl::Duration Days(int d) { return absl::Hours(24 * d); }
const absl::Duration kMinute = absl::Minutes(1);

Complaint Gradual(Id id, absl::Time onset = kOnset,
                  std::optional<absl::Time> resolved = std::nullopt) {
  Complaint c;
  c.id = id;
  c.player_id = kPlayer;
  c.side = Side::kLeft;
  c.onset_at = onset;
  c.onset_kind = OnsetKind::kGradual;
  c.resolved_at = resolved;
  return c;
}

std::vector<Flag> Flags(const std::vector<Complaint>& complaints, absl::Time as_of,
                        const std::vector<AntiSpasmReport>& reports = {},
                        const FlagThresholds& th = {}) {
  return WindowClosingFlags(kPlayer, complaints, reports, as_of, th);
}

TEST(WindowClosingTest, RaisedAtDayTwentyEightToTheMinute) {
  const std::vector<Complaint> c = {Gradual(1)};
  EXPECT_THAT(Flags(c, kOnset + Days(28) - kMinute), IsEmpty());
  for (absl::Time at : {kOnset + Days(28), kOnset + Days(28) + kMinute}) {
    const auto flags = Flags(c, at);
    ASSERT_EQ(flags.size(), 1u);
    EXPECT_EQ(flags[0].kind, FlagKind::kWindowClosing);
    EXPECT_EQ(flags[0].alert_day, 28);
    EXPECT_EQ(flags[0].began_at, kOnset + Days(28));
    EXPECT_THAT(flags[0].complaint_ids, ElementsAre(1));
    EXPECT_THAT(flags[0].reason, HasSubstr("open 28 days since onset 2026-10-01"));
    EXPECT_THAT(flags[0].reason, HasSubstr("14 days left before the six-week line (2026-11-12)"));
    EXPECT_EQ(FlagKey(flags[0]), "p7-window-c1-d28");
  }
}

TEST(WindowClosingTest, RaisedAgainAtDayThirtyFiveAsANewFlag) {
  const std::vector<Complaint> c = {Gradual(1)};
  EXPECT_EQ(Flags(c, kOnset + Days(35) - kMinute)[0].alert_day, 28);
  const auto flags = Flags(c, kOnset + Days(35) + kMinute);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].alert_day, 35);
  EXPECT_EQ(flags[0].began_at, kOnset + Days(35));
  EXPECT_THAT(flags[0].reason, HasSubstr("7 days left"));
  // Another key: the day-35 alert is raised (and acknowledged) on its own.
  EXPECT_EQ(FlagKey(flags[0]), "p7-window-c1-d35");
}

TEST(WindowClosingTest, HoldsThroughDayFortyTwoThenTheWindowHasClosed) {
  const std::vector<Complaint> c = {Gradual(1)};
  EXPECT_EQ(Flags(c, kOnset + Days(42)).size(), 1u);
  EXPECT_THAT(Flags(c, kOnset + Days(42) + kMinute), IsEmpty());
  // ...where PERSISTENT takes over.
  const auto all = EvaluateSurveillanceFlags(kPlayer, c, {}, {}, kOnset + Days(42) + kMinute, {});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kind, FlagKind::kPersistent);
}

TEST(WindowClosingTest, AlertDaysAreConfigurable) {
  FlagThresholds th;
  th.window_closing_alerts = {Days(21)};
  EXPECT_THAT(Flags({Gradual(1)}, kOnset + Days(21) - kMinute, {}, th), IsEmpty());
  EXPECT_EQ(Flags({Gradual(1)}, kOnset + Days(21) + kMinute, {}, th)[0].alert_day, 21);
  EXPECT_EQ(Flags({Gradual(1)}, kOnset + Days(40), {}, th)[0].alert_day, 21);
}

TEST(WindowClosingTest, AcuteResolvedAndFutureComplaintsAreNotFlagged) {
  Complaint acute = Gradual(1);
  acute.onset_kind = OnsetKind::kAcute;
  EXPECT_THAT(Flags({acute}, kOnset + Days(30)), IsEmpty());
  EXPECT_THAT(Flags({Gradual(2, kOnset, kOnset + Days(29))}, kOnset + Days(30)), IsEmpty());
  EXPECT_EQ(Flags({Gradual(2, kOnset, kOnset + Days(29))}, kOnset + Days(28) + kMinute).size(), 1u);
  EXPECT_THAT(Flags({Gradual(3, kOnset + Days(1))}, kOnset + Days(28)), IsEmpty());
}

// --- anti-spasm work, by adherence reports -----------------------------------------------------

TEST(AntiSpasmWorkTest, ADoneReportAfterOnsetClearsTheFlagFromItsMinute) {
  const std::vector<Complaint> c = {Gradual(1)};
  const absl::Time done_at = kOnset + Days(30);
  const std::vector<AntiSpasmReport> reports = {{.prescription_id = 10, .reported_at = done_at,
                                                 .done = true}};
  EXPECT_EQ(Flags(c, done_at - kMinute, reports).size(), 1u);
  EXPECT_THAT(Flags(c, done_at, reports), IsEmpty());
  EXPECT_THAT(Flags(c, done_at + kMinute, reports), IsEmpty());
}

TEST(AntiSpasmWorkTest, WorkBeforeOnsetOrNotDoneDoesNotCount) {
  const std::vector<Complaint> c = {Gradual(1)};
  const absl::Time at = kOnset + Days(29);
  EXPECT_EQ(Flags(c, at, {{10, kOnset - kMinute, true}}).size(), 1u);
  EXPECT_EQ(Flags(c, at, {{10, kOnset + Days(2), false}}).size(), 1u);
  EXPECT_THAT(Flags(c, at, {{10, kOnset, true}}), IsEmpty());  // at onset counts
}

TEST(AntiSpasmWorkTest, TheNewestReportOfAPrescriptionIsItsState) {
  const std::vector<Complaint> c = {Gradual(1)};
  // Reported done on day 5, corrected to not done on day 30: flagged again from day 30.
  const std::vector<AntiSpasmReport> corrected = {{10, kOnset + Days(5), true},
                                                  {10, kOnset + Days(30), false}};
  EXPECT_THAT(Flags(c, kOnset + Days(30) - kMinute, corrected), IsEmpty());
  EXPECT_EQ(Flags(c, kOnset + Days(30), corrected).size(), 1u);
  // Another prescription done still counts.
  std::vector<AntiSpasmReport> two = corrected;
  two.push_back({11, kOnset + Days(6), true});
  EXPECT_THAT(Flags(c, kOnset + Days(31), two), IsEmpty());
}

// --- the queue -----------------------------------------------------------------------------------

TEST(ClosingWindowsTest, OrderedByTimeLeftToDayFortyTwo) {
  const absl::Time now = kOnset + Days(40);
  const std::vector<Complaint> c = {
      Gradual(1, now - Days(10)),                 // 32 days left
      Gradual(2, now - Days(41) + kMinute),       // 1 day + 1 minute left
      Gradual(3, now - Days(42) - kMinute),       // closed a minute ago: PERSISTENT, not queued
      Gradual(4, now - Days(29)),                 // 13 days left, flagged at day 28
      Gradual(5, now - Days(20), now - Days(1)),  // resolved
  };
  const auto queue = ClosingWindows(c, {}, now, {});
  ASSERT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue[0].complaint_id, 2);
  EXPECT_EQ(queue[0].left, Days(1) + kMinute);
  EXPECT_EQ(queue[0].alert_day, 35);
  EXPECT_EQ(queue[1].complaint_id, 4);
  EXPECT_EQ(queue[1].left, Days(13));
  EXPECT_EQ(queue[1].alert_day, 28);
  EXPECT_EQ(queue[2].complaint_id, 1);
  EXPECT_EQ(queue[2].alert_day, 0);  // queued before its first alert
  EXPECT_EQ(queue[2].closes_at, now - Days(10) + Days(42));
  // Work done takes a complaint out of the queue.
  const std::vector<AntiSpasmReport> done = {{9, now - Days(1), true}};
  EXPECT_EQ(ClosingWindows(c, done, now, {}).size(), 0u);
}

TEST(ClosingWindowsTest, ExactlyDayFortyTwoIsStillInTheWindow) {
  const std::vector<Complaint> c = {Gradual(1)};
  const auto queue = ClosingWindows(c, {}, kOnset + Days(42), {});
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].left, absl::ZeroDuration());
}

// --- when the monitor wakes -------------------------------------------------------------------

TEST(NextWindowChangeTest, WakesAtEachAlertAndWhenTheWindowCloses) {
  const std::vector<Complaint> c = {Gradual(1)};
  EXPECT_THAT(NextWindowChange(c, kOnset + Days(1), {}), Optional(kOnset + Days(28)));
  EXPECT_THAT(NextWindowChange(c, kOnset + Days(28), {}), Optional(kOnset + Days(35)));
  EXPECT_THAT(NextWindowChange(c, kOnset + Days(35), {}),
              Optional(kOnset + Days(42) + absl::Microseconds(1)));
  EXPECT_EQ(NextWindowChange(c, kOnset + Days(43), {}), std::nullopt);
  // Resolved before an alert: no wake for it.
  const std::vector<Complaint> resolved = {Gradual(1, kOnset, kOnset + Days(20))};
  EXPECT_EQ(NextWindowChange(resolved, kOnset + Days(10), {}), std::nullopt);
  // The surveillance wake is the earlier of both rules' (here the window's).
  EXPECT_THAT(NextSurveillanceFlagChange(c, kOnset + Days(1), {}), Optional(kOnset + Days(28)));
}

TEST(NextWindowChangeTest, EveryAnswerChangeIsAWake) {
  // Walk a complaint's life minute by minute around each boundary: the flags never change between
  // a wake and the next one.
  const std::vector<Complaint> c = {Gradual(1)};
  absl::Time at = kOnset;
  while (auto next = NextWindowChange(c, at, {})) {
    const auto before = Flags(c, *next - absl::Microseconds(1));
    EXPECT_EQ(Flags(c, at).size(), before.size()) << at;
    if (!before.empty()) {
      EXPECT_EQ(FlagKey(Flags(c, at)[0]), FlagKey(before[0])) << at;
    }
    at = *next;
  }
  EXPECT_GT(at, kOnset + Days(42));
}

}  // namespace
}  // namespace touchline::domain
