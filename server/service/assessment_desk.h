// Objective assessments (issue 19 item 1): record, correct (a new record amending the old one,
// which is kept), read and list, each shown with its analysis: asymmetry between the legs, change
// from the player's baseline, neural tension and strength deficit (server/domain/assessment_rules);
// and the pelvic screens owed after awkward contact (server/domain/screening_rules).
#pragma once

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/assessment.pb.h"

namespace touchline::service {

class AssessmentDesk {
 public:
  AssessmentDesk(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  absl::StatusOr<v1::CreateAssessmentResponse> CreateAssessment(
      const common::Caller& caller, const v1::CreateAssessmentRequest& request);
  absl::StatusOr<v1::AmendAssessmentResponse> AmendAssessment(
      const common::Caller& caller, const v1::AmendAssessmentRequest& request);
  absl::StatusOr<v1::GetAssessmentResponse> GetAssessment(
      const common::Caller& caller, const v1::GetAssessmentRequest& request);
  absl::StatusOr<v1::ListAssessmentsResponse> ListAssessments(
      const common::Caller& caller, const v1::ListAssessmentsRequest& request);
  // The pelvic screening tasks after awkward contact (issue 19 item 3), evaluated at one instant
  // for every page: the page token carries as_of, as ListFlags' does.
  absl::StatusOr<v1::ListScreeningTasksResponse> ListScreeningTasks(
      const common::Caller& caller, const v1::ListScreeningTasksRequest& request);

 private:
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
