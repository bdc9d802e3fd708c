#include "server/service/contact_log.h"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/service/field_checks.h"
#include "server/service/paging.h"
#include "server/service/proto_mapping.h"
#include "server/service/status_macros.h"
#include "server/storage/record_store.h"

namespace touchline::service {
namespace {

// Rejections listed in an import's answer (all are counted).
constexpr size_t kMaxListedRejections = 100;

struct Rejection {
  int64_t index;  // position in the stream
  std::string idempotency_key;
  std::string reason;
};

// Valid events of an import with their positions in the stream.
using ImportBatch = std::vector<std::pair<int64_t, domain::ContactEvent>>;

// Commits an import's batches on a thread of its own, in order, while the call's thread receives
// and validates the next batch: gRPC's decoding and SQLite's inserts overlap instead of taking
// turns on one core (issue 6: an import through gRPC left most of the second core idle). One batch
// waits while one is written, so an import holds at most three batches in memory.
class OverlappedCommits {
 public:
  explicit OverlappedCommits(std::function<absl::Status(ImportBatch&)> commit)
      : commit_(std::move(commit)), worker_([this] { Run(); }) {}
  ~OverlappedCommits() { (void)Finish(); }
  OverlappedCommits(const OverlappedCommits&) = delete;
  OverlappedCommits& operator=(const OverlappedCommits&) = delete;

  // Hands `batch` over, waiting while the previous one has not been taken yet. After a failed
  // commit, returns its error and takes nothing more.
  absl::Status Submit(ImportBatch batch) {
    std::unique_lock lock(mutex_);
    taken_.wait(lock, [&] { return !waiting_.has_value() || !status_.ok(); });
    if (!status_.ok()) return status_;
    waiting_ = std::move(batch);
    handed_over_.notify_one();
    return absl::OkStatus();
  }

  // Waits until every batch handed over is committed; the first error, if any.
  absl::Status Finish() {
    {
      std::lock_guard lock(mutex_);
      finishing_ = true;
    }
    handed_over_.notify_one();
    if (worker_.joinable()) worker_.join();
    std::lock_guard lock(mutex_);
    return status_;
  }

 private:
  void Run() {
    for (;;) {
      ImportBatch batch;
      {
        std::unique_lock lock(mutex_);
        handed_over_.wait(lock, [&] { return waiting_.has_value() || finishing_; });
        if (!waiting_.has_value()) return;
        batch = std::move(*waiting_);
        waiting_.reset();
      }
      taken_.notify_one();
      absl::Status status;
      try {
        status = commit_(batch);
      } catch (const std::exception& e) {
        status = absl::InternalError(absl::StrCat("import failed: ", e.what()));
      }
      if (!status.ok()) {
        std::lock_guard lock(mutex_);
        status_ = std::move(status);
        taken_.notify_one();
        return;
      }
    }
  }

