// Exposure and epidemiology (issue 8): record sessions with each player's minutes, read them, and
// report hamstring complaint rates per 1000 player-hours and weekly contact load against the
// World Rugby guidance. The arithmetic is in server/domain/exposure_rules.h.
#pragma once

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/domain/exposure_rules.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/exposure.pb.h"

namespace touchline::service {

// Session <-> proto (also for an export of sessions).
void ToProto(const domain::Session& in, v1::Session* out);

class ExposureDesk {
 public:
  ExposureDesk(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  // Sessions are create-only: a wrong one stays on record (a correction path with history is
  // future work), so everything is validated before anything is written.
  absl::StatusOr<v1::RecordSessionResponse> RecordSession(const common::Caller& caller,
                                                          const v1::RecordSessionRequest& request);
  absl::StatusOr<v1::GetSessionResponse> GetSession(const common::Caller& caller,
                                                    const v1::GetSessionRequest& request);
  absl::StatusOr<v1::ListSessionsResponse> ListSessions(const common::Caller& caller,
                                                        const v1::ListSessionsRequest& request);
  absl::StatusOr<v1::GetInjuryRatesResponse> GetInjuryRates(
      const common::Caller& caller, const v1::GetInjuryRatesRequest& request);
  absl::StatusOr<v1::GetWeeklyContactLoadResponse> GetWeeklyContactLoad(
      const common::Caller& caller, const v1::GetWeeklyContactLoadRequest& request);

 private:
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
