#include "plugins/runtime/protocol_planner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "plugins/runtime/plugin_answer.h"
#include "plugins/runtime/plugin_runner.h"

#ifndef TOUCHLINE_PLUGIN_HOST_BUILD_PATH
#define TOUCHLINE_PLUGIN_HOST_BUILD_PATH ""
#endif

namespace touchline::plugins {
namespace {

namespace hp = host_protocol;
namespace pv1 = touchline::plugin::v1;
namespace fs = std::filesystem;

constexpr char kHostName[] = "touchline-plugin-host";

std::string ResolveHost(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv("TOUCHLINE_PLUGIN_HOST"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path sibling = self.parent_path() / kHostName;
    if (access(sibling.c_str(), X_OK) == 0) return sibling.string();
  }
  return TOUCHLINE_PLUGIN_HOST_BUILD_PATH;
}

// The files to try, in order: explicit files as given, directories' *.so files by name.
std::vector<std::string> ExpandPaths(const std::vector<std::string>& paths,
                                     std::vector<pv1::RefusedPlugin>* refused) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(p, ec)) {
        if (entry.path().extension() == ".so" && !entry.is_directory()) {
          found.push_back(entry.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      pv1::RefusedPlugin r;
      r.set_path(p);
      r.set_reason("no such file or directory");
      refused->push_back(std::move(r));
    }
  }
  return files;
}

// Quick pre-check before a host is spawned.
std::string CheckElf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot be read";
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() != 4 || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' ||
      magic[3] != 'F') {
    return "not a shared object (no ELF header)";
  }
  return "";
}

bool Trusted(const std::vector<std::string>& trusted, const std::string& name) {
  return std::find(trusted.begin(), trusted.end(), "*") != trusted.end() ||
         std::find(trusted.begin(), trusted.end(), name) != trusted.end();
}

// A call is not started with less time than this left: it could not even cross the process
// boundary, and stopping it would cost a host.
constexpr absl::Duration kMinCallTime = absl::Milliseconds(10);
// How many recent call durations a plugin's estimate looks at.
constexpr size_t kRecentCalls = 8;
// How often a caller waiting for a free host checks whether it was cancelled.
constexpr absl::Duration kWaitPoll = absl::Milliseconds(50);

}  // namespace

// One loaded plugin and its runners: one in-process plugin, or a pool of up to `capacity` host
// processes, created when a squad first needs them. Several requests may share the pool.
struct ProtocolPlanner::Loaded {
  pv1::LoadedPlugin info;
  HostLaunch launch;  // the pool's further hosts
  size_t capacity = 1;

  std::mutex mu;
  std::condition_variable freed;
  std::vector<std::unique_ptr<PluginRunner>> runners;  // grows only; guarded by mu
  std::vector<PluginRunner*> idle;                     // guarded by mu
  std::deque<absl::Duration> recent;                   // of calls that ran their course; mu

  // How long a call of this plugin takes at least: the fastest of its recent calls (zero before
  // any). The fastest, not a mean: a call is skipped only when even the plugin's best recent time
  // would not fit, so a plugin that is slow for a few players is not written off for the rest.
  absl::Duration ShortestLocked() const {
    absl::Duration shortest = absl::ZeroDuration();
    for (size_t k = 0; k < recent.size(); ++k) {
      if (k == 0 || recent[k] < shortest) shortest = recent[k];
    }
    return shortest;
  }

