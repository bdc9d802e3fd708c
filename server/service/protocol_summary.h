// One-line summaries of a player's protocol lists, as the readiness view and the protocol desk show
// them: the staff's (exercise and dose) and the coach's (coach-safe labels only).
#pragma once

#include <string>

#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::service {

// "PRE: Piriformis 4-sign isometric (both, 4x20s @20%); ... | POST: ..." ("" when both are empty).
std::string SummarizeProtocols(const touchline::plugin::v1::AssignResult& result);
// One prescription: its exercise and dose, e.g. "Sciatic nerve slider (left, 3x10, @10%)".
std::string SummarizePrescription(const touchline::plugin::v1::Prescription& p);
// What a coach reads of the same lists: "PRE: Hip activation routine | POST: ..." with each
// prescription's coach-safe label (domain::CoachLabel), each label once per timing.
std::string SummarizeProtocolsForCoach(const touchline::plugin::v1::AssignResult& result);

}  // namespace touchline::service
