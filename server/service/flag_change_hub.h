// Fan-out of recorded flag changes to live watchers. Each subscriber has its own bounded buffer:
// publishing never waits for a subscriber, and a subscriber whose buffer is full is marked as
// overflowed (its buffer dropped) so its stream can end and resume from the persisted log.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
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
    ~Subscription();

   private:
    friend class FlagChangeHub;
    Subscription(FlagChangeHub& hub, int64_t squad_id) : hub_(hub), squad_id_(squad_id) {}
    FlagChangeHub& hub_;
    const int64_t squad_id_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Change> buffer_;
    bool overflowed_ = false;
    bool closed_ = false;
  };

  // `buffer` is the most changes a subscriber may have waiting before it is cut off.
  explicit FlagChangeHub(size_t buffer) : buffer_(buffer) {}

  // Changes of one squad, or every squad when squad_id is 0. The hub must outlive it.
  std::unique_ptr<Subscription> Subscribe(int64_t squad_id);
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
