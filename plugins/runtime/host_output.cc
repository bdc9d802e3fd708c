#include "plugins/runtime/host_output.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace touchline::plugins {
namespace {

constexpr size_t kChunk = 64 * 1024;
// Per pipe and turn of the thread, so that one flooding host does not hold up the others' lines.
constexpr size_t kReadPerTurn = 4 * kChunk;
// What Release still reads. A dead host's pipe holds at most a pipe buffer (64 KiB by default),
// but its children, killed with it, may write for a moment longer.
constexpr size_t kReadOnRelease = 16 * kChunk;
constexpr absl::Duration kWindow = absl::Seconds(1);

// A plugin's line must not pass for the server's own lines or move a terminal's cursor.
std::string Printable(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string out(line);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

void LogServerLine(const std::string& line) {
  const std::string text = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      " touchline-server ", line, "\n");
  // One call per line: stderr is unbuffered, so concurrent lines do not interleave mid-line.
  std::fwrite(text.data(), 1, text.size(), stderr);
}

HostOutputRelay& HostOutputRelay::Get() {
  // Never destroyed: its thread may be in poll when the process exits.
  static HostOutputRelay* relay = new HostOutputRelay();
  return *relay;
}

HostOutputRelay::HostOutputRelay() : buffer_(kChunk) {
  // Without the wake pipe the thread still works, looking at new pipes every 100 ms.
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  // Every signal blocked in the thread: the server takes SIGTERM and SIGINT with sigwait, which
  // works only while no thread would take them.
  sigset_t all;
  sigset_t before;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &before);
  std::thread([this] { Run(); }).detach();
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

uint64_t HostOutputRelay::Add(int read_fd, std::string label) {
  // Read only when poll says so, yet never blocking: Release reads until the pipe is empty.
  fcntl(read_fd, F_SETFL, fcntl(read_fd, F_GETFL) | O_NONBLOCK);
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = next_id_++;
  Source& source = sources_[id];
  source.fd = read_fd;
  source.limit = &limits_[label];  // map nodes stay put
  source.label = std::move(label);
  Wake();
  return id;
}

void HostOutputRelay::Release(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sources_.find(id);
  if (it == sources_.end()) return;
  Source& source = it->second;
  const absl::Time now = absl::Now();
  if (source.fd >= 0) ReadLocked(source, kReadOnRelease, now);
  EndLocked(source, now);
  if (source.limit->dropped > 0) ReportDroppedLocked(source.label, *source.limit);
  sources_.erase(it);
  Wake();  // its descriptor is closed: the thread must not poll that number any more
}

void HostOutputRelay::Wake() {
  if (wake_[1] < 0) return;
  const char byte = 0;
  [[maybe_unused]] ssize_t n = write(wake_[1], &byte, 1);  // full: a wake-up is pending anyway
}

void HostOutputRelay::Run() {
  std::vector<pollfd> fds;
  std::vector<uint64_t> ids;  // of fds[1...]
  for (;;) {
    fds.clear();
    ids.clear();
    fds.push_back(pollfd{wake_[0], POLLIN, 0});  // a negative descriptor is ignored by poll
    // Until the next window ends whose dropped lines are still to be reported; else no limit.
    absl::Duration wait = wake_[0] < 0 ? absl::Milliseconds(100) : absl::InfiniteDuration();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [id, source] : sources_) {
        if (source.fd < 0) continue;
        fds.push_back(pollfd{source.fd, POLLIN, 0});
        ids.push_back(id);
      }
      const absl::Time now = absl::Now();
      for (const auto& [label, limit] : limits_) {
        if (limit.dropped > 0) wait = std::min(wait, limit.window_start + kWindow - now);
      }
    }
    const int timeout_ms =
        wait == absl::InfiniteDuration()
            ? -1
            : static_cast<int>(std::max<int64_t>(
                  0, absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1)))));
    if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // ENOMEM: try again shortly
      continue;
    }
    if (fds[0].revents != 0) {
      char drain[64];
      while (read(wake_[0], drain, sizeof drain) > 0) {
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time now = absl::Now();
    for (size_t i = 0; i < ids.size(); ++i) {
      if (fds[i + 1].revents == 0) continue;
      // Released since (its number may even be another pipe's now): only what is still listed.
      auto it = sources_.find(ids[i]);
      if (it == sources_.end() || it->second.fd != fds[i + 1].fd) continue;
      if (!ReadLocked(it->second, kReadPerTurn, now)) EndLocked(it->second, now);
    }
    for (auto& [label, limit] : limits_) {
      if (limit.dropped > 0 && now - limit.window_start >= kWindow) {
        ReportDroppedLocked(label, limit);
      }
    }
  }
}

bool HostOutputRelay::ReadLocked(Source& source, size_t max_bytes, absl::Time now) {
  size_t total = 0;
  while (total < max_bytes) {
    const ssize_t n = read(source.fd, buffer_.data(), buffer_.size());
    if (n > 0) {
      ConsumeLocked(source, buffer_.data(), static_cast<size_t>(n), now);
      total += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    return false;  // every writer is gone (or the pipe failed): nothing more will come
  }
  return true;
}

void HostOutputRelay::EndLocked(Source& source, absl::Time now) {
  if (source.fd >= 0) close(source.fd);
  source.fd = -1;
  if (!source.partial.empty()) EmitLocked(source, source.partial, now);
  source.partial.clear();
  source.cutting = false;
}

void HostOutputRelay::ConsumeLocked(Source& source, const char* data, size_t len,
                                    absl::Time now) {
  while (len > 0) {
    const auto* newline = static_cast<const char*>(std::memchr(data, '\n', len));
    const size_t take = newline != nullptr ? static_cast<size_t>(newline - data) : len;
    if (!source.cutting) {
      const size_t room = kMaxHostOutputLineBytes - source.partial.size();
      if (take > room) {
        source.partial.append(data, room);
        source.partial.append(" [cut]");
        EmitLocked(source, source.partial, now);
        source.partial.clear();
        source.cutting = true;
      } else {
        source.partial.append(data, take);
      }
    }
    if (newline == nullptr) return;
    if (!source.cutting) EmitLocked(source, source.partial, now);
    source.partial.clear();
    source.cutting = false;
    data = newline + 1;
    len -= take + 1;
  }
}

void HostOutputRelay::EmitLocked(Source& source, std::string_view line, absl::Time now) {
  Limit& limit = *source.limit;
  if (now - limit.window_start >= kWindow) {
    if (limit.dropped > 0) ReportDroppedLocked(source.label, limit);
    limit.window_start = now;
    limit.written = 0;
  }
  if (limit.written >= kMaxHostOutputLinesPerSecond) {
    ++limit.dropped;
    return;
  }
  ++limit.written;
  LogServerLine(absl::StrCat("plugin ", source.label, ": ", Printable(line)));
}

void HostOutputRelay::ReportDroppedLocked(const std::string& label, Limit& limit) {
  LogServerLine(absl::StrCat("plugin ", label, ": ", limit.dropped,
                             " more lines of its output dropped (at most ",
                             kMaxHostOutputLinesPerSecond, " a second are logged)"));
  limit.dropped = 0;
}

}  // namespace touchline::plugins
