// Fair shares of the server: how many unary calls and how many streams each user, and everyone
// together, may have in flight. The access interceptor admits every authenticated call here before
// its handler runs; the caller over a limit gets RESOURCE_EXHAUSTED naming it, and nobody else
// notices. Unauthenticated calls are refused before they are counted, so they cost nothing lasting.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"

namespace touchline::api {

struct CallLimitOptions {
  // Unary calls in flight. The global bound stays under the sync server's thread count
  // (ServerOptions::max_sync_threads), so a full house is refused by us, with a reason, before
  // gRPC's own "Server Threadpool Exhausted".
  int max_calls_per_user = 32;
  int max_calls = 200;
  // Open streams (WatchFlags, ExportRecords, ImportContactEvents): a club's screens and imports
  // fit in 64 per user; the global bound keeps memory bounded (about 10 KiB a held watch).
  int max_streams_per_user = 64;
  int max_streams = 20000;
};

class CallLimits {
 public:
  enum class Kind { kCall, kStream };
  explicit CallLimits(CallLimitOptions options) : options_(options) {}

  // Counts one more call or stream of `user`, or RESOURCE_EXHAUSTED naming the limit (counting
  // nothing). Every admitted one is released exactly once.
  absl::Status Admit(const std::string& user, Kind kind);
  void Release(const std::string& user, Kind kind);

  // In flight now (tests).
  int InFlight(const std::string& user, Kind kind);

 private:
  struct Counts {
    int calls = 0;
    int streams = 0;
  };
  const CallLimitOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Counts> by_user_;
  Counts total_;
};

}  // namespace touchline::api
