#include "server/service/flag_monitor.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "server/common/status_macros.h"
#include "server/domain/flag_rules.h"
#include "server/domain/window_rules.h"
#include "server/service/proto_mapping.h"
#include "server/service/squad_snapshot.h"
#include "server/service/write_once.h"
#include "server/storage/flag_store.h"
#include "server/storage/record_store.h"

namespace touchline::service {
namespace {

// Players reconciled per write transaction, so a large squad never holds the writer for long.
constexpr int kPlayersPerTransaction = 200;
// Longest real-time sleep against the wall clock, so a clock step (NTP) is noticed.
constexpr absl::Duration kMaxRealSleep = absl::Seconds(1);
// The lease of the clock's wakes (storage::Database::HoldLease), and how often it is asked for.
constexpr char kLeaseName[] = "flag-monitor";
constexpr absl::Duration kLeaseInterval = absl::Seconds(1);

void Log(const std::string& line) {
  std::fprintf(stderr, "touchline-server flag monitor: %s\n", line.c_str());
}

// What a flag says, for deciding CHANGED. A PERSISTENT flag's reason counts the days since onset,
// which grows every day without the flag changing, so it is left out.
std::string Comparable(v1::Flag flag) {
  if (flag.kind() == v1::FLAG_KIND_PERSISTENT) flag.clear_reason();
  flag.clear_acknowledgement();
  return flag.SerializeAsString();
}

void SetAck(const storage::FlagAck& ack, v1::Flag* flag) {
  auto* a = flag->mutable_acknowledgement();
  a->set_acknowledged_by(ack.by);
  ToProto(ack.at, a->mutable_acknowledge_time());
  a->set_note(ack.note);
}

FlagChangeHub::Change Append(storage::Transaction& conn, v1::FlagChangeType type, v1::Flag flag,
                             const std::optional<storage::FlagAck>& ack, domain::Id squad_id,
                             absl::Time now) {
  if (ack) SetAck(*ack, &flag);
  storage::FlagChangeRow row;
  row.squad_id = squad_id;
  row.player_id = flag.player_id();
  row.change_type = type;
  row.key = flag.key();
  row.detected_at = now;
  row.flag = flag.SerializeAsString();
  auto change = std::make_shared<v1::FlagChange>();
  change->set_sequence(storage::AppendFlagChange(conn, row));
  change->set_type(type);
  change->set_squad_id(squad_id);
  ToProto(now, change->mutable_detect_time());
  *change->mutable_flag() = std::move(flag);
  return change;
}

}  // namespace

void FlagMonitor::Start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) return;
    started_ = true;
    stop_ = false;
    reconcile_all_ = true;
  }
  listener_ = clock_.AddListener([this] {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    wake_.notify_all();
  });
  // A store that cannot be read now: the follower learns where the log stands later.
  if (absl::Status log = log_.Start(); !log.ok()) Log(absl::StrCat("flag log: ", log.ToString()));
  thread_ = std::thread([this] { Run(); });
}

void FlagMonitor::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_) return;
    started_ = false;
    stop_ = true;
  }
  wake_.notify_all();
  clock_.RemoveListener(listener_);
  if (thread_.joinable()) thread_.join();
  log_.Stop();
  idle_.notify_all();
}

void FlagMonitor::PlayerRecordChanged(domain::Id player_id) {
  {
    std::lock_guard lock(mutex_);
    dirty_.insert(player_id);
  }
  wake_.notify_all();
}

bool FlagMonitor::WaitIdle(absl::Duration timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [this] {
    return stop_ || (!busy_ && !reconcile_all_ && dirty_.empty() &&
                     (!leader_ || schedule_.empty() || schedule_.begin()->first > clock_.Now()));
  });
}

