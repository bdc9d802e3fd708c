// The threads that run the streams' storage work (log replay, export batches, import validation)
// off gRPC's event threads: a callback-API reaction must never block, and a stream that waits for
// its client or for a flag change holds none of these threads. Tasks run in the order posted, so a
// busy stream takes its turn with the others (each task is one step: one message, one batch).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace touchline::api {

class StreamWorkers {
 public:
  // `threads` at least 1; `name` shows in ps / top (at most 15 characters).
  StreamWorkers(int threads, std::string name);
  // Runs every task already posted, then joins the threads.
  ~StreamWorkers();
  StreamWorkers(const StreamWorkers&) = delete;
  StreamWorkers& operator=(const StreamWorkers&) = delete;

  // Queues `task`; never blocks on the work itself.
  void Post(std::function<void()> task);

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable posted_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace touchline::api
