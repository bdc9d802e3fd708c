#include "server/service/contact_log.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <optional>
#include <set>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/service/instant_check.h"
#include "server/service/proto_mapping.h"
#include "server/service/write_once.h"
#include "server/storage/record_store.h"

namespace touchline::service {
namespace {

// Rejections listed in an import's answer (all are counted).
constexpr size_t kMaxListedRejections = 100;

bool IsContactKind(int kind) {
  return v1::ContactKind_IsValid(kind) && kind != v1::CONTACT_KIND_UNSPECIFIED;
}

// The field names of an event's violations, written once (not for every event an import checks).
struct EventFields {
  const std::string player_id = "contact_event.player_id";
  const std::string kind = "contact_event.kind";
  const std::string occur_time = "contact_event.occur_time";
  const std::string session_label = "contact_event.session_label";
  const std::string note = "contact_event.note";
  const std::string source = "contact_event.source";
  const std::string idempotency_key = "contact_event.idempotency_key";
};
const EventFields& Fields() {
  static const EventFields* const fields = new EventFields;
  return *fields;
}

// Validates one event (a request's contact_event, or one of an import's events: both are named
// contact_event.* in violations).
absl::Status CheckEvent(const v1::ContactEvent& e, absl::Time now, const ServiceOptions& o) {
  const EventFields& f = Fields();
  common::FieldViolations v;
  common::CheckPositiveId(v, f.player_id, e.player_id());
  if (!IsContactKind(e.kind())) v.Add(f.kind, "must be a CONTACT_KIND_* value");
  if (!e.has_occur_time()) {
    v.Add(f.occur_time, "is required");
  } else {
    CheckInstant(v, f.occur_time, e.occur_time(), now, o);
  }
  common::CheckOptionalText(v, f.session_label, e.session_label(), o.max_name_length);
  common::CheckOptionalText(v, f.note, e.note(), o.max_text_length);
  if (!v1::ContactSource_IsValid(e.source())) {
    v.Add(f.source, "must be a CONTACT_SOURCE_* value");
  }
  common::CheckRequiredText(v, f.idempotency_key, e.idempotency_key(),
                            o.max_idempotency_key_length);
  return v.ToStatus();
}

// The domain value of an event CheckEvent accepted, its text copied from `e`, or moved out of it
// when `e` is the import's own decoded message.
template <typename Event>
domain::ContactEvent ToDomain(Event&& e) {
  domain::ContactEvent event;
  event.player_id = e.player_id();
  event.kind = static_cast<domain::ContactKind>(e.kind());
  event.occurred_at = FromProto(e.occur_time());
  event.awkward = e.awkward();
  event.source = e.source() == v1::CONTACT_SOURCE_UNSPECIFIED
                     ? domain::ContactSource::kManual
                     : static_cast<domain::ContactSource>(e.source());
  if constexpr (std::is_const_v<std::remove_reference_t<Event>> ||
                std::is_lvalue_reference_v<Event>) {
    event.session_label = e.session_label();
    event.note = e.note();
    event.idempotency_key = e.idempotency_key();
  } else {
    event.session_label = std::move(*e.mutable_session_label());
    event.note = std::move(*e.mutable_note());
    event.idempotency_key = std::move(*e.mutable_idempotency_key());
  }
  return event;
}

absl::StatusOr<domain::ContactEvent> ValidateEvent(const v1::ContactEvent& e, absl::Time now,
                                                   const ServiceOptions& o) {
  TL_RETURN_IF_ERROR(CheckEvent(e, now, o));
  return ToDomain(e);
}

// Why `event` may not take its idempotency key: `stored` already holds it with other content.
std::string KeyConflict(const domain::ContactEvent& event, const domain::ContactEvent& stored) {
  return absl::StrCat("idempotency key '", event.idempotency_key, "' is already used by event ",
                      stored.id, " with different content");
}

bool SameEvent(const domain::ContactEvent& a, const domain::ContactEvent& b) {
  return a.player_id == b.player_id && a.kind == b.kind && a.occurred_at == b.occurred_at &&
         a.session_label == b.session_label && a.awkward == b.awkward && a.source == b.source &&
         a.note == b.note;
}

// Why events of this player may not be recorded, or empty if they may.
std::string PlayerProblem(storage::Transaction& conn, domain::Id player_id) {
  auto player = storage::FindPlayer(conn, player_id);
  if (!player.ok()) return absl::StrCat("player ", player_id, " not found");
  if (player->archived_at) return absl::StrCat("player ", player_id, " is archived");
  return "";
}

}  // namespace

absl::StatusOr<v1::CreateContactEventResponse> ContactLog::CreateContactEvent(
    const common::Caller& caller, const v1::CreateContactEventRequest& request) {
  const absl::Time now = clock_.Now();
  TL_ASSIGN_OR_RETURN(domain::ContactEvent event,
                      ValidateEvent(request.contact_event(), now, options_));
  event.recorded_at = now;
  event.recorded_by = caller.user;
  v1::CreateContactEventResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    if (auto existing = storage::FindContactEventByKey(conn, event.idempotency_key)) {
      if (!SameEvent(*existing, event)) {
        return absl::AlreadyExistsError(KeyConflict(event, *existing));
      }
      ToProto(*existing, response.mutable_contact_event());
      response.set_replayed(true);
      return absl::OkStatus();
    }
    auto player = storage::FindPlayer(conn, event.player_id);
    if (!player.ok()) return player.status();
    if (player->archived_at) {
      return absl::FailedPreconditionError(
          absl::StrCat("player ", event.player_id, " is archived; no new events"));
    }
    storage::ContactEventInserter inserter(conn);
    auto id = inserter.InsertIfNew(event);
    if (!id) return absl::InternalError("idempotency key appeared during the transaction");
    event.id = *id;
    ToProto(event, response.mutable_contact_event());
    return absl::OkStatus();
  }));
  if (!response.replayed()) Changed(response.contact_event().player_id());
  return response;
}

