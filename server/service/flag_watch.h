// FlagService.WatchFlags and AcknowledgeFlag: the persisted flag change log, replayed from a
// sequence and then followed live; and a physio's acknowledgement of a flag.
#pragma once

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "server/service/flag_change_hub.h"
#include "server/service/flag_monitor.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/flag.pb.h"

namespace touchline::service {

class FlagWatch {
 public:
  FlagWatch(storage::Database& db, FlagMonitor& monitor, FlagChangeHub& hub,
            const ServiceOptions& options)
      : db_(db), monitor_(monitor), hub_(hub), options_(options) {}

  // Sends (through `write`, which returns false once the client has gone) every change after
  // request.after_sequence, then live changes, until the client cancels (CANCELLED), falls more
  // than options.flag_watch_buffer changes behind (RESOURCE_EXHAUSTED) or the server stops
  // (UNAVAILABLE). `cancelled` is polled between changes. Sequences sent strictly increase.
  absl::Status WatchFlags(const Caller& caller, const v1::WatchFlagsRequest& request,
                          absl::FunctionRef<bool(const v1::WatchFlagsResponse&)> write,
                          absl::FunctionRef<bool()> cancelled);

  absl::StatusOr<v1::AcknowledgeFlagResponse> AcknowledgeFlag(
      const Caller& caller, const v1::AcknowledgeFlagRequest& request);

 private:
  storage::Database& db_;
  FlagMonitor& monitor_;
  FlagChangeHub& hub_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
