// Hands the persisted flag change log to live watchers (the hub) in sequence order, gap-free,
// whoever appended to it: this process (the flag monitor tells it what it just committed) or
// another process on the same store (replicas on one PostgreSQL club, heard of through
// Database::OtherProcessesWrites and read from the log). The log's sequence is assigned under the
// store's writer lock and committed before the next writer takes it, so every read sees a prefix
// of it: reading "after the last published" never skips a change.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "server/service/flag_change_hub.h"
#include "server/storage/database.h"
#include "server/storage/flag_store.h"
#include "touchline/v1/flag.pb.h"

namespace touchline::service {

// A log row as watchers receive it.
v1::FlagChange FlagChangeFromRow(const storage::FlagChangeRow& row);

class FlagLogFollower {
 public:
  FlagLogFollower(storage::Database& db, FlagChangeHub& hub) : db_(db), hub_(hub) {}
  ~FlagLogFollower() { Stop(); }

  // Starts after the log's last change (watchers replay older ones themselves; if it cannot be
  // read now, after the first change published) and, on a store
  // other processes write, a thread that publishes their changes as they are heard of (and once a
  // second regardless, in case a notice was missed).
  absl::Status Start();
  void Stop();

  // This process committed `changes` (in sequence order): publishes them, after whatever earlier
  // changes of other processes were not published yet (read from the log). Call in commit order
  // (the monitor holds its write mutex across commit and this call).
  void Committed(const std::vector<FlagChangeHub::Change>& changes);
  // Publishes whatever the log holds past the last published change. False if the read failed
  // (the next call tries again).
  bool CatchUp();

 private:
  bool CatchUpLocked();  // under mutex_
  void Run();

  storage::Database& db_;
  FlagChangeHub& hub_;

  std::mutex mutex_;       // guards published_ and behind_; held across a read and its publication
  int64_t published_ = 0;  // the last sequence handed to the hub
  bool known_ = false;     // published_ was read from the log (Start's read may have failed)
  bool behind_ = false;    // a catch-up failed: the next Committed reads the log

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace touchline::service
