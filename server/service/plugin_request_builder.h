// Builds the plugin contract's AssignRequest from the domain model, for the service layer.
#pragma once

#include <span>

#include "absl/time/time.h"
#include "server/domain/flag_rules.h"
#include "server/domain/model.h"
#include "server/domain/nerve_rules.h"
#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::service {

// One player's context at `as_of` for `session`:
//  - complaints: all the player's complaints (any order); those with onset after as_of are left
//    out, so are check-ins after as_of and a resolution after as_of; sorted by onset.
//  - each complaint's nerve_involvement: domain::ClassifyNerveInvolvement at as_of with
//    `assessments` (the player's, any order; slumps, straight-leg raises and pelvic screens
//    matter); its findings also carry what the latest pelvic screen since onset found
//    (domain::LatestPelvicScreenFindings: rotation, a piriformis not of normal tone).
//  - active_flags: domain::EvaluateFlags(...) at as_of.
//  - contact_events: any of the player's events; those in [as_of - contact_lookback, as_of] are
//    sent, oldest first.
//  - past_assignments: stored assignments with their adherence, oldest first (sent as given).
touchline::plugin::v1::AssignRequest BuildAssignRequest(
    const domain::Player& player, std::span<const domain::Complaint> complaints,
    std::span<const domain::Assessment> assessments, std::span<const domain::Flag> active_flags,
    std::span<const domain::ContactEvent> contact_events,
    const touchline::plugin::v1::Session& session,
    std::span<const touchline::plugin::v1::PastAssignment> past_assignments, absl::Time as_of,
    absl::Duration contact_lookback = absl::Hours(24 * 42));

// The plugin contract's form of a classification.
void ToProto(const domain::NerveInvolvement& in, touchline::plugin::v1::NerveInvolvement* out);

}  // namespace touchline::service
