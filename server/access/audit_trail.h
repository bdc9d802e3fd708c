// The append-only audit log: appended by the access interceptor, read by administrators.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/storage/audit_log_store.h"
#include "server/storage/database.h"
#include "touchline/v1/audit.pb.h"

namespace touchline::access {

class AuditTrail {
 public:
  // `audit_log`: the audit log's own file (storage::OpenAuditLog), not the clinical database.
  explicit AuditTrail(storage::Database& audit_log) : db_(audit_log) {}

  // Returns once the record is committed (synchronous=FULL: on disk). Concurrent callers are
  // committed together in one transaction (group commit), so a busy match day pays one fsync per
  // batch instead of one per read.
  absl::Status Append(const storage::AuditRecord& record);
  absl::StatusOr<v1::ListAuditEventsResponse> ListAuditEvents(
      const common::Caller& caller, const v1::ListAuditEventsRequest& request);

 private:
  struct Batch {
    std::vector<storage::AuditRecord> records;
    bool done = false;
    absl::Status status;
    std::condition_variable committed;  // done, or: no commit under way, lead this batch
  };

  storage::Database& db_;
  std::mutex mutex_;
  std::shared_ptr<Batch> filling_;  // records waiting for the next commit
  bool committing_ = false;         // a leader is writing a batch now
};

}  // namespace touchline::access
