// Built-in plugin: sciatic nerve mobilisation for a complaint the server classifies as nerve
// involved (server/domain/nerve_rules.h; the classification and its reasons come with the request
// since ABI 1.1, so the rule is stated once, in the server).
#include <string>
#include <vector>

#include "common.h"

namespace touchline::builtin {
namespace {

std::vector<Prescription> Assign(const AssignRequest& req) {
  std::vector<Prescription> out;
  for (const Complaint& c : req.complaints) {
    if (c.resolved()) continue;
    if (!c.nerve_involvement.involved) continue;
    const std::vector<std::string>& why = c.nerve_involvement.details;

    Prescription p;
    p.protocol = "sciatic-nerve-mobilisation";
    p.exercise = "Sciatic nerve slider (seated slump)";
    p.coach_label = "Mobility routine";
    p.instructions =
        "Sit tall at the edge of a chair. Straighten the knee while lifting the head to look up, "
        "then bend the knee while bringing the chin down: the nerve slides without being "
        "stretched. Smooth and gentle, no hold at end range.";
    p.side = c.side;
    p.each_side = c.side == Side::kBoth;
    p.sets = 3;
    p.reps = 10;
    p.hold_seconds = 0;
    p.effort_percent = 10;
    p.contraction = Contraction::kNeuralGlide;
    p.category = ExerciseCategory::kNeuralMobilisation;
    p.frequency = AmPm();
    p.phase = Phase::kBiomechanics;
    p.stage = "Sliders";
    p.progression_criteria =
        "Progress from sliders to tensioners when sliders are symptom-free through full range at "
        "3 consecutive sessions; stop and reassess if tingling or numbness spreads down the leg.";
    p.pain_ceiling = 2;
    p.reason = ComplaintLabel(c) + ": nerve involved (" + Join(why, "; ") + ")";
    p.complaint_id = c.id;
    p.notes.push_back(
        "Static hamstring stretching is not the primary treatment: the hamstrings are in "
        "protective spasm guarding the sciatic nerve. Mobilise the nerve and return the "
        "piriformis to normal tone first.");
    PreAndPost(p, out);
  }
  return out;
}

}  // namespace
}  // namespace touchline::builtin

TOUCHLINE_PLUGIN("sciatic-nerve-mobilisation", "1.1.0",
                 "Sciatic nerve mobilisation, PRE and POST: complaints the server classifies as nerve "
                 "involved (neural tension finding, disc herniation history, tightness with spasm)",
                 touchline::builtin::Assign)
