#include "server/service/readiness_watch.h"

#include <chrono>
#include <utility>

#include "absl/status/status.h"

namespace touchline::service {

ReadinessFeed::ReadinessFeed(ReadinessWatch& watch, common::Caller caller,
                             const v1::WatchSquadReadinessRequest& request,
                             std::function<void()> ready)
    : watch_(watch), caller_(std::move(caller)), ready_(std::move(ready)) {
  board_request_.set_squad_id(request.squad_id());
  if (request.has_session_time()) *board_request_.mutable_session_time() = request.session_time();
}

ReadinessFeed::~ReadinessFeed() { watch_.Remove(this); }

FeedStep<v1::WatchSquadReadinessResponse> ReadinessFeed::Next() {
  const absl::Time now = absl::Now();  // real time: the send interval is about the wire
  {
    std::lock_guard lock(watch_.mutex_);
    if (watch_.closed_) {
      return FeedStep<v1::WatchSquadReadinessResponse>::End(
          absl::UnavailableError("the server is stopping; open the watch again"));
    }
    // Observed before the board is read: a write after this moves the generation again, so the
    // pulse wakes this feed once more and nothing is missed.
    const uint64_t generation = watch_.db_.RecordsGeneration();
    const bool stale = !last_send_.has_value() || due_ || generation != seen_generation_;
    if (!stale) return FeedStep<v1::WatchSquadReadinessResponse>::Wait();
    // Too soon after the last board: the pulse wakes this feed again (it is still stale).
    if (last_send_.has_value() && now - *last_send_ < watch_.options_.min_send_interval) {
      return FeedStep<v1::WatchSquadReadinessResponse>::Wait();
    }
    seen_generation_ = generation;
    due_ = false;
  }
  absl::StatusOr<v1::GetSquadReadinessResponse> board =
      watch_.board_.GetSquadReadiness(caller_, board_request_);
  if (!board.ok()) return FeedStep<v1::WatchSquadReadinessResponse>::End(board.status());
  // Compared without the instant evaluated: a "now" board moves with the clock on every
  // computation, and is only worth sending when a player's row or a count changed.
  v1::GetSquadReadinessResponse comparable = *board;
  comparable.clear_session_time();
  std::string bytes = comparable.SerializeAsString();
  if (last_send_.has_value() && bytes == last_sent_) {
    return FeedStep<v1::WatchSquadReadinessResponse>::Wait();
  }
  last_sent_ = std::move(bytes);
  last_send_ = now;
  v1::WatchSquadReadinessResponse message;
  *message.mutable_board() = *std::move(board);
  return FeedStep<v1::WatchSquadReadinessResponse>::Send(std::move(message));
}

ReadinessWatch::ReadinessWatch(ReadinessBoard& board, storage::Database& db,
                               const domain::Clock& clock, ReadinessWatchOptions options)
    : board_(board), db_(db), clock_(clock), options_(options) {
  clock_listener_ = clock_.AddListener([this] { WakeAll(); });
  pulse_ = std::thread([this] { Pulse(); });
}

ReadinessWatch::~ReadinessWatch() {
  Close();
  clock_.RemoveListener(clock_listener_);
}

absl::StatusOr<std::unique_ptr<ReadinessFeed>> ReadinessWatch::OpenFeed(
    const common::Caller& caller, const v1::WatchSquadReadinessRequest& request,
    std::function<void()> ready) {
  v1::GetSquadReadinessRequest board_request;
  board_request.set_squad_id(request.squad_id());
  if (request.has_session_time()) *board_request.mutable_session_time() = request.session_time();
  // The same checks, and NOT_FOUND, as GetSquadReadiness: the watch opens only on a board that
  // exists (and the kept board is warm for the first message).
  absl::StatusOr<ReadinessBoard::ServedBoard> first =
      board_.ServeSquadReadiness(caller, board_request);
  if (!first.ok()) return first.status();
  std::unique_ptr<ReadinessFeed> feed(new ReadinessFeed(*this, caller, request, std::move(ready)));
  std::lock_guard lock(mutex_);
  if (closed_) return absl::UnavailableError("the server is stopping");
  feeds_.push_back(feed.get());
  return feed;
}

void ReadinessWatch::Remove(ReadinessFeed* feed) {
  std::lock_guard lock(mutex_);
  feeds_.remove(feed);
}

void ReadinessWatch::WakeAll() {
  std::lock_guard lock(mutex_);
  for (ReadinessFeed* feed : feeds_) {
    feed->due_ = true;
    if (feed->ready_) feed->ready_();
  }
}

void ReadinessWatch::Close() {
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      closed_ = true;
      for (ReadinessFeed* feed : feeds_) {
        if (feed->ready_) feed->ready_();  // its next step ends it
      }
    }
  }
  stop_.notify_all();
  if (pulse_.joinable() && pulse_.get_id() != std::this_thread::get_id()) pulse_.join();
}

size_t ReadinessWatch::watcher_count() {
  std::lock_guard lock(mutex_);
  return feeds_.size();
}

void ReadinessWatch::Pulse() {
  absl::Time next_beat = absl::Now() + options_.time_beat;
  std::unique_lock lock(mutex_);
  while (!closed_) {
    stop_.wait_for(lock, absl::ToChronoNanoseconds(options_.pulse));
    if (closed_) break;
    const uint64_t generation = db_.RecordsGeneration();
    const absl::Time now = absl::Now();
    const bool beat = now >= next_beat;
    if (beat) next_beat = now + options_.time_beat;
    for (ReadinessFeed* feed : feeds_) {
      if (beat) feed->due_ = true;
      if ((feed->due_ || feed->seen_generation_ != generation) && feed->ready_) feed->ready_();
    }
  }
}

}  // namespace touchline::service
