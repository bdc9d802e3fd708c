// Pelvic screening tasks after awkward contact (issue 19 item 3) at the minute: due within 7 days
// of the contact, overdue strictly after, closed by a pelvic screen at or after the contact.
#include "server/domain/screening_rules.h"

#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr Id kPlayer = 7;
const absl::Time kTackle = absl::FromCivil(absl::CivilMinute(2026, 11, 7, 15, 52), absl::UTCTimeZone());
absl::Duration Days(int d) { return absl::Hours(24 * d); }
const absl::Duration kMinute = absl::Minutes(1);

ContactEvent Event(Id id, ContactKind kind, absl::Time at, bool awkward = true) {
  ContactEvent e;
  e.id = id;
  e.player_id = kPlayer;
  e.kind = kind;
  e.occurred_at = at;
  e.awkward = awkward;
  e.session_label = "Saturday match";
  return e;
}

Assessment Screen(Id id, absl::Time at) {
  Assessment a;
  a.id = id;
  a.player_id = kPlayer;
  a.kind = AssessmentKind::kPelvicScreen;
  a.assessed_at = at;
  a.pelvic_rotation = PelvicRotation::kNone;
  return a;
}

std::vector<ScreeningTask> Tasks(const std::vector<ContactEvent>& events,
                                 const std::vector<Assessment>& screens, absl::Time as_of,
                                 const ScreeningThresholds& th = {}) {
  return ScreeningTasks(events, {}, screens, as_of, th);
}

TEST(ScreeningTaskTest, DueWithinSevenDaysOverdueFromTheMinuteAfter) {
  const std::vector<ContactEvent> events = {Event(1, ContactKind::kLineoutLanding, kTackle)};
  for (absl::Time at : {kTackle, kTackle + Days(7) - kMinute, kTackle + Days(7)}) {
    const auto tasks = Tasks(events, {}, at);
    ASSERT_EQ(tasks.size(), 1u);
    EXPECT_EQ(tasks[0].state, ScreeningState::kOpen) << at;
    EXPECT_EQ(tasks[0].due_at, kTackle + Days(7));
  }
  const auto late = Tasks(events, {}, kTackle + Days(7) + kMinute);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].state, ScreeningState::kOverdue);
  EXPECT_EQ(late[0].contact_event_id, 1);
  EXPECT_EQ(late[0].contact_kind, ContactKind::kLineoutLanding);
  EXPECT_EQ(late[0].opened_at, kTackle);
  EXPECT_EQ(late[0].session_label, "Saturday match");
}

TEST(ScreeningTaskTest, DueIntervalIsConfigurable) {
  ScreeningThresholds th;
  th.due_within = Days(3);
  const std::vector<ContactEvent> events = {Event(1, ContactKind::kFall, kTackle)};
  EXPECT_EQ(Tasks(events, {}, kTackle + Days(3), th)[0].state, ScreeningState::kOpen);
  EXPECT_EQ(Tasks(events, {}, kTackle + Days(3) + kMinute, th)[0].state, ScreeningState::kOverdue);
}

TEST(ScreeningTaskTest, OnlyAwkwardTacklesScrumsLineoutLandingsAndFallsOpenOne) {
  std::vector<ContactEvent> events;
  Id id = 0;
  for (ContactKind k : {ContactKind::kTackleMade, ContactKind::kTackleReceived, ContactKind::kScrum,
                        ContactKind::kLineoutLanding, ContactKind::kFall}) {
    ++id;
    events.push_back(Event(id, k, kTackle + absl::Minutes(id)));
  }
  for (ContactKind k : {ContactKind::kCollision, ContactKind::kRuck, ContactKind::kMaul,
                        ContactKind::kLineoutLift, ContactKind::kCarry,
                        ContactKind::kOffFieldLifting}) {
    ++id;
    events.push_back(Event(id, k, kTackle + absl::Minutes(id)));  // awkward, but not these kinds
  }
  events.push_back(Event(++id, ContactKind::kScrum, kTackle, /*awkward=*/false));
  std::vector<Id> opened;
  for (const auto& t : Tasks(events, {}, kTackle + Days(1))) opened.push_back(t.contact_event_id);
  EXPECT_THAT(opened, ElementsAre(1, 2, 3, 4, 5));
}

TEST(ScreeningTaskTest, APelvicScreenAtOrAfterTheContactClosesIt) {
  const std::vector<ContactEvent> events = {Event(1, ContactKind::kTackleReceived, kTackle)};
  // A screen a minute before the contact does not close it.
  EXPECT_EQ(Tasks(events, {Screen(10, kTackle - kMinute)}, kTackle + Days(8))[0].state,
            ScreeningState::kOverdue);
  // At the contact's minute it does; so does a late one (closed, late: closed_at after due_at).
  for (absl::Time screened : {kTackle, kTackle + Days(9)}) {
    const auto tasks = Tasks(events, {Screen(11, screened)}, kTackle + Days(10));
    ASSERT_EQ(tasks.size(), 1u);
    EXPECT_EQ(tasks[0].state, ScreeningState::kClosed);
    EXPECT_EQ(tasks[0].closed_by, 11);
    EXPECT_EQ(tasks[0].closed_at, screened);
  }
  // Evaluated before the screen was done: still open then.
  EXPECT_EQ(Tasks(events, {Screen(11, kTackle + Days(2))}, kTackle + Days(2) - kMinute)[0].state,
            ScreeningState::kOpen);
}

