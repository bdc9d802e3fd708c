// A throwaway PostgreSQL 15 for tests (issue 21): initdb into a temporary folder, started with
// pg_ctl on a free loopback port, removed at the end. Real server processes, so a test can stop it
// mid-write, restart it, or lose its connections, as an operator's database would. As root (CI),
// the server runs as the `postgres` system user, since initdb and postgres refuse to run as root.
//
// The binaries come from TOUCHLINE_PG_BINDIR, else Debian's /usr/lib/postgresql/15/bin
// (postgresql-15; deploy/dev.sh installs it).
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace touchline::testing {

struct PostgresServerOptions {
  // Durability as in production unless a test only needs speed.
  bool fsync = true;
  // Extra `-c name=value` settings for the server, space-separated.
  std::string settings;
};

class PostgresServer {
 public:
  // initdb (a superuser `touchline`, trust authentication on loopback only) and start.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(PostgresServerOptions options = {});
  // A streaming-replication standby of `primary` (pg_basebackup -R from it, WAL streamed), started
  // on a port of its own. Started with `-c cluster_name=NAME` in options.settings, it is the
  // standby NAME that the primary's synchronous_standby_names may name.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> StartStandby(
      const PostgresServer& primary, PostgresServerOptions options = {});
  ~PostgresServer();  // stops the server at once and removes its folder
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // A libpq connection string for `database` on this server.
  std::string ConnectionString(const std::string& database = "postgres") const;

  // Stops the server: "fast" (clients disconnected, a clean shutdown) or "immediate" (like a
  // crash: no shutdown checkpoint, recovery at the next start).
  absl::Status Stop(const std::string& mode = "fast");
  // Starts it again on the same port and data.
  absl::Status Restart();
  // Kills the postmaster and every process of it with SIGKILL at once, as the loss of its machine
  // would; waits until the port refuses connections.
  absl::Status Kill();
  // Stops (SIGSTOP) the processes sending WAL to standbys: the standbys hear nothing more, as if
  // the network between them had stalled. Kill ends them.
  absl::Status FreezeWalSenders();
  // A standby becomes a primary (pg_ctl promote, waiting until it accepts writes).
  absl::Status Promote();
  // The data folder (what pg_ctl -D takes), and whether the server runs as the `postgres` user
  // (as root): a tool run on the folder must run as that user too.
  std::string data_folder() const { return folder_ + "/data"; }
  bool as_postgres_user() const { return as_postgres_user_; }
  const std::string& bindir() const { return bindir_; }
  bool running() const { return running_; }
  // The server's log so far (for a failing test's message).
  std::string Log() const;
  const std::string& folder() const { return folder_; }

  // Leaves the server running and its folder in place when this goes away: a ctest fixture starts
  // one server for a whole run of suites and StopDetached() ends it.
  void Detach() { detached_ = true; }
  // Stops (immediately) a detached server of `folder` and removes the folder.
  static absl::Status StopDetached(const std::string& folder);

 private:
  PostgresServer() = default;
  // The binaries, a temporary folder (handed to `postgres` as root), the options.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Prepare(PostgresServerOptions options);
  // Restart on a free port, a few tries.
  absl::Status StartOnFreePort();
  absl::Status PgCtl(const std::string& args) const;
  absl::Status RunAsServerUser(const std::string& command, const std::string& log_name) const;

  PostgresServerOptions options_;
  std::string bindir_;
  std::string folder_;  // data/, the socket and the log inside
  int port_ = 0;
  bool as_postgres_user_ = false;
  bool running_ = false;
  bool detached_ = false;
};

}  // namespace touchline::testing
