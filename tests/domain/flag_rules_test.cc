// Boundary tests for the surveillance flags. Every instant is explicit: no clock, no sleeping.
#include "server/domain/flag_rules.h"

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

constexpr Id kPlayer = 7;

absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}
absl::Duration Days(int d) { return absl::Hours(24 * d); }

const absl::Time kOnset = At(2026, 10, 9);

Complaint MakeComplaint(Id id, Side side, absl::Time onset,
                        std::optional<absl::Time> resolved = std::nullopt, int pain = 3) {
  Complaint c;
  c.id = id;
  c.player_id = kPlayer;
  c.side = side;
  c.onset_at = onset;
  c.resolved_at = resolved;
  c.symptoms.pain = pain;
  return c;
}

CheckIn MakeCheckIn(Id id, Id complaint_id, absl::Time at, int pain) {
  CheckIn ci;
  ci.id = id;
  ci.complaint_id = complaint_id;
  ci.checked_at = at;
  ci.symptoms.pain = pain;
  return ci;
}

ContactEvent MakeEvent(Id id, ContactKind kind, absl::Time at, bool awkward = true) {
  ContactEvent e;
  e.id = id;
  e.player_id = kPlayer;
  e.kind = kind;
  e.occurred_at = at;
  e.awkward = awkward;
  return e;
}

std::vector<Flag> Eval(const std::vector<Complaint>& complaints, absl::Time as_of,
                       const std::vector<ContactEvent>& events = {},
                       const FlagThresholds& thresholds = {}) {
  return EvaluateFlags(kPlayer, complaints, events, as_of, thresholds);
}

std::vector<Flag> OfKind(const std::vector<Flag>& flags, FlagKind kind) {
  std::vector<Flag> out;
  for (const Flag& f : flags) {
    if (f.kind == kind) out.push_back(f);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// PERSISTENT

TEST(PersistentFlag, FortyOneDaysTwentyThreeHoursIsNotPersistent) {
  const auto flags = Eval({MakeComplaint(1, Side::kRight, kOnset)}, kOnset + Days(41) + absl::Hours(23));
  EXPECT_THAT(OfKind(flags, FlagKind::kPersistent), IsEmpty());
}

TEST(PersistentFlag, ExactlyFortyTwoDaysIsNotPersistent) {
  const auto flags = Eval({MakeComplaint(1, Side::kRight, kOnset)}, kOnset + Days(42));
  EXPECT_THAT(OfKind(flags, FlagKind::kPersistent), IsEmpty());
}

TEST(PersistentFlag, FortyTwoDaysAndAMinuteIsPersistent) {
  const auto flags =
      Eval({MakeComplaint(1, Side::kRight, kOnset)}, kOnset + Days(42) + absl::Minutes(1));
  const auto persistent = OfKind(flags, FlagKind::kPersistent);
  ASSERT_EQ(persistent.size(), 1u);
  EXPECT_EQ(persistent[0].player_id, kPlayer);
  EXPECT_THAT(persistent[0].complaint_ids, ElementsAre(1));
  EXPECT_EQ(persistent[0].began_at, kOnset + Days(42));
  EXPECT_THAT(persistent[0].reason, HasSubstr("for 42 days"));
}

TEST(PersistentFlag, ReasonNamesSideDaysOnsetAndThreshold) {
  const auto flags = Eval({MakeComplaint(1, Side::kRight, kOnset)}, kOnset + Days(47) + absl::Hours(5));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kPersistent);
  EXPECT_THAT(flags[0].reason,
              HasSubstr("Right hamstring symptoms for 47 days since onset 2026-10-09 (over 42 days)"));
  EXPECT_THAT(flags[0].reason, HasSubstr("piriformis"));
}

TEST(PersistentFlag, ResolvedBeforeAsOfIsNotFlagged) {
  const auto flags =
      Eval({MakeComplaint(1, Side::kLeft, kOnset, kOnset + Days(50))}, kOnset + Days(60));
  EXPECT_THAT(flags, IsEmpty());
}

TEST(PersistentFlag, ResolvedExactlyAtAsOfIsNotFlagged) {
  const auto flags =
      Eval({MakeComplaint(1, Side::kLeft, kOnset, kOnset + Days(60))}, kOnset + Days(60));
  EXPECT_THAT(flags, IsEmpty());
}

TEST(PersistentFlag, PastInstantBeforeResolutionIsFlagged) {
  // Resolved later, but at day 50 it was still open.
  const auto flags =
      Eval({MakeComplaint(1, Side::kLeft, kOnset, kOnset + Days(60))}, kOnset + Days(50));
  EXPECT_EQ(OfKind(flags, FlagKind::kPersistent).size(), 1u);
}

TEST(PersistentFlag, ThresholdIsConfigurable) {
  FlagThresholds th;
  th.persistence = Days(28);
  const std::vector<Complaint> complaints = {MakeComplaint(1, Side::kBoth, kOnset)};
  EXPECT_THAT(Eval(complaints, kOnset + Days(28), {}, th), IsEmpty());
  const auto flags = Eval(complaints, kOnset + Days(28) + absl::Minutes(1), {}, th);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kPersistent);
  EXPECT_EQ(flags[0].began_at, kOnset + Days(28));
  EXPECT_THAT(flags[0].reason, HasSubstr("(over 28 days)"));
  // The default threshold would not flag at 30 days.
  EXPECT_THAT(Eval(complaints, kOnset + Days(30)), IsEmpty());
}

