// A sample club plugin: after any recent awkward scrum or lineout landing, a gentle hip-flexor
// activation before the session. Needs only the installed touchline_plugin.hpp.
#include <string>
#include <vector>

#include "touchline_plugin.hpp"

namespace {

using namespace touchline::sdk;

std::vector<Prescription> Assign(const AssignRequest& req) {
  std::vector<Prescription> out;
  for (const ContactEvent& e : req.recent_contact_events) {
    if (!e.awkward) continue;
    if (e.kind != ContactKind::kScrum && e.kind != ContactKind::kLineoutLanding) continue;
    Prescription p;
    p.protocol = "club-post-set-piece";
    p.exercise = "Supine hip-flexor activation";
    p.coach_label = "Hip activation routine";  // what a coach sees: no side, dose or finding
    p.instructions = "On the back, knees bent; press each knee gently into your hand, no movement.";
    p.side = Side::kBoth;
    p.each_side = true;
    p.sets = 2;
    p.hold_seconds = 10;
    p.effort_percent = 20;
    p.contraction = Contraction::kStatic;
    p.frequency.times_per_day = 1;
    p.timing = Timing::kPre;
    p.phase = Phase::kBiomechanics;
    p.progression_criteria = "Stop when no awkward set-piece event in the last 14 days.";
    p.pain_ceiling = 2;
    p.reason = "awkward set-piece contact event " + std::to_string(e.id);
    out.push_back(p);
    break;
  }
  return out;
}

}  // namespace

TOUCHLINE_PLUGIN("club-sample", "0.1.0", "Hip-flexor activation after awkward set pieces", Assign)
