// Squads and players: create, read, list, update, archive.
#pragma once

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/squad.pb.h"

namespace touchline::service {

class SquadRegistry {
 public:
  SquadRegistry(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  absl::StatusOr<v1::CreateSquadResponse> CreateSquad(const common::Caller& caller,
                                                      const v1::CreateSquadRequest& request);
  absl::StatusOr<v1::GetSquadResponse> GetSquad(const common::Caller& caller,
                                                const v1::GetSquadRequest& request);
  absl::StatusOr<v1::ListSquadsResponse> ListSquads(const common::Caller& caller,
                                                    const v1::ListSquadsRequest& request);
  absl::StatusOr<v1::UpdateSquadResponse> UpdateSquad(const common::Caller& caller,
                                                      const v1::UpdateSquadRequest& request);

  absl::StatusOr<v1::CreatePlayerResponse> CreatePlayer(const common::Caller& caller,
                                                        const v1::CreatePlayerRequest& request);
  absl::StatusOr<v1::GetPlayerResponse> GetPlayer(const common::Caller& caller,
                                                  const v1::GetPlayerRequest& request);
  absl::StatusOr<v1::ListPlayersResponse> ListPlayers(const common::Caller& caller,
                                                      const v1::ListPlayersRequest& request);
  absl::StatusOr<v1::UpdatePlayerResponse> UpdatePlayer(const common::Caller& caller,
                                                        const v1::UpdatePlayerRequest& request);
  absl::StatusOr<v1::ArchivePlayerResponse> ArchivePlayer(const common::Caller& caller,
                                                          const v1::ArchivePlayerRequest& request);

 private:
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
