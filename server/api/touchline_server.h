// Assembles the store, the service layer and the gRPC services into a running server. Used by
// main.cc and by tests, which start it on 127.0.0.1:0 with an injected clock.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "plugins/runtime/protocol_planner.h"
#include "server/api/call_limits.h"
#include "server/api/connect_gateway.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"

namespace touchline::api {

struct ServerOptions {
  std::string listen_address = "127.0.0.1:50051";
  // The Connect protocol over HTTP (connect_gateway.h); empty: none. Same TLS and loopback rules.
  std::string http_listen_address;
  // The built web app served at / on http_listen_address (empty: the API only).
  std::string web_root;
  // Origins allowed to call the Connect API from their pages (CORS); empty: none.
  std::vector<std::string> http_cors_origins;
  // Connect streams on http_listen_address: how many, and how long each lives.
  ConnectStreamLimits connect_streams;
  storage::DatabaseOptions database;
  // The audit log's own file; empty: beside the database (storage::AuditLogPathFor). It is opened
  // with the database's durability setting.
  std::string audit_log_path;
  service::ServiceOptions service;
  // Largest request or response message; a season's import is streamed, so single messages are small.
  int max_message_bytes = 4 * 1024 * 1024;
  // Threads serving synchronous calls: SQLite work runs on them, so they may block by design, and
  // every open WatchFlags stream holds one. Beyond this many calls at once the server answers
  // RESOURCE_EXHAUSTED rather than queueing without bound. Streams do not use them (they run on
  // the callback API); limits.max_calls keeps unary calls below this.
  int max_sync_threads = 256;
  // Idle threads kept waiting for the next call. gRPC's default keeps two and ends every thread
  // beyond them when its call returns, so under 16 concurrent board refreshes (each waiting on the
  // audit commit) the server created and joined a thread per call: 5-8 % of its CPU in clone/munmap.
  int sync_idle_threads = 64;
  // Protocol plugins: paths (dirs and/or .so files; none by default), per-call deadline, trusted
  // in-process names, host executable, and where refusals are reported (default: stderr).
  plugins::PlannerOptions plugins;

  // ---- access control (issue 5) ----
  // PEM files. With cert_file and key_file the server speaks TLS; with client_ca_file as well it
  // requires and verifies a client certificate signed by that CA (mutual TLS).
  struct Tls {
    std::string cert_file;
    std::string key_file;
    std::string client_ca_file;
  } tls;
  // Plaintext on an address other than loopback is refused unless this is set.
  bool insecure_allow_remote = false;
  // Key of the analysts' player pseudonyms, kept outside the database (created when missing).
  // Empty: a random key for this process only (tests).
  std::string pseudonym_key_file;
  // When set and no token exists yet, an admin token is issued and written here (mode 0600).
  std::string bootstrap_token_file;
  // Largest request metadata (all headers of a call); larger calls are refused by gRPC.
  int max_metadata_bytes = 16 * 1024;
  // Concurrent calls per HTTP/2 connection.
  int max_concurrent_streams = 100;

  // ---- fairness under load (issue 15) ----
  // Threads that run the streams' storage work (replay, export batches, import validation) and
  // finish them; a stream waiting for its client or a flag change holds none.
  int stream_worker_threads = 4;
  // Calls and streams in flight per user and in all (RESOURCE_EXHAUSTED beyond).
  CallLimitOptions limits;
  // How often open streams are checked against revoked tokens (they end within about this).
  absl::Duration revocation_check_interval = absl::Milliseconds(250);
  // How often the health service's status is brought up to date (storage probes).
  absl::Duration health_check_interval = absl::Milliseconds(500);
};

// True for a loopback or unix-socket listen address (127.0.0.0/8, localhost, [::1], unix:...).
bool IsLoopbackAddress(const std::string& listen_address);

class TouchlineServer {
 public:
  // Opens the database and its audit log (running migrations) and starts listening. `clock` must outlive the server.
  static absl::StatusOr<std::unique_ptr<TouchlineServer>> Start(const ServerOptions& options,
                                                               const domain::Clock& clock);
  ~TouchlineServer();

  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  // The Connect listener's port; 0 without one.
  int http_port() const { return http_port_; }
  // Connect streams open on the HTTP listener now (tests).
  int connect_streams_open() const;
  std::string address() const;
  // "N loaded (a 1.0.0, b 1.0.0), M refused" for the start-up log.
  std::string plugin_summary() const;
  // Issues a bearer token (only its hash is stored) and returns it; for admin commands and tests.
  absl::StatusOr<std::string> IssueToken(const std::string& user, common::Role role);
  // Whether Start wrote a first admin token to options.bootstrap_token_file.
  bool bootstrapped_token() const { return bootstrapped_token_; }
  // Streams open now (admitted and not finished), for tests.
  size_t OpenStreamCount() const;
  // For tests: waits until the protocols of every player changed so far are planned again
  // (service::ProtocolRefresher), up to `timeout` of real time; true if so.
  bool WaitForProtocolRefresh(absl::Duration timeout);
  // Stops accepting calls, lets in-flight calls finish (up to `grace`), then closes the database.
  void Shutdown(absl::Duration grace = absl::Seconds(10));

 private:
  TouchlineServer() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  int port_ = 0;
  int http_port_ = 0;
  bool shut_down_ = false;
  bool bootstrapped_token_ = false;
};

}  // namespace touchline::api
