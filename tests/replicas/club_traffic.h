// What the replica tests put through real servers and read back: physios' writes that a client
// retries (same idempotency key) until one is acknowledged, through whichever server answers; flag
// watchers that resume on the next server from the sequence they reached; and the store read
// directly to compare with what clients were told.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "touchline/v1/flag.pb.h"

namespace touchline::testing {

// Writes contact events of one player, one after another, each with its own idempotency key
// (`name`-1, -2 ...): a call that fails is retried with the same key, on the next address after
// the first failure in a row, until acknowledged (or Stop). Records each key as it is
// acknowledged, and when.
class AckedWriter {
 public:
  AckedWriter(std::string name, std::vector<std::string> addresses, std::string token,
              int64_t player_id, bool awkward);
  ~AckedWriter() { Stop(); }
  void Stop();

  struct Ack {
    std::string key;
    absl::Time at;
  };
  std::vector<Ack> acks() const;
  int failures() const { return failures_.load(); }

 private:
  void Run();

  const std::string name_;
  const std::vector<std::string> addresses_;
  const std::string token_;
  const int64_t player_id_;
  const bool awkward_;
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};
  mutable std::mutex mutex_;
  std::vector<Ack> acks_;
  std::thread thread_;  // last: starts once the rest exists
};

// WatchFlags of every squad from the start of the log, through addresses[0]; when the stream ends
// (its server went), again through the next address, from the sequence reached.
class FlagWatcher {
 public:
  FlagWatcher(std::vector<std::string> addresses, std::string token);
  ~FlagWatcher() { Stop(); }
  void Stop();

  std::vector<v1::FlagChange> changes() const;
  int reconnections() const { return reconnections_.load(); }
  // Waits (up to `timeout`) until the last change received has this sequence or a later one.
  bool WaitForSequence(int64_t sequence, absl::Duration timeout) const;

 private:
  void Run();

  const std::vector<std::string> addresses_;
  const std::string token_;
  std::atomic<bool> stop_{false};
  std::atomic<int> reconnections_{0};
  mutable std::mutex mutex_;
  std::vector<v1::FlagChange> changes_;
  void* context_ = nullptr;  // the grpc::ClientContext of the stream being read (to cancel it)
  std::thread thread_;
};

// OK when every write the writers were told was acknowledged is in the club's contact events
// (schema `club` of `conninfo`) exactly once, and the table holds at most one more per writer (the
// last, cut off unanswered when it stopped); else an error naming the first that is not so.
// `acked`: how many were acknowledged.
absl::Status EveryAcknowledgedWriteStoredOnce(const std::string& conninfo,
                                              const std::vector<const AckedWriter*>& writers,
                                              size_t* acked);

// One column of integers of a query on a PostgreSQL database (libpq connection string).
absl::StatusOr<std::vector<int64_t>> QueryInts(const std::string& conninfo, const std::string& sql);

}  // namespace touchline::testing
