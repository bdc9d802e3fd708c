// Time is an input: every rule and scheduler asks a Clock, so tests move time instead of sleeping.
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace touchline::domain {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // For schedulers: how long to sleep in real time before Now() may reach `t`. The wall clock
  // answers t - Now(); a clock that moves only when told to answers InfiniteDuration() and wakes
  // its listeners instead whenever it moves.
  virtual absl::Duration RealTimeUntil(absl::Time t) const {
    return std::max(t - Now(), absl::ZeroDuration());
  }
  // Calls `listener` after every jump of the clock (Set / Advance); a clock that moves by itself
  // never calls it. Returns a handle for RemoveListener. Listeners must be quick and must not call
  // back into the clock's listener functions.
  virtual int AddListener(std::function<void()> /*listener*/) const { return 0; }
  // After it returns, the listener is not running and will not be called again.
  virtual void RemoveListener(int /*handle*/) const {}
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// A clock that only moves when told to; safe to read and advance from several threads. Moving it
// wakes the listeners (schedulers waiting on it), so tests cross week six without sleeping.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start) : micros_(absl::ToUnixMicros(start)) {}
  absl::Time Now() const override { return absl::FromUnixMicros(micros_.load()); }
  void Set(absl::Time t) {
    micros_.store(absl::ToUnixMicros(t));
    Notify();
  }
  void Advance(absl::Duration d) {
    micros_.fetch_add(absl::ToInt64Microseconds(d));
    Notify();
  }

  absl::Duration RealTimeUntil(absl::Time t) const override {
    return t <= Now() ? absl::ZeroDuration() : absl::InfiniteDuration();
  }
  int AddListener(std::function<void()> listener) const override {
    std::lock_guard lock(listeners_mutex_);
    listeners_[++last_handle_] = std::move(listener);
    return last_handle_;
  }
  void RemoveListener(int handle) const override {
    std::lock_guard lock(listeners_mutex_);
    listeners_.erase(handle);
  }

 private:
  void Notify() {
    std::lock_guard lock(listeners_mutex_);
    for (auto& [handle, listener] : listeners_) listener();
  }

  std::atomic<int64_t> micros_;
  mutable std::mutex listeners_mutex_;
  mutable std::map<int, std::function<void()>> listeners_;
  mutable int last_handle_ = 0;
};

}  // namespace touchline::domain
