// Protocol plugins as the service layer sees them: load once at start, then ask every loaded plugin
// for one player's (or a squad's) PRE and POST prescriptions.
//
//   PlannerOptions options;
//   options.plugin_paths = ParsePluginPathList(flag_plugin_path);   // dirs and/or .so files
//   options.deadline = absl::Milliseconds(flag_plugin_deadline_ms);
//   options.trusted_in_process = ParseNameList(flag_trusted_plugins);
//   options.hosts_per_plugin = flag_plugin_hosts_per_plugin;
//   options.assign_budget = absl::Milliseconds(flag_plugin_assign_budget_ms);
//   std::unique_ptr<ProtocolPlanner> planner = ProtocolPlanner::Create(options);  // never fails
//   AssignResult r = planner->Assign(BuildAssignRequest(...));
//   std::vector<AssignResult> squad = planner->AssignMany(requests, deadline, cancelled);
//   PluginListing l = planner->Listing();
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "plugins/host/host_protocol.h"
#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::plugins {

struct PlannerOptions {
  // Plugin files and directories; a directory contributes its *.so files in name order.
  std::vector<std::string> plugin_paths;
  // The touchline-plugin-host executable. Empty: $TOUCHLINE_PLUGIN_HOST, else next to the running
  // executable, else the one this build produced.
  std::string host_executable;
  // Per plugin, per request. A plugin that has not answered by then is killed and restarted.
  absl::Duration deadline = absl::Seconds(2);
  // Host processes per out-of-process plugin, so a squad's players are planned several at a time:
  // with one, a plugin that takes 1.9 s per player needed 95 s for 50 players. The first is
  // started at load, the others when a squad first needs them. A few (not one per player): every
  // host is a process with the plugin's memory, and the server has few cores. In-process (trusted)
  // plugins are called one player at a time, as they always were: their thread safety is unknown.
  int hosts_per_plugin = 4;
  // The most one AssignMany may take, whatever its caller's deadline: a plugin call that cannot
  // finish by then is not started (or is stopped), and that plugin is reported failed
  // (FAILURE_KIND_DEADLINE_EXCEEDED) for the players it could not serve.
  absl::Duration assign_budget = absl::Seconds(10);
  // How long a plugin may take to load (in its host) at start.
  absl::Duration start_deadline = absl::Seconds(5);
  // Plugin names to run inside the server process ("*" = all). Still checked in a host first.
  std::vector<std::string> trusted_in_process;
  // Called once per refused file at start (default: a line on stderr). May be empty.
  std::function<void(const touchline::plugin::v1::RefusedPlugin&)> on_refused;
};

// "a:b,c" -> {"a","b","c"}: the separators of a --plugin_path flag (':' or ','), empties dropped.
std::vector<std::string> ParsePluginPathList(std::string_view flag);
// "x, y" -> {"x","y"}: comma-separated names.
std::vector<std::string> ParseNameList(std::string_view flag);

// Why a descriptor is refused, or empty if it is acceptable to a host of this ABI.
std::string CheckAbi(const host_protocol::RawDescriptor& d);

class PluginRunner;

class ProtocolPlanner {
 public:
  // Loads every plugin it can; refusals are recorded (Listing().refused) and reported through
  // options.on_refused. Never fails: the server starts with the rest.
  static std::unique_ptr<ProtocolPlanner> Create(const PlannerOptions& options);
  ~ProtocolPlanner();

  // Every loaded plugin's answer for one player, composed: PRE and POST lists in deterministic
  // order (phase, then plugin name, then the plugin's own order), duplicates (same exercise, side,
  // timing and complaint) dropped after their first occurrence, plus the plugins that failed.
  // Thread-safe. Takes at most about options.deadline per plugin even if plugins hang, and never
  // much past `deadline` (nor options.assign_budget); see AssignMany.
  touchline::plugin::v1::AssignResult Assign(
      const touchline::plugin::v1::AssignRequest& request,
      absl::Time deadline = absl::InfiniteFuture(), const std::function<bool()>& cancelled = {});
  // The same for many players (a squad). Plugins run in parallel with each other, and each
  // out-of-process plugin answers up to options.hosts_per_plugin players at once (the players are
  // taken in order). Results are in the order of `requests`.
  //
  // Bounded: everything ends by the earlier of `deadline` and now + options.assign_budget (plus
  // the time to kill the hosts still answering). A call is started only if it can still finish by
  // then (each plugin's recent answers say how long it takes) and is stopped when that time comes;
  // a plugin that could not answer for a player in time is reported failed for that player
  // (FAILURE_KIND_DEADLINE_EXCEEDED) rather than waited for. A host stopped that way is started
  // again by the next call that needs it. `cancelled` (may be empty; called from several threads)
  // is polled while waiting: once it returns true, nothing more is started, calls in progress are
  // stopped, and the results are not worth keeping.
  std::vector<touchline::plugin::v1::AssignResult> AssignMany(
      std::span<const touchline::plugin::v1::AssignRequest> requests,
      absl::Time deadline = absl::InfiniteFuture(), const std::function<bool()>& cancelled = {});

  // options.assign_budget: callers that must answer after AssignMany subtract their own margin.
  absl::Duration assign_budget() const { return assign_budget_; }

  // Loaded plugins (composition order) and refused files, with the host's ABI.
  touchline::plugin::v1::PluginListing Listing() const;

  // For tests: the pid of a plugin's first host process (-1 if in process or not running).
  int HostPid(std::string_view plugin_name) const;
  // For tests: the pids of a plugin's running host processes (empty if in process).
  std::vector<int> HostPids(std::string_view plugin_name) const;

 private:
  struct Loaded;
  ProtocolPlanner() = default;
  std::vector<std::unique_ptr<Loaded>> plugins_;
  std::vector<touchline::plugin::v1::RefusedPlugin> refused_;
  absl::Duration deadline_;
  absl::Duration assign_budget_;
};

}  // namespace touchline::plugins
