#include "server/service/flag_change_hub.h"

#include <algorithm>

namespace touchline::service {

FlagChangeHub::Subscription::Event FlagChangeHub::Subscription::Next(absl::Duration timeout,
                                                                     Change* change) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                  [this] { return overflowed_ || closed_ || !buffer_.empty(); });
  if (overflowed_) return Event::kOverflow;
  if (!buffer_.empty()) {
    *change = std::move(buffer_.front());
    buffer_.pop_front();
    return Event::kChange;
  }
  return closed_ ? Event::kClosed : Event::kTimeout;
}

FlagChangeHub::Subscription::~Subscription() {
  std::lock_guard lock(hub_.mutex_);
  hub_.subscribers_.remove(this);
}

std::unique_ptr<FlagChangeHub::Subscription> FlagChangeHub::Subscribe(
    int64_t squad_id, std::function<void()> ready) {
  std::unique_ptr<Subscription> sub(new Subscription(*this, squad_id, std::move(ready)));
  std::lock_guard lock(mutex_);
  sub->closed_ = closed_;
  subscribers_.push_back(sub.get());
  return sub;
}

void FlagChangeHub::Publish(const std::vector<Change>& changes) {
  if (changes.empty()) return;
  std::lock_guard lock(mutex_);
  for (Subscription* sub : subscribers_) {
    bool added = false;
    {
      std::lock_guard sub_lock(sub->mutex_);
      if (sub->overflowed_ || sub->closed_) continue;
      for (const Change& change : changes) {
        if (sub->squad_id_ != 0 && change->squad_id() != sub->squad_id_) continue;
        if (sub->buffer_.size() >= buffer_) {
          // Too far behind: drop what is buffered; the stream ends and resumes from the log.
          sub->overflowed_ = true;
          sub->buffer_.clear();
          break;
        }
        sub->buffer_.push_back(change);
        added = true;
      }
      added = added || sub->overflowed_;
    }
    if (added) {
      sub->ready_.notify_all();
      if (sub->ready_callback_) sub->ready_callback_();
    }
  }
}

void FlagChangeHub::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (Subscription* sub : subscribers_) {
    {
      std::lock_guard sub_lock(sub->mutex_);
      sub->closed_ = true;
    }
    sub->ready_.notify_all();
    if (sub->ready_callback_) sub->ready_callback_();
  }
}

size_t FlagChangeHub::subscriber_count() {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

}  // namespace touchline::service
