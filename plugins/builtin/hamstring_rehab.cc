// Built-in plugin: progressive hamstring and pelvic rehabilitation for acute tears (phase 3),
// phased and criteria-gated with the published dosage structures of domain.md section 5:
//   stage 1, days 0-4: protection, pain-free isometrics;
//   stage 2, from about day 5: Askling L-protocol (Extender 3x12 twice daily, Diver 3x6 every
//            other day, Glider 3x4 every third day);
//   stage 3, once pain stays below 2/10 (last 2 check-ins): Nordic hamstring progression
//            (Petersen 2011) by week since the first Nordic assignment, then maintenance.
#include <string>
#include <vector>

#include "common.h"

namespace touchline::builtin {
namespace {

constexpr char kNordic[] = "nordic-hamstring-progression";
constexpr int64_t kDay = 86400;
constexpr int32_t kPainCeiling = 1;  // pain must stay below 2/10 during exercise
constexpr char kCriteria[] =
    "Criteria-gated: pain below 2/10 during exercise, painless single-leg squat and full knee "
    "extension; then running at 70% then 100%; painless change of direction; then team training "
    "stages, then return to play.";

bool AcuteTear(const Complaint& c) {
  return c.onset_kind == OnsetKind::kAcute || c.osiics_code == "TM1";
}

bool PainSettled(const Complaint& c) {
  if (c.check_ins.size() < 2) return false;
  for (size_t i = c.check_ins.size() - 2; i < c.check_ins.size(); ++i) {
    if (c.check_ins[i].symptoms.pain >= 2) return false;
  }
  return true;
}

Prescription Base(const Complaint& c, const std::string& why) {
  Prescription p;
  p.protocol = "hamstring-pelvic-rehab";
  p.side = c.side;
  p.each_side = false;
  p.timing = Timing::kPost;
  p.phase = Phase::kRehabilitation;
  p.pain_ceiling = kPainCeiling;
  p.progression_criteria = kCriteria;
  p.reason = ComplaintLabel(c) + ": acute tear, " + why;
  p.complaint_id = c.id;
  p.category = ExerciseCategory::kStrength;
  p.notes.push_back(
      "Unlikely to last unless phases 1-2 (anti-spasm, core and pelvic stability) are done.");
  return p;
}

void Protection(const Complaint& c, int64_t days, std::vector<Prescription>& out) {
  Prescription p = Base(c, "day " + std::to_string(days) + " after onset");
  p.exercise = "Submaximal isometric hamstring hold";
  p.coach_label = "Strength routine";
  p.instructions = "Lying on the back, heel pressing gently into the floor with the knee slightly "
                   "bent; no movement, no pain.";
  p.stage = "Stage 1: protection (days 0-4)";
  p.sets = 3;
  p.reps = 5;
  p.hold_seconds = 10;
  p.effort_percent = 30;
  p.contraction = Contraction::kStatic;
  p.frequency.times_per_day = 2;
  p.frequency.day_parts = {DayPart::kAm, DayPart::kPm};
  p.progression_criteria = std::string("Start the Askling L-protocol about 5 days after injury. ") +
                           kCriteria;
  out.push_back(p);
}

void Askling(const Complaint& c, int64_t days, std::vector<Prescription>& out) {
  const std::string why = "day " + std::to_string(days) + " after onset, pain not yet below 2/10";
  Prescription extender = Base(c, why);
  extender.exercise = "Askling Extender";
  extender.coach_label = "Running-readiness drills";
  extender.instructions = "Lying on the back, hold the thigh at 90 degrees hip flexion; slowly "
                          "extend the knee short of pain. Progress speed short of pain.";
  extender.stage = "Stage 2: Askling L-protocol";
  extender.sets = 3;
  extender.reps = 12;
  extender.effort_percent = 50;
  extender.contraction = Contraction::kDynamic;
  extender.frequency.times_per_day = 2;
  extender.frequency.times_per_week = 7;
  out.push_back(extender);

  Prescription diver = Base(c, why);
  diver.exercise = "Askling Diver";
  diver.coach_label = "Running-readiness drills";
  diver.instructions = "Standing on the injured leg, slide the arms forward and the other leg back "
                       "keeping the pelvis level, as in a dive; every other day.";
  diver.stage = "Stage 2: Askling L-protocol";
  diver.sets = 3;
  diver.reps = 6;
  diver.effort_percent = 50;
  diver.contraction = Contraction::kEccentric;
  diver.frequency.times_per_week = 3;  // every other day
  out.push_back(diver);

  Prescription glider = Base(c, why);
  glider.exercise = "Askling Glider";
  glider.coach_label = "Running-readiness drills";
  glider.instructions = "Standing, the injured leg in front: glide the back leg backwards, holding "
                        "a support, and pull back using the front leg; every third day.";
  glider.stage = "Stage 2: Askling L-protocol";
  glider.sets = 3;
  glider.reps = 4;
  glider.effort_percent = 50;
  glider.contraction = Contraction::kEccentric;
  glider.frequency.times_per_week = 2;  // every third day
  out.push_back(glider);
}

void Nordic(const AssignRequest& req, const Complaint& c, std::vector<Prescription>& out) {
  int64_t first = 0;
  bool pain_last_time = false;
  for (const PastAssignment& pa : req.past_assignments) {
    if (pa.prescription.protocol != kNordic) continue;
    if (pa.prescription.complaint_id != c.id) continue;
    if (first == 0 || pa.assign_time < first) first = pa.assign_time;
    pain_last_time = pa.pain_during;
  }
  int64_t week = first == 0 ? 1 : (Now(req) - first) / (7 * kDay) + 1;
  if (pain_last_time && week > 1) --week;

  Prescription p = Base(c, "pain below 2/10 at the last 2 check-ins");
  p.protocol = kNordic;
  p.exercise = "Nordic hamstring curl";
  p.coach_label = "Strength routine";
  p.instructions = "Kneeling, ankles held; lower the trunk forward as slowly as possible, "
                   "resisting with the hamstrings, hips extended; push back up with the hands.";
  p.contraction = Contraction::kEccentric;
  p.effort_percent = 100;
  struct Dose { int per_week, sets, reps; const char* note; };
  Dose d;
  if (week <= 1) d = {1, 2, 5, "week 1"};
  else if (week == 2) d = {2, 2, 6, "week 2"};
  else if (week == 3) d = {3, 3, 6, "week 3: 3 x 6-8"};
  else if (week == 4) d = {3, 3, 8, "week 4: 3 x 8-10"};
  else if (week <= 10) d = {3, 3, 12, "weeks 5-10: 3 sets of 12, 10, 8"};
  else d = {1, 3, 12, "maintenance: 1 session a week, 3 sets of 12, 10, 8"};
  p.frequency.times_per_week = d.per_week;
  p.sets = d.sets;
  p.reps = d.reps;
  p.stage = std::string("Stage 3: Nordic progression, ") + d.note;
  if (pain_last_time) p.notes.push_back("Pain reported last time: this week's dose is held back.");
  out.push_back(p);
}

std::vector<Prescription> Assign(const AssignRequest& req) {
  std::vector<Prescription> out;
  for (const Complaint& c : req.complaints) {
    if (c.resolved() || !AcuteTear(c)) continue;
    const int64_t days = (Now(req) - c.onset_time) / kDay;
    if (days < 5) {
      Protection(c, days, out);
    } else if (!PainSettled(c)) {
      Askling(c, days, out);
    } else {
      Nordic(req, c, out);
    }
  }
  return out;
}

}  // namespace
}  // namespace touchline::builtin

TOUCHLINE_PLUGIN("hamstring-pelvic-rehab", "1.1.0",
                 "Progressive hamstring and pelvic rehabilitation for acute tears (phase 3): "
                 "protection, Askling L-protocol, then Nordic progression, criteria-gated",
                 touchline::builtin::Assign)