absl::StatusOr<v1::GetContactEventResponse> ContactLog::GetContactEvent(
    const common::Caller&, const v1::GetContactEventRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::GetContactEventResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::ContactEvent e, storage::FindContactEvent(conn, request.id()));
    ToProto(e, response.mutable_contact_event());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ListContactEventsResponse> ContactLog::ListContactEvents(
    const common::Caller&, const v1::ListContactEventsRequest& request) {
  common::FieldViolations v;
  if ((request.player_id() == 0) == (request.squad_id() == 0)) {
    v.Add("player_id", "set exactly one of player_id and squad_id");
  }
  if (request.player_id() < 0) v.Add("player_id", "must not be negative");
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative");
  common::CheckOptionalTimeRange(v, request);
  common::CheckFilterSize(v, "kinds", request.kinds_size());
  for (int i = 0; i < request.kinds_size(); ++i) {
    if (!IsContactKind(request.kinds(i))) {
      v.Add(absl::StrCat("kinds[", i, "]"), "must be a CONTACT_KIND_* value");
    }
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));

  storage::ContactEventFilter filter;
  filter.player_id = request.player_id();
  filter.squad_id = request.squad_id();
  if (request.has_start_time()) filter.start = FromProto(request.start_time());
  if (request.has_end_time()) filter.end = FromProto(request.end_time());
  for (int k : request.kinds()) filter.kinds.push_back(static_cast<domain::ContactKind>(k));

  v1::ListContactEventsResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    if (filter.player_id) TL_RETURN_IF_ERROR(storage::FindPlayer(conn, filter.player_id).status());
    if (filter.squad_id) TL_RETURN_IF_ERROR(storage::FindSquad(conn, filter.squad_id).status());
    auto events = storage::ListContactEvents(conn, filter, cursor, page_size + 1);
    const bool more = static_cast<int>(events.size()) > page_size;
    if (more) events.pop_back();
    for (const auto& e : events) ToProto(e, response.add_contact_events());
    if (more) {
      response.set_next_page_token(common::EncodePageToken(
          {absl::ToUnixMicros(events.back().occurred_at), events.back().id}));
    }
    return absl::OkStatus();
  }));
  return response;
}

std::unique_ptr<ContactImport> ContactLog::StartImport(const common::Caller& caller) {
  return std::unique_ptr<ContactImport>(new ContactImport(*this, caller));
}

ContactImport::ContactImport(const ContactLog& log, common::Caller caller)
    : log_(log), caller_(std::move(caller)) {
  filling_.reserve(log_.options_.import_batch_size);
}

void ContactImport::Add(const v1::ImportContactEventsRequest& message) { AddEvents(message); }

void ContactImport::Add(v1::ImportContactEventsRequest&& message) { AddEvents(std::move(message)); }

