// Built-in plugin: the article's "4-sign" piriformis anti-spasm exercise (domain.md section 1).
#include <string>
#include <vector>

#include "common.h"

namespace touchline::builtin {
namespace {


std::vector<Prescription> Assign(const AssignRequest& req) {
  std::vector<std::string> reasons;
  int64_t complaint_id = 0;
  bool persistent = false;
  for (const Complaint& c : req.complaints) {
    if (c.resolved()) continue;
    std::vector<std::string> why;
    if (req.HasFlag(FlagKind::kSuspectedPelvicOrigin, c.id)) why.push_back("suspected pelvic origin");
    if (req.HasFlag(FlagKind::kPersistent, c.id)) {
      why.push_back("persistent beyond 6 weeks");
      persistent = true;
    }
    if (req.HasFlag(FlagKind::kRecurrent, c.id)) why.push_back("recurrent");
    if (c.findings.piriformis_spasm) why.push_back("piriformis spasm found");
    if (c.findings.pelvic_rotation) why.push_back("pelvic rotation found");
    if (why.empty()) continue;
    reasons.push_back(ComplaintLabel(c) + ": " + Join(why, ", "));
    complaint_id = c.id;  // the latest qualifying complaint
  }
  std::vector<Prescription> out;
  if (reasons.empty()) return out;

  Prescription p;
  p.protocol = "piriformis-4-sign";
  p.exercise = "Piriformis 4-sign isometric";
  p.coach_label = "Hip activation routine";
  p.instructions =
      "Sit on a chair, one leg crossed over the other (ankle on the opposite knee, a figure 4). "
      "Both hands on the inside of the knee; pull the knee up into the hands at 20% of maximum "
      "effort, just enough to engage the hip muscles. Static: the leg must not move. Hold 20 s; "
      "4 sets on each leg.";
  p.side = Side::kBoth;
  p.each_side = true;
  p.sets = 4;
  p.reps = 0;
  p.hold_seconds = 20;
  p.effort_percent = 20;
  p.contraction = Contraction::kStatic;
  p.category = ExerciseCategory::kAntiSpasm;
  p.frequency = AmPm();
  p.phase = Phase::kBiomechanics;
  p.stage = "Phase 1: anti-spasm";
  p.progression_criteria =
      "Continue until the pelvis sits normally and the piriformis is back to normal tone (no "
      "pelvic rotation or piriformis spasm on examination); then start core and pelvic stability.";
  p.pain_ceiling = 2;
  p.reason = Join(reasons, "; ");
  p.complaint_id = complaint_id;
  p.notes.push_back(
      "Do it before and after periods of activity or inactivity: pre- and post-training.");
  p.notes.push_back("Do not stretch the hamstring to treat this: settle the piriformis first.");
  if (persistent) {
    p.notes.push_back(
        "Symptoms beyond 6 weeks: the piriformis may be fibrotic; expect short-term relief only "
        "and symptoms returning when training resumes unless the cause is treated.");
  }
  PreAndPost(p, out);
  return out;
}

}  // namespace
}  // namespace touchline::builtin

TOUCHLINE_PLUGIN("piriformis-4-sign", "1.1.0",
                 "Piriformis anti-spasm (4-sign), PRE and POST: complaints of suspected pelvic "
                 "origin, persistent or recurrent, or with piriformis spasm or pelvic rotation",
                 touchline::builtin::Assign)
