// The SDK's hand-written wire format agrees with the generated protobuf code.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/plugins/test_util.h"
#include "touchline_plugin.hpp"

namespace touchline::plugins {
namespace {

using namespace touchline::plugins::testing;  // NOLINT
namespace sdk = touchline::sdk;

TEST(SdkWireTest, ReadsEveryFieldOfAGeneratedRequest) {
  pv1::AssignRequest req = Request(42, "Jonny");
  req.mutable_player()->set_position_group(pv1::POSITION_GROUP_BACK);
  req.mutable_player()->set_position_name("fly-half");
  pv1::Complaint* c = AddComplaint(req, 7, 10, pv1::SIDE_BOTH);
  c->set_onset_kind(pv1::ONSET_KIND_ACUTE);
  c->set_mechanism(pv1::MECHANISM_KICKING);
  c->mutable_symptoms()->set_pain(6);
  c->mutable_symptoms()->set_weakness_against_quadriceps(true);
  c->set_osiics_code("LNP");
  c->mutable_history()->set_lumbar_disc_herniation(true);
  c->mutable_history()->set_notes("L5/S1");
  c->mutable_findings()->set_sciatic_nerve_tension(true);
  c->mutable_findings()->set_thoracic_stiffness(true);
  c->mutable_findings()->set_notes("slump +");
  AddCheckIn(c, 2, 3, true);
  c->mutable_check_ins(0)->set_note("better");
  c->mutable_resolve_time()->set_seconds(kSessionStart - 5);
  pv1::Flag* f = req.add_active_flags();
  f->set_kind(pv1::FLAG_KIND_RECURRENT);
  f->add_complaint_ids(7);
  f->add_complaint_ids(3);
  f->set_episode(2);
  f->set_reason("again");
  f->mutable_begin_time()->set_seconds(99);
  pv1::ContactEvent* e = req.add_recent_contact_events();
  e->set_id(5);
  e->set_kind(pv1::CONTACT_KIND_LINEOUT_LANDING);
  e->set_awkward(true);
  e->set_session_label("Match");
  e->mutable_occur_time()->set_seconds(12345);
  pv1::PastAssignment* pa = req.add_past_assignments();
  pa->mutable_prescription()->set_exercise("X");
  pa->mutable_prescription()->mutable_frequency()->add_day_parts(pv1::DAY_PART_PM);
  pa->mutable_prescription()->add_notes("n1");
  pa->set_adherence(pv1::ADHERENCE_PARTLY);
  pa->set_pain_during(true);
  pa->set_pain(4);
  pa->mutable_assign_time()->set_seconds(777);
  pa->mutable_session()->set_label("Mon");

  std::string bytes = req.SerializeAsString();
  sdk::AssignRequest r =
      sdk::ParseAssignRequest(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EXPECT_EQ(r.player.id, 42);
  EXPECT_EQ(r.player.name, "Jonny");
  EXPECT_EQ(r.player.position_group, sdk::PositionGroup::kBack);
  EXPECT_EQ(r.player.position_name, "fly-half");
  EXPECT_EQ(r.session.label, "Tuesday training");
  EXPECT_EQ(r.session.start_time, kSessionStart);
  EXPECT_EQ(r.as_of_time, kSessionStart - 3600);
  ASSERT_EQ(r.complaints.size(), 1u);
  const sdk::Complaint& sc = r.complaints[0];
  EXPECT_EQ(sc.id, 7);
  EXPECT_EQ(sc.side, sdk::Side::kBoth);
  EXPECT_EQ(sc.onset_time, kSessionStart - 10 * kDay);
  EXPECT_EQ(sc.onset_kind, sdk::OnsetKind::kAcute);
  EXPECT_EQ(sc.mechanism, sdk::Mechanism::kKicking);
  EXPECT_EQ(sc.symptoms.pain, 6);
  EXPECT_TRUE(sc.symptoms.weakness_against_quadriceps);
  EXPECT_EQ(sc.osiics_code, "LNP");
  EXPECT_TRUE(sc.history.lumbar_disc_herniation);
  EXPECT_EQ(sc.history.notes, "L5/S1");
  EXPECT_TRUE(sc.findings.sciatic_nerve_tension);
  EXPECT_TRUE(sc.findings.thoracic_stiffness);
  EXPECT_FALSE(sc.findings.pelvic_rotation);
  EXPECT_EQ(sc.findings.notes, "slump +");
  ASSERT_EQ(sc.check_ins.size(), 1u);
  EXPECT_EQ(sc.check_ins[0].symptoms.pain, 3);
  EXPECT_TRUE(sc.check_ins[0].symptoms.spasm);
  EXPECT_EQ(sc.check_ins[0].note, "better");
  EXPECT_EQ(sc.current_symptoms().pain, 3);
  ASSERT_TRUE(sc.resolved());
  EXPECT_EQ(*sc.resolve_time, kSessionStart - 5);
  ASSERT_EQ(r.active_flags.size(), 1u);
  EXPECT_EQ(r.active_flags[0].kind, sdk::FlagKind::kRecurrent);
  EXPECT_EQ(r.active_flags[0].complaint_ids, (std::vector<int64_t>{7, 3}));  // packed
  EXPECT_EQ(r.active_flags[0].episode, 2);
  EXPECT_EQ(r.active_flags[0].begin_time, 99);
  EXPECT_TRUE(r.HasFlag(sdk::FlagKind::kRecurrent, 3));
  EXPECT_FALSE(r.HasFlag(sdk::FlagKind::kPersistent, 7));
  ASSERT_EQ(r.recent_contact_events.size(), 1u);
  EXPECT_EQ(r.recent_contact_events[0].kind, sdk::ContactKind::kLineoutLanding);
  EXPECT_TRUE(r.recent_contact_events[0].awkward);
  EXPECT_EQ(r.recent_contact_events[0].occur_time, 12345);
  EXPECT_EQ(r.recent_contact_events[0].session_label, "Match");
  ASSERT_EQ(r.past_assignments.size(), 1u);
  EXPECT_EQ(r.past_assignments[0].prescription.exercise, "X");
  EXPECT_EQ(r.past_assignments[0].prescription.frequency.day_parts,
            std::vector<sdk::DayPart>{sdk::DayPart::kPm});
  EXPECT_EQ(r.past_assignments[0].prescription.notes, std::vector<std::string>{"n1"});
  EXPECT_EQ(r.past_assignments[0].adherence, sdk::Adherence::kPartly);
  EXPECT_TRUE(r.past_assignments[0].pain_during);
  EXPECT_EQ(r.past_assignments[0].pain, 4);
  EXPECT_EQ(r.past_assignments[0].assign_time, 777);
  EXPECT_EQ(r.past_assignments[0].session.label, "Mon");
}

TEST(SdkWireTest, WritesPrescriptionsTheGeneratedCodeReads) {
  sdk::Prescription p;
  p.protocol = "k";
  p.exercise = "E";
  p.instructions = "I";
  p.side = sdk::Side::kRight;
  p.sets = 4;
  p.reps = 6;
  p.hold_seconds = 20;
  p.effort_percent = 20;
  p.contraction = sdk::Contraction::kStatic;
  p.frequency.times_per_day = 2;
  p.frequency.times_per_week = 7;
  p.frequency.day_parts = {sdk::DayPart::kAm, sdk::DayPart::kPm};
  p.timing = sdk::Timing::kPost;
  p.phase = sdk::Phase::kStabilise;
  p.progression_criteria = "C";
  p.pain_ceiling = 2;
  p.reason = "R";
  p.complaint_id = 1LL << 40;
  p.plugin_name = "n";
  p.plugin_version = "v";
  p.notes = {"a", ""};
  p.each_side = true;
  p.stage = "S";
  sdk::Prescription q;
  q.exercise = "Second";
  std::string bytes = sdk::SerializeAssignResponse({p, q});
  pv1::AssignResponse resp;
  ASSERT_TRUE(resp.ParseFromString(bytes));
  ASSERT_EQ(resp.prescriptions_size(), 2);
  const pv1::Prescription& g = resp.prescriptions(0);
  EXPECT_EQ(g.protocol(), "k");
  EXPECT_EQ(g.exercise(), "E");
  EXPECT_EQ(g.instructions(), "I");
  EXPECT_EQ(g.side(), pv1::SIDE_RIGHT);
  EXPECT_EQ(g.sets(), 4);
  EXPECT_EQ(g.reps(), 6);
  EXPECT_EQ(g.hold_seconds(), 20);
  EXPECT_EQ(g.effort_percent(), 20);
  EXPECT_EQ(g.contraction(), pv1::CONTRACTION_STATIC);
  EXPECT_EQ(g.frequency().times_per_day(), 2);
  EXPECT_EQ(g.frequency().times_per_week(), 7);
  EXPECT_THAT(g.frequency().day_parts(),
              ::testing::ElementsAre(pv1::DAY_PART_AM, pv1::DAY_PART_PM));
  EXPECT_EQ(g.timing(), pv1::TIMING_POST);
  EXPECT_EQ(g.phase(), pv1::PHASE_STABILISE);
  EXPECT_EQ(g.progression_criteria(), "C");
  EXPECT_EQ(g.pain_ceiling(), 2);
  EXPECT_EQ(g.reason(), "R");
  EXPECT_EQ(g.complaint_id(), 1LL << 40);
  EXPECT_EQ(g.plugin_name(), "n");
  EXPECT_EQ(g.plugin_version(), "v");
  EXPECT_THAT(g.notes(), ::testing::ElementsAre("a", ""));
  EXPECT_TRUE(g.each_side());
  EXPECT_EQ(g.stage(), "S");
  EXPECT_EQ(resp.prescriptions(1).exercise(), "Second");

  // And the SDK reads back what it wrote (as a PastAssignment's prescription does).
  std::string one = resp.prescriptions(0).SerializeAsString();
  sdk::wire::Reader parent(nullptr, 0);
  sdk::Prescription back;
  sdk::wire::Decode(sdk::wire::Reader(reinterpret_cast<const uint8_t*>(one.data()), one.size()),
                    parent, back);
  EXPECT_TRUE(parent.ok());
  EXPECT_EQ(back.complaint_id, 1LL << 40);
  EXPECT_EQ(back.frequency.day_parts.size(), 2u);
  EXPECT_EQ(back.notes.size(), 2u);
}

TEST(SdkWireTest, RejectsMalformedRequestsAndSkipsUnknownFields) {
  const uint8_t truncated[] = {0x0a, 0x05, 0x08};  // player, says 5 bytes, has 1
  EXPECT_THROW(sdk::ParseAssignRequest(truncated, sizeof truncated), sdk::PluginError);
  const uint8_t bad_type[] = {0x0f};  // field 1, wire type 7
  EXPECT_THROW(sdk::ParseAssignRequest(bad_type, sizeof bad_type), sdk::PluginError);
  // Unknown field 99 (varint) then player {id: 3}.
  const uint8_t unknown[] = {0x98, 0x06, 0x01, 0x0a, 0x02, 0x08, 0x03};
  EXPECT_EQ(sdk::ParseAssignRequest(unknown, sizeof unknown).player.id, 3);
  EXPECT_EQ(sdk::ParseAssignRequest(nullptr, 0).player.id, 0);
}

TEST(SdkWireTest, ExceptionsNeverCrossTheBoundary) {
  std::string out;
  auto write = [](void* ctx, const uint8_t* d, size_t n) -> int {
    static_cast<std::string*>(ctx)->append(reinterpret_cast<const char*>(d), n);
    return 0;
  };
  char error[8];
  int rc = sdk::detail::Invoke(
      [](const sdk::AssignRequest&) -> std::vector<sdk::Prescription> {
        throw sdk::PluginError("a long message that is truncated");
      },
      "n", "v", nullptr, 0, write, &out, error, sizeof error);
  EXPECT_EQ(rc, TOUCHLINE_ERR_INTERNAL);
  EXPECT_STREQ(error, "a long ");
  rc = sdk::detail::Invoke([](const sdk::AssignRequest&) -> std::vector<sdk::Prescription> {
        throw 42;
      }, "n", "v", nullptr, 0, write, &out, error, sizeof error);
  EXPECT_EQ(rc, TOUCHLINE_ERR_INTERNAL);
  const uint8_t bad[] = {0x0f};
  rc = sdk::detail::Invoke([](const sdk::AssignRequest&) { return std::vector<sdk::Prescription>{}; },
                           "n", "v", bad, 1, write, &out, error, sizeof error);
  EXPECT_EQ(rc, TOUCHLINE_ERR_BAD_REQUEST);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace touchline::plugins
