// Built-in plugin: core and pelvic stability, the stabilise phase: once the spasm has settled, and
// for an acute tear from the start, alongside its progressive rehabilitation (issue 19 item 6; the
// article: rehabilitation alone is unlikely to last). A tear gets the low-load work (dead bug,
// side plank) at once and the single-leg bridge, which loads the hamstring, from day 5, when the
// rehabilitation's own loading starts.
#include <string>
#include <vector>

#include "common.h"

namespace touchline::builtin {
namespace {

// Spasm has settled: this many consecutive latest check-ins with low pain and no spasm.
constexpr size_t kSettledCheckIns = 3;
constexpr int32_t kSettledPain = 2;
constexpr int64_t kDay = 86400;
constexpr int64_t kTearBridgeFromDay = 5;

bool AcuteTear(const Complaint& c) { return c.onset_kind == OnsetKind::kAcute; }

bool Settled(const Complaint& c) {
  if (c.check_ins.size() < kSettledCheckIns) return false;
  for (size_t i = c.check_ins.size() - kSettledCheckIns; i < c.check_ins.size(); ++i) {
    const Symptoms& s = c.check_ins[i].symptoms;
    if (s.pain > kSettledPain || s.spasm) return false;
  }
  return true;
}

Prescription Base(const Complaint& c, bool settled) {
  Prescription p;
  p.category = ExerciseCategory::kStability;
  p.side = Side::kBoth;
  p.each_side = true;
  p.phase = Phase::kStabilise;
  p.stage = "Phase 2: stabilise";
  p.progression_criteria =
      "Progress (longer holds, then unstable base, then load) when done with a level pelvis and "
      "no piriformis or hamstring spasm at 2 consecutive sessions; an acute tear keeps it going "
      "alongside its progressive hamstring rehabilitation.";
  p.pain_ceiling = 2;
  p.reason = settled ? ComplaintLabel(c) +
                         ": spasm settled (pain at most 2/10 and no spasm at the last 3 "
                         "check-ins), time to teach pelvis and trunk control"
                     : ComplaintLabel(c) +
                         ": acute tear, stability work alongside the progressive rehabilitation "
                         "(rehabilitation alone is unlikely to last)";
  p.complaint_id = c.id;
  return p;
}

std::vector<Prescription> Assign(const AssignRequest& req) {
  std::vector<Prescription> out;
  for (const Complaint& c : req.complaints) {
    if (c.resolved()) continue;
    const bool settled = Settled(c);
    if (!settled && !AcuteTear(c)) continue;
    const bool bridge_too = settled || (Now(req) - c.onset_time) / kDay >= kTearBridgeFromDay;

    Prescription dead_bug = Base(c, settled);
    dead_bug.protocol = "core-pelvic-stability";
    dead_bug.exercise = "Dead bug with neutral pelvis";
    dead_bug.coach_label = "Core stability routine";
    dead_bug.instructions =
        "On the back, hips and knees at 90 degrees. Lower the opposite arm and leg slowly while "
        "keeping the lower back and pelvis still; return and swap.";
    dead_bug.sets = 2;
    dead_bug.reps = 8;
    dead_bug.effort_percent = 30;
    dead_bug.contraction = Contraction::kDynamic;
    dead_bug.frequency.times_per_week = 5;
    dead_bug.timing = Timing::kPre;
    dead_bug.notes.push_back("Activation before the session: low volume, perfect control.");
    out.push_back(dead_bug);

    Prescription plank = Base(c, settled);
    plank.protocol = "core-pelvic-stability";
    plank.exercise = "Side plank";
    plank.coach_label = "Core stability routine";
    plank.instructions = "On the forearm, body in a straight line, pelvis level; do not let the "
                         "hip drop or rotate.";
    plank.sets = 3;
    plank.hold_seconds = 30;
    plank.effort_percent = 40;
    plank.contraction = Contraction::kStatic;
    plank.frequency.times_per_week = 3;
    plank.timing = Timing::kPost;
    out.push_back(plank);

    if (!bridge_too) continue;
    Prescription bridge = Base(c, settled);
    bridge.protocol = "core-pelvic-stability";
    bridge.exercise = "Single-leg glute bridge";
    bridge.coach_label = "Glute activation routine";
    bridge.instructions = "On the back, one knee bent, the other leg straight. Lift the pelvis "
                          "level, hold 2 s, lower slowly. The pelvis must not tilt or rotate.";
    bridge.sets = 3;
    bridge.reps = 10;
    bridge.effort_percent = 40;
    bridge.contraction = Contraction::kDynamic;
    bridge.frequency.times_per_week = 3;
    bridge.timing = Timing::kPost;
    out.push_back(bridge);
  }
  return out;
}

}  // namespace
}  // namespace touchline::builtin

TOUCHLINE_PLUGIN("core-pelvic-stability", "1.1.0",
                 "Core and pelvic stability (stabilise phase): once the spasm has settled, i.e. "
                 "pain at most 2/10 and no spasm at 3 consecutive check-ins; acute tears from the "
                 "start, alongside their rehabilitation",
                 touchline::builtin::Assign)
