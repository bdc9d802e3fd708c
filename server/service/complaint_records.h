// Hamstring complaints: record, amend (keeping who, when and what), check in, resolve, reopen.
#pragma once

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/record_observer.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/complaint.pb.h"

namespace touchline::service {

// The complaint as the API shows it, with its computed pelvic-origin marker (read on `conn`).
void PresentComplaint(storage::Transaction& conn, const domain::Complaint& complaint,
                      const domain::FlagThresholds& thresholds, v1::Complaint* out);

class ComplaintRecords {
 public:
  ComplaintRecords(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  absl::StatusOr<v1::CreateComplaintResponse> CreateComplaint(
      const common::Caller& caller, const v1::CreateComplaintRequest& request);
  absl::StatusOr<v1::GetComplaintResponse> GetComplaint(const common::Caller& caller,
                                                        const v1::GetComplaintRequest& request);
  absl::StatusOr<v1::ListComplaintsResponse> ListComplaints(
      const common::Caller& caller, const v1::ListComplaintsRequest& request);
  absl::StatusOr<v1::UpdateComplaintResponse> UpdateComplaint(
      const common::Caller& caller, const v1::UpdateComplaintRequest& request);
  absl::StatusOr<v1::CreateCheckInResponse> CreateCheckIn(const common::Caller& caller,
                                                          const v1::CreateCheckInRequest& request);
  absl::StatusOr<v1::ResolveComplaintResponse> ResolveComplaint(
      const common::Caller& caller, const v1::ResolveComplaintRequest& request);
  absl::StatusOr<v1::ReopenComplaintResponse> ReopenComplaint(
      const common::Caller& caller, const v1::ReopenComplaintRequest& request);
  absl::StatusOr<v1::ListAmendmentsResponse> ListAmendments(
      const common::Caller& caller, const v1::ListAmendmentsRequest& request);

 // Told after each committed write that can change a player's flags (optional; live flags).
  void set_observer(PlayerRecordObserver* observer) { observer_ = observer; }

 private:
  void Changed(domain::Id player_id) const {
    if (observer_ != nullptr) observer_->PlayerRecordChanged(player_id);
  }
  PlayerRecordObserver* observer_ = nullptr;
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
