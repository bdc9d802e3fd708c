// What the six-week window rule (server/domain/window_rules.h) reads of the protocol records: the
// adherence reports on anti-spasm prescriptions. An anti-spasm prescription is one of the
// article's phase 1 ("biomechanics: anti-spasm work until the pelvis sits normally", e.g. the
// piriformis 4-sign) that is muscle work, not a nerve glide (sciatic nerve mobilisation shares the
// phase but treats the nerve, not the spasm).
#pragma once

#include <unordered_map>
#include <vector>

#include "server/storage/transaction.h"
#include "absl/time/time.h"
#include "server/domain/model.h"
#include "server/domain/outcome_rules.h"
#include "server/domain/window_rules.h"
#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::service {

bool IsAntiSpasmPrescription(const touchline::plugin::v1::Prescription& prescription);

// The adherence reports on anti-spasm prescriptions of these players' assignments for sessions
// from `from` on, by player, oldest first. One read of the assignments whatever the player count.
std::unordered_map<domain::Id, std::vector<domain::AntiSpasmReport>> LoadAntiSpasmReports(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time from);

// What the protocol records say of each complaint that was assigned prescriptions in sessions
// from `from` on (outcomes by protocol, domain/outcome_rules.h): the plugins and versions that
// prescribed for it (a prescription's complaint_id) and the DONE/PARTLY reports on its anti-spasm
// prescriptions (the same test as LoadAntiSpasmReports). By complaint id, ascending.
std::vector<domain::ComplaintTreatment> LoadComplaintTreatments(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time from);

}  // namespace touchline::service
