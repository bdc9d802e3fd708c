// What a plugin's host process may do (issue 16): it runs in a process group of its own, with no
// signals blocked (the server blocks SIGTERM and SIGINT in every thread, and exec keeps a mask),
// no way to gain privileges, none of the server's descriptors, in / rather than the database's
// directory, with tight resource limits, unable to open the server's files (Landlock), to signal
// the server or to take a child out of its group; its output reaches the log capped. The probe
// fixture reports each from inside the host; the chatty fixtures talk.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/runtime/host_confinement.h"
#include "plugins/runtime/host_output.h"
#include "tests/plugins/test_util.h"

namespace touchline::plugins {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace touchline::plugins::testing;  // NOLINT

// The value of `key=` in a probe's report ("" if absent).
std::string Field(const std::string& report, const std::string& key) {
  const std::string padded = " " + report;
  const size_t at = padded.find(" " + key + "=");
  if (at == std::string::npos) return "";
  const size_t start = at + key.size() + 2;
  return padded.substr(start, padded.find(' ', start) - start);
}

// The probe's report for one player.
std::string Probe(const std::string& player_name = "Player") {
  auto planner = ProtocolPlanner::Create(Options({Fixture("probe/probe.so")}));
  EXPECT_EQ(planner->Listing().loaded_size(), 1) << planner->Listing().ShortDebugString();
  const pv1::AssignResult result = planner->Assign(Request(1, player_name));
  EXPECT_EQ(result.post_size(), 1) << result.ShortDebugString();
  return result.post_size() > 0 ? result.post(0).reason() : "";
}

// An environment variable for the hosts started while it lives (they inherit the server's).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

// Whether `pid` is a running process (a zombie, killed and not yet reaped, is not).
bool Running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return false;
  const char state = line[paren + 2];
  return state != 'Z' && state != 'X';
}

TEST(Containment, TheHostStartsCleanAndInItsOwnGroup) {
  // As the server does: SIGTERM and SIGINT blocked in the thread that starts the host.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, &stop, &before);
  // A descriptor of "the server" without close-on-exec, as a careless library might leave one.
  const std::string secret_path = ::testing::TempDir() + "containment_secret.token";
  { std::ofstream(secret_path) << "tl_secret"; }
  const int leaked = ::open(secret_path.c_str(), O_RDONLY);  // no O_CLOEXEC on purpose
  ASSERT_GE(leaked, 0);

  const std::string report = Probe();
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  EXPECT_THAT(report, HasSubstr("sigterm_blocked=0"));
  EXPECT_THAT(report, HasSubstr("sigint_blocked=0"));
  EXPECT_THAT(report, HasSubstr("own_group=1"));
  EXPECT_THAT(report, HasSubstr("no_new_privs=1"));
  EXPECT_THAT(report, HasSubstr("fds=4 "));  // stdin, stdout, stderr and its channel
  EXPECT_THAT(report, HasSubstr("cwd=/ "));
  ::close(leaked);
  std::remove(secret_path.c_str());
}

TEST(Containment, TheHostHasTightResourceLimits) {
  const std::string report = Probe();
  EXPECT_EQ(Field(report, "core"), "0");   // no core files of players' data
  EXPECT_EQ(Field(report, "fsize"), "0");  // no file writes, even without Landlock
  EXPECT_EQ(Field(report, "nofile"), std::to_string(kHostOpenFilesLimit));
  if (kLimitHostAddressSpace) {
    EXPECT_EQ(Field(report, "as"), std::to_string(kHostAddressSpaceLimit));
  }
}

