// FlagService.WatchFlags and AcknowledgeFlag: the persisted flag change log, replayed from a
// sequence and then followed live; and a physio's acknowledgement of a flag.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/service/flag_change_hub.h"
#include "server/service/flag_monitor.h"
#include "server/service/message_feed.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "server/storage/flag_store.h"
#include "touchline/v1/flag.pb.h"

namespace touchline::service {

// One watcher's changes: every change after request.after_sequence from the log, then live
// changes, in strictly increasing sequence. Ends with RESOURCE_EXHAUSTED when the watcher falls
// more than options.flag_watch_buffer changes behind, UNAVAILABLE when the server stops (both
// naming the after_sequence to resume with). Never ends by itself otherwise.
class FlagFeed final : public MessageFeed<v1::WatchFlagsResponse> {
 public:
  FeedStep<v1::WatchFlagsResponse> Next() override;

 private:
  friend class FlagWatch;
  FlagFeed(storage::Database& db, const v1::WatchFlagsRequest& request, size_t buffer)
      : db_(db), squad_id_(request.squad_id()), last_(request.after_sequence()), buffer_(buffer) {}
  absl::Status ReadPage();
  std::string ResumeHint() const;

  storage::Database& db_;
  const int64_t squad_id_;
  int64_t last_;  // the last sequence handed out
  const size_t buffer_;
  bool replaying_ = true;
  std::vector<storage::FlagChangeRow> page_;  // replayed rows not handed out yet, in order
  size_t page_at_ = 0;
  // Declared last: destroyed first, so the hub stops calling `ready` before the rest goes.
  std::unique_ptr<FlagChangeHub::Subscription> subscription_;
};

class FlagWatch {
 public:
  FlagWatch(storage::Database& db, FlagMonitor& monitor, FlagChangeHub& hub,
            const ServiceOptions& options)
      : db_(db), monitor_(monitor), hub_(hub), options_(options) {}

  // Checks the request (INVALID_ARGUMENT, NOT_FOUND for an unknown squad, OUT_OF_RANGE for a
  // sequence beyond the log) and opens its feed. `ready` is called, on whichever thread publishes,
  // whenever the feed may have something new; it must not block. Reads the database.
  absl::StatusOr<std::unique_ptr<FlagFeed>> OpenFeed(const common::Caller& caller,
                                                     const v1::WatchFlagsRequest& request,
                                                     std::function<void()> ready);

  absl::StatusOr<v1::AcknowledgeFlagResponse> AcknowledgeFlag(
      const common::Caller& caller, const v1::AcknowledgeFlagRequest& request);

 private:
  storage::Database& db_;
  FlagMonitor& monitor_;
  FlagChangeHub& hub_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
