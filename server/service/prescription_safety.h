// The server's last word on what the plugins answered (issue 19 item 4): a prescription that a
// rule of server/domain forbids for the complaint it is for is withheld, moved from the player's
// pre/post lists to AssignResult.withheld with the reason, so the physio sees what was refused and
// why. Today's rule: no static hamstring stretch for a nerve-involved complaint
// (domain::WhyUnsafeForComplaint).
#pragma once

#include <span>

#include "absl/time/time.h"
#include "server/domain/model.h"
#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::service {

// Checks every prescription of `result` (one player's composed answer) against the player's
// complaints as they stood at `as_of` (classified with `assessments`, the player's). A prescription
// is checked against the complaint it names, and against every complaint open at `as_of` on a leg
// it may reach (its side, or any when it names none or both): a stretch labelled for another
// complaint still stretches the same nerve. Returns how many were withheld.
int WithholdUnsafePrescriptions(std::span<const domain::Complaint> complaints,
                                std::span<const domain::Assessment> assessments, absl::Time as_of,
                                touchline::plugin::v1::AssignResult& result);

}  // namespace touchline::service
