#include "server/api/stream_workers.h"

#include <pthread.h>

#include <cstdio>
#include <exception>

namespace touchline::api {

StreamWorkers::StreamWorkers(int threads, std::string name) {
  name.resize(std::min<size_t>(name.size(), 15));
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this] { Run(); });
    pthread_setname_np(threads_.back().native_handle(), name.c_str());
  }
}

StreamWorkers::~StreamWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  posted_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void StreamWorkers::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  posted_.notify_one();
}

void StreamWorkers::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      posted_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and everything posted has run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    // A task is one step of a stream; the stream's own code turns errors into its status. An
    // exception here is a bug: say so and keep the thread (and every other stream) alive.
    try {
      task();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "touchline-server: a stream task failed: %s\n", e.what());
    }
  }
}

}  // namespace touchline::api
