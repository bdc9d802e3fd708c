#include "server/api/server_checks.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/access/credentials.h"
#include "server/api/server_log.h"

namespace touchline::api {

PeriodicCheck::PeriodicCheck(absl::Duration interval, std::function<void()> check)
    : thread_([this, interval, check = std::move(check)] {
        std::unique_lock lock(mutex_);
        while (!stop_.wait_for(lock, absl::ToChronoMilliseconds(interval),
                               [this] { return stopping_; })) {
          lock.unlock();
          check();
          lock.lock();
        }
      }) {}

PeriodicCheck::~PeriodicCheck() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  thread_.join();
}

void EndStreamsOfRevokedTokens(storage::Database& db, OpenStreams& streams) {
  const std::vector<std::string> credentials = streams.Credentials();
  if (credentials.empty()) return;
  auto revoked = access::RevokedCredentials(db, credentials);
  if (!revoked.ok()) return;  // storage trouble: the health check reports it; try next time
  for (const std::string& credential : *revoked) {
    const int ended = streams.Revoke(credential);
    if (ended > 0) {
      LogLine(absl::StrCat("ending ", ended, " stream(s) of a revoked token"));
    }
  }
}

namespace {

// A failing file is probed with a real write, so recovery is seen without waiting for a call.
absl::Status WritableNow(storage::Database& db) {
  if (db.WriteHealth().ok()) return absl::OkStatus();
  return db.ProbeWrite();
}

absl::Status Readable(storage::Database& db) {
  return db.ProbeRead();
}

}  // namespace

StorageHealth CheckStorage(storage::Database& db, storage::Database& audit_log) {
  struct Probe {
    const char* what;
    absl::Status status;
  };
  const Probe probes[] = {
      {"the database cannot be read", Readable(db)},
      {"the database cannot be written", WritableNow(db)},
      {"the audit log cannot be written", WritableNow(audit_log)},
  };
  for (const Probe& p : probes) {
    if (!p.status.ok()) return {false, absl::StrCat(p.what, ": ", p.status.message())};
  }
  return {};
}

void HealthReporter::Check() {
  const StorageHealth health = CheckStorage(db_, audit_log_);
  if (health.serving == serving_) return;
  serving_ = health.serving;
  server_.GetHealthCheckService()->SetServingStatus(serving_);
  LogLine(serving_ ? std::string("health: SERVING again")
                   : absl::StrCat("health: NOT_SERVING: ", health.reason));
}

}  // namespace touchline::api
