#include "server/service/anti_spasm_work.h"

#include <map>

#include "server/storage/protocol_store.h"

namespace touchline::service {

namespace pv1 = touchline::plugin::v1;

bool IsAntiSpasmPrescription(const pv1::Prescription& p) {
  return p.phase() == pv1::PHASE_BIOMECHANICS && p.contraction() != pv1::CONTRACTION_NEURAL_GLIDE;
}

std::unordered_map<domain::Id, std::vector<domain::AntiSpasmReport>> LoadAntiSpasmReports(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time from) {
  std::unordered_map<domain::Id, std::vector<domain::AntiSpasmReport>> out;
  if (player_ids.empty()) return out;
  for (const storage::ProtocolAssignment& a :
       storage::ListAssignmentsOfPlayers(conn, player_ids, from, absl::InfiniteFuture())) {
    for (const storage::StoredPrescription& s : a.prescriptions) {
      if (s.adherence.empty()) continue;
      pv1::Prescription p;
      if (!p.ParseFromString(s.body) || !IsAntiSpasmPrescription(p)) continue;
      for (const storage::AdherenceRecord& r : s.adherence) {
        out[a.player_id].push_back(domain::AntiSpasmReport{
            s.id, r.recorded_at, r.adherence == pv1::ADHERENCE_DONE || r.adherence == pv1::ADHERENCE_PARTLY});
      }
    }
  }
  return out;
}

std::vector<domain::ComplaintTreatment> LoadComplaintTreatments(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time from) {
  std::map<domain::Id, domain::ComplaintTreatment> by_complaint;
  if (player_ids.empty()) return {};
  for (const storage::ProtocolAssignment& a :
       storage::ListAssignmentsOfPlayers(conn, player_ids, from, absl::InfiniteFuture())) {
    for (const storage::StoredPrescription& s : a.prescriptions) {
      if (s.complaint_id == 0) continue;  // a prescription for no complaint (e.g. prevention)
      domain::ComplaintTreatment& t = by_complaint[s.complaint_id];
      t.complaint_id = s.complaint_id;
      t.protocols.push_back({s.plugin_name, s.plugin_version});
      if (s.adherence.empty()) continue;
      pv1::Prescription p;
      if (!p.ParseFromString(s.body) || !IsAntiSpasmPrescription(p)) continue;
      for (const storage::AdherenceRecord& r : s.adherence) {
        if (r.adherence == pv1::ADHERENCE_DONE || r.adherence == pv1::ADHERENCE_PARTLY) {
          t.anti_spasm_reports.push_back(r.recorded_at);
        }
      }
    }
  }
  std::vector<domain::ComplaintTreatment> out;
  out.reserve(by_complaint.size());
  for (auto& [id, t] : by_complaint) out.push_back(std::move(t));
  return out;
}

}  // namespace touchline::service