TEST(PersistentFlag, ComplaintWithOnsetAfterAsOfIsIgnored) {
  const auto flags = Eval({MakeComplaint(1, Side::kLeft, kOnset)}, kOnset - absl::Minutes(1));
  EXPECT_THAT(flags, IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// Sides and recurrence timing

TEST(SidesOverlapTest, EqualOrBothOverlap) {
  EXPECT_TRUE(SidesOverlap(Side::kLeft, Side::kLeft));
  EXPECT_TRUE(SidesOverlap(Side::kRight, Side::kRight));
  EXPECT_TRUE(SidesOverlap(Side::kBoth, Side::kLeft));
  EXPECT_TRUE(SidesOverlap(Side::kRight, Side::kBoth));
  EXPECT_TRUE(SidesOverlap(Side::kBoth, Side::kBoth));
  EXPECT_FALSE(SidesOverlap(Side::kLeft, Side::kRight));
  EXPECT_FALSE(SidesOverlap(Side::kRight, Side::kLeft));
}

TEST(ClassifyRecurrenceTest, FullerBoundaries) {
  const FlagThresholds th;
  EXPECT_EQ(ClassifyRecurrence(absl::ZeroDuration(), th), RecurrenceTiming::kEarly);
  EXPECT_EQ(ClassifyRecurrence(Days(59), th), RecurrenceTiming::kEarly);
  EXPECT_EQ(ClassifyRecurrence(Days(60) - absl::Minutes(1), th), RecurrenceTiming::kEarly);
  EXPECT_EQ(ClassifyRecurrence(Days(60), th), RecurrenceTiming::kLate);
  EXPECT_EQ(ClassifyRecurrence(Days(61), th), RecurrenceTiming::kLate);
  EXPECT_EQ(ClassifyRecurrence(Days(365), th), RecurrenceTiming::kLate);
  EXPECT_EQ(ClassifyRecurrence(Days(365) + absl::Minutes(1), th), RecurrenceTiming::kDelayed);
  EXPECT_EQ(ClassifyRecurrence(Days(366), th), RecurrenceTiming::kDelayed);
  EXPECT_EQ(ClassifyRecurrence(-absl::Minutes(1), th), RecurrenceTiming::kNone);
}

TEST(ClassifyRecurrenceTest, LimitsAreConfigurable) {
  FlagThresholds th;
  th.early_recurrence_limit = Days(30);
  th.late_recurrence_limit = Days(90);
  EXPECT_EQ(ClassifyRecurrence(Days(29), th), RecurrenceTiming::kEarly);
  EXPECT_EQ(ClassifyRecurrence(Days(30), th), RecurrenceTiming::kLate);
  EXPECT_EQ(ClassifyRecurrence(Days(90), th), RecurrenceTiming::kLate);
  EXPECT_EQ(ClassifyRecurrence(Days(91), th), RecurrenceTiming::kDelayed);
}

// ---------------------------------------------------------------------------------------------
// RECURRENT

struct TimingCase {
  int days_after_return;
  RecurrenceTiming expected;
};

TEST(RecurrentFlag, TimingFromReturnToNewOnset) {
  const absl::Time returned = kOnset + Days(18);
  for (const TimingCase& tc : {TimingCase{59, RecurrenceTiming::kEarly},
                               TimingCase{60, RecurrenceTiming::kLate},
                               TimingCase{61, RecurrenceTiming::kLate},
                               TimingCase{365, RecurrenceTiming::kLate},
                               TimingCase{366, RecurrenceTiming::kDelayed}}) {
    SCOPED_TRACE(tc.days_after_return);
    const absl::Time new_onset = returned + Days(tc.days_after_return);
    const auto flags = Eval({MakeComplaint(1, Side::kRight, kOnset, returned),
                             MakeComplaint(2, Side::kRight, new_onset)},
                            new_onset + Days(1));
    ASSERT_EQ(flags.size(), 1u);
    EXPECT_EQ(flags[0].kind, FlagKind::kRecurrent);
    EXPECT_EQ(flags[0].recurrence_timing, tc.expected);
    EXPECT_THAT(flags[0].complaint_ids, ElementsAre(2, 1));
    EXPECT_EQ(flags[0].began_at, new_onset);
    EXPECT_EQ(flags[0].episode, 2);
  }
}

TEST(RecurrentFlag, OnsetExactlyAtReturnIsEarlyRecurrenceNotExacerbation) {
  const absl::Time returned = kOnset + Days(18);
  const auto flags = Eval({MakeComplaint(1, Side::kLeft, kOnset, returned),
                           MakeComplaint(2, Side::kLeft, returned)},
                          returned + Days(2));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kRecurrent);
  EXPECT_EQ(flags[0].recurrence_timing, RecurrenceTiming::kEarly);
}

TEST(RecurrentFlag, ReasonNamesTimingEpisodeAndReturn) {
  const absl::Time returned = At(2026, 9, 1);
  const auto flags = Eval({MakeComplaint(3, Side::kLeft, At(2026, 8, 10), returned),
                           MakeComplaint(4, Side::kLeft, returned + Days(45))},
                          returned + Days(50));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_THAT(flags[0].reason, HasSubstr("45 days after return to full participation on 2026-09-01"));
  EXPECT_THAT(flags[0].reason, HasSubstr("early recurrence, episode 2"));
}

TEST(RecurrentFlag, LeftAfterRightIsNotARecurrence) {
  const auto flags = Eval({MakeComplaint(1, Side::kRight, kOnset, kOnset + Days(10)),
                           MakeComplaint(2, Side::kLeft, kOnset + Days(30))},
                          kOnset + Days(31));
  EXPECT_THAT(flags, IsEmpty());
}

TEST(RecurrentFlag, BothAfterLeftIsARecurrence) {
  const auto flags = Eval({MakeComplaint(1, Side::kLeft, kOnset, kOnset + Days(10)),
                           MakeComplaint(2, Side::kBoth, kOnset + Days(30))},
                          kOnset + Days(31));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kRecurrent);
  EXPECT_THAT(flags[0].complaint_ids, ElementsAre(2, 1));
}

