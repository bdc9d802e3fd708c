// The append-only audit log: appended by the access interceptor, read by administrators.
#pragma once

#include <atomic>
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
  // A batch is open (records join it) until a leader takes it; the leader writes it in one
  // transaction and then hands the leadership to the batch that filled meanwhile. Waiters sleep on
  // `state` itself (a futex): a commit wakes its own callers, who return without taking the mutex
  // again, and one caller of the next batch, who leads it. (With a mutex and condition variable,
  // every caller woken went back to sleep on the mutex at once; on this machine each wake-up is a
  // costly trip through the kernel, and readiness calls spent a quarter of their time switching.)
  enum State : int { kOpen = 0, kLeadNext = 1, kLed = 2, kDone = 3 };
  struct Batch {
    std::vector<storage::AuditRecord> records;  // under mutex_ while open, then the leader's
    absl::Status status;                        // set before state becomes kDone
    std::atomic<int> state{kOpen};
  };
  // Writes `batch`, publishes its outcome, and passes the lead to the next batch if one filled.
  absl::Status Lead(Batch& batch);

  storage::Database& db_;
  std::mutex mutex_;
  std::shared_ptr<Batch> filling_;  // records waiting for the next commit
  bool committing_ = false;         // a leader is writing a batch now (or has been chosen)
};

}  // namespace touchline::access
