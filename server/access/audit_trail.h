// The append-only audit log: appended by the access interceptor, read by administrators.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
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
  explicit AuditTrail(storage::Database& audit_log);
  // Commits everything queued, then stops the writer.
  ~AuditTrail();
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  // Returns once the record is committed (synchronous=FULL: on disk).
  absl::Status Append(const storage::AuditRecord& record);
  // Queues the record and returns at once; `committed` runs on the audit log's writer thread
  // with the outcome once the record's batch is committed (or has failed). It must not block: it
  // releases a call that waited for its record (the access interceptor sends the call's status
  // from it), so a call waiting for the disk holds no thread.
  void AppendThen(storage::AuditRecord record, std::function<void(absl::Status)> committed);

  absl::StatusOr<v1::ListAuditEventsResponse> ListAuditEvents(
      const common::Caller& caller, const v1::ListAuditEventsRequest& request);

 private:
  // Every record queued while a batch is being written is committed together in the next
  // transaction (group commit): a busy match day pays one fsync per batch, not one per read.
  void Run();

  struct Pending {
    storage::AuditRecord record;
    std::function<void(absl::Status)> committed;
  };

  storage::Database& db_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::vector<Pending> queue_;  // under mutex_
  bool stopping_ = false;       // under mutex_
  std::thread writer_;          // started last
};

}  // namespace touchline::access
