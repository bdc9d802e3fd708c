// Checks the server runs beside its calls, each on a thread of its own at a fixed interval:
//  - revoked tokens: a stream whose bearer token was revoked (by this process or another, e.g.
//    `touchline-server --revoke_token_user`) ends with UNAUTHENTICATED within one interval;
//  - health: the gRPC health service says SERVING only while ordinary calls can be served. Every
//    audited call needs both files writable (its audit record; a write its record), so a failing
//    write on either (full disk, read-only file system) or a failing read is NOT_SERVING, until a
//    probe write (or any call's write) succeeds again. A draining server is NOT_SERVING. One
//    greedy caller is not a health failure: it meets its own limits (call_limits.h).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "server/api/stream_reactors.h"
#include "server/storage/database.h"

namespace touchline::api {

// Runs `check` every `interval` on its own thread until destroyed.
class PeriodicCheck {
 public:
  PeriodicCheck(absl::Duration interval, std::function<void()> check);
  ~PeriodicCheck();
  PeriodicCheck(const PeriodicCheck&) = delete;
  PeriodicCheck& operator=(const PeriodicCheck&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

// One pass of the revocation check: ends every open stream whose credential is revoked.
void EndStreamsOfRevokedTokens(storage::Database& db, OpenStreams& streams);

// Whether ordinary calls can be served now, and if not why. Probes a failing file with a write.
struct StorageHealth {
  bool serving = true;
  std::string reason;  // why not
};
StorageHealth CheckStorage(storage::Database& db, storage::Database& audit_log);

// Keeps the health service's overall status equal to CheckStorage (logging each change).
class HealthReporter {
 public:
  HealthReporter(grpc::Server& server, storage::Database& db, storage::Database& audit_log)
      : server_(server), db_(db), audit_log_(audit_log) {}
  void Check();

 private:
  grpc::Server& server_;
  storage::Database& db_;
  storage::Database& audit_log_;
  bool serving_ = true;  // as last set (Start sets SERVING)
};

}  // namespace touchline::api
