// touchline-server: the squad medical record over gRPC, on an embedded SQLite store.
#include <csignal>
#include <cstdio>
#include <pthread.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
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

namespace {

void Log(const std::string& line) {
  std::fprintf(stderr, "%s touchline-server %s\n",
               absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()).c_str(),
               line.c_str());
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

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log(absl::StrCat("stopping on ", signal_number == SIGTERM ? "SIGTERM" : "SIGINT",
                   ": finishing in-flight calls"));
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  Log("stopped; database closed");
  return 0;
}
