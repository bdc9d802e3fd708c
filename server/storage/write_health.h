// What Database::WriteHealth reports, kept the same way by every backend: the storage failure
// (UNAVAILABLE, RESOURCE_EXHAUSTED) of the last write that failed in storage, until a write
// commits again. A work function's own refusal (NOT_FOUND, ALREADY_EXISTS ...) says nothing of the
// storage and is not noted.
#pragma once

#include <mutex>

#include "absl/status/status.h"

namespace touchline::storage {

class WriteHealthRecord {
 public:
  void Note(const absl::Status& outcome) {
    const bool storage_failure = absl::IsUnavailable(outcome) || absl::IsResourceExhausted(outcome);
    if (!outcome.ok() && !storage_failure) return;
    std::lock_guard lock(mutex_);
    health_ = outcome;
  }
  absl::Status Get() const {
    std::lock_guard lock(mutex_);
    return health_;
  }

 private:
  mutable std::mutex mutex_;
  absl::Status health_;
};

}  // namespace touchline::storage