  struct Lease {
    PluginRunner* runner = nullptr;  // null: not to be called (see the two below)
    bool cancelled = false;
    absl::Duration shortest;  // the estimate that said there was no time left
  };
  // A free runner, once one is free and a call can still finish before `deadline`.
  Lease Acquire(absl::Time deadline, const std::function<bool()>& cancelled) {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      if (cancelled && cancelled()) return Lease{nullptr, true, absl::ZeroDuration()};
      const absl::Duration shortest = ShortestLocked();
      const absl::Duration left = deadline - absl::Now() - std::max(shortest, kMinCallTime);
      if (left < absl::ZeroDuration()) return Lease{nullptr, false, shortest};
      if (!idle.empty()) {
        PluginRunner* r = idle.back();
        idle.pop_back();
        return Lease{r, false, shortest};
      }
      if (runners.size() < capacity) {
        runners.push_back(std::make_unique<HostProcess>(launch));  // starts on its first call
        return Lease{runners.back().get(), false, shortest};
      }
      freed.wait_for(lock, absl::ToChronoNanoseconds(std::min(left, kWaitPoll)));
    }
  }

  void Release(PluginRunner* runner, const CallOutcome& out, absl::Duration took) {
    {
      std::lock_guard<std::mutex> lock(mu);
      // Only calls that ran their course say how long the plugin takes: not one cut short, nor a
      // crash or a host that would not start.
      if (!out.cut_short && out.kind != pv1::FAILURE_KIND_CRASHED &&
          out.kind != pv1::FAILURE_KIND_UNAVAILABLE) {
        recent.push_back(took);
        if (recent.size() > kRecentCalls) recent.pop_front();
      }
      idle.push_back(runner);
    }
    freed.notify_one();
  }
};

