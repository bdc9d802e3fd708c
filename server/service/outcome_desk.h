// Outcomes by protocol (issue 19 item 8): one read of a squad's complaints and protocol records,
// the arithmetic in server/domain/outcome_rules.h (every definition is there).
//
// Pseudonymised for analysts: the answer is a squad aggregate with no player ids at all; analysts
// additionally get no complaint ids (they would lead back to a player through ListComplaints),
// and a cell of fewer than kAnalystMinCellSize complaints (but at least one) is suppressed: only
// its complaint count is given, not its recurrences, resolutions or median days lost (a median
// of one or two complaints is a player's own days lost). Medical staff see every figure and the
// complaint ids behind it. Coaches are refused by the access table.
#pragma once

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/outcome.pb.h"

namespace touchline::service {

inline constexpr int kAnalystMinCellSize = 5;

class OutcomeDesk {
 public:
  OutcomeDesk(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  absl::StatusOr<v1::GetProtocolOutcomesResponse> GetProtocolOutcomes(
      const common::Caller& caller, const v1::GetProtocolOutcomesRequest& request);

 private:
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
