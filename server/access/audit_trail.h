// The append-only audit log: appended by the access interceptor, read by administrators.
#pragma once

#include "absl/status/statusor.h"
#include "server/service/service_options.h"
#include "server/storage/access_store.h"
#include "server/storage/database.h"
#include "touchline/v1/audit.pb.h"

namespace touchline::access {

class AuditTrail {
 public:
  explicit AuditTrail(storage::Database& db) : db_(db) {}

  absl::Status Append(const storage::AuditRecord& record);
  absl::StatusOr<v1::ListAuditEventsResponse> ListAuditEvents(
      const service::Caller& caller, const v1::ListAuditEventsRequest& request);

 private:
  storage::Database& db_;
};

}  // namespace touchline::access
