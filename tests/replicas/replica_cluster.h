// Real touchline-server processes as replicas of one club on one PostgreSQL (issue 22), for the
// replica and failover tests: the club's store flags, the replicas started and killed, a physio's
// token, and the squad's records written through the public API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/lib/server_process.h"

namespace touchline::testing {

class ReplicaCluster {
 public:
  // `store`: the --store locator every replica uses; files (token, pseudonym key, logs) go to a
  // temporary folder removed at the end.
  explicit ReplicaCluster(std::string store);
  ~ReplicaCluster();

  // Starts replica `name` (its log: <folder>/<name>.log). Replicas share the pseudonym key and
  // the first one's admin token file.
  absl::StatusOr<ServerProcess*> StartReplica(const std::string& name);
  // What every replica test begins with: replicas "first" and "second", the second started once
  // the first holds the flag monitor's lease, and a physio's token.
  struct Pair {
    ServerProcess* first = nullptr;
    ServerProcess* second = nullptr;
    std::string physio_token;
  };
  absl::StatusOr<Pair> StartPair();
  // Issues a token on the store (the server's --add_token_user command).
  absl::StatusOr<std::string> IssueToken(const std::string& user, const std::string& role);

  // Through the replica at `address`, as the physio of `token`: a squad, a player, an open
  // gradual-onset hamstring complaint with that onset. 0 on failure (the test's assertion says).
  static int64_t CreateSquad(const std::string& address, const std::string& token);
  static int64_t CreatePlayer(const std::string& address, const std::string& token,
                              int64_t squad_id, const std::string& name);
  static int64_t CreateComplaint(const std::string& address, const std::string& token,
                                 int64_t player_id, absl::Time onset);

  const std::string& folder() const { return folder_; }

 private:
  std::vector<std::string> StoreFlags() const;

  const std::string store_;
  std::string folder_;
  std::vector<std::unique_ptr<ServerProcess>> replicas_;
};

}  // namespace touchline::testing