TEST(ScreeningTaskTest, OneScreenClosesEveryTaskOpenedBeforeItAndTheFirstOneCounts) {
  const std::vector<ContactEvent> events = {Event(1, ContactKind::kScrum, kTackle),
                                            Event(2, ContactKind::kFall, kTackle + Days(2)),
                                            Event(3, ContactKind::kFall, kTackle + Days(5))};
  const std::vector<Assessment> screens = {Screen(21, kTackle + Days(4)),
                                           Screen(20, kTackle + Days(3))};
  const auto tasks = Tasks(events, screens, kTackle + Days(13));
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].closed_by, 20);
  EXPECT_EQ(tasks[1].closed_by, 20);
  EXPECT_EQ(tasks[2].state, ScreeningState::kOverdue);  // after both screens, 8 days ago
}

TEST(ScreeningTaskTest, OnlyCurrentPelvicScreensCount) {
  const std::vector<ContactEvent> events = {Event(1, ContactKind::kScrum, kTackle)};
  Assessment corrected = Screen(30, kTackle + Days(1));
  corrected.superseded_by = 31;
  Assessment nordic = Screen(32, kTackle + Days(1));
  nordic.kind = AssessmentKind::kNordic;
  EXPECT_EQ(Tasks(events, {corrected, nordic}, kTackle + Days(8))[0].state,
            ScreeningState::kOverdue);
  EXPECT_EQ(Tasks(events, {corrected, Screen(31, kTackle + Days(6))}, kTackle + Days(8))[0].closed_by,
            31);
}

TEST(ScreeningTaskTest, FutureContactOpensNothingYet) {
  EXPECT_THAT(Tasks({Event(1, ContactKind::kScrum, kTackle)}, {}, kTackle - kMinute), IsEmpty());
}

Complaint Tear(Id id, absl::Time onset, OnsetKind kind = OnsetKind::kAcute) {
  Complaint c;
  c.id = id;
  c.player_id = kPlayer;
  c.onset_at = onset;
  c.onset_kind = kind;
  return c;
}

// Issue 19 item 6: an acute tear's path includes the biomechanics screen.
TEST(ScreeningTaskTest, AnAcuteTearOpensATaskAtOnsetAGradualComplaintDoesNot) {
  const std::vector<Complaint> complaints = {Tear(40, kTackle),
                                             Tear(41, kTackle, OnsetKind::kGradual)};
  for (absl::Time at : {kTackle, kTackle + Days(7)}) {
    const auto tasks = ScreeningTasks({}, complaints, {}, at, {});
    ASSERT_EQ(tasks.size(), 1u);
    EXPECT_EQ(tasks[0].complaint_id, 40);
    EXPECT_EQ(tasks[0].contact_event_id, 0);
    EXPECT_EQ(tasks[0].opened_at, kTackle);
    EXPECT_EQ(tasks[0].due_at, kTackle + Days(7));
    EXPECT_EQ(tasks[0].state, ScreeningState::kOpen);
  }
  EXPECT_EQ(ScreeningTasks({}, complaints, {}, kTackle + Days(7) + kMinute, {})[0].state,
            ScreeningState::kOverdue);
  EXPECT_THAT(ScreeningTasks({}, complaints, {}, kTackle - kMinute, {}), IsEmpty());
  // A screen before the tear does not close it; one at its onset minute does.
  EXPECT_EQ(ScreeningTasks({}, complaints, std::vector<Assessment>{Screen(50, kTackle - kMinute)}, kTackle + Days(8), {})[0]
                .state,
            ScreeningState::kOverdue);
  const auto closed = ScreeningTasks({}, complaints, std::vector<Assessment>{Screen(51, kTackle)}, kTackle + Days(8), {});
  EXPECT_EQ(closed[0].state, ScreeningState::kClosed);
  EXPECT_EQ(closed[0].closed_by, 51);
}

TEST(ScreeningTaskTest, ContactAndTearTasksSortByDueInstant) {
  const auto tasks = ScreeningTasks(std::vector<ContactEvent>{Event(1, ContactKind::kScrum, kTackle + Days(1))},
                                    std::vector<Complaint>{Tear(40, kTackle + Days(2))}, {},
                                    kTackle + Days(3), {});
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].contact_event_id, 1);
  EXPECT_EQ(tasks[1].complaint_id, 40);
}

TEST(PelvicScreenFindingsTest, TheLatestScreenSinceOnsetCountsWhatCallsForAntiSpasmWork) {
  const Complaint c = Tear(40, kTackle);
  EXPECT_FALSE(LatestPelvicScreenFindings(c, {}, kTackle + Days(3)).has_value());
  Assessment rotated = Screen(60, kTackle + Days(1));
  rotated.pelvic_rotation = PelvicRotation::kLeft;
  AssessmentSide raised;
  raised.piriformis_tone = MuscleTone::kRaised;
  rotated.right = raised;
  Assessment clear = Screen(61, kTackle + Days(5));
  AssessmentSide normal;
  normal.piriformis_tone = MuscleTone::kNormal;
  clear.left = clear.right = normal;
  Assessment before = Screen(59, kTackle - kMinute);
  before.pelvic_rotation = PelvicRotation::kRight;
  const std::vector<Assessment> screens = {before, rotated, clear};

  EXPECT_FALSE(LatestPelvicScreenFindings(c, screens, kTackle + Days(1) - kMinute).has_value());
  const auto found = LatestPelvicScreenFindings(c, screens, kTackle + Days(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->assessment_id, 60);
  EXPECT_TRUE(found->pelvic_rotation);
  EXPECT_TRUE(found->piriformis_not_normal);
  EXPECT_THAT(found->detail, ::testing::HasSubstr("pelvis rotated left, right piriformis of raised tone"));
  // A later clear screen is what the pelvis is like now.
  const auto now = LatestPelvicScreenFindings(c, screens, kTackle + Days(5));
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(now->assessment_id, 61);
  EXPECT_FALSE(now->pelvic_rotation);
  EXPECT_FALSE(now->piriformis_not_normal);
}

}  // namespace
}  // namespace touchline::domain