void FlagMonitor::Run() {
  std::unique_lock lock(mutex_);
  absl::Time lease_asked = absl::InfinitePast();
  while (!stop_) {
    // The clock's wakes are followed by one process of the store at a time (replicas on one
    // PostgreSQL club): whoever holds the lease. Asked about once a second; one that takes it
    // over reconciles everyone, catching up with the wakes the last holder may have missed.
    // Another process's writes may have made wakes it does not follow: the holder reconciles
    // everyone once a second while they come (what they changed is not known).
    if (absl::Now() - lease_asked >= kLeaseInterval) {
      lock.unlock();
      const bool held = db_.HoldLease(kLeaseName);
      const uint64_t others = db_.OtherProcessesWrites();
      lock.lock();
      lease_asked = absl::Now();
      if (held && (!leader_ || others != others_seen_)) reconcile_all_ = true;
      others_seen_ = others;
      // Operators (and the replica tests) see which process follows the clock.
      if (held != leader_ && db_.shared_by_processes()) {
        Log(held ? "holds the store's lease: follows the clock's wakes"
                 : "lost the store's lease: another process follows the clock's wakes");
      }
      leader_ = held;
      idle_.notify_all();
    }
    const absl::Time now = clock_.Now();
    const bool all = std::exchange(reconcile_all_, false);
    std::vector<domain::Id> ids(dirty_.begin(), dirty_.end());
    dirty_.clear();
    while (leader_ && !schedule_.empty() && schedule_.begin()->first <= now) {
      ids.push_back(schedule_.begin()->second);
      wake_of_.erase(schedule_.begin()->second);
      schedule_.erase(schedule_.begin());
    }
    if (all || !ids.empty()) {
      busy_ = true;
      lock.unlock();
      const bool ok = Process(all, std::move(ids));
      lock.lock();
      busy_ = false;
      // Do not spin on a failing database (busy, disk full): retry shortly.
      if (!ok) wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; });
      continue;
    }
    woken_ = false;
    idle_.notify_all();
    auto ready = [this] { return stop_ || woken_ || !dirty_.empty() || reconcile_all_; };
    const absl::Duration real = schedule_.empty()
                                    ? absl::InfiniteDuration()
                                    : clock_.RealTimeUntil(schedule_.begin()->first);
    if (!leader_ || real == absl::InfiniteDuration()) {
      // Nothing due (or the schedule is the holder's to follow): ask for the lease again in a
      // while.
      wake_.wait_for(lock, absl::ToChronoMilliseconds(kLeaseInterval), ready);
    } else {
      // Whole microseconds, rounded up, so the wake is never early by a rounding error.
      const absl::Duration sleep = std::min(real, kMaxRealSleep) + absl::Microseconds(1);
      wake_.wait_for(lock, absl::ToChronoMicroseconds(sleep), ready);
    }
  }
}

bool FlagMonitor::Process(bool all, std::vector<domain::Id> ids) {
  std::lock_guard write_lock(write_mutex_);
  const absl::Time now = clock_.Now();
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  domain::Id after = 0;
  size_t next_id = 0;
  for (;;) {
    std::vector<FlagChangeHub::Change> changes;
    Wakes wakes;
    bool done = false;
    std::vector<domain::Id> batch_ids;
    const absl::Status status = db_.Write([&](storage::Transaction& conn) -> absl::Status {
      changes.clear();
      wakes.clear();
      batch_ids.clear();
      std::vector<domain::Player> players;
      if (all) {
        players = storage::ListPlayers(conn, 0, true, after, kPlayersPerTransaction);
        done = players.empty();
        if (!done) after = players.back().id;
      } else {
        size_t i = next_id;
        for (; i < ids.size() && players.size() < kPlayersPerTransaction; ++i) {
          auto player = storage::FindPlayer(conn, ids[i]);
          if (player.ok()) players.push_back(*std::move(player));
        }
        done = i >= ids.size();
        batch_ids.assign(ids.begin() + next_id, ids.begin() + i);
        next_id = i;
      }
      Reconcile(conn, players, now, changes, wakes);
      return absl::OkStatus();
    });
    if (!status.ok()) {
      Log(absl::StrCat("re-evaluation failed, retrying: ", status.ToString()));
      std::lock_guard lock(mutex_);
      if (all) {
        reconcile_all_ = true;
      } else {
        dirty_.insert(ids.begin(), ids.end());
      }
      return false;
    }
    log_.Committed(changes);
    ApplyWakes(wakes);
    if (done) return true;
  }
}

