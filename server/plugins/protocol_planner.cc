#include "server/plugins/protocol_planner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/plugins/plugin_answer.h"
#include "server/plugins/plugin_runner.h"

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

}  // namespace

struct ProtocolPlanner::Loaded {
  pv1::LoadedPlugin info;
  std::unique_ptr<PluginRunner> runner;
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
    auto proc = std::make_unique<HostProcess>(HostLaunch{host, file, options.start_deadline});
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
    if (Trusted(options.trusted_in_process, *d.name)) {
      hp::RawDescriptor in_d;
      auto in = InProcessPlugin::Load(file, &in_d, &error);
      if (in == nullptr || !CheckAbi(in_d).empty()) {
        refuse(file, in == nullptr ? error : CheckAbi(in_d));
        continue;
      }
      loaded->runner = std::move(in);
      loaded->info.set_isolation(pv1::ISOLATION_IN_PROCESS);
    } else {
      loaded->runner = std::move(proc);
      loaded->info.set_isolation(pv1::ISOLATION_OUT_OF_PROCESS);
    }
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
    auto* host = dynamic_cast<HostProcess*>(l->runner.get());
    return host != nullptr ? host->pid() : -1;
  }
  return -1;
}

pv1::AssignResult ProtocolPlanner::Assign(const pv1::AssignRequest& request) {
  return AssignMany(std::span<const pv1::AssignRequest>(&request, 1)).front();
}

std::vector<pv1::AssignResult> ProtocolPlanner::AssignMany(
    std::span<const pv1::AssignRequest> requests) {
  std::vector<std::string> serialized;
  serialized.reserve(requests.size());
  for (const auto& r : requests) serialized.push_back(r.SerializeAsString());

  // outcomes[plugin][request]
  std::vector<std::vector<CallOutcome>> outcomes(plugins_.size(),
                                                 std::vector<CallOutcome>(requests.size()));
  auto run_plugin = [&](size_t i) {
    for (size_t j = 0; j < serialized.size(); ++j) {
      outcomes[i][j] = plugins_[i]->runner->Assign(serialized[j], deadline_);
    }
  };
  if (plugins_.size() == 1) {
    run_plugin(0);
  } else if (plugins_.size() > 1) {
    std::vector<std::thread> threads;
    threads.reserve(plugins_.size());
    for (size_t i = 0; i < plugins_.size(); ++i) threads.emplace_back(run_plugin, i);
    for (auto& t : threads) t.join();
  }

  std::vector<pv1::AssignResult> results;
  results.reserve(requests.size());
  std::vector<PluginAnswer> answers(plugins_.size());
  std::vector<size_t> undecodable;
  for (size_t j = 0; j < requests.size(); ++j) {
    for (size_t i = 0; i < plugins_.size(); ++i) {
      answers[i] = PluginAnswer{&plugins_[i]->info, &outcomes[i][j]};
    }
    undecodable.clear();
    results.push_back(ComposeAnswers(requests[j].player().id(), answers, &undecodable));
    for (size_t i : undecodable) plugins_[i]->runner->Recycle();
  }
  return results;
}

std::string SummarizePrescription(const pv1::Prescription& p) {
  std::vector<std::string> dose;
  switch (p.side()) {
    case pv1::SIDE_LEFT: dose.push_back("left"); break;
    case pv1::SIDE_RIGHT: dose.push_back("right"); break;
    case pv1::SIDE_BOTH: dose.push_back(p.each_side() ? "each leg" : "both"); break;
    default: break;
  }
  if (p.sets() > 0) {
    std::string s = absl::StrCat(p.sets(), "x");
    if (p.reps() > 0) absl::StrAppend(&s, p.reps());
    if (p.hold_seconds() > 0) absl::StrAppend(&s, p.reps() > 0 ? " " : "", p.hold_seconds(), "s");
    dose.push_back(s);
  }
  if (p.effort_percent() > 0) dose.push_back(absl::StrCat("@", p.effort_percent(), "%"));
  std::string out = p.exercise();
  if (!dose.empty()) absl::StrAppend(&out, " (", absl::StrJoin(dose, ", "), ")");
  return out;
}

std::string SummarizeProtocols(const pv1::AssignResult& result) {
  std::vector<std::string> parts;
  auto list = [](const auto& ps) {
    std::vector<std::string> s;
    for (const auto& p : ps) s.push_back(SummarizePrescription(p));
    return absl::StrJoin(s, "; ");
  };
  if (result.pre_size() > 0) parts.push_back("PRE: " + list(result.pre()));
  if (result.post_size() > 0) parts.push_back("POST: " + list(result.post()));
  return absl::StrJoin(parts, " | ");
}

}  // namespace touchline::plugins