template <typename Message>
void ContactImport::AddEvents(Message&& message) {
  const absl::Time now = log_.clock_.Now();
  auto take = [&](auto&& in) {
    const absl::Status checked = CheckEvent(in, now, log_.options_);
    if (!checked.ok()) {
      ++invalid_count_;
      if (invalid_.size() < kMaxListedRejections) {
        invalid_.push_back({index_, in.idempotency_key(), std::string(checked.message())});
      }
    } else {
      domain::ContactEvent event = ToDomain(std::forward<decltype(in)>(in));
      event.recorded_at = now;
      event.recorded_by = caller_.user;
      filling_.emplace_back(index_, std::move(event));
    }
    ++index_;
  };
  // An rvalue message gives up its events' text to the batch (a long idempotency key is then not
  // copied on its way to SQLite); a const one is copied from.
  if constexpr (std::is_const_v<std::remove_reference_t<Message>> ||
                std::is_lvalue_reference_v<Message>) {
    if (message.has_contact_event()) take(message.contact_event());
    for (const auto& e : message.contact_events()) take(e);
  } else {
    if (message.has_contact_event()) take(std::move(*message.mutable_contact_event()));
    for (auto& e : *message.mutable_contact_events()) take(std::move(e));
  }
}

std::optional<ContactImport::Batch> ContactImport::TakeBatch(bool final) {
  if (filling_.empty()) return std::nullopt;
  if (!final && static_cast<int>(filling_.size()) < log_.options_.import_batch_size) {
    return std::nullopt;
  }
  Batch full = std::move(filling_);
  filling_ = Batch();
  filling_.reserve(log_.options_.import_batch_size);
  return full;
}

absl::Status ContactImport::Commit(Batch& batch) {
  int64_t batch_stored = 0, batch_duplicates = 0;
  std::vector<Rejection> batch_rejections;
  absl::Status written;
  try {
    written = log_.db_.Write([&](storage::Transaction& conn) -> absl::Status {
      batch_stored = batch_duplicates = 0;
      batch_rejections.clear();
      storage::ContactEventInserter inserter(conn);
      for (const auto& [index, event] : batch) {
        auto it = player_problems_.find(event.player_id);
        if (it == player_problems_.end()) {
          it = player_problems_.emplace(event.player_id, PlayerProblem(conn, event.player_id)).first;
        }
        if (!it->second.empty()) {
          batch_rejections.push_back({index, event.idempotency_key, it->second});
          continue;
        }
        if (inserter.InsertIfNew(event)) {
          ++batch_stored;
          continue;
        }
        // The key is taken (stored before, or earlier in this import): only an identical event
        // is a duplicate; another under the same key is a conflict, as in CreateContactEvent.
        const auto existing = storage::FindContactEventByKey(conn, event.idempotency_key);
        if (!existing) {
          return absl::InternalError(absl::StrCat("idempotency key '", event.idempotency_key,
                                                  "' is taken but its event cannot be read"));
        }
        if (SameEvent(*existing, event)) {
          ++batch_duplicates;
        } else {
          batch_rejections.push_back(
              {index, event.idempotency_key, absl::StrCat(KeyConflict(event, *existing),
                                                          " (ALREADY_EXISTS)")});
        }
      }
      return absl::OkStatus();
    });
  } catch (const std::exception& e) {
    written = absl::InternalError(absl::StrCat("import failed: ", e.what()));
  }
  TL_RETURN_IF_ERROR(written);
  if (batch_stored > 0) {
    std::set<domain::Id> players;
    for (const auto& [index, event] : batch) players.insert(event.player_id);
    for (domain::Id id : players) log_.Changed(id);
  }
  stored_ += batch_stored;
  duplicates_ += batch_duplicates;
  // Batches commit in stream order, so the first ones kept are the first by position.
  commit_rejected_count_ += static_cast<int64_t>(batch_rejections.size());
  for (Rejection& r : batch_rejections) {
    if (commit_rejections_.size() >= kMaxListedRejections) break;
    commit_rejections_.push_back(std::move(r));
  }
  return absl::OkStatus();
}

v1::ImportContactEventsResponse ContactImport::Result() {
  v1::ImportContactEventsResponse response;
  response.set_received_count(index_);
  response.set_stored_count(stored_);
  response.set_duplicate_count(duplicates_);
  response.set_rejected_count(invalid_count_ + commit_rejected_count_);
  // The first rejections by position in the stream, whichever stage refused them.
  std::vector<Rejection> listed;
  std::merge(std::make_move_iterator(invalid_.begin()), std::make_move_iterator(invalid_.end()),
             std::make_move_iterator(commit_rejections_.begin()),
             std::make_move_iterator(commit_rejections_.end()), std::back_inserter(listed),
             [](const Rejection& a, const Rejection& b) { return a.index < b.index; });
  if (listed.size() > kMaxListedRejections) listed.resize(kMaxListedRejections);
  for (Rejection& r : listed) {
    auto* out = response.add_rejections();
    out->set_index(r.index);
    out->set_idempotency_key(std::move(r.idempotency_key));
    out->set_reason(std::move(r.reason));
  }
  return response;
}

}  // namespace touchline::service