TEST(RecurrentFlag, RightAfterBothIsARecurrence) {
  const auto flags = Eval({MakeComplaint(1, Side::kBoth, kOnset, kOnset + Days(10)),
                           MakeComplaint(2, Side::kRight, kOnset + Days(30))},
                          kOnset + Days(31));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kRecurrent);
}

TEST(RecurrentFlag, EpisodesCountedOverThreeEpisodesAgainstMostRecentReturn) {
  // Left, left, left, with an unrelated right complaint in between; given out of order.
  const std::vector<Complaint> complaints = {
      MakeComplaint(4, Side::kLeft, kOnset + Days(200)),
      MakeComplaint(2, Side::kRight, kOnset + Days(50), kOnset + Days(70)),
      MakeComplaint(3, Side::kLeft, kOnset + Days(100), kOnset + Days(130)),
      MakeComplaint(1, Side::kLeft, kOnset, kOnset + Days(20)),
  };
  // Episode 2 while complaint 3 was open.
  auto flags = Eval(complaints, kOnset + Days(110));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kRecurrent);
  EXPECT_THAT(flags[0].complaint_ids, ElementsAre(3, 1));
  EXPECT_EQ(flags[0].episode, 2);
  EXPECT_EQ(flags[0].recurrence_timing, RecurrenceTiming::kLate);  // 80 days

  // Episode 3: compared with the latest return (complaint 3), 70 days before.
  flags = Eval(complaints, kOnset + Days(210));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kRecurrent);
  EXPECT_THAT(flags[0].complaint_ids, ElementsAre(4, 3));
  EXPECT_EQ(flags[0].episode, 3);
  EXPECT_EQ(flags[0].recurrence_timing, RecurrenceTiming::kLate);
  EXPECT_THAT(flags[0].reason, HasSubstr("episode 3"));
}

