// Keeps the protocols the readiness board shows current (issue 17): after a write that changes a
// player's record (a complaint, check-in, resolution, contact event) or a flag change (also one
// the clock raised), the player's assignments for sessions not yet over are planned again, so a
// player flagged at 9:00 does not keep the "no protocol" planned at 8:00 for the 10:00 session.
//
// Runs on a thread of its own (plugins are slow; writers and gRPC threads never wait for it). A
// player changed many times while a refresh runs is refreshed once more after it.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "server/domain/clock.h"
#include "server/service/flag_change_hub.h"
#include "server/service/protocol_desk.h"
#include "server/service/record_observer.h"
#include "server/storage/database.h"

namespace touchline::service {

class ProtocolRefresher final : public PlayerRecordObserver {
 public:
  ProtocolRefresher(storage::Database& db, const domain::Clock& clock, ProtocolDesk& desk,
                    FlagChangeHub& hub);
  ~ProtocolRefresher() override;  // Stop()

  // How its writes are audited (Caller::record_write for the server's own caller): set before
  // Start; a re-plan is a write of the medical record like any other.
  void set_record_write(std::function<absl::Status(const google::protobuf::Message&)> record) {
    record_write_ = std::move(record);
  }
  void Start();
  void Stop();
  void PlayerRecordChanged(domain::Id player_id) override;

  // For tests: waits until every change reported before the call has been refreshed (or
  // `timeout` of real time passes); true if so.
  bool WaitIdle(absl::Duration timeout);

 private:
  void Run();
  void Subscribe();  // to every squad's flag changes; never with mutex_ held
  // Plans again each of the player's assignments whose session has not ended (within the board's
  // window) and was assigned before `changed_at`, with its label, kind and time.
  void Refresh(domain::Id player_id, absl::Time changed_at);

  storage::Database& db_;
  const domain::Clock& clock_;
  ProtocolDesk& desk_;
  FlagChangeHub& hub_;
  std::function<absl::Status(const google::protobuf::Message&)> record_write_;
  std::unique_ptr<FlagChangeHub::Subscription> flags_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::set<domain::Id> pending_;
  bool flag_news_ = false;  // the hub has changes to take
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

// Several observers of one writer (the flag monitor and the protocol refresher).
class PlayerRecordObservers final : public PlayerRecordObserver {
 public:
  void Add(PlayerRecordObserver* observer) { observers_.push_back(observer); }
  void PlayerRecordChanged(domain::Id player_id) override {
    for (PlayerRecordObserver* o : observers_) o->PlayerRecordChanged(player_id);
  }

 private:
  std::vector<PlayerRecordObserver*> observers_;
};

}  // namespace touchline::service
