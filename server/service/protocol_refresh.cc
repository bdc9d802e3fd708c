#include "server/service/protocol_refresh.h"

#include <cstdio>
#include <map>
#include <tuple>

#include "server/common/caller.h"
#include "server/service/proto_mapping.h"
#include "server/storage/protocol_store.h"

namespace touchline::service {

// Who the refreshed assignments are by, in their assigned_by and the audit log.
constexpr char kRefreshUser[] = "touchline (the player's record changed)";
// A refresh of one player's assignments may take the plugins this long.
constexpr absl::Duration kRefreshDeadline = absl::Seconds(30);

ProtocolRefresher::ProtocolRefresher(storage::Database& db, const domain::Clock& clock,
                                     ProtocolDesk& desk, FlagChangeHub& hub)
    : db_(db), clock_(clock), desk_(desk), hub_(hub) {}

ProtocolRefresher::~ProtocolRefresher() { Stop(); }

void ProtocolRefresher::Start() {
  Subscribe();
  thread_ = std::thread([this] { Run(); });
}

void ProtocolRefresher::Subscribe() {
  flags_ = hub_.Subscribe(0, [this] {
    // Called with the hub's lock held: only note it (mutex_ is never held while calling the hub).
    std::lock_guard lock(mutex_);
    flag_news_ = true;
    wake_.notify_all();
  });
}

void ProtocolRefresher::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stop_) return;
    stop_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  flags_.reset();
}

void ProtocolRefresher::PlayerRecordChanged(domain::Id player_id) {
  std::lock_guard lock(mutex_);
  pending_.insert(player_id);
  wake_.notify_all();
}

bool ProtocolRefresher::WaitIdle(absl::Duration timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [this] {
    return stop_ || (pending_.empty() && !flag_news_ && !busy_);
  });
}

void ProtocolRefresher::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || flag_news_ || !pending_.empty(); });
    if (stop_) break;
    // The hub's ready callback takes mutex_ with the hub's lock held: take the changes without
    // holding mutex_.
    if (flag_news_) {
      flag_news_ = false;
      lock.unlock();
      std::set<domain::Id> players;
      FlagChangeHub::Change change;
      for (;;) {
        const auto event = flags_->TryNext(&change);
        if (event == FlagChangeHub::Subscription::Event::kChange) {
          // The plugins are not told of WINDOW_CLOSING (their contract has no such kind).
          if (change->flag().kind() != v1::FLAG_KIND_WINDOW_CLOSING) {
            players.insert(change->flag().player_id());
          }
          continue;
        }
        // Too many at once (an import): the writers reported their players themselves; a flag the
        // clock raised among the dropped ones is refreshed at the player's next change.
        if (event == FlagChangeHub::Subscription::Event::kOverflow) Subscribe();
        break;
      }
      lock.lock();
      pending_.insert(players.begin(), players.end());
    }
    std::set<domain::Id> players;
    players.swap(pending_);
    busy_ = true;
    const absl::Time changed_at = clock_.Now();
    lock.unlock();
    for (const domain::Id player : players) Refresh(player, changed_at);
    lock.lock();
    busy_ = false;
    idle_.notify_all();
  }
  idle_.notify_all();
}

void ProtocolRefresher::Refresh(domain::Id player_id, absl::Time changed_at) {
  // Sessions still to come or under way (the board shows an assignment up to kProtocolSessionWindow
  // from the session time): the newest assignment of each.
  std::vector<storage::ProtocolAssignment> assignments;
  const absl::Status read = db_.Read([&](storage::Transaction& conn) -> absl::Status {
    assignments = storage::ListAssignmentsOfPlayers(conn, {player_id},
                                                    changed_at - kProtocolSessionWindow,
                                                    absl::InfiniteFuture());
    return absl::OkStatus();
  });
  if (!read.ok()) {
    std::fprintf(stderr, "touchline-server: protocol refresh of player %lld: %s\n",
                 static_cast<long long>(player_id), std::string(read.message()).c_str());
    return;
  }
  std::map<std::tuple<absl::Time, std::string, int>, const storage::ProtocolAssignment*> newest;
  for (const auto& a : assignments) {
    const storage::ProtocolAssignment*& n = newest[{a.session_at, a.session_label, a.session_kind}];
    if (n == nullptr || a.id > n->id) n = &a;
  }
  for (const auto& [session, a] : newest) {
    // Planned after the change: it knew of it. (A write and the flag change it causes may each
    // re-plan once: a duplicate plan, never a stale one.)
    if (a->assigned_at > changed_at) continue;
    v1::AssignProtocolsRequest request;
    request.set_player_id(player_id);
    request.set_session_label(a->session_label);
    request.set_session_kind(static_cast<v1::SessionKind>(a->session_kind));
    ToProto(a->session_at, request.mutable_session_time());
    common::Caller system;
    system.user = kRefreshUser;
    system.record_write = record_write_;
    const auto planned = desk_.AssignProtocols(system, request, absl::Now() + kRefreshDeadline);
    if (!planned.ok() && !absl::IsFailedPrecondition(planned.status())) {  // archived: nothing
      std::fprintf(stderr, "touchline-server: protocol refresh of player %lld: %s\n",
                   static_cast<long long>(player_id), std::string(planned.status().message()).c_str());
    }
  }
}

}  // namespace touchline::service