TEST(RecurrentFlag, IndexIsTheMostRecentReturnNotTheMostRecentOnset) {
  // Complaint 1 (both sides) began first but returned last.
  const auto flags = Eval({MakeComplaint(1, Side::kBoth, kOnset, kOnset + Days(100)),
                           MakeComplaint(2, Side::kLeft, kOnset + Days(10), kOnset + Days(30)),
                           MakeComplaint(3, Side::kLeft, kOnset + Days(120))},
                          kOnset + Days(121));
  const auto recurrent = OfKind(flags, FlagKind::kRecurrent);
  ASSERT_EQ(recurrent.size(), 1u);
  EXPECT_THAT(recurrent[0].complaint_ids, ElementsAre(3, 1));
  EXPECT_EQ(recurrent[0].recurrence_timing, RecurrenceTiming::kEarly);  // 20 days
  EXPECT_EQ(recurrent[0].episode, 3);
}

TEST(RecurrentFlag, ClearedWhenTheRecurrenceResolves) {
  const std::vector<Complaint> complaints = {
      MakeComplaint(1, Side::kLeft, kOnset, kOnset + Days(10)),
      MakeComplaint(2, Side::kLeft, kOnset + Days(30), kOnset + Days(40))};
  EXPECT_EQ(Eval(complaints, kOnset + Days(40) - absl::Minutes(1)).size(), 1u);
  EXPECT_THAT(Eval(complaints, kOnset + Days(40)), IsEmpty());
}

TEST(RecurrentFlag, IndexResolvedAfterNewOnsetIsNotARecurrence) {
  // The earlier complaint had not healed: this is an exacerbation, not a recurrence.
  const auto flags = Eval({MakeComplaint(1, Side::kLeft, kOnset, kOnset + Days(31)),
                           MakeComplaint(2, Side::kLeft, kOnset + Days(30))},
                          kOnset + Days(35));
  EXPECT_THAT(OfKind(flags, FlagKind::kRecurrent), IsEmpty());
  EXPECT_EQ(OfKind(flags, FlagKind::kExacerbation).size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// EXACERBATION

TEST(ExacerbationFlag, NewComplaintWhileEarlierIsStillOpen) {
  const auto flags = Eval({MakeComplaint(1, Side::kLeft, kOnset),
                           MakeComplaint(2, Side::kLeft, kOnset + Days(10))},
                          kOnset + Days(20));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kExacerbation);
  EXPECT_THAT(flags[0].complaint_ids, ElementsAre(2, 1));
  EXPECT_EQ(flags[0].began_at, kOnset + Days(10));
  EXPECT_EQ(flags[0].episode, 2);
  EXPECT_EQ(flags[0].recurrence_timing, RecurrenceTiming::kNone);
}

TEST(ExacerbationFlag, StaysWhileNewComplaintOpenEvenAfterEarlierResolves) {
  const auto flags = Eval({MakeComplaint(1, Side::kLeft, kOnset, kOnset + Days(15)),
                           MakeComplaint(2, Side::kLeft, kOnset + Days(10))},
                          kOnset + Days(20));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kExacerbation);
  EXPECT_THAT(flags[0].complaint_ids, ElementsAre(2, 1));
}

TEST(ExacerbationFlag, OppositeSideWhileOpenIsNotAnExacerbation) {
  const auto flags = Eval({MakeComplaint(1, Side::kLeft, kOnset),
                           MakeComplaint(2, Side::kRight, kOnset + Days(10))},
                          kOnset + Days(20));
  EXPECT_THAT(flags, IsEmpty());
}

TEST(ExacerbationFlag, SameOnsetIsNotAnExacerbation) {
  const auto flags = Eval({MakeComplaint(1, Side::kLeft, kOnset),
                           MakeComplaint(2, Side::kBoth, kOnset)},
                          kOnset + Days(5));
  EXPECT_THAT(flags, IsEmpty());
}