std::vector<std::string> ParsePluginPathList(std::string_view flag) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(absl::string_view(flag.data(), flag.size()), absl::ByAnyChar(":,"), absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

std::vector<std::string> ParseNameList(std::string_view flag) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(absl::string_view(flag.data(), flag.size()), ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

std::string CheckAbi(const hp::RawDescriptor& d) {
  if (d.abi_major != TOUCHLINE_PLUGIN_ABI_MAJOR) {
    return absl::StrCat("incompatible ABI: plugin built for ABI major ", d.abi_major,
                        ", the server supports major ", TOUCHLINE_PLUGIN_ABI_MAJOR);
  }
  if (d.abi_minor > TOUCHLINE_PLUGIN_ABI_MINOR) {
    return absl::StrCat("incompatible ABI: plugin built for ABI ", d.abi_major, ".", d.abi_minor,
                        ", newer than the server's ", TOUCHLINE_PLUGIN_ABI_MAJOR, ".",
                        TOUCHLINE_PLUGIN_ABI_MINOR);
  }
  if (d.struct_size < TOUCHLINE_PLUGIN_V1_MIN_SIZE) {
    return absl::StrCat("malformed descriptor: struct_size ", d.struct_size,
                        " is smaller than the ABI 1.0 descriptor (", TOUCHLINE_PLUGIN_V1_MIN_SIZE,
                        " bytes)");
  }
  if (!d.name || d.name->empty()) return "malformed descriptor: no name";
  if (!d.has_assign) return "malformed descriptor: no assign function";
  return "";
}

std::unique_ptr<ProtocolPlanner> ProtocolPlanner::Create(const PlannerOptions& options) {
  std::unique_ptr<ProtocolPlanner> planner(new ProtocolPlanner());
  planner->deadline_ = options.deadline;
  planner->assign_budget_ = options.assign_budget;
  const std::string host = ResolveHost(options.host_executable);
  std::vector<std::string> files = ExpandPaths(options.plugin_paths, &planner->refused_);
  std::set<std::string> seen_files;

  auto refuse = [&](const std::string& path, std::string reason) {
    pv1::RefusedPlugin r;
    r.set_path(path);
    r.set_reason(std::move(reason));
    planner->refused_.push_back(std::move(r));
  };

  for (const std::string& file : files) {
    std::error_code ec;
    std::string canonical = fs::weakly_canonical(file, ec).string();
    if (!seen_files.insert(ec ? file : canonical).second) continue;  // listed twice
    if (std::string e = CheckElf(file); !e.empty()) {
      refuse(file, e);
      continue;
    }
    // Every plugin is first described by a host process, so one whose loading crashes or hangs
    // is refused without harming the server.
    const HostLaunch launch{host, file, options.start_deadline};
    auto proc = std::make_unique<HostProcess>(launch);
    hp::RawDescriptor d;
    std::string error;
    if (!proc->Start(&d, &error)) {
      refuse(file, error);
      continue;
    }
    if (std::string why = CheckAbi(d); !why.empty()) {
      refuse(file, why);
      continue;
    }
    auto dup = std::find_if(planner->plugins_.begin(), planner->plugins_.end(),
                            [&](const auto& l) { return l->info.name() == *d.name; });
    if (dup != planner->plugins_.end()) {
      refuse(file, absl::StrCat("duplicate plugin name \"", *d.name, "\" (already loaded from ",
                                (*dup)->info.path(), ")"));
      continue;
    }
    auto loaded = std::make_unique<Loaded>();
    loaded->info.set_name(*d.name);
    loaded->info.set_version(d.version.value_or(""));
    loaded->info.set_handles(d.handles.value_or(""));
    loaded->info.set_abi_major(d.abi_major);
    loaded->info.set_abi_minor(d.abi_minor);
    loaded->info.set_path(file);
    loaded->launch = launch;
    if (Trusted(options.trusted_in_process, *d.name)) {
      hp::RawDescriptor in_d;
      auto in = InProcessPlugin::Load(file, &in_d, &error);
      if (in == nullptr || !CheckAbi(in_d).empty()) {
        refuse(file, in == nullptr ? error : CheckAbi(in_d));
        continue;
      }
      loaded->runners.push_back(std::move(in));
      loaded->capacity = 1;
      loaded->info.set_isolation(pv1::ISOLATION_IN_PROCESS);
    } else {
      loaded->runners.push_back(std::move(proc));  // the host that described it serves first
      loaded->capacity = static_cast<size_t>(std::max(1, options.hosts_per_plugin));
      loaded->info.set_isolation(pv1::ISOLATION_OUT_OF_PROCESS);
    }
    loaded->idle.push_back(loaded->runners.front().get());
    planner->plugins_.push_back(std::move(loaded));
  }
  // Composition order: by name (unique), whatever the order of the files.
  std::sort(planner->plugins_.begin(), planner->plugins_.end(),
            [](const auto& a, const auto& b) { return a->info.name() < b->info.name(); });
  for (const pv1::RefusedPlugin& r : planner->refused_) {
    if (options.on_refused) {
      options.on_refused(r);
    } else {
      std::cerr << "touchline: plugin refused: " << r.path() << ": " << r.reason() << "\n";
    }
  }
  return planner;
}

ProtocolPlanner::~ProtocolPlanner() = default;

pv1::PluginListing ProtocolPlanner::Listing() const {
  pv1::PluginListing listing;
  for (const auto& l : plugins_) *listing.add_loaded() = l->info;
  for (const auto& r : refused_) *listing.add_refused() = r;
  listing.set_host_abi_major(TOUCHLINE_PLUGIN_ABI_MAJOR);
  listing.set_host_abi_minor(TOUCHLINE_PLUGIN_ABI_MINOR);
  return listing;
}

int ProtocolPlanner::HostPid(std::string_view plugin_name) const {
  for (const auto& l : plugins_) {
    if (l->info.name() != plugin_name) continue;
    PluginRunner* first;
    {
      std::lock_guard<std::mutex> lock(l->mu);
      first = l->runners.front().get();
    }
    // Outside the pool's lock: pid() waits for a call in progress. Runners live as long as the
    // planner.
    auto* host = dynamic_cast<HostProcess*>(first);
    return host != nullptr ? host->pid() : -1;
  }
  return -1;
}

std::vector<int> ProtocolPlanner::HostPids(std::string_view plugin_name) const {
  std::vector<int> pids;
  for (const auto& l : plugins_) {
    if (l->info.name() != plugin_name) continue;
    std::vector<PluginRunner*> runners;
    {
      std::lock_guard<std::mutex> lock(l->mu);
      for (const auto& r : l->runners) runners.push_back(r.get());
    }
    for (PluginRunner* r : runners) {
      auto* host = dynamic_cast<HostProcess*>(r);
      if (host != nullptr && host->pid() > 0) pids.push_back(host->pid());
    }
  }
  return pids;
}

pv1::AssignResult ProtocolPlanner::Assign(const pv1::AssignRequest& request, absl::Time deadline,
                                          const std::function<bool()>& cancelled) {
  return AssignMany(std::span<const pv1::AssignRequest>(&request, 1), deadline, cancelled)
      .front();
}

std::vector<pv1::AssignResult> ProtocolPlanner::AssignMany(
    std::span<const pv1::AssignRequest> requests, absl::Time deadline,
    const std::function<bool()>& cancelled) {
  deadline = std::min(deadline, absl::Now() + assign_budget_);
  const size_t n = requests.size();
  std::vector<std::string> serialized;
  serialized.reserve(n);
  for (const auto& r : requests) serialized.push_back(r.SerializeAsString());

  const CallLimits limits{deadline_, deadline, cancelled};
  // outcomes[plugin][request]; next[plugin]: the next request that plugin's workers take.
  std::vector<std::vector<CallOutcome>> outcomes(plugins_.size(), std::vector<CallOutcome>(n));
  std::vector<std::atomic<size_t>> next(plugins_.size());
  auto work = [&](size_t i) {
    Loaded& plugin = *plugins_[i];
    for (size_t j; (j = next[i].fetch_add(1)) < n;) {
      CallOutcome& out = outcomes[i][j];
      const Loaded::Lease lease = plugin.Acquire(deadline, cancelled);
      if (lease.runner == nullptr) {
        // Not waited for: reported, like a plugin that missed its deadline.
        out.kind = pv1::FAILURE_KIND_DEADLINE_EXCEEDED;
        out.cut_short = true;
        if (lease.cancelled) {
          out.message = "not asked: the request was cancelled";
        } else {
          out.message = "not asked: too little was left of the request's time limit";
          if (lease.shortest > absl::ZeroDuration()) {
            const absl::Duration shortest = absl::Trunc(lease.shortest, absl::Milliseconds(1));
            absl::StrAppend(&out.message, " (this plugin's recent answers took at least ",
                            absl::FormatDuration(shortest), ")");
          }
        }
        continue;
      }
      const absl::Time start = absl::Now();
      out = lease.runner->Assign(serialized[j], limits);
      // Bytes that do not decode (ComposeAnswers reports them below) mean a host in a bad state:
      // replaced before anyone else calls it.
      if (out.ok() && !pv1::AssignResponse().ParseFromString(out.output)) {
        lease.runner->Recycle();
      }
      plugin.Release(lease.runner, out, absl::Now() - start);
    }
  };
  // Workers: per plugin, as many as it has runners (never more than players), all at once.
  std::vector<size_t> workers;
  for (size_t i = 0; i < plugins_.size(); ++i) {
    for (size_t w = 0; w < std::min(plugins_[i]->capacity, n); ++w) workers.push_back(i);
  }
  if (workers.size() == 1) {
    work(workers.front());
  } else if (workers.size() > 1) {
    std::vector<std::thread> threads;
    threads.reserve(workers.size());
    for (size_t i : workers) threads.emplace_back(work, i);
    for (auto& t : threads) t.join();
  }

  std::vector<pv1::AssignResult> results;
  results.reserve(n);
  std::vector<PluginAnswer> answers(plugins_.size());
  for (size_t j = 0; j < n; ++j) {
    for (size_t i = 0; i < plugins_.size(); ++i) {
      answers[i] = PluginAnswer{&plugins_[i]->info, &outcomes[i][j]};
    }
    results.push_back(ComposeAnswers(requests[j].player().id(), answers, nullptr));
  }
  return results;
}

}  // namespace touchline::plugins
