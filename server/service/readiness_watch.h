// ReadinessService.WatchSquadReadiness: the live board a coach keeps open at the training ground.
// Nothing tells the board what changed (overrides, stages, assignments and the roster all change
// it, as does time passing), so the watch follows the database's record generation instead: a
// pulse looks at it a few times a second and wakes every watch whose board may be stale; the
// watch recomputes (the kept board makes that cheap) and sends only a board that differs from the
// one it sent last. Time passing is covered by a slower beat, and by every jump of an injected
// clock.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/message_feed.h"
#include "server/service/readiness_board.h"
#include "server/storage/database.h"
#include "touchline/v1/readiness.pb.h"

namespace touchline::service {

struct ReadinessWatchOptions {
  // How often the pulse looks at the record generation: a change reaches the board within this
  // plus one recomputation.
  absl::Duration pulse = absl::Milliseconds(250);
  // The least time between two boards sent on one watch: a burst of writes (an import) becomes
  // one new board, not one per write.
  absl::Duration min_send_interval = absl::Milliseconds(500);
  // How often every watch recomputes even without writes (expiring overrides, "now" moving).
  absl::Duration time_beat = absl::Seconds(15);
};

class ReadinessWatch;

// One watcher's boards: the board at once, then each board that differs from the last one sent.
class ReadinessFeed final : public MessageFeed<v1::WatchSquadReadinessResponse> {
 public:
  ~ReadinessFeed() override;
  FeedStep<v1::WatchSquadReadinessResponse> Next() override;

 private:
  friend class ReadinessWatch;
  ReadinessFeed(ReadinessWatch& watch, common::Caller caller,
                const v1::WatchSquadReadinessRequest& request, std::function<void()> ready);

  ReadinessWatch& watch_;
  const common::Caller caller_;
  v1::GetSquadReadinessRequest board_request_;
  std::string last_sent_;  // the last board sent, without its session_time
  std::optional<absl::Time> last_send_;  // real time
  // Shared with the pulse (under ReadinessWatch::mutex_).
  std::function<void()> ready_;
  uint64_t seen_generation_ = 0;  // the record generation the last board was computed after
  bool due_ = true;               // recompute even if the generation did not move (the time beat)
};

class ReadinessWatch {
 public:
  ReadinessWatch(ReadinessBoard& board, storage::Database& db, const domain::Clock& clock,
                 ReadinessWatchOptions options = {});
  ~ReadinessWatch();  // stops the pulse: Close() first
  ReadinessWatch(const ReadinessWatch&) = delete;
  ReadinessWatch& operator=(const ReadinessWatch&) = delete;

  // Checks the request (INVALID_ARGUMENT; NOT_FOUND for an unknown squad: the first board is
  // computed here) and opens its feed. `ready` is called from the pulse's thread whenever the feed
  // may have a new board; it must not block.
  absl::StatusOr<std::unique_ptr<ReadinessFeed>> OpenFeed(
      const common::Caller& caller, const v1::WatchSquadReadinessRequest& request,
      std::function<void()> ready);

  // Ends every feed (UNAVAILABLE at its next step) and stops the pulse. Idempotent.
  void Close();
  size_t watcher_count();

 private:
  friend class ReadinessFeed;
  void Pulse();
  void Remove(ReadinessFeed* feed);
  // Marks every feed due and wakes it (the clock jumped, or the time beat).
  void WakeAll();

  ReadinessBoard& board_;
  storage::Database& db_;
  const domain::Clock& clock_;
  const ReadinessWatchOptions options_;
  int clock_listener_ = 0;

  std::mutex mutex_;
  std::condition_variable stop_;
  bool closed_ = false;
  std::list<ReadinessFeed*> feeds_;
  std::thread pulse_;  // last: started once everything above exists
};

}  // namespace touchline::service