TEST(ExacerbationFlag, ClearedWhenTheNewComplaintResolves) {
  const auto flags = Eval({MakeComplaint(1, Side::kLeft, kOnset),
                           MakeComplaint(2, Side::kLeft, kOnset + Days(10), kOnset + Days(20))},
                          kOnset + Days(20));
  EXPECT_THAT(flags, IsEmpty());
}

class WorseningTest : public ::testing::Test {
 protected:
  Complaint WithCheckIns(std::vector<std::pair<int, int>> day_pain, int onset_pain = 3) {
    Complaint c = MakeComplaint(1, Side::kRight, kOnset, std::nullopt, onset_pain);
    Id id = 100;
    for (const auto& [day, pain] : day_pain) {
      c.check_ins.push_back(MakeCheckIn(id++, c.id, kOnset + Days(day), pain));
    }
    return c;
  }
};

TEST_F(WorseningTest, FirstCheckInWorseByExactlyDeltaFlags) {
  const auto flags = Eval({WithCheckIns({{3, 5}})}, kOnset + Days(4));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kExacerbation);
  EXPECT_THAT(flags[0].complaint_ids, ElementsAre(1));
  EXPECT_EQ(flags[0].began_at, kOnset + Days(3));
  EXPECT_THAT(flags[0].reason, HasSubstr("5/10"));
  EXPECT_THAT(flags[0].reason, HasSubstr("3/10"));
}

TEST_F(WorseningTest, WorseByDeltaMinusOneDoesNotFlag) {
  EXPECT_THAT(Eval({WithCheckIns({{3, 4}})}, kOnset + Days(4)), IsEmpty());
}

TEST_F(WorseningTest, ComparesWithThePreviousCheckInNotOnset) {
  // 3 at onset -> 4 -> 6: 6 is two above the previous check-in.
  auto flags = Eval({WithCheckIns({{2, 4}, {4, 6}})}, kOnset + Days(5));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].began_at, kOnset + Days(4));
  // 3 at onset -> 5 -> 6: the latest is only one above the previous check-in.
  flags = Eval({WithCheckIns({{2, 5}, {4, 6}})}, kOnset + Days(5));
  EXPECT_THAT(flags, IsEmpty());
}

TEST_F(WorseningTest, LaterNonWorseCheckInClearsIt) {
  const Complaint c = WithCheckIns({{3, 6}, {6, 6}});
  EXPECT_EQ(Eval({c}, kOnset + Days(5)).size(), 1u);  // before the second check-in
  EXPECT_THAT(Eval({c}, kOnset + Days(6)), IsEmpty());
  const Complaint improved = WithCheckIns({{3, 6}, {6, 2}});
  EXPECT_THAT(Eval({improved}, kOnset + Days(7)), IsEmpty());
}

TEST_F(WorseningTest, CheckInsAfterAsOfAreIgnored) {
  const Complaint c = WithCheckIns({{3, 3}, {8, 7}});
  EXPECT_THAT(Eval({c}, kOnset + Days(8) - absl::Minutes(1)), IsEmpty());
  EXPECT_EQ(Eval({c}, kOnset + Days(8)).size(), 1u);
}

TEST_F(WorseningTest, CheckInsOutOfOrderAreOrderedByTime) {
  Complaint c = WithCheckIns({});
  c.check_ins.push_back(MakeCheckIn(11, 1, kOnset + Days(6), 7));
  c.check_ins.push_back(MakeCheckIn(10, 1, kOnset + Days(3), 4));
  const auto flags = Eval({c}, kOnset + Days(7));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].began_at, kOnset + Days(6));
}

TEST_F(WorseningTest, DeltaIsConfigurable) {
  FlagThresholds th;
  th.worsening_pain_increase = 3;
  EXPECT_THAT(Eval({WithCheckIns({{3, 5}})}, kOnset + Days(4), {}, th), IsEmpty());
  EXPECT_EQ(Eval({WithCheckIns({{3, 6}})}, kOnset + Days(4), {}, th).size(), 1u);
}

