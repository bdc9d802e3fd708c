#include "server/access/audit_trail.h"

#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/proto_time.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"

namespace touchline::access {

absl::Status AuditTrail::Append(const storage::AuditRecord& record) {
  std::shared_ptr<Batch> mine;
  bool lead = false;
  {
    std::lock_guard lock(mutex_);
    if (!filling_) filling_ = std::make_shared<Batch>();
    mine = filling_;
    mine->records.push_back(record);
    if (!committing_) {
      // No commit under way: this caller writes everything gathered so far.
      committing_ = true;
      filling_.reset();
      mine->state.store(kLed, std::memory_order_relaxed);
      lead = true;
    }
  }
  if (lead) return Lead(*mine);
  for (;;) {
    int state = mine->state.load(std::memory_order_acquire);
    if (state == kDone) return mine->status;
    if (state == kLeadNext &&
        mine->state.compare_exchange_strong(state, kLed, std::memory_order_acq_rel)) {
      return Lead(*mine);
    }
    mine->state.wait(state, std::memory_order_acquire);
  }
}

absl::Status AuditTrail::Lead(Batch& batch) {
  const absl::Status status = db_.Write([&](SQLite::Database& conn) -> absl::Status {
    for (const auto& r : batch.records) {
      TL_RETURN_IF_ERROR(storage::AppendAuditEvent(conn, r).status());
    }
    return absl::OkStatus();
  });
  std::shared_ptr<Batch> next;
  {
    std::lock_guard lock(mutex_);
    next = std::move(filling_);  // closed: its records are the next leader's
    committing_ = next != nullptr;
  }
  batch.status = status;
  batch.state.store(kDone, std::memory_order_release);
  batch.state.notify_all();
  if (next) {
    next->state.store(kLeadNext, std::memory_order_release);
    next->state.notify_one();
  }
  return status;
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
  TL_RETURN_IF_ERROR(db_.Read([&](SQLite::Database& conn) -> absl::Status {
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
