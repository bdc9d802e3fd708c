// Who can train for a session, and the physio's overrides.
#pragma once

#include "absl/status/statusor.h"
#include "server/domain/clock.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/readiness.pb.h"

namespace touchline::service {

class ReadinessBoard {
 public:
  ReadinessBoard(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  absl::StatusOr<v1::GetSquadReadinessResponse> GetSquadReadiness(
      const Caller& caller, const v1::GetSquadReadinessRequest& request);
  absl::StatusOr<v1::CreateReadinessOverrideResponse> CreateReadinessOverride(
      const Caller& caller, const v1::CreateReadinessOverrideRequest& request);
  absl::StatusOr<v1::ListReadinessOverridesResponse> ListReadinessOverrides(
      const Caller& caller, const v1::ListReadinessOverridesRequest& request);
  absl::StatusOr<v1::ClearReadinessOverrideResponse> ClearReadinessOverride(
      const Caller& caller, const v1::ClearReadinessOverrideRequest& request);

 private:
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
