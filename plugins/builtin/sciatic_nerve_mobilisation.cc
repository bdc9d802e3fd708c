// Built-in plugin: sciatic nerve mobilisation when nerve involvement is suggested.
#include <string>
#include <vector>

#include "common.h"

namespace touchline::builtin {
namespace {

bool TightnessAndSpasm(const Complaint& c) {
  if (c.symptoms.tightness && c.symptoms.spasm) return true;
  for (const CheckIn& ci : c.check_ins) {
    if (ci.symptoms.tightness && ci.symptoms.spasm) return true;
  }
  return false;
}

std::vector<Prescription> Assign(const AssignRequest& req) {
  std::vector<Prescription> out;
  for (const Complaint& c : req.complaints) {
    if (c.resolved()) continue;
    std::vector<std::string> why;
    if (c.history.lumbar_disc_herniation) why.push_back("history of lumbar disc herniation");
    if (c.findings.sciatic_nerve_tension) why.push_back("sciatic nerve tension found");
    if (TightnessAndSpasm(c)) why.push_back("tightness-and-spasm pattern");
    if (why.empty()) continue;

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
    p.frequency = AmPm();
    p.phase = Phase::kBiomechanics;
    p.stage = "Sliders";
    p.progression_criteria =
        "Progress from sliders to tensioners when sliders are symptom-free through full range at "
        "3 consecutive sessions; stop and reassess if tingling or numbness spreads down the leg.";
    p.pain_ceiling = 2;
    p.reason = ComplaintLabel(c) + ": nerve involvement suggested (" + Join(why, ", ") + ")";
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

TOUCHLINE_PLUGIN("sciatic-nerve-mobilisation", "1.0.0",
                 "Sciatic nerve mobilisation, PRE and POST: nerve involvement suggested (disc "
                 "herniation history, nerve tension finding, tightness-and-spasm pattern)",
                 touchline::builtin::Assign)