TEST_F(WorseningTest, ResolvedComplaintIsNotFlagged) {
  Complaint c = WithCheckIns({{3, 8}});
  c.resolved_at = kOnset + Days(4);
  EXPECT_THAT(Eval({c}, kOnset + Days(4)), IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// SUSPECTED_PELVIC_ORIGIN

TEST(PelvicOriginEventsTest, WindowIsInclusiveOfFourteenDaysAndOnset) {
  const Complaint c = MakeComplaint(1, Side::kLeft, kOnset);
  const std::vector<ContactEvent> events = {
      MakeEvent(1, ContactKind::kScrum, kOnset - Days(14)),                        // in: edge
      MakeEvent(2, ContactKind::kScrum, kOnset - Days(14) - absl::Minutes(1)),     // out
      MakeEvent(3, ContactKind::kFall, kOnset),                                    // in: at onset
      MakeEvent(4, ContactKind::kFall, kOnset + absl::Minutes(1)),                 // out: after
  };
  EXPECT_THAT(PelvicOriginEvents(c, events, FlagThresholds{}), ElementsAre(1, 3));
}

TEST(PelvicOriginEventsTest, OnlyAwkwardTacklesScrumsLineoutLandingsAndFalls) {
  const Complaint c = MakeComplaint(1, Side::kLeft, kOnset);
  const absl::Time t = kOnset - Days(2);
  const std::vector<ContactEvent> events = {
      MakeEvent(1, ContactKind::kTackleMade, t),
      MakeEvent(2, ContactKind::kTackleReceived, t),
      MakeEvent(3, ContactKind::kCollision, t),
      MakeEvent(4, ContactKind::kRuck, t),
      MakeEvent(5, ContactKind::kMaul, t),
      MakeEvent(6, ContactKind::kScrum, t),
      MakeEvent(7, ContactKind::kLineoutLift, t),
      MakeEvent(8, ContactKind::kLineoutLanding, t),
      MakeEvent(9, ContactKind::kFall, t),
      MakeEvent(10, ContactKind::kCarry, t),
      MakeEvent(11, ContactKind::kOffFieldLifting, t),
      MakeEvent(12, ContactKind::kTackleReceived, t, /*awkward=*/false),
      MakeEvent(13, ContactKind::kScrum, t, /*awkward=*/false),
  };
  EXPECT_THAT(PelvicOriginEvents(c, events, FlagThresholds{}), ElementsAre(1, 2, 6, 8, 9));
}

TEST(PelvicOriginEventsTest, OldestFirstWhateverTheInputOrder) {
  const Complaint c = MakeComplaint(1, Side::kLeft, kOnset);
  const std::vector<ContactEvent> events = {
      MakeEvent(30, ContactKind::kFall, kOnset - Days(1)),
      MakeEvent(10, ContactKind::kTackleMade, kOnset - Days(9)),
      MakeEvent(20, ContactKind::kScrum, kOnset - Days(5)),
  };
  EXPECT_THAT(PelvicOriginEvents(c, events, FlagThresholds{}), ElementsAre(10, 20, 30));
}

TEST(PelvicOriginEventsTest, WindowIsConfigurable) {
  FlagThresholds th;
  th.pelvic_origin_window = Days(7);
  const Complaint c = MakeComplaint(1, Side::kLeft, kOnset);
  const std::vector<ContactEvent> events = {MakeEvent(1, ContactKind::kScrum, kOnset - Days(7)),
                                            MakeEvent(2, ContactKind::kScrum, kOnset - Days(8))};
  EXPECT_THAT(PelvicOriginEvents(c, events, th), ElementsAre(1));
}

TEST(PelvicOriginFlag, FlagsOpenComplaintAndCitesEventsOldestFirst) {
  const std::vector<ContactEvent> events = {
      MakeEvent(5, ContactKind::kLineoutLanding, kOnset - Days(3)),
      MakeEvent(4, ContactKind::kTackleReceived, kOnset - Days(8)),
      MakeEvent(6, ContactKind::kRuck, kOnset - Days(2)),
  };
  const auto flags = Eval({MakeComplaint(1, Side::kRight, kOnset)}, kOnset + Days(1), events);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kSuspectedPelvicOrigin);
  EXPECT_THAT(flags[0].complaint_ids, ElementsAre(1));
  EXPECT_THAT(flags[0].contact_event_ids, ElementsAre(4, 5));
  EXPECT_EQ(flags[0].began_at, kOnset);
  EXPECT_THAT(flags[0].reason, HasSubstr("tackle received 2026-10-01"));
  EXPECT_THAT(flags[0].reason, HasSubstr("lineout landing 2026-10-06"));
}

TEST(PelvicOriginFlag, NoQualifyingEventNoFlag) {
  const std::vector<ContactEvent> events = {
      MakeEvent(1, ContactKind::kCarry, kOnset - Days(1)),
      MakeEvent(2, ContactKind::kScrum, kOnset - Days(1), /*awkward=*/false),
      MakeEvent(3, ContactKind::kFall, kOnset + absl::Hours(1)),
  };
  EXPECT_THAT(Eval({MakeComplaint(1, Side::kRight, kOnset)}, kOnset + Days(1), events), IsEmpty());
}

TEST(PelvicOriginFlag, ResolvedComplaintIsNotFlagged) {
  const std::vector<ContactEvent> events = {MakeEvent(1, ContactKind::kScrum, kOnset - Days(1))};
  EXPECT_THAT(Eval({MakeComplaint(1, Side::kRight, kOnset, kOnset + Days(5))}, kOnset + Days(5),
                   events),
              IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// Evaluating the past, ordering

TEST(EvaluateFlagsTest, PastAsOfIgnoresLaterComplaintsAndCheckIns) {
  Complaint first = MakeComplaint(1, Side::kLeft, kOnset);
  first.check_ins.push_back(MakeCheckIn(50, 1, kOnset + Days(45), 9));  // later worsening
  Complaint second = MakeComplaint(2, Side::kLeft, kOnset + Days(44));  // later exacerbation
  const std::vector<Complaint> complaints = {first, second};

  // At day 43: only the first complaint exists, and it has persisted; no check-in yet.
  auto flags = Eval(complaints, kOnset + Days(43));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind, FlagKind::kPersistent);
  EXPECT_THAT(flags[0].complaint_ids, ElementsAre(1));

  // At day 46 everything is known.
  flags = Eval(complaints, kOnset + Days(46));
  ASSERT_EQ(flags.size(), 3u);
  EXPECT_EQ(flags[0].kind, FlagKind::kPersistent);
  EXPECT_THAT(flags[0].complaint_ids, ElementsAre(1));
  EXPECT_EQ(flags[1].kind, FlagKind::kExacerbation);  // worsening of 1
  EXPECT_THAT(flags[1].complaint_ids, ElementsAre(1));
  EXPECT_EQ(flags[2].kind, FlagKind::kExacerbation);  // 2 began while 1 was open
  EXPECT_THAT(flags[2].complaint_ids, ElementsAre(2, 1));
}

TEST(EvaluateFlagsTest, OrderedByKindThenComplaint) {
  // Two open right complaints and one left, given in reverse; each old and after a scrum.
  const std::vector<Complaint> complaints = {
      MakeComplaint(9, Side::kLeft, kOnset + Days(1)),
      MakeComplaint(5, Side::kRight, kOnset + Days(2)),
      MakeComplaint(3, Side::kRight, kOnset),
  };
  const std::vector<ContactEvent> events = {MakeEvent(1, ContactKind::kScrum, kOnset - Days(1))};
  const auto flags = Eval(complaints, kOnset + Days(60), events);
  std::vector<std::pair<FlagKind, Id>> got;
  for (const Flag& f : flags) got.emplace_back(f.kind, f.complaint_ids.front());
  EXPECT_THAT(got, ElementsAre(std::pair(FlagKind::kPersistent, Id{3}),
                               std::pair(FlagKind::kPersistent, Id{5}),
                               std::pair(FlagKind::kPersistent, Id{9}),
                               std::pair(FlagKind::kExacerbation, Id{5}),
                               std::pair(FlagKind::kSuspectedPelvicOrigin, Id{3}),
                               std::pair(FlagKind::kSuspectedPelvicOrigin, Id{5}),
                               std::pair(FlagKind::kSuspectedPelvicOrigin, Id{9})));
  for (const Flag& f : flags) EXPECT_EQ(f.player_id, kPlayer);
}

TEST(EvaluateFlagsTest, NoComplaintsNoFlags) {
  const std::vector<ContactEvent> events = {MakeEvent(1, ContactKind::kScrum, kOnset)};
  EXPECT_THAT(Eval({}, kOnset, events), IsEmpty());
}

}  // namespace
}  // namespace touchline::domain
