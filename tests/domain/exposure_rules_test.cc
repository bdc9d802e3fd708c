// Exposure rules at their boundaries: rates per 1000 h, days lost, match/training attribution, ISO
// weeks in UTC, and the World Rugby weekly guidance (the limit itself is within, one more is over).
#include "server/domain/exposure_rules.h"

#include <map>
#include <optional>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::domain {
namespace {

constexpr Id kForward = 1;
constexpr Id kBack = 2;

absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}

const std::map<Id, PositionGroup> kPlayers = {{kForward, PositionGroup::kForward},
                                              {kBack, PositionGroup::kBack}};

Session MakeSession(Id id, ExposureKind kind, absl::Time start, int duration,
                    std::vector<SessionParticipation> participations) {
  Session s;
  s.id = id;
  s.kind = kind;
  s.starts_at = start;
  s.duration_minutes = duration;
  s.participations = std::move(participations);
  return s;
}

SessionParticipation Played(Id player, int minutes, int full = 0, int controlled = 0,
                            int set_piece = 0) {
  SessionParticipation p;
  p.player_id = player;
  p.minutes = minutes;
  p.full_contact_minutes = full;
  p.controlled_contact_minutes = controlled;
  p.live_set_piece_minutes = set_piece;
  return p;
}

Complaint MakeComplaint(Id player, absl::Time onset,
                        std::optional<absl::Time> resolved = std::nullopt) {
  Complaint c;
  c.player_id = player;
  c.onset_at = onset;
  c.resolved_at = resolved;
  return c;
}

// ---- rates ----

TEST(InjuryRatesTest, TwoComplaintsOverFourHundredHoursIsFivePerThousand) {
  // 300 training sessions of 80 minutes for the back: 24000 min = 400 h.
  std::vector<Session> sessions;
  for (int i = 0; i < 300; ++i) {
    sessions.push_back(MakeSession(i + 1, ExposureKind::kTraining,
                                   At(2026, 1, 1) + absl::Hours(10 + 24 * i), 80,
                                   {Played(kBack, 80)}));
  }
  const std::vector<Complaint> complaints = {
      MakeComplaint(kBack, At(2026, 3, 1, 20), At(2026, 3, 11, 9)),   // 10 days
      MakeComplaint(kBack, At(2026, 5, 2, 20), At(2026, 5, 4, 9))};   // 2 days
  const InjuryRates r = ComputeInjuryRates(kPlayers, sessions, complaints, At(2026, 1, 1),
                                           At(2027, 1, 1), At(2026, 12, 1));
  EXPECT_DOUBLE_EQ(r.training.backs.exposure_hours(), 400.0);
  EXPECT_EQ(r.training.backs.complaints, 2);
  EXPECT_EQ(r.training.backs.days_lost, 12);
  EXPECT_DOUBLE_EQ(*r.training.backs.incidence_per_1000h(), 5.0);
  EXPECT_DOUBLE_EQ(*r.training.backs.burden_per_1000h(), 30.0);
  EXPECT_DOUBLE_EQ(*r.total.total.incidence_per_1000h(), 5.0);
  // Nobody played a match and the forward had no exposure: no rate rather than 0 or a division by 0.
  EXPECT_FALSE(r.match.total.incidence_per_1000h().has_value());
  EXPECT_FALSE(r.match.total.burden_per_1000h().has_value());
  EXPECT_FALSE(r.training.forwards.incidence_per_1000h().has_value());
  EXPECT_EQ(r.open_complaints, 0);
}

TEST(InjuryRatesTest, ComplaintsWithoutAnyExposureAreCountedButHaveNoRate) {
  const std::vector<Complaint> complaints = {MakeComplaint(kForward, At(2026, 2, 1))};
  const InjuryRates r = ComputeInjuryRates(kPlayers, {}, complaints, At(2026, 1, 1),
                                           At(2026, 3, 1), At(2026, 2, 5));
  EXPECT_EQ(r.training.forwards.complaints, 1);
  EXPECT_EQ(r.training.forwards.days_lost, 4);  // open: counted to as_of
  EXPECT_EQ(r.open_complaints, 1);
  EXPECT_FALSE(r.training.forwards.incidence_per_1000h().has_value());
  EXPECT_FALSE(r.total.total.incidence_per_1000h().has_value());
}