TEST(Containment, TheHostCannotOpenTheServersFilesNorWriteAnywhere) {
  if (LandlockAbi() == 0) {
    GTEST_SKIP() << "this kernel has no Landlock (Linux 5.13 or later, enabled at boot): plugin "
                    "hosts are not confined to the system's files here";
  }
  // A data directory as the server keeps one: the database, its audit log, the token and key.
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("touchline_containment_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string secrets;
  for (const char* name : {"touchline.db", "touchline.db.audit", "touchline.db.token",
                           "touchline.db.pseudonym-key"}) {
    const fs::path file = dir / name;
    { std::ofstream(file) << "tl_secret"; }
    // The server's user can: what refuses the plugin is its host's confinement.
    ASSERT_TRUE(std::ifstream(file).good()) << file;
    secrets += (secrets.empty() ? "" : ":") + file.string();
  }
  const fs::path planted = dir / "planted";
  std::string report;
  {
    ScopedEnv secret("TOUCHLINE_PROBE_SECRET", secrets);
    ScopedEnv write("TOUCHLINE_PROBE_WRITE", planted.string());
    report = Probe();
  }
  EXPECT_EQ(Field(report, "secret"), "refused") << report;
  EXPECT_EQ(Field(report, "write"), "refused") << report;
  EXPECT_FALSE(fs::exists(planted));
  // Its own /proc/<pid>, not the server's.
  EXPECT_EQ(Field(report, "server_environ"), "refused") << report;
  if (LandlockAbi() >= 6) {
    EXPECT_EQ(Field(report, "signal_server"), "refused") << report;
  }
  fs::remove_all(dir);
}

TEST(Containment, APluginsChildrenEndWithItsHostAndCannotLeaveItsGroup) {
  auto planner = ProtocolPlanner::Create(Options({Fixture("probe/probe.so")}));
  const pv1::AssignResult result = planner->Assign(Request(1, "fork"));
  ASSERT_EQ(result.post_size(), 1) << result.ShortDebugString();
  const std::string report = result.post(0).reason();
  EXPECT_EQ(Field(report, "setsid"), "refused") << report;
  const pid_t child = std::atoi(Field(report, "child").c_str());
  ASSERT_GT(child, 0) << report;
  ASSERT_TRUE(Running(child));

  planner.reset();
  // SIGKILL was sent to the host's whole group before reset returned; its delivery is not
  // instant. The bound only keeps a failure from hanging the test.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (Running(child) && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(Running(child)) << "the plugin's child " << child << " outlived its host";
  if (Running(child)) kill(child, SIGKILL);
}

TEST(Containment, APluginsFloodReachesTheLogCappedAndItsAnswerStillArrives) {
  PlannerOptions options = Options({Fixture("chatty/chatty_flood.so")});
  options.deadline = absl::Seconds(60);  // writing 50 MB is not what is tested
  const absl::Time start = absl::Now();
  ::testing::internal::CaptureStderr();
  auto planner = ProtocolPlanner::Create(options);
  const pv1::AssignResult result = planner->Assign(Request(1));
  planner.reset();  // every host's output is in the log once its host is stopped
  const std::string log = ::testing::internal::GetCapturedStderr();
  const absl::Duration took = absl::Now() - start;

  EXPECT_EQ(result.failures_size(), 0) << result.ShortDebugString();
  EXPECT_EQ(result.post_size(), 1) << result.ShortDebugString();
  EXPECT_THAT(log, HasSubstr("touchline-server plugin chatty_flood.so: chatty: first line\n"));
  EXPECT_THAT(log, HasSubstr(" [cut]\n"));  // the 25 MB line
  EXPECT_THAT(log, HasSubstr("more lines of its output dropped"));
  // At most kMaxHostOutputLinesPerSecond lines a second, each cut at kMaxHostOutputLineBytes, and
  // a line per second saying how many were dropped (50 MB before).
  const int64_t windows = absl::ToInt64Seconds(took) + 2;
  const size_t max_line = kMaxHostOutputLineBytes + 128;  // time, prefix, " [cut]"
  EXPECT_LE(log.size(), windows * (kMaxHostOutputLinesPerSecond + 2) * max_line)
      << "in " << took;
  std::istringstream lines(log);
  int plugin_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), max_line);
    if (line.find("plugin chatty_flood.so: chatty:") != std::string::npos) ++plugin_lines;
  }
  EXPECT_LE(plugin_lines, windows * kMaxHostOutputLinesPerSecond) << "in " << took;
}

TEST(Containment, WhatAHostWroteBeforeCrashingReachesTheLog) {
  ::testing::internal::CaptureStderr();
  auto planner = ProtocolPlanner::Create(Options({Fixture("chatty/chatty_last_words.so")}));
  const pv1::AssignResult result = planner->Assign(Request(1, "trigger"));
  planner.reset();
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(result.failures_size(), 1) << result.ShortDebugString();
  EXPECT_EQ(result.failures(0).kind(), pv1::FAILURE_KIND_CRASHED);
  EXPECT_THAT(log, HasSubstr("plugin chatty_last_words.so: chatty: about to crash\n"));
  EXPECT_THAT(log, Not(HasSubstr("dropped")));
}

TEST(Containment, RelativePathsAreTakenFromTheServersDirectoryThoughTheHostStartsInRoot) {
  const fs::path plugin = fs::relative(Fixture("probe/probe.so"));
  const fs::path host = fs::relative(TOUCHLINE_HOST_PATH);
  ASSERT_TRUE(plugin.is_relative() && !plugin.empty()) << plugin;
  PlannerOptions options = Options({plugin.string()});
  options.host_executable = host.string();
  auto planner = ProtocolPlanner::Create(options);
  ASSERT_EQ(planner->Listing().loaded_size(), 1) << planner->Listing().ShortDebugString();
  EXPECT_EQ(planner->Assign(Request(1)).post_size(), 1);
}

}  // namespace
}  // namespace touchline::plugins