  std::function<absl::Status(ImportBatch&)> commit_;
  std::mutex mutex_;
  std::condition_variable handed_over_;  // a batch is waiting, or finishing_
  std::condition_variable taken_;        // the waiting batch was taken, or a commit failed
  std::optional<ImportBatch> waiting_;
  bool finishing_ = false;
  absl::Status status_;
  std::thread worker_;  // last: starts once everything above exists
};

bool IsContactKind(int kind) {
  return v1::ContactKind_IsValid(kind) && kind != v1::CONTACT_KIND_UNSPECIFIED;
}

// Validates one event under field names prefixed by `prefix`, producing the domain value.
absl::StatusOr<domain::ContactEvent> ValidateEvent(const v1::ContactEvent& e,
                                                   const std::string& prefix, absl::Time now,
                                                   const ServiceOptions& o) {
  FieldViolations v;
  CheckPositiveId(v, prefix + "player_id", e.player_id());
  if (!IsContactKind(e.kind())) v.Add(prefix + "kind", "must be a CONTACT_KIND_* value");
  if (!e.has_occur_time()) {
    v.Add(prefix + "occur_time", "is required");
  } else {
    CheckInstant(v, prefix + "occur_time", e.occur_time(), now, o);
  }
  CheckOptionalText(v, prefix + "session_label", e.session_label(), o.max_name_length);
  CheckOptionalText(v, prefix + "note", e.note(), o.max_text_length);
  if (!v1::ContactSource_IsValid(e.source())) {
    v.Add(prefix + "source", "must be a CONTACT_SOURCE_* value");
  }
  CheckRequiredText(v, prefix + "idempotency_key", e.idempotency_key(),
                    o.max_idempotency_key_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  domain::ContactEvent event;
  event.player_id = e.player_id();
  event.kind = static_cast<domain::ContactKind>(e.kind());
  event.occurred_at = FromProto(e.occur_time());
  event.session_label = e.session_label();
  event.awkward = e.awkward();
  event.source = e.source() == v1::CONTACT_SOURCE_UNSPECIFIED
                     ? domain::ContactSource::kManual
                     : static_cast<domain::ContactSource>(e.source());
  event.note = e.note();
  event.idempotency_key = e.idempotency_key();
  return event;
}

bool SameEvent(const domain::ContactEvent& a, const domain::ContactEvent& b) {
  return a.player_id == b.player_id && a.kind == b.kind && a.occurred_at == b.occurred_at &&
         a.session_label == b.session_label && a.awkward == b.awkward && a.source == b.source &&
         a.note == b.note;
}

// Why events of this player may not be recorded, or empty if they may.
std::string PlayerProblem(SQLite::Database& conn, domain::Id player_id) {
  auto player = storage::FindPlayer(conn, player_id);
  if (!player.ok()) return absl::StrCat("player ", player_id, " not found");
  if (player->archived_at) return absl::StrCat("player ", player_id, " is archived");
  return "";
}

}  // namespace

absl::StatusOr<v1::CreateContactEventResponse> ContactLog::CreateContactEvent(
    const Caller& caller, const v1::CreateContactEventRequest& request) {
  const absl::Time now = clock_.Now();
  TL_ASSIGN_OR_RETURN(domain::ContactEvent event,
                      ValidateEvent(request.contact_event(), "contact_event.", now, options_));
  event.recorded_at = now;
  event.recorded_by = caller.user;
  v1::CreateContactEventResponse response;
  TL_RETURN_IF_ERROR(db_.Write([&](SQLite::Database& conn) -> absl::Status {
    if (auto existing = storage::FindContactEventByKey(conn, event.idempotency_key)) {
      if (!SameEvent(*existing, event)) {
        return absl::AlreadyExistsError(absl::StrCat(
            "idempotency key '", event.idempotency_key, "' is already used by event ",
            existing->id, " with different content"));
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
    const Caller&, const v1::GetContactEventRequest& request) {
  FieldViolations v;
  CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::GetContactEventResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](SQLite::Database& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::ContactEvent e, storage::FindContactEvent(conn, request.id()));
    ToProto(e, response.mutable_contact_event());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ListContactEventsResponse> ContactLog::ListContactEvents(
    const Caller&, const v1::ListContactEventsRequest& request) {
  FieldViolations v;
  if ((request.player_id() == 0) == (request.squad_id() == 0)) {
    v.Add("player_id", "set exactly one of player_id and squad_id");
  }
  if (request.player_id() < 0) v.Add("player_id", "must not be negative");
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative");
  CheckOptionalTimeRange(v, request);
  for (int i = 0; i < request.kinds_size(); ++i) {
    if (!IsContactKind(request.kinds(i))) {
      v.Add(absl::StrCat("kinds[", i, "]"), "must be a CONTACT_KIND_* value");
    }
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, DecodePageToken(request.page_token()));

  storage::ContactEventFilter filter;
  filter.player_id = request.player_id();
  filter.squad_id = request.squad_id();
  if (request.has_start_time()) filter.start = FromProto(request.start_time());
  if (request.has_end_time()) filter.end = FromProto(request.end_time());
  for (int k : request.kinds()) filter.kinds.push_back(static_cast<domain::ContactKind>(k));

  v1::ListContactEventsResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](SQLite::Database& conn) -> absl::Status {
    if (filter.player_id) TL_RETURN_IF_ERROR(storage::FindPlayer(conn, filter.player_id).status());
    if (filter.squad_id) TL_RETURN_IF_ERROR(storage::FindSquad(conn, filter.squad_id).status());
    auto events = storage::ListContactEvents(conn, filter, cursor, page_size + 1);
    const bool more = static_cast<int>(events.size()) > page_size;
    if (more) events.pop_back();
    for (const auto& e : events) ToProto(e, response.add_contact_events());
    if (more) {
      response.set_next_page_token(EncodePageToken(
          {absl::ToUnixMicros(events.back().occurred_at), events.back().id}));
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ImportContactEventsResponse> ContactLog::ImportContactEvents(
    const Caller& caller, absl::FunctionRef<bool(v1::ImportContactEventsRequest*)> next) {
  // Filled by the committing thread only; read after Finish().
  int64_t stored = 0, duplicates = 0;
  std::vector<Rejection> player_rejections;
  // Players already checked in this import: empty string = may record, else the reason not.
  std::unordered_map<domain::Id, std::string> player_problems;
  OverlappedCommits commits([&](ImportBatch& batch) -> absl::Status {
    int64_t batch_stored = 0, batch_duplicates = 0;
    std::vector<Rejection> batch_rejections;
    TL_RETURN_IF_ERROR(db_.Write([&](SQLite::Database& conn) -> absl::Status {
      batch_stored = batch_duplicates = 0;
      batch_rejections.clear();
      storage::ContactEventInserter inserter(conn);
      for (const auto& [index, event] : batch) {
        auto it = player_problems.find(event.player_id);
        if (it == player_problems.end()) {
          it = player_problems.emplace(event.player_id, PlayerProblem(conn, event.player_id)).first;
        }
        if (!it->second.empty()) {
          batch_rejections.push_back({index, event.idempotency_key, it->second});
          continue;
        }
        if (inserter.InsertIfNew(event)) {
          ++batch_stored;
        } else {
          ++batch_duplicates;
        }
      }
      return absl::OkStatus();
    }));
    if (batch_stored > 0) {
      std::set<domain::Id> players;
      for (const auto& [index, event] : batch) players.insert(event.player_id);
      for (domain::Id id : players) Changed(id);
    }
    stored += batch_stored;
    duplicates += batch_duplicates;
    for (Rejection& r : batch_rejections) player_rejections.push_back(std::move(r));
    return absl::OkStatus();
  });

  // This thread receives and validates; `commits` writes the previous batch meanwhile.
  std::vector<Rejection> invalid;
  int64_t invalid_count = 0;
  ImportBatch batch;
  batch.reserve(options_.import_batch_size);
  v1::ImportContactEventsRequest message;
  int64_t index = 0;
  auto take = [&](const v1::ContactEvent& in, absl::Time now) -> absl::Status {
    auto event = ValidateEvent(in, "contact_event.", now, options_);
    if (!event.ok()) {
      ++invalid_count;
      if (invalid.size() < kMaxListedRejections) {
        invalid.push_back({index, in.idempotency_key(), std::string(event.status().message())});
      }
    } else {
      event->recorded_at = now;
      event->recorded_by = caller.user;
      batch.emplace_back(index, *std::move(event));
      if (static_cast<int>(batch.size()) >= options_.import_batch_size) {
        TL_RETURN_IF_ERROR(commits.Submit(std::move(batch)));
        batch = ImportBatch();
        batch.reserve(options_.import_batch_size);
      }
    }
    ++index;
    return absl::OkStatus();
  };
  absl::Status received = absl::OkStatus();
  while (received.ok() && next(&message)) {
    const absl::Time now = clock_.Now();
    if (message.has_contact_event()) received = take(message.contact_event(), now);
    for (const auto& e : message.contact_events()) {
      if (received.ok()) received = take(e, now);
    }
  }
  if (received.ok() && !batch.empty()) received = commits.Submit(std::move(batch));
  // Every batch handed over is committed (or has failed) before anything is acknowledged.
  const absl::Status committed = commits.Finish();
  TL_RETURN_IF_ERROR(committed);
  TL_RETURN_IF_ERROR(received);

  v1::ImportContactEventsResponse response;
  response.set_received_count(index);
  response.set_stored_count(stored);
  response.set_duplicate_count(duplicates);
  response.set_rejected_count(invalid_count + static_cast<int64_t>(player_rejections.size()));
  // The first rejections by position in the stream, whichever stage refused them.
  std::vector<Rejection> listed;
  std::merge(std::make_move_iterator(invalid.begin()), std::make_move_iterator(invalid.end()),
             std::make_move_iterator(player_rejections.begin()),
             std::make_move_iterator(player_rejections.end()), std::back_inserter(listed),
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
