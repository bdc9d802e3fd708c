// touchline-server: the squad medical record over gRPC, on an embedded SQLite store.
#include <csignal>
#include <filesystem>
#include <cstdio>
#include <pthread.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/api/touchline_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "Address to listen on (host:port)");
ABSL_FLAG(std::string, db, "touchline.db", "SQLite database path (created if missing)");
ABSL_FLAG(int, persistent_days, 42, "Days after onset beyond which open symptoms are PERSISTENT");
ABSL_FLAG(int, pelvic_window_days, 14,
          "Days after an awkward tackle/scrum/lineout landing/fall within which a new complaint is "
          "of suspected pelvic origin");
ABSL_FLAG(int, worsening_pain_increase, 2, "Pain rise between assessments that is a worsening");
ABSL_FLAG(std::string, synchronous, "full",
          "SQLite synchronous mode: 'full' (survives power loss) or 'normal' (survives crashes)");
ABSL_FLAG(int, shutdown_grace_seconds, 10, "How long in-flight calls may finish on SIGTERM");

#ifndef TOUCHLINE_BUILTIN_PLUGIN_DIR
#define TOUCHLINE_BUILTIN_PLUGIN_DIR ""
#endif
#ifndef TOUCHLINE_INSTALLED_PLUGIN_DIR
#define TOUCHLINE_INSTALLED_PLUGIN_DIR ""
#endif
ABSL_FLAG(std::string, plugin_path, "",
          "Protocol plugins: directories (their *.so files) and/or .so files, separated by ':' or "
          "','. Default: the built-in plugins of this build (" TOUCHLINE_BUILTIN_PLUGIN_DIR
          ") if that directory exists, else the installed ones (" TOUCHLINE_INSTALLED_PLUGIN_DIR
          "). 'none' loads no plugin");
ABSL_FLAG(int, plugin_deadline_ms, 2000,
          "Per plugin and request: a plugin that has not answered by then is killed, restarted "
          "and reported as failed");
ABSL_FLAG(std::string, trusted_plugins, "",
          "Comma-separated plugin names to run inside the server process ('*' = all); the rest "
          "run in supervised touchline-plugin-host processes");
ABSL_FLAG(std::string, plugin_host, "",
          "The touchline-plugin-host executable (default: $TOUCHLINE_PLUGIN_HOST, else next to "
          "this executable, else the one this build produced)");

namespace {

void Log(const std::string& line) {
  std::fprintf(stderr, "%s touchline-server %s\n",
               absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()).c_str(),
               line.c_str());
}

// --plugin_path, or the default: the build's built-in plugins, else the installed ones.
std::vector<std::string> PluginPaths(const std::string& flag) {
  if (flag == "none") return {};
  if (!flag.empty()) return touchline::plugins::ParsePluginPathList(flag);
  for (const char* dir : {TOUCHLINE_BUILTIN_PLUGIN_DIR, TOUCHLINE_INSTALLED_PLUGIN_DIR}) {
    std::error_code ec;
    if (*dir != '\0' && std::filesystem::is_directory(dir, ec)) return {dir};
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Serves the Touchline squad medical record over gRPC.");
  absl::ParseCommandLine(argc, argv);

  touchline::api::ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.database.path = absl::GetFlag(FLAGS_db);
  const std::string sync = absl::GetFlag(FLAGS_synchronous);
  if (sync != "full" && sync != "normal") {
    Log("error: --synchronous must be 'full' or 'normal'");
    return 2;
  }
  options.database.synchronous_full = sync == "full";
  if (absl::GetFlag(FLAGS_persistent_days) < 1 || absl::GetFlag(FLAGS_pelvic_window_days) < 0 ||
      absl::GetFlag(FLAGS_worsening_pain_increase) < 1) {
    Log("error: --persistent_days and --worsening_pain_increase must be at least 1, "
        "--pelvic_window_days at least 0");
    return 2;
  }
  options.service.thresholds.persistence = absl::Hours(24) * absl::GetFlag(FLAGS_persistent_days);
  options.service.thresholds.pelvic_origin_window =
      absl::Hours(24) * absl::GetFlag(FLAGS_pelvic_window_days);
  options.service.thresholds.worsening_pain_increase = absl::GetFlag(FLAGS_worsening_pain_increase);

  if (absl::GetFlag(FLAGS_plugin_deadline_ms) < 1) {
    Log("error: --plugin_deadline_ms must be at least 1");
    return 2;
  }
  options.plugins.plugin_paths = PluginPaths(absl::GetFlag(FLAGS_plugin_path));
  options.plugins.deadline = absl::Milliseconds(absl::GetFlag(FLAGS_plugin_deadline_ms));
  options.plugins.trusted_in_process =
      touchline::plugins::ParseNameList(absl::GetFlag(FLAGS_trusted_plugins));
  options.plugins.host_executable = absl::GetFlag(FLAGS_plugin_host);
  options.plugins.on_refused = [](const touchline::plugin::v1::RefusedPlugin& r) {
    Log(absl::StrCat("plugin refused: ", r.path(), ": ", r.reason()));
  };

  // Block the stop signals in every thread gRPC starts, and take them here with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  static touchline::domain::SystemClock clock;
  auto server = touchline::api::TouchlineServer::Start(options, clock);
  if (!server.ok()) {
    Log(absl::StrCat("error: ", server.status().message()));
    return 1;
  }
  Log(absl::StrCat("started on ", options.listen_address, " (port ", (*server)->port(),
                   "), database ", options.database.path, ", persistent after ",
                   absl::GetFlag(FLAGS_persistent_days), " days"));
  Log(absl::StrCat("protocol plugins from ",
                   options.plugins.plugin_paths.empty()
                       ? "nowhere"
                       : absl::StrJoin(options.plugins.plugin_paths, ":"),
                   ": ", (*server)->plugin_summary()));

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log(absl::StrCat("stopping on ", signal_number == SIGTERM ? "SIGTERM" : "SIGINT",
                   ": finishing in-flight calls"));
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  Log("stopped; database closed");
  return 0;
}
