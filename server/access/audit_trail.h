// The append-only audit log: appended by the access interceptor, read by administrators.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "server/service/service_options.h"
#include "server/storage/access_store.h"
#include "server/storage/database.h"
#include "touchline/v1/audit.pb.h"

namespace touchline::access {

class AuditTrail {
 public:
  explicit AuditTrail(storage::Database& db) : db_(db) {}

  // Returns once the record is committed (synchronous=FULL: on disk). Concurrent callers are
  // committed together in one transaction (group commit), so a busy match day pays one fsync per
  // batch instead of one per read.
  absl::Status Append(const storage::AuditRecord& record);
  absl::StatusOr<v1::ListAuditEventsResponse> ListAuditEvents(
      const service::Caller& caller, const v1::ListAuditEventsRequest& request);

 private:
  // Callers sleep on a futex word of their batch, not on a condition variable: a woken caller
  // then returns without taking mutex_ again. With a condition variable every caller of a
  // committed batch woke only to queue for the mutex (perf: mutex and futex calls 18 % of the
  // server's CPU at 16 callers), and on this VM every extra sleep and wake-up is a costly trip
  // through the hypervisor.
  enum Turn : int { kWaiting = 0, kLead = 1 };
  struct Batch {
    std::vector<storage::AuditRecord> records;
    absl::Status status;               // written before `done` is set
    std::atomic<int> done{0};          // 1 once committed (or failed): everyone in it returns
    std::atomic<int> leader_turn{kWaiting};  // kLead: the batch's first caller commits it now
  };

  // Commits `batch` (whose first caller this is), then wakes its callers and hands the next batch,
  // if any gathered meanwhile, to that batch's first caller.
  absl::Status Commit(const std::shared_ptr<Batch>& batch);

  storage::Database& db_;
  std::mutex mutex_;                 // guards filling_ and committing_
  std::shared_ptr<Batch> filling_;   // records waiting for the next commit
  bool committing_ = false;          // a leader is writing a batch now
};

}  // namespace touchline::access
