// Running one plugin: out of process in a supervised touchline-plugin-host, or in process.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "plugins/host/host_protocol.h"
#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::plugins {

// One call's outcome: kind UNSPECIFIED means success and `output` holds the plugin's bytes.
struct CallOutcome {
  touchline::plugin::v1::FailureKind kind = touchline::plugin::v1::FAILURE_KIND_UNSPECIFIED;
  std::string message;
  std::string output;
  // The call was stopped by CallLimits::cutoff or cancellation, not by the plugin's own deadline:
  // its duration says nothing about how long the plugin takes.
  bool cut_short = false;
  bool ok() const { return kind == touchline::plugin::v1::FAILURE_KIND_UNSPECIFIED; }
};

// How long one call may take.
struct CallLimits {
  // The plugin's own deadline, from when the request is sent. A plugin that has not answered by
  // then is at fault: its host is killed and restarted at once, as it always was.
  absl::Duration deadline = absl::Seconds(2);
  // When the whole request (a squad's AssignProtocols) must be done: the caller's deadline or the
  // server's budget. A call still running then is cut short: its host is killed (its late answer
  // would otherwise be read as the next request's) and started again by the next call that needs
  // it, not now: whoever set the cutoff has no time left to wait for a restart.
  absl::Time cutoff = absl::InfiniteFuture();
  // Polled while waiting for the answer (about every 50 ms); true stops the call as the cutoff
  // does. May be empty. Must be callable from several threads at once.
  std::function<bool()> cancelled;
};

class PluginRunner {
 public:
  virtual ~PluginRunner() = default;
  // Thread-safe; calls to one runner are serialized (a planner runs several hosts of one plugin to
  // answer several players at once).
  virtual CallOutcome Assign(const std::string& request, const CallLimits& limits) = 0;
  // Called after the plugin answered with garbage: a host is replaced by a fresh one.
  virtual void Recycle() {}
};

// Reads a plugin's descriptor in a throwaway host (or in `describe_only` hosts): what the loader
// uses first, so a plugin whose load crashes or hangs cannot take the server down.
struct HostLaunch {
  std::string host_executable;
  std::string plugin_path;
  absl::Duration start_deadline = absl::Seconds(5);
};

// A supervised touchline-plugin-host process. Crashes, hangs past the deadline and garbage frames
// kill the process; a new one is started at once (and again on the next call if that failed). A
// call cut short by CallLimits::cutoff or cancellation kills it too; the next call starts a new
// one. A HostProcess that was never started starts on its first call. A host is contained
// (StartLocked, host_confinement.h); its stdout and stderr reach the log through HostOutputRelay.
class HostProcess : public PluginRunner {
 public:
  // Relative paths are taken from the current directory, now: the host starts in /.
  explicit HostProcess(HostLaunch launch);
  ~HostProcess() override;
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  // Starts the host and reads its hello. On failure returns false with a reason in *error.
  bool Start(host_protocol::RawDescriptor* descriptor, std::string* error);
  CallOutcome Assign(const std::string& request, const CallLimits& limits) override;
  void Recycle() override;

  // For tests and diagnostics.
  pid_t pid() const;
  int restarts() const;

 private:
  // Gives up (and kills the host) at `deadline`.
  bool StartLocked(absl::Time deadline, host_protocol::RawDescriptor* descriptor,
                   std::string* error);
  // Kills the process if still running, reaps it; returns how it ended, e.g. "signal 11 (SIGSEGV)".
  std::string StopLocked(bool kill_first);
  enum class ReadStatus { kOk, kEof, kTimeout, kGarbage, kCancelled };
  ReadStatus ReadFrameLocked(absl::Time deadline, std::string* payload,
                             const std::function<bool()>& cancelled = {});

  const HostLaunch launch_;
  // Its output's name in the server's log: the plugin's file name.
  const std::string output_label_;
  mutable std::mutex mu_;
  pid_t pid_ = -1;
  int fd_ = -1;
  uint64_t output_id_ = 0;  // its stdout and stderr in HostOutputRelay; 0: none
  int restarts_ = 0;
  bool started_once_ = false;
};

// A trusted plugin dlopened into the server (never dlclosed). No deadline can be enforced (a call
// in progress cannot be stopped, whatever CallLimits say) and a crash takes the server down: only
// for plugins the club trusts, where the benchmark shows it helps.
class InProcessPlugin : public PluginRunner {
 public:
  // Loads `path`; on failure returns nullopt-equivalent (nullptr) with a reason.
  static std::unique_ptr<InProcessPlugin> Load(const std::string& path,
                                               host_protocol::RawDescriptor* descriptor,
                                               std::string* error);
  CallOutcome Assign(const std::string& request, const CallLimits& limits) override;

 private:
  explicit InProcessPlugin(const touchline_plugin_v1* d) : desc_(d) {}
  const touchline_plugin_v1* desc_;
  std::mutex mu_;
};

}  // namespace touchline::plugins
