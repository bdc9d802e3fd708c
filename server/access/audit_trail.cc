#include "server/access/audit_trail.h"

#include <atomic>

#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/proto_time.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"

namespace touchline::access {

AuditTrail::AuditTrail(storage::Database& audit_log)
    : db_(audit_log), writer_([this] { Run(); }) {}

AuditTrail::~AuditTrail() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  writer_.join();
}

absl::Status AuditTrail::Append(const storage::AuditRecord& record) {
  // The caller sleeps on `done` itself (a futex): the writer wakes it without a mutex to retake.
  struct Outcome {
    absl::Status status;
    std::atomic<bool> done{false};
  };
  auto outcome = std::make_shared<Outcome>();
  AppendThen(record, [outcome](absl::Status status) {
    outcome->status = std::move(status);
    outcome->done.store(true, std::memory_order_release);
    outcome->done.notify_one();
  });
  outcome->done.wait(false, std::memory_order_acquire);
  return outcome->status;
}

void AuditTrail::AppendThen(storage::AuditRecord record,
                            std::function<void(absl::Status)> committed) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    wake = queue_.empty();  // otherwise the writer has been told already, or is writing
    queue_.push_back(Pending{std::move(record), std::move(committed)});
  }
  if (wake) queued_.notify_one();
}

void AuditTrail::Run() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      batch.swap(queue_);
    }
    const absl::Status status = db_.Write([&](storage::Transaction& conn) -> absl::Status {
      for (const auto& pending : batch) {
        TL_RETURN_IF_ERROR(storage::AppendAuditEvent(conn, pending.record).status());
      }
      return absl::OkStatus();
    });
    for (auto& pending : batch) pending.committed(status);
    batch.clear();
  }
}

absl::StatusOr<v1::ListAuditEventsResponse> AuditTrail::ListAuditEvents(
    const common::Caller&, const v1::ListAuditEventsRequest& request) {
  common::FieldViolations v;
  if (request.player_id() < 0) v.Add("player_id", "must be positive when set");
  common::CheckOptionalText(v, "user", request.user(), 128);
  common::CheckOptionalText(v, "method", request.method(), 256);
  common::CheckOptionalText(v, "outcome", request.outcome(), 64);
  if (request.has_start_time() && !common::IsValidTimestamp(request.start_time())) {
    v.Add("start_time", "is not a valid timestamp");
  }
  if (request.has_end_time() && !common::IsValidTimestamp(request.end_time())) {
    v.Add("end_time", "is not a valid timestamp");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));

  storage::AuditFilter filter;
  filter.player_id = request.player_id();
  filter.user = request.user();
  filter.method = request.method();
  filter.outcome = request.outcome();
  if (request.has_start_time()) filter.start = common::FromProto(request.start_time());
  if (request.has_end_time()) filter.end = common::FromProto(request.end_time());

  v1::ListAuditEventsResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    auto events = storage::ListAuditEvents(conn, filter, cursor.id, page_size + 1);
    const bool more = static_cast<int>(events.size()) > page_size;
    if (more) events.pop_back();
    for (const auto& e : events) {
      auto* out = response.add_audit_events();
      out->set_id(e.id);
      common::ToProto(e.occurred_at, out->mutable_event_time());
      out->set_user(e.user);
      out->set_role(static_cast<v1::Role>(e.role));
      out->set_method(e.method);
      for (int64_t p : e.player_ids) out->add_player_ids(p);
      out->set_squad_id(e.squad_id);
      out->set_outcome(e.outcome);
      if (e.records_sent) out->set_records_sent(*e.records_sent);
    }
    if (more) response.set_next_page_token(common::EncodePageToken({0, events.back().id}));
    return absl::OkStatus();
  }));
  return response;
}

}  // namespace touchline::access