TEST(InjuryRatesTest, SplitsMatchTrainingForwardsBacksAndSumsTotals) {
  const std::vector<Session> sessions = {
      MakeSession(1, ExposureKind::kMatch, At(2026, 2, 7, 15), 80,
                  {Played(kForward, 60), Played(kBack, 80)}),
      MakeSession(2, ExposureKind::kTraining, At(2026, 2, 9, 10), 90,
                  {Played(kForward, 90), Played(kBack, 45)}),
  };
  const std::vector<Complaint> complaints = {
      MakeComplaint(kBack, At(2026, 2, 7, 16, 20), At(2026, 2, 17)),  // at the final whistle: match
      MakeComplaint(kForward, At(2026, 2, 9, 11), At(2026, 2, 10)),   // training
  };
  const InjuryRates r = ComputeInjuryRates(kPlayers, sessions, complaints, At(2026, 2, 1),
                                           At(2026, 3, 1), At(2026, 3, 1));
  EXPECT_EQ(r.match.forwards.exposure_minutes, 60);
  EXPECT_EQ(r.match.backs.exposure_minutes, 80);
  EXPECT_EQ(r.match.total.exposure_minutes, 140);
  EXPECT_EQ(r.training.total.exposure_minutes, 135);
  EXPECT_EQ(r.total.forwards.exposure_minutes, 150);
  EXPECT_EQ(r.total.backs.exposure_minutes, 125);
  EXPECT_EQ(r.total.total.exposure_minutes, 275);
  EXPECT_EQ(r.match.backs.complaints, 1);
  EXPECT_EQ(r.match.backs.days_lost, 10);
  EXPECT_EQ(r.training.forwards.complaints, 1);
  EXPECT_EQ(r.training.forwards.days_lost, 1);
  EXPECT_EQ(r.match.forwards.complaints, 0);
  EXPECT_EQ(r.total.total.complaints, 2);
  EXPECT_EQ(r.total.total.days_lost, 11);
  // 1 complaint in 80 match minutes of backs: 1 / (80/60) * 1000 = 750 per 1000 h.
  EXPECT_DOUBLE_EQ(*r.match.backs.incidence_per_1000h(), 750.0);
  EXPECT_DOUBLE_EQ(*r.match.forwards.incidence_per_1000h(), 0.0);  // exposure, no complaint: 0
}

TEST(InjuryRatesTest, PeriodIsHalfOpenForSessionsAndOnsets) {
  const std::vector<Session> sessions = {
      MakeSession(1, ExposureKind::kTraining, At(2026, 2, 1), 60, {Played(kBack, 60)}),
      MakeSession(2, ExposureKind::kTraining, At(2026, 3, 1), 60, {Played(kBack, 60)}),
  };
  const std::vector<Complaint> complaints = {MakeComplaint(kBack, At(2026, 2, 1), At(2026, 2, 2)),
                                             MakeComplaint(kBack, At(2026, 3, 1), At(2026, 3, 2))};
  const InjuryRates r = ComputeInjuryRates(kPlayers, sessions, complaints, At(2026, 2, 1),
                                           At(2026, 3, 1), At(2026, 4, 1));
  EXPECT_EQ(r.training.backs.exposure_minutes, 60);
  EXPECT_EQ(r.training.backs.complaints, 1);
}

TEST(InjuryRatesTest, PlayersOutsideTheSquadAreIgnored) {
  const std::vector<Session> sessions = {
      MakeSession(1, ExposureKind::kTraining, At(2026, 2, 2), 60,
                  {Played(kBack, 60), Played(99, 60)})};
  const std::vector<Complaint> complaints = {MakeComplaint(99, At(2026, 2, 3))};
  const InjuryRates r = ComputeInjuryRates(kPlayers, sessions, complaints, At(2026, 2, 1),
                                           At(2026, 3, 1), At(2026, 3, 1));
  EXPECT_EQ(r.total.total.exposure_minutes, 60);
  EXPECT_EQ(r.total.total.complaints, 0);
}

