#include "server/service/flag_watch.h"

#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "server/common/field_checks.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/service/flag_log_follower.h"
#include "server/storage/flag_store.h"
#include "server/storage/record_store.h"

namespace touchline::service {
namespace {

// Changes read from the log per read transaction while replaying.
constexpr int kReplayPage = 256;

}  // namespace

absl::StatusOr<std::unique_ptr<FlagFeed>> FlagWatch::OpenFeed(const common::Caller&,
                                                               const v1::WatchFlagsRequest& request,
                                                               std::function<void()> ready) {
  common::FieldViolations v;
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative (0 watches every squad)");
  if (request.after_sequence() < 0) v.Add("after_sequence", "must not be negative");
  if (request.from_now() && request.after_sequence() != 0) {
    v.Add("after_sequence", "must be 0 with from_now (which starts after the last change)");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());

  std::unique_ptr<FlagFeed> feed(new FlagFeed(db_, request, options_.flag_watch_buffer));
  // Subscribe before reading the log: a change committed after the read is then in the buffer
  // (duplicates of what the read returned are skipped by sequence).
  feed->subscription_ = hub_.Subscribe(request.squad_id(), std::move(ready));
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    if (request.squad_id() != 0) {
      TL_RETURN_IF_ERROR(storage::FindSquad(conn, request.squad_id()).status());
    }
    const int64_t latest = storage::LastFlagSequence(conn);
    if (request.after_sequence() > latest) {
      return absl::OutOfRangeError(absl::StrCat(
          "after_sequence ", request.after_sequence(), " is beyond the last flag change (", latest,
          "); was the database replaced? watch from 0"));
    }
    // Read after subscribing: a change committed since is in the buffer, past this sequence.
    if (request.from_now()) feed->last_ = latest;
    return absl::OkStatus();
  }));
  return feed;
}

absl::Status FlagFeed::ReadPage() {
  page_.clear();
  page_at_ = 0;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    page_ = storage::ListFlagChanges(conn, squad_id_, last_, kReplayPage);
    return absl::OkStatus();
  }));
  // A short page is the end of the log as it was: what comes later arrives through the hub.
  if (static_cast<int>(page_.size()) < kReplayPage) replaying_ = false;
  return absl::OkStatus();
}

std::string FlagFeed::ResumeHint() const {
  return absl::StrCat("; resume with after_sequence=", last_);
}

FeedStep<v1::WatchFlagsResponse> FlagFeed::Next() {
  using Step = FeedStep<v1::WatchFlagsResponse>;
  auto send = [&](v1::FlagChange change) {
    last_ = change.sequence();
    v1::WatchFlagsResponse response;
    *response.mutable_change() = std::move(change);
    return Step::Send(std::move(response));
  };
  if (page_at_ == page_.size() && replaying_) {
    if (absl::Status read = ReadPage(); !read.ok()) return Step::End(read);
  }
  if (page_at_ < page_.size()) {
    v1::FlagChange change = FlagChangeFromRow(page_[page_at_++]);
    // The last replayed row: a held watch keeps none of the replay's memory while it waits.
    if (page_at_ == page_.size() && !replaying_) {
      std::vector<storage::FlagChangeRow>().swap(page_);
      page_at_ = 0;
    }
    return send(std::move(change));
  }
  for (;;) {
    FlagChangeHub::Change change;
    switch (subscription_->TryNext(&change)) {
      case FlagChangeHub::Subscription::Event::kChange:
        if (change->sequence() <= last_) continue;  // already replayed from the log
        return send(*change);
      case FlagChangeHub::Subscription::Event::kTimeout:
        return Step::Wait();
      case FlagChangeHub::Subscription::Event::kOverflow:
        return Step::End(absl::ResourceExhaustedError(absl::StrCat(
            "this watcher fell more than ", buffer_, " flag changes behind", ResumeHint())));
      case FlagChangeHub::Subscription::Event::kClosed:
        return Step::End(
            absl::UnavailableError(absl::StrCat("the server is shutting down", ResumeHint())));
    }
  }
}

absl::StatusOr<v1::AcknowledgeFlagResponse> FlagWatch::AcknowledgeFlag(
    const common::Caller& caller, const v1::AcknowledgeFlagRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "player_id", request.player_id());
  if (request.kind() == v1::FLAG_KIND_UNSPECIFIED || !v1::FlagKind_IsValid(request.kind())) {
    v.Add("kind", "must be a FLAG_KIND_* value");
  }
  common::CheckPositiveId(v, "complaint_id", request.complaint_id());
  common::CheckOptionalText(v, "note", request.note(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  return monitor_.Acknowledge(caller, request);
}

}  // namespace touchline::service
