// Flags for a squad or player at any instant, and the six-week queue.
#pragma once

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/flag.pb.h"

namespace touchline::service {

class FlagBoard {
 public:
  FlagBoard(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  // Pages are cut from one evaluation instant: the page token carries as_of, so a default "now"
  // does not drift between pages.
  absl::StatusOr<v1::ListFlagsResponse> ListFlags(const common::Caller& caller,
                                                  const v1::ListFlagsRequest& request);
  // The six-week queue (issue 19 item 2), paged the same way.
  absl::StatusOr<v1::ListClosingWindowsResponse> ListClosingWindows(
      const common::Caller& caller, const v1::ListClosingWindowsRequest& request);

 private:
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