TEST(AttributionTest, MatchOnlyInsideAMatchThePlayerPlayed) {
  const std::vector<Session> sessions = {
      MakeSession(1, ExposureKind::kMatch, At(2026, 2, 7, 15), 80, {Played(kBack, 80)}),
      MakeSession(2, ExposureKind::kTraining, At(2026, 2, 9, 10), 60, {Played(kBack, 60)})};
  auto at = [&](absl::Time onset, Id player = kBack) {
    return AttributeOnset(MakeComplaint(player, onset), sessions);
  };
  EXPECT_EQ(at(At(2026, 2, 7, 14, 59)), ExposureKind::kTraining);  // warm-up, before kick-off
  EXPECT_EQ(at(At(2026, 2, 7, 15)), ExposureKind::kMatch);
  EXPECT_EQ(at(At(2026, 2, 7, 16, 20)), ExposureKind::kMatch);    // the end is included
  EXPECT_EQ(at(At(2026, 2, 7, 16, 21)), ExposureKind::kTraining);
  EXPECT_EQ(at(At(2026, 2, 7, 15, 30), kForward), ExposureKind::kTraining);  // did not play
  EXPECT_EQ(at(At(2026, 2, 9, 10, 30)), ExposureKind::kTraining);
}

TEST(DaysLostTest, WholeUtcCalendarDaysToReturnOrAsOf) {
  const absl::Time onset = At(2026, 2, 7, 23, 50);
  EXPECT_EQ(DaysLost(MakeComplaint(kBack, onset, At(2026, 2, 7, 23, 59)), At(2026, 3, 1)), 0);
  EXPECT_EQ(DaysLost(MakeComplaint(kBack, onset, At(2026, 2, 8, 0, 1)), At(2026, 3, 1)), 1);
  // Fuller 2007's worked example: 18 days lost.
  EXPECT_EQ(DaysLost(MakeComplaint(kBack, At(2026, 2, 1, 15), At(2026, 2, 19, 9)), At(2026, 3, 1)),
            18);
  // Open, or returning after as_of: counted to as_of.
  EXPECT_EQ(DaysLost(MakeComplaint(kBack, onset), At(2026, 2, 10, 8)), 3);
  EXPECT_EQ(DaysLost(MakeComplaint(kBack, onset, At(2026, 2, 20)), At(2026, 2, 10, 8)), 3);
  // An onset after as_of (clock skew) loses nothing yet.
  EXPECT_EQ(DaysLost(MakeComplaint(kBack, At(2026, 2, 11)), At(2026, 2, 10)), 0);
}

// ---- weeks and guidance ----

TEST(WeekTest, MondayMidnightUtcStartsTheWeek) {
  // 2026-11-22 is a Sunday, 2026-11-23 a Monday.
  EXPECT_EQ(WeekStart(At(2026, 11, 22, 23, 59)), At(2026, 11, 16));
  EXPECT_EQ(WeekStart(At(2026, 11, 23)), At(2026, 11, 23));
  EXPECT_EQ(WeekStart(At(2026, 11, 23) - absl::Microseconds(1)), At(2026, 11, 16));
  EXPECT_EQ(WeekStart(At(2026, 11, 29, 23, 59)), At(2026, 11, 23));
  EXPECT_EQ(WeekEndCeil(At(2026, 11, 23)), At(2026, 11, 23));
  EXPECT_EQ(WeekEndCeil(At(2026, 11, 23, 0, 1)), At(2026, 11, 30));
  EXPECT_EQ(WeekStart(At(2027, 1, 1)), At(2026, 12, 28));  // across the year
}

