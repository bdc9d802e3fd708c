// The server withholds a static hamstring stretch for a nerve-involved complaint, whatever plugin
// answered it, and keeps everything else (issue 19 item 4).
#include "server/service/prescription_safety.h"

#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::service {
namespace {

namespace pv1 = touchline::plugin::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kOnset =
    absl::FromCivil(absl::CivilMinute(2026, 9, 1, 10, 0), absl::UTCTimeZone());
const absl::Time kNow = kOnset + absl::Hours(24 * 10);

domain::Complaint Complaint(domain::Id id, domain::Side side, bool disc) {
  domain::Complaint c;
  c.id = id;
  c.player_id = 1;
  c.side = side;
  c.onset_at = kOnset;
  c.history.lumbar_disc_herniation = disc;
  return c;
}

pv1::Prescription Rx(const std::string& exercise, pv1::ExerciseCategory category,
                     domain::Id complaint, pv1::Side side, pv1::Timing timing = pv1::TIMING_POST) {
  pv1::Prescription p;
  p.set_exercise(exercise);
  p.set_category(category);
  p.set_complaint_id(complaint);
  p.set_side(side);
  p.set_timing(timing);
  p.set_plugin_name("club-plugin");
  return p;
}

std::vector<std::string> Exercises(const google::protobuf::RepeatedPtrField<pv1::Prescription>& l) {
  std::vector<std::string> out;
  for (const auto& p : l) out.push_back(p.exercise());
  return out;
}

TEST(PrescriptionSafetyTest, AStretchForANerveInvolvedComplaintIsWithheldWithWhy) {
  const std::vector<domain::Complaint> complaints = {
      Complaint(1, domain::Side::kLeft, /*disc=*/true)};
  pv1::AssignResult r;
  *r.add_pre() = Rx("Sciatic nerve slider", pv1::EXERCISE_CATEGORY_NEURAL_MOBILISATION, 1,
                    pv1::SIDE_LEFT, pv1::TIMING_PRE);
  *r.add_post() = Rx("Long-sit stretch", pv1::EXERCISE_CATEGORY_STATIC_HAMSTRING_STRETCH, 1,
                     pv1::SIDE_LEFT);
  *r.add_post() = Rx("Towel hamstring stretch", pv1::EXERCISE_CATEGORY_UNSPECIFIED, 1,
                     pv1::SIDE_LEFT);  // an ABI 1.0 plugin: judged by its name
  *r.add_post() = Rx("Nordic hamstring curl", pv1::EXERCISE_CATEGORY_STRENGTH, 1, pv1::SIDE_BOTH);
  EXPECT_EQ(WithholdUnsafePrescriptions(complaints, {}, kNow, r), 2);
  EXPECT_THAT(Exercises(r.pre()), ElementsAre("Sciatic nerve slider"));
  EXPECT_THAT(Exercises(r.post()), ElementsAre("Nordic hamstring curl"));
  ASSERT_EQ(r.withheld_size(), 2);
  EXPECT_EQ(r.withheld(0).prescription().exercise(), "Long-sit stretch");
  EXPECT_EQ(r.withheld(0).prescription().plugin_name(), "club-plugin");
  EXPECT_THAT(r.withheld(0).reason(), HasSubstr("complaint 1: a static hamstring stretch"));
  EXPECT_THAT(r.withheld(0).reason(), HasSubstr("history of lumbar disc herniation"));
  EXPECT_EQ(r.withheld(1).prescription().exercise(), "Towel hamstring stretch");
}

TEST(PrescriptionSafetyTest, AStretchIsKeptWhenNoComplaintItCanReachIsNerveInvolved) {
  // Right leg nerve involved; a stretch of the left leg for the left complaint is allowed.
  const std::vector<domain::Complaint> complaints = {
      Complaint(1, domain::Side::kLeft, false), Complaint(2, domain::Side::kRight, true)};
  pv1::AssignResult r;
  *r.add_post() = Rx("Long-sit stretch", pv1::EXERCISE_CATEGORY_STATIC_HAMSTRING_STRETCH, 1,
                     pv1::SIDE_LEFT);
  EXPECT_EQ(WithholdUnsafePrescriptions(complaints, {}, kNow, r), 0);
  EXPECT_EQ(r.post_size(), 1);
  // Unlabelled as to side, or for no complaint, it may reach the right leg: withheld.
  pv1::AssignResult unsided;
  *unsided.add_post() = Rx("Long-sit stretch", pv1::EXERCISE_CATEGORY_STATIC_HAMSTRING_STRETCH, 1,
                           pv1::SIDE_UNSPECIFIED);
  *unsided.add_post() = Rx("Long-sit stretch", pv1::EXERCISE_CATEGORY_STATIC_HAMSTRING_STRETCH, 0,
                           pv1::SIDE_RIGHT);
  EXPECT_EQ(WithholdUnsafePrescriptions(complaints, {}, kNow, unsided), 2);
  EXPECT_THAT(unsided.withheld(0).reason(), HasSubstr("complaint 2"));
}

TEST(PrescriptionSafetyTest, AResolvedComplaintStillGuardsAStretchNamedForIt) {
  domain::Complaint healed = Complaint(1, domain::Side::kLeft, true);
  healed.resolved_at = kOnset + absl::Hours(24 * 5);
  pv1::AssignResult other_complaint;
  *other_complaint.add_post() =
      Rx("Long-sit stretch", pv1::EXERCISE_CATEGORY_STATIC_HAMSTRING_STRETCH, 0, pv1::SIDE_LEFT);
  EXPECT_EQ(WithholdUnsafePrescriptions(std::vector<domain::Complaint>{healed}, {}, kNow,
                                        other_complaint),
            0);  // healed and not named: the stretch is for something else
  pv1::AssignResult named;
  *named.add_post() =
      Rx("Long-sit stretch", pv1::EXERCISE_CATEGORY_STATIC_HAMSTRING_STRETCH, 1, pv1::SIDE_LEFT);
  EXPECT_EQ(WithholdUnsafePrescriptions(std::vector<domain::Complaint>{healed}, {}, kNow, named), 1);
}

}  // namespace
}  // namespace touchline::service
