// What plugin hosts write on stdout and stderr, into the server's log with a cap (issue 16). Each
// line becomes "plugin <file>: <line>", cut at kMaxHostOutputLineBytes, control characters
// replaced; at most kMaxHostOutputLinesPerSecond lines a second per plugin file are written, the
// rest are counted and dropped, and a line then says how many. The pipes are always read to the
// end, so a chatty plugin never blocks on a full pipe and never floods the log (before, 50 MB of
// plugin output was 50 MB of server log).
//
//   uint64_t id = HostOutputRelay::Get().Add(pipe_read_end, "probe.so");   // after fork
//   ...
//   HostOutputRelay::Get().Release(id);   // once the host is dead: its last words, then closed
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace touchline::plugins {

inline constexpr int kMaxHostOutputLinesPerSecond = 20;
inline constexpr size_t kMaxHostOutputLineBytes = 512;

// One line in the server's log, as api::LogLine writes it (this layer cannot include server/api):
// "<UTC time> touchline-server <line>" on stderr.
void LogServerLine(const std::string& line);

// One thread, started on first use, that reads every host's output pipe. Never destroyed: it
// waits in poll while no host runs.
class HostOutputRelay {
 public:
  static HostOutputRelay& Get();

  // Takes `read_fd` (the read end of a host's stdout and stderr pipe) and forwards its lines under
  // `label` (the plugin's file name: one limit per plugin, however many hosts it has). Returns
  // the id to release it with.
  uint64_t Add(int read_fd, std::string label);
  // Forwards what the pipe still holds (what a crashed host wrote last), the line not yet ended
  // and how many lines were dropped, then closes it. Call once the host has ended. Thread-safe.
  void Release(uint64_t id);

 private:
  struct Limit {
    absl::Time window_start = absl::InfinitePast();
    int written = 0;  // in the window
    int64_t dropped = 0;  // since the last report
  };
  struct Source {
    int fd = -1;  // -1 once the pipe reached its end
    std::string label;
    Limit* limit = nullptr;  // its label's
    std::string partial;  // the line read so far
    bool cutting = false;  // the line was too long: what follows up to its end is dropped
  };

  HostOutputRelay();
  void Run();
  void Wake();
  // Reads at most `max_bytes` of what the pipe holds, without blocking; false at its end.
  bool ReadLocked(Source& source, size_t max_bytes, absl::Time now);
  // Closes the pipe and writes the line not yet ended.
  void EndLocked(Source& source, absl::Time now);
  void ConsumeLocked(Source& source, const char* data, size_t len, absl::Time now);
  void EmitLocked(Source& source, std::string_view line, absl::Time now);
  void ReportDroppedLocked(const std::string& label, Limit& limit);

  std::mutex mu_;
  std::map<uint64_t, Source> sources_;
  std::map<std::string, Limit> limits_;  // by label, kept for the life of the process
  uint64_t next_id_ = 1;
  std::vector<char> buffer_;  // what is read, under mu_
  int wake_[2] = {-1, -1};  // a byte written to wake_[1] makes the thread look at sources_ again
};

}  // namespace touchline::plugins