TEST(GuidanceTest, TheLimitIsWithinOneMoreIsOver) {
  auto over = [](int full, int days, int controlled, int set_piece) {
    std::vector<bool> out;
    for (const auto& c : CheckGuidance(full, days, controlled, set_piece)) out.push_back(c.over);
    return out;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(over(15, 2, 40, 30), ElementsAre(false, false, false, false));
  EXPECT_THAT(over(16, 2, 40, 30), ElementsAre(true, false, false, false));
  EXPECT_THAT(over(15, 3, 40, 30), ElementsAre(false, true, false, false));
  EXPECT_THAT(over(15, 2, 41, 30), ElementsAre(false, false, true, false));
  EXPECT_THAT(over(15, 2, 40, 31), ElementsAre(false, false, false, true));
  const auto checks = CheckGuidance(21, 1, 0, 0);
  EXPECT_EQ(checks[0].limit, GuidanceLimit::kFullContactMinutes);
  EXPECT_EQ(checks[0].maximum, 15);
  EXPECT_EQ(checks[0].actual, 21);
}

TEST(WeeklyLoadTest, BucketsByIsoWeekAndCountsFullContactDays) {
  const std::vector<Session> sessions = {
      // Week of Monday 16 Nov: full contact on Tue (5+3 in two sessions), Thu (5); controlled 40.
      MakeSession(1, ExposureKind::kTraining, At(2026, 11, 17, 9), 90, {Played(kForward, 90, 5, 20)}),
      MakeSession(2, ExposureKind::kTraining, At(2026, 11, 17, 15), 60, {Played(kForward, 60, 3)}),
      MakeSession(3, ExposureKind::kTraining, At(2026, 11, 19, 9), 90,
                  {Played(kForward, 90, 5, 20, 30)}),
      MakeSession(4, ExposureKind::kMatch, At(2026, 11, 21, 15), 80, {Played(kForward, 80)}),
      // Sunday 23:59 belongs to that week; Monday 00:00 to the next.
      MakeSession(5, ExposureKind::kTraining, At(2026, 11, 22, 23, 59), 10,
                  {Played(kForward, 10, 1)}),
      MakeSession(6, ExposureKind::kTraining, At(2026, 11, 23, 0, 0), 10,
                  {Played(kForward, 10, 1)}),
  };
  std::vector<ContactEvent> events(3);
  events[0].player_id = kForward;
  events[0].kind = ContactKind::kScrum;
  events[0].occurred_at = At(2026, 11, 21, 15, 10);
  events[1] = events[0];
  events[1].occurred_at = At(2026, 11, 21, 15, 20);
  events[2] = events[0];
  events[2].kind = ContactKind::kTackleMade;
  events[2].occurred_at = At(2026, 11, 23, 0, 0);

  const auto weeks = ComputeWeeklyLoad(sessions, events, {}, At(2026, 11, 16), At(2026, 11, 30));
  ASSERT_EQ(weeks.size(), 2u);
  const WeekLoad& w1 = weeks[0];
  EXPECT_EQ(w1.week_start, At(2026, 11, 16));
  EXPECT_EQ(w1.player_id, kForward);
  EXPECT_EQ(w1.full_contact_minutes, 14);
  EXPECT_EQ(w1.full_contact_days, 3);  // Tue, Thu, Sun
  EXPECT_EQ(w1.controlled_contact_minutes, 40);
  EXPECT_EQ(w1.live_set_piece_minutes, 30);
  EXPECT_EQ(w1.training_minutes, 250);
  EXPECT_EQ(w1.match_minutes, 80);
  EXPECT_EQ(w1.contact_events, 2);
  EXPECT_EQ(w1.contact_counts.at(ContactKind::kScrum), 2);
  EXPECT_EQ(w1.contact_counts.count(ContactKind::kTackleMade), 0u);
  ASSERT_EQ(w1.checks.size(), 4u);
  EXPECT_FALSE(w1.checks[0].over);  // 14 <= 15 minutes
  EXPECT_TRUE(w1.checks[1].over);   // but 3 days
  EXPECT_FALSE(w1.checks[2].over);  // exactly 40
  EXPECT_FALSE(w1.checks[3].over);  // exactly 30
  EXPECT_TRUE(w1.over());

  const WeekLoad& w2 = weeks[1];
  EXPECT_EQ(w2.week_start, At(2026, 11, 23));
  EXPECT_EQ(w2.full_contact_minutes, 1);
  EXPECT_EQ(w2.full_contact_days, 1);
  EXPECT_EQ(w2.contact_counts.at(ContactKind::kTackleMade), 1);
  EXPECT_FALSE(w2.over());
}

TEST(WeeklyLoadTest, FiltersPlayersAndPeriod) {
  const std::vector<Session> sessions = {
      MakeSession(1, ExposureKind::kTraining, At(2026, 11, 17, 9), 60,
                  {Played(kForward, 60, 16), Played(kBack, 60)}),
      MakeSession(2, ExposureKind::kTraining, At(2026, 11, 30, 9), 60, {Played(kForward, 60)}),
  };
  const auto weeks =
      ComputeWeeklyLoad(sessions, {}, {kForward}, At(2026, 11, 16), At(2026, 11, 30));
  ASSERT_EQ(weeks.size(), 1u);
  EXPECT_EQ(weeks[0].player_id, kForward);
  EXPECT_TRUE(weeks[0].checks[0].over);  // 16 minutes of full contact
  EXPECT_TRUE(ComputeWeeklyLoad({}, {}, {}, At(2026, 11, 16), At(2026, 11, 30)).empty());
}

}  // namespace
}  // namespace touchline::domain
