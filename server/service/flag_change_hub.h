// Fan-out of recorded flag changes to live watchers. Each subscriber has its own bounded buffer:
// publishing never waits for a subscriber, and a subscriber whose buffer is full is marked as
// overflowed (its buffer dropped) so its stream can end and resume from the persisted log.
//
// A subscriber either waits on its buffer (Next, a thread of its own) or is told when it has
// something to take (the `ready` callback, then TryNext): the second is how 10,000 watch streams
// are held without a thread each.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/time/time.h"
#include "touchline/v1/flag.pb.h"

namespace touchline::service {

class FlagChangeHub {
 public:
  using Change = std::shared_ptr<const v1::FlagChange>;

  class Subscription {
   public:
    enum class Event { kChange, kTimeout, kOverflow, kClosed };
    // Waits up to `timeout` (real time) for the next change; kOverflow / kClosed are final.
    Event Next(absl::Duration timeout, Change* change);
    // Next without waiting: kTimeout when nothing is buffered.
    Event TryNext(Change* change) { return Next(absl::ZeroDuration(), change); }
    ~Subscription();

   private:
    friend class FlagChangeHub;
    Subscription(FlagChangeHub& hub, int64_t squad_id, std::function<void()> ready)
        : hub_(hub), squad_id_(squad_id), ready_callback_(std::move(ready)) {}
    FlagChangeHub& hub_;
    const int64_t squad_id_;
    // Called (on the publishing thread, with the hub's lock held: it must not block or call back
    // into the hub) when a change was buffered, or the subscription overflowed or closed.
    const std::function<void()> ready_callback_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Change> buffer_;
    bool overflowed_ = false;
    bool closed_ = false;
  };

  // `buffer` is the most changes a subscriber may have waiting before it is cut off.
  explicit FlagChangeHub(size_t buffer) : buffer_(buffer) {}

  // Changes of one squad, or every squad when squad_id is 0. The hub must outlive it. `ready`
  // (optional) is called whenever TryNext has something new to return; destroying the
  // subscription waits for a call in progress, so `ready` may use what outlives the subscription.
  std::unique_ptr<Subscription> Subscribe(int64_t squad_id, std::function<void()> ready = nullptr);
  // Hands the changes, in order, to every matching subscriber. Never blocks on a subscriber.
  void Publish(const std::vector<Change>& changes);
  // Ends every subscription (kClosed) and refuses new ones (they start closed).
  void Close();
  size_t subscriber_count();

 private:
  const size_t buffer_;
  std::mutex mutex_;
  std::list<Subscription*> subscribers_;
  bool closed_ = false;
};

}  // namespace touchline::service
