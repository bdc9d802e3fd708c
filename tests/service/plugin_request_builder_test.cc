#include "server/service/plugin_request_builder.h"

#include "gtest/gtest.h"

namespace touchline::service {
namespace {

namespace pv1 = touchline::plugin::v1;

TEST(PluginRequestBuilderTest, BuildsThePlayersContextAsOfAnInstant) {
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  domain::Player player;
  player.id = 9;
  player.name = "Ellis";
  player.position_group = domain::PositionGroup::kBack;
  player.position_name = "wing";

  domain::Complaint later;  // onset after as_of: left out
  later.id = 3;
  later.onset_at = t0 + absl::Hours(48);
  domain::Complaint open;
  open.id = 2;
  open.side = domain::Side::kRight;
  open.onset_at = t0 - absl::Hours(24 * 10);
  open.onset_kind = domain::OnsetKind::kAcute;
  open.findings.piriformis_spasm = true;
  open.history.lumbar_disc_herniation = true;
  open.check_ins.push_back(
      {.id = 1, .complaint_id = 2, .checked_at = t0 - absl::Hours(24), .symptoms = {}, .note = "", .recorded_by = ""});
  open.check_ins.back().symptoms.pain = 3;
  open.check_ins.push_back(
      {.id = 2, .complaint_id = 2, .checked_at = t0 + absl::Hours(1), .symptoms = {}, .note = "", .recorded_by = ""});
  open.resolved_at = t0 + absl::Hours(5);  // resolved after as_of: still open then
  domain::Complaint old;
  old.id = 1;
  old.onset_at = t0 - absl::Hours(24 * 400);
  old.resolved_at = t0 - absl::Hours(24 * 380);
  std::vector<domain::Complaint> complaints = {later, open, old};

  domain::Flag flag;
  flag.kind = domain::FlagKind::kSuspectedPelvicOrigin;
  flag.complaint_ids = {2};
  flag.reason = "tackle";
  std::vector<domain::Flag> flags = {flag};

  std::vector<domain::ContactEvent> events(3);
  events[0].id = 10;
  events[0].occurred_at = t0 - absl::Hours(24 * 100);  // too old
  events[1].id = 11;
  events[1].kind = domain::ContactKind::kScrum;
  events[1].occurred_at = t0 - absl::Hours(24 * 11);
  events[1].awkward = true;
  events[2].id = 12;
  events[2].occurred_at = t0 - absl::Hours(24 * 12);

  pv1::Session session;
  session.set_label("Thursday");
  std::vector<pv1::PastAssignment> past(1);
  past[0].set_adherence(pv1::ADHERENCE_DONE);

  pv1::AssignRequest r =
      BuildAssignRequest(player, complaints, {}, flags, events, session, past, t0);
  EXPECT_EQ(r.player().id(), 9);
  EXPECT_EQ(r.player().position_group(), pv1::POSITION_GROUP_BACK);
  ASSERT_EQ(r.complaints_size(), 2);
  EXPECT_EQ(r.complaints(0).id(), 1);
  EXPECT_TRUE(r.complaints(0).has_resolve_time());
  const pv1::Complaint& c = r.complaints(1);
  EXPECT_EQ(c.id(), 2);
  EXPECT_EQ(c.side(), pv1::SIDE_RIGHT);
  EXPECT_EQ(c.onset_kind(), pv1::ONSET_KIND_ACUTE);
  EXPECT_TRUE(c.findings().piriformis_spasm());
  EXPECT_TRUE(c.history().lumbar_disc_herniation());
  // The server's classification travels with the complaint (the disc history is a reason).
  EXPECT_TRUE(c.nerve_involvement().involved());
  ASSERT_EQ(c.nerve_involvement().reasons_size(), 1);
  EXPECT_EQ(c.nerve_involvement().reasons(0), pv1::NERVE_REASON_DISC_HERNIATION_HISTORY);
  EXPECT_FALSE(r.complaints(0).nerve_involvement().involved());
  ASSERT_EQ(c.check_ins_size(), 1);
  EXPECT_EQ(c.check_ins(0).symptoms().pain(), 3);
  EXPECT_FALSE(c.has_resolve_time());
  ASSERT_EQ(r.active_flags_size(), 1);
  EXPECT_EQ(r.active_flags(0).kind(), pv1::FLAG_KIND_SUSPECTED_PELVIC_ORIGIN);
  ASSERT_EQ(r.recent_contact_events_size(), 2);
  EXPECT_EQ(r.recent_contact_events(0).id(), 12);
  EXPECT_EQ(r.recent_contact_events(1).kind(), pv1::CONTACT_KIND_SCRUM);
  EXPECT_EQ(r.session().label(), "Thursday");
  EXPECT_EQ(r.past_assignments_size(), 1);
  EXPECT_EQ(r.as_of_time().seconds(), 1'700'000'000);
}

}  // namespace
}  // namespace touchline::service
