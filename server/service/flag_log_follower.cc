#include "server/service/flag_log_follower.h"

#include <cstdio>

#include "server/service/proto_mapping.h"

namespace touchline::service {
namespace {

// Changes read from the log per read transaction.
constexpr int kPage = 256;
// How long the thread waits for another process's notice before reading the log anyway.
constexpr absl::Duration kPollInterval = absl::Seconds(1);

}  // namespace

v1::FlagChange FlagChangeFromRow(const storage::FlagChangeRow& row) {
  v1::FlagChange change;
  change.set_sequence(row.sequence);
  change.set_type(static_cast<v1::FlagChangeType>(row.change_type));
  change.mutable_flag()->ParseFromString(row.flag);
  change.set_squad_id(row.squad_id);
  ToProto(row.detected_at, change.mutable_detect_time());
  return change;
}

absl::Status FlagLogFollower::Start() {
  int64_t last = 0;
  absl::Status read = db_.Read([&](storage::Transaction& conn) {
    last = storage::LastFlagSequence(conn);
    return absl::OkStatus();
  });
  if (read.ok()) {
    std::lock_guard lock(mutex_);
    published_ = last;
    known_ = true;
    behind_ = false;
  }
  if (db_.shared_by_processes() && !thread_.joinable()) {
    stop_ = false;
    thread_ = std::thread([this] { Run(); });
  }
  return read;
}

void FlagLogFollower::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void FlagLogFollower::Committed(const std::vector<FlagChangeHub::Change>& changes) {
  if (changes.empty()) return;
  std::lock_guard lock(mutex_);
  if (!known_) {
    published_ = changes.front()->sequence() - 1;
    known_ = true;
  }
  if (behind_ || changes.front()->sequence() > published_ + 1) {
    // Another process appended in between (or an earlier read failed): the log has it all,
    // these changes included.
    CatchUpLocked();
    return;
  }
  std::vector<FlagChangeHub::Change> fresh;
  for (const auto& change : changes) {
    if (change->sequence() > published_) fresh.push_back(change);  // not read by a catch-up yet
  }
  if (fresh.empty()) return;
  hub_.Publish(fresh);
  published_ = fresh.back()->sequence();
}

bool FlagLogFollower::CatchUp() {
  std::lock_guard lock(mutex_);
  return CatchUpLocked();
}

bool FlagLogFollower::CatchUpLocked() {
  if (!known_) {
    absl::Status read = db_.Read([&](storage::Transaction& conn) {
      published_ = storage::LastFlagSequence(conn);
      return absl::OkStatus();
    });
    known_ = read.ok();
    return known_;
  }
  for (;;) {
    std::vector<storage::FlagChangeRow> rows;
    absl::Status read = db_.Read([&](storage::Transaction& conn) {
      rows = storage::ListFlagChanges(conn, 0, published_, kPage);
      return absl::OkStatus();
    });
    if (!read.ok()) {
      if (!behind_) {
        std::fprintf(stderr, "touchline-server flag log: cannot read new changes, retrying: %s\n",
                     read.ToString().c_str());
      }
      behind_ = true;
      return false;
    }
    behind_ = false;
    if (rows.empty()) return true;
    std::vector<FlagChangeHub::Change> changes;
    changes.reserve(rows.size());
    for (const auto& row : rows) {
      changes.push_back(std::make_shared<const v1::FlagChange>(FlagChangeFromRow(row)));
    }
    hub_.Publish(changes);
    published_ = changes.back()->sequence();
    if (static_cast<int>(rows.size()) < kPage) return true;
  }
}

void FlagLogFollower::Run() {
  uint64_t seen = db_.OtherProcessesWrites();
  absl::Time last_read = absl::Now();
  while (!stop_) {
    // Short waits keep Stop prompt; the log is read when another process's write is heard of,
    // and once an interval regardless.
    const uint64_t heard = db_.WaitOtherProcessesWrites(seen, absl::Milliseconds(200));
    if (stop_) return;
    if (heard == seen && absl::Now() - last_read < kPollInterval) continue;
    seen = heard;
    last_read = absl::Now();
    CatchUp();
  }
}

}  // namespace touchline::service
