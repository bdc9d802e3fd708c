#include "server/api/call_limits.h"

#include "absl/strings/str_cat.h"

namespace touchline::api {

absl::Status CallLimits::Admit(const std::string& user, Kind kind) {
  const bool stream = kind == Kind::kStream;
  const char* what = stream ? "open streams" : "calls in flight";
  const int per_user = stream ? options_.max_streams_per_user : options_.max_calls_per_user;
  const int global = stream ? options_.max_streams : options_.max_calls;
  std::lock_guard lock(mutex_);
  Counts& mine = by_user_[user];
  int& own = stream ? mine.streams : mine.calls;
  int& all = stream ? total_.streams : total_.calls;
  if (own >= per_user) {
    if (mine.calls == 0 && mine.streams == 0) by_user_.erase(user);
    return absl::ResourceExhaustedError(absl::StrCat(
        "user ", user, " has ", own, " ", what, ", the most one user may have (",
        stream ? "--max_streams_per_user" : "--max_calls_per_user", "=", per_user,
        "); close one or retry later"));
  }
  if (all >= global) {
    if (mine.calls == 0 && mine.streams == 0) by_user_.erase(user);
    return absl::ResourceExhaustedError(absl::StrCat(
        "the server has ", all, " ", what, ", its limit (", stream ? "--max_streams" : "--max_calls",
        "=", global, "); retry later"));
  }
  ++own;
  ++all;
  return absl::OkStatus();
}

void CallLimits::Release(const std::string& user, Kind kind) {
  const bool stream = kind == Kind::kStream;
  std::lock_guard lock(mutex_);
  auto it = by_user_.find(user);
  if (it == by_user_.end()) return;
  --(stream ? it->second.streams : it->second.calls);
  --(stream ? total_.streams : total_.calls);
  if (it->second.calls == 0 && it->second.streams == 0) by_user_.erase(it);
}

int CallLimits::InFlight(const std::string& user, Kind kind) {
  std::lock_guard lock(mutex_);
  auto it = by_user_.find(user);
  if (it == by_user_.end()) return 0;
  return kind == Kind::kStream ? it->second.streams : it->second.calls;
}

}  // namespace touchline::api