void FlagMonitor::Reconcile(storage::Transaction& conn, const std::vector<domain::Player>& players,
                            absl::Time now, std::vector<FlagChangeHub::Change>& changes,
                            Wakes& wakes) {
  if (players.empty()) return;
  std::vector<domain::Id> ids;
  std::unordered_map<domain::Id, domain::Id> squad_of;
  for (const auto& p : players) {
    ids.push_back(p.id);
    squad_of[p.id] = p.squad_id;
  }
  std::unordered_map<domain::Id, std::map<std::string, storage::FlagStateRow>> held;
  for (auto& row : storage::ListFlagStates(conn, ids)) {
    held[row.player_id].emplace(row.key, std::move(row));
  }
  const SquadSnapshot snapshot = LoadSnapshot(conn, players, now, options_.thresholds,
                                              SnapshotOptions{.anti_spasm_work = true});
  for (const PlayerRecord& record : snapshot.players) {
    const domain::Id player_id = record.player.id;
    const domain::Id squad_id = squad_of[player_id];
    wakes[player_id] =
        domain::NextSurveillanceFlagChange(record.complaints, now, options_.thresholds);
    auto& before = held[player_id];
    std::set<std::string> seen;
    for (const domain::Flag& f : domain::EvaluateSurveillanceFlags(
             player_id, record.complaints, record.awkward_events, record.anti_spasm, now,
             options_.thresholds)) {
      v1::Flag flag;
      ToProto(f, &flag);
      seen.insert(flag.key());
      storage::FlagStateRow row;
      row.key = flag.key();
      row.player_id = player_id;
      row.squad_id = squad_id;
      row.kind = flag.kind();
      row.complaint_id = flag.complaint_ids_size() > 0 ? flag.complaint_ids(0) : 0;
      row.flag = flag.SerializeAsString();
      auto it = before.find(row.key);
      v1::FlagChangeType type = v1::FLAG_CHANGE_TYPE_RAISED;
      if (it != before.end()) {
        v1::Flag old;
        old.ParseFromString(it->second.flag);
        if (Comparable(old) == Comparable(flag) && it->second.squad_id == squad_id) continue;
        type = v1::FLAG_CHANGE_TYPE_CHANGED;
        row.ack = it->second.ack;  // an acknowledgement lasts while the flag holds
      }
      storage::UpsertFlagState(conn, row);
      changes.push_back(Append(conn, type, std::move(flag), row.ack, squad_id, now));
    }
    for (const auto& [key, row] : before) {
      if (seen.count(key)) continue;
      storage::DeleteFlagState(conn, key);
      v1::Flag last;
      last.ParseFromString(row.flag);
      changes.push_back(Append(conn, v1::FLAG_CHANGE_TYPE_CLEARED, std::move(last), row.ack,
                               squad_id, now));
    }
  }
}

void FlagMonitor::ApplyWakes(const Wakes& wakes) {
  if (wakes.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [player_id, at] : wakes) {
      if (auto it = wake_of_.find(player_id); it != wake_of_.end()) {
        schedule_.erase({it->second, player_id});
        wake_of_.erase(it);
      }
      if (at) {
        wake_of_[player_id] = *at;
        schedule_.insert({*at, player_id});
      }
    }
  }
  wake_.notify_all();
}

absl::StatusOr<v1::AcknowledgeFlagResponse> FlagMonitor::Acknowledge(
    const common::Caller& caller, const v1::AcknowledgeFlagRequest& request) {
  const domain::Id player_id = request.player_id();
  const v1::FlagKind kind = request.kind();
  const domain::Id complaint_id = request.complaint_id();
  const std::string& note = request.note();
  std::lock_guard write_lock(write_mutex_);
  const absl::Time now = clock_.Now();
  std::vector<FlagChangeHub::Change> changes;
  v1::AcknowledgeFlagResponse response;
  Wakes wakes;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    changes.clear();
    response.clear_flags();
    wakes.clear();
    TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, player_id));
    // Acknowledge what holds now, even if the monitor has not caught up with the last write.
    Reconcile(conn, {player}, now, changes, wakes);
    for (auto& row : storage::ListFlagStates(conn, {player_id})) {
      if (row.kind != kind || row.complaint_id != complaint_id) continue;
      row.ack = storage::FlagAck{now, caller.user, note};
      storage::UpsertFlagState(conn, row);
      v1::Flag flag;
      flag.ParseFromString(row.flag);
      changes.push_back(
          Append(conn, v1::FLAG_CHANGE_TYPE_ACKNOWLEDGED, flag, row.ack, row.squad_id, now));
      *response.add_flags() = changes.back()->flag();
    }
    if (response.flags().empty()) {
      return absl::NotFoundError(absl::StrCat("player ", player_id, " has no ",
                                              v1::FlagKind_Name(kind), " flag about complaint ",
                                              complaint_id, " holding now"));
    }
    return absl::OkStatus();
  }));
  log_.Committed(changes);
  ApplyWakes(wakes);
  return response;
}

}  // namespace touchline::service
