// Assembles the store, the service layer and the gRPC services into a running server. Used by
// main.cc and by tests, which start it on 127.0.0.1:0 with an injected clock.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "server/domain/clock.h"
#include "server/plugins/protocol_planner.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"

namespace touchline::api {

struct ServerOptions {
  std::string listen_address = "127.0.0.1:50051";
  storage::DatabaseOptions database;
  service::ServiceOptions service;
  // Largest request or response message; a season's import is streamed, so single messages are small.
  int max_message_bytes = 4 * 1024 * 1024;
  // Threads serving synchronous calls: SQLite work runs on them, so they may block by design.
  int max_sync_threads = 64;
  // Protocol plugins: paths (dirs and/or .so files; none by default), per-call deadline, trusted
  // in-process names, host executable, and where refusals are reported (default: stderr).
  plugins::PlannerOptions plugins;
};

class TouchlineServer {
 public:
  // Opens the database (running migrations) and starts listening. `clock` must outlive the server.
  static absl::StatusOr<std::unique_ptr<TouchlineServer>> Start(const ServerOptions& options,
                                                               const domain::Clock& clock);
  ~TouchlineServer();

  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  std::string address() const;
  // "N loaded (a 1.0.0, b 1.0.0), M refused" for the start-up log.
  std::string plugin_summary() const;
  // Stops accepting calls, lets in-flight calls finish (up to `grace`), then closes the database.
  void Shutdown(absl::Duration grace = absl::Seconds(10));

 private:
  TouchlineServer() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace touchline::api
