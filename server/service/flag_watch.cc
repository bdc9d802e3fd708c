#include "server/service/flag_watch.h"

#include "absl/strings/str_cat.h"
#include "server/service/field_checks.h"
#include "server/service/proto_mapping.h"
#include "server/service/status_macros.h"
#include "server/storage/flag_store.h"
#include "server/storage/record_store.h"

namespace touchline::service {
namespace {

// Changes read from the log per read transaction while replaying.
constexpr int kReplayPage = 256;
// How often a waiting stream checks whether its client is still there.
constexpr absl::Duration kPollCancel = absl::Milliseconds(250);

v1::FlagChange FromRow(const storage::FlagChangeRow& row) {
  v1::FlagChange change;
  change.set_sequence(row.sequence);
  change.set_type(static_cast<v1::FlagChangeType>(row.change_type));
  change.mutable_flag()->ParseFromString(row.flag);
  change.set_squad_id(row.squad_id);
  ToProto(row.detected_at, change.mutable_detect_time());
  return change;
}

}  // namespace

absl::Status FlagWatch::WatchFlags(const Caller&, const v1::WatchFlagsRequest& request,
                                   absl::FunctionRef<bool(const v1::WatchFlagsResponse&)> write,
                                   absl::FunctionRef<bool()> cancelled) {
  FieldViolations v;
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative (0 watches every squad)");
  if (request.after_sequence() < 0) v.Add("after_sequence", "must not be negative");
  TL_RETURN_IF_ERROR(v.ToStatus());

  // Subscribe before reading the log: a change committed after the read is then in the buffer
  // (duplicates of what the read returned are skipped by sequence).
  auto subscription = hub_.Subscribe(request.squad_id());
  int64_t last = request.after_sequence();
  auto resume_hint = [&] { return absl::StrCat("; resume with after_sequence=", last); };
  auto send = [&](v1::FlagChange change) {
    v1::WatchFlagsResponse response;
    *response.mutable_change() = std::move(change);
    if (!write(response)) return false;
    last = response.change().sequence();
    return true;
  };

  for (bool first = true;; first = false) {
    std::vector<storage::FlagChangeRow> rows;
    TL_RETURN_IF_ERROR(db_.Read([&](SQLite::Database& conn) -> absl::Status {
      if (first) {
        if (request.squad_id() != 0) {
          TL_RETURN_IF_ERROR(storage::FindSquad(conn, request.squad_id()).status());
        }
        const int64_t latest = storage::LastFlagSequence(conn);
        if (request.after_sequence() > latest) {
          return absl::OutOfRangeError(absl::StrCat(
              "after_sequence ", request.after_sequence(), " is beyond the last flag change (",
              latest, "); was the database replaced? watch from 0"));
        }
      }
      rows = storage::ListFlagChanges(conn, request.squad_id(), last, kReplayPage);
      return absl::OkStatus();
    }));
    for (const auto& row : rows) {
      if (!send(FromRow(row))) return absl::CancelledError("the client went away");
    }
    if (static_cast<int>(rows.size()) < kReplayPage) break;
    if (cancelled()) return absl::CancelledError("the client went away");
  }

  for (;;) {
    FlagChangeHub::Change change;
    switch (subscription->Next(kPollCancel, &change)) {
      case FlagChangeHub::Subscription::Event::kChange:
        if (change->sequence() <= last) break;
        if (!send(*change)) return absl::CancelledError("the client went away");
        break;
      case FlagChangeHub::Subscription::Event::kTimeout:
        if (cancelled()) return absl::CancelledError("the client went away");
        break;
      case FlagChangeHub::Subscription::Event::kOverflow:
        return absl::ResourceExhaustedError(
            absl::StrCat("this watcher fell more than ", options_.flag_watch_buffer,
                         " flag changes behind", resume_hint()));
      case FlagChangeHub::Subscription::Event::kClosed:
        return absl::UnavailableError(absl::StrCat("the server is shutting down", resume_hint()));
    }
  }
}

absl::StatusOr<v1::AcknowledgeFlagResponse> FlagWatch::AcknowledgeFlag(
    const Caller& caller, const v1::AcknowledgeFlagRequest& request) {
  FieldViolations v;
  CheckPositiveId(v, "player_id", request.player_id());
  if (request.kind() == v1::FLAG_KIND_UNSPECIFIED || !v1::FlagKind_IsValid(request.kind())) {
    v.Add("kind", "must be a FLAG_KIND_* value");
  }
  CheckPositiveId(v, "complaint_id", request.complaint_id());
  CheckOptionalText(v, "note", request.note(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(auto flags,
                      monitor_.Acknowledge(caller, request.player_id(), request.kind(),
                                           request.complaint_id(), request.note()));
  v1::AcknowledgeFlagResponse response;
  for (auto& f : flags) *response.add_flags() = std::move(f);
  return response;
}

}  // namespace touchline::service
