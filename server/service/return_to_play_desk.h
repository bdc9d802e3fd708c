// Return to play per complaint (issue 19 item 5): a plan of the Ardern et al. 2016 stages with
// planned dates, the criteria the physio sets (free text, or typed and checked against a recorded
// assessment), each marked met with its evidence, and the stages reached, which drive readiness
// (server/domain/readiness_rules). Every part is appended, never changed
// (storage/return_to_play_store.h); the rules live in server/domain/return_to_play_rules.
#pragma once

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/return_to_play.pb.h"

namespace touchline::service {

class ReturnToPlayDesk {
 public:
  ReturnToPlayDesk(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  absl::StatusOr<v1::CreateReturnToPlayPlanResponse> CreateReturnToPlayPlan(
      const common::Caller& caller, const v1::CreateReturnToPlayPlanRequest& request);
  absl::StatusOr<v1::GetReturnToPlayPlanResponse> GetReturnToPlayPlan(
      const common::Caller& caller, const v1::GetReturnToPlayPlanRequest& request);
  absl::StatusOr<v1::SetPlannedDateResponse> SetPlannedDate(
      const common::Caller& caller, const v1::SetPlannedDateRequest& request);
  absl::StatusOr<v1::AddCriterionResponse> AddCriterion(const common::Caller& caller,
                                                        const v1::AddCriterionRequest& request);
  absl::StatusOr<v1::AmendCriterionResponse> AmendCriterion(
      const common::Caller& caller, const v1::AmendCriterionRequest& request);
  absl::StatusOr<v1::MarkCriterionResponse> MarkCriterion(const common::Caller& caller,
                                                          const v1::MarkCriterionRequest& request);
  absl::StatusOr<v1::ReachStageResponse> ReachStage(const common::Caller& caller,
                                                    const v1::ReachStageRequest& request);

 private:
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
