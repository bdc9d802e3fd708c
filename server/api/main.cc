// touchline-server: the squad medical record over gRPC, on an embedded SQLite store.
#include <csignal>
#include <filesystem>
#include <cstdio>
#include <pthread.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "server/access/access_policy.h"
#include "server/access/credentials.h"
#include "server/api/server_log.h"
#include "server/api/touchline_server.h"
#include "server/common/caller.h"
#include "touchline/build_info.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "Address to listen on (host:port)");
ABSL_FLAG(std::string, http_listen, "",
          "Also serve the Connect protocol (HTTP/1.1, JSON or binary protobuf) on this host:port, "
          "e.g. 127.0.0.1:8080; the same tokens, roles, audit, TLS and loopback rules as --listen. "
          "Empty: no HTTP listener");
ABSL_FLAG(std::string, web_root, "",
          "Serve the staff web app from this folder (the build's web/dist) at / on --http_listen; "
          "empty: the Connect API only");
ABSL_FLAG(std::vector<std::string>, http_cors_origins, {},
          "Origins whose pages may call the Connect API (CORS), comma-separated, exactly as "
          "browsers send them, e.g. https://portal.club.example; empty: none (no CORS headers)");
ABSL_FLAG(std::string, db, "touchline.db", "SQLite database path (created if missing); the same as "
          "--store=sqlite:PATH");
ABSL_FLAG(std::string, store, "",
          "Where the record is kept: sqlite:PATH (the default, --db), or PostgreSQL: "
          "postgresql://user@host/dbname (a libpq URI) or 'postgresql:host=... dbname=...'; never "
          "with a password in it (see --store_password_file, PGPASSWORD, ~/.pgpass)");
ABSL_FLAG(std::string, store_schema, "touchline",
          "PostgreSQL: the club's schema (created and migrated on start); its audit log is "
          "<schema>_audit");
ABSL_FLAG(std::string, store_password_file, "",
          "PostgreSQL: a file holding only the password (e.g. a mounted secret)");
ABSL_FLAG(std::string, audit_db, "",
          "The audit log's own SQLite file (default <db>.audit); back it up with the database");
ABSL_FLAG(int, persistent_days, 42, "Days after onset beyond which open symptoms are PERSISTENT");
ABSL_FLAG(int, pelvic_window_days, 14,
          "Days after an awkward tackle/scrum/lineout landing/fall within which a new complaint is "
          "of suspected pelvic origin");
ABSL_FLAG(int, worsening_pain_increase, 2, "Pain rise between assessments that is a worsening");
ABSL_FLAG(std::string, window_closing_days, "28,35",
          "Days after onset at which an open gradual-onset complaint without anti-spasm work is "
          "flagged WINDOW_CLOSING (each a new alert), before --persistent_days");
// Objective assessments (issue 19): when a strength deficit is found.
ABSL_FLAG(double, eccentric_imbalance_percent, 15,
          "Between-leg eccentric (Nordic) imbalance, (stronger - weaker) / stronger, at or above "
          "which an assessment shows a strength deficit (Bourne et al. 2015, rugby union)");
ABSL_FLAG(int, pelvic_screen_due_days, 7,
          "Days after an awkward tackle/scrum/lineout landing/fall within which the player's pelvic "
          "screen is due (overdue after)");
ABSL_FLAG(double, strength_drop_percent, 10,
          "Drop of a leg's Nordic or isometric force below the player's baseline, at or above "
          "which an assessment shows a strength deficit");
ABSL_FLAG(std::string, synchronous, "full",
          "SQLite synchronous mode: 'full' (survives power loss) or 'normal' (survives crashes)");
ABSL_FLAG(bool, readiness_cache, true,
          "Keep each squad's readiness board until a write or a rule boundary changes it "
          "(false: recompute every call; for measurements)");
ABSL_FLAG(int, sqlite_writer_cache_kib, 32 * 1024,
          "Page cache of the SQLite writer connection, in KiB (with the readers' caches, the bound "
          "of what SQLite keeps in memory)");
ABSL_FLAG(int, sqlite_reader_cache_kib, 2000,
          "Page cache of each of the 4 SQLite reader connections, in KiB");
ABSL_FLAG(int, shutdown_grace_seconds, 10, "How long in-flight calls may finish on SIGTERM");
// Fairness under load (issue 15): no caller may starve the others.
ABSL_FLAG(int, max_calls_per_user, 32,
          "Unary calls one user may have in flight; beyond, RESOURCE_EXHAUSTED for that user only");
ABSL_FLAG(int, max_calls, 200,
          "Unary calls in flight in all (kept under the server's 256 call threads)");
ABSL_FLAG(int, max_streams_per_user, 64,
          "Open streams (WatchFlags, ExportRecords, ImportContactEvents) per user");
ABSL_FLAG(int, max_streams, 20000, "Open streams in all (a held watch costs about 10 KiB)");
ABSL_FLAG(int, stream_worker_threads, 4,
          "Threads that run the streams' database work; a waiting stream holds none");
// Access control (issue 5).
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate (chain); with --tls_key enables TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA: require client certificates it signed (mutual TLS)");
ABSL_FLAG(bool, insecure_allow_remote, false,
          "Allow plaintext on a non-loopback --listen address (otherwise refused)");
ABSL_FLAG(std::string, pseudonym_key_file, "",
          "Key of analysts' player pseudonyms, kept outside the database (default <db>.pseudonym-key;"
          " created when missing)");
ABSL_FLAG(std::string, token_file, "",
          "Where the first-start admin token is written when no token exists (default <db>.token, "
          "mode 0600; the touchline CLI reads ./touchline.db.token by default)");
ABSL_FLAG(bool, bootstrap_token, true, "On first start (no token at all) write an admin token");
ABSL_FLAG(std::string, add_token_user, "",
          "Admin command: issue a token for this user (with --add_token_role), print it, exit");
ABSL_FLAG(std::string, add_token_role, "", "Role of --add_token_user: admin|physio|coach|analyst");
ABSL_FLAG(std::string, revoke_token_user, "", "Admin command: revoke every token of a user, exit");

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
ABSL_FLAG(int, plugin_hosts_per_plugin, 4,
          "Host processes per out-of-process plugin, so a squad's players are planned several at "
          "a time (started as a squad first needs them); in-process plugins answer one at a time");
ABSL_FLAG(int, plugin_assign_budget_ms, 10000,
          "The most one AssignProtocols spends asking the plugins, even when the client's "
          "deadline is later; a plugin that could not answer for a player by then is reported "
          "failed for that player");
ABSL_FLAG(std::string, trusted_plugins, "",
          "Comma-separated plugin names to run inside the server process ('*' = all); the rest "
          "run in supervised touchline-plugin-host processes");
ABSL_FLAG(std::string, plugin_host, "",
          "The touchline-plugin-host executable (default: $TOUCHLINE_PLUGIN_HOST, else next to "
          "this executable, else the one this build produced)");

namespace {

void Log(const std::string& line) { touchline::api::LogLine(line); }

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

// --add_token_user / --revoke_token_user: work on the database directly, print, exit.
int TokenCommand(const touchline::storage::DatabaseOptions& database) {
  namespace access = touchline::access;
  const std::string add_user = absl::GetFlag(FLAGS_add_token_user);
  const std::string revoke_user = absl::GetFlag(FLAGS_revoke_token_user);
  std::optional<touchline::common::Role> role;
  if (!add_user.empty()) {
    role = access::ParseRole(absl::GetFlag(FLAGS_add_token_role));
    if (!role) {
      Log("error: --add_token_role must be admin, physio, coach or analyst");
      return 2;
    }
  }
  auto db = touchline::storage::Database::Open(database);
  if (!db.ok()) {
    Log(absl::StrCat("error: ", db.status().message()));
    return 1;
  }
  if (!add_user.empty()) {
    auto token = access::IssueToken(**db, add_user, *role, absl::Now());
    if (!token.ok()) {
      Log(absl::StrCat("error: ", token.status().message()));
      return 1;
    }
    Log(absl::StrCat("issued a ", access::RoleName(*role), " token for ", add_user,
                     "; only its hash is stored, so copy it now:"));
    std::printf("%s\n", token->c_str());
    return 0;
  }
  auto revoked = access::RevokeTokens(**db, revoke_user, absl::Now());
  if (!revoked.ok()) {
    Log(absl::StrCat("error: ", revoked.status().message()));
    return 1;
  }
  Log(absl::StrCat("revoked ", *revoked, " token(s) of ", revoke_user));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves the Touchline squad medical record over gRPC.\n"
      "Usage: touchline-server [--flag=value ...]; --help lists every flag with its default.");
  // Abseil lists only the flags of a file named like the program unless told otherwise ("No flags
  // matched" before): --help and --helpshort list every flag of Touchline's own files.
  absl::FlagsUsageConfig usage;
  usage.contains_helpshort_flags = [](absl::string_view file) {
    return absl::StrContains(file, "server/");
  };
  usage.contains_help_flags = usage.contains_helpshort_flags;
  usage.version_string = [] { return std::string(TOUCHLINE_VERSION_LINE("touchline-server")) + "\n"; };
  absl::SetFlagsUsageConfig(usage);
  std::vector<char*> arguments(argv, argv + argc);
  static char help[] = "--help";
  for (char*& a : arguments) {
    if (std::string_view(a) == "-h") a = help;  // the short form everyone tries first
  }
  absl::ParseCommandLine(static_cast<int>(arguments.size()), arguments.data());
  // Debian's Abseil is built without NDEBUG, so every absl::Mutex lock (gRPC takes several per
  // call) also updated a global lock-order graph: 3 % of the server's CPU under load. The tests
  // (which link the server library, not this main) keep the detection on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  touchline::api::ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.http_listen_address = absl::GetFlag(FLAGS_http_listen);
  options.web_root = absl::GetFlag(FLAGS_web_root);
  options.http_cors_origins = absl::GetFlag(FLAGS_http_cors_origins);
  for (const std::string& origin : options.http_cors_origins) {
    if (origin == "*" || origin.find("://") == std::string::npos || origin.back() == '/') {
      Log(absl::StrCat("--http_cors_origins: \"", origin, "\" is not an origin (scheme://host[:port], "
                       "no path, no wildcard)"));
      return 2;
    }
  }
  options.database.path = absl::GetFlag(FLAGS_db);
  options.database.postgres_schema = absl::GetFlag(FLAGS_store_schema);
  options.database.postgres_password_file = absl::GetFlag(FLAGS_store_password_file);
  if (const std::string store = absl::GetFlag(FLAGS_store); !store.empty()) {
    if (!absl::GetFlag(FLAGS_db).empty() && absl::GetFlag(FLAGS_db) != "touchline.db") {
      Log("error: --store and --db both name the store; give one");
      return 2;
    }
    if (absl::Status s = touchline::storage::ApplyStoreLocator(store, options.database); !s.ok()) {
      Log(absl::StrCat("error: ", s.message()));
      return 2;
    }
  }
  options.audit_log_path = absl::GetFlag(FLAGS_audit_db);
  const std::string sync = absl::GetFlag(FLAGS_synchronous);
  if (sync != "full" && sync != "normal") {
    Log("error: --synchronous must be 'full' or 'normal'");
    return 2;
  }
  options.database.synchronous_full = sync == "full";
  options.database.writer_cache_kib = absl::GetFlag(FLAGS_sqlite_writer_cache_kib);
  options.database.reader_cache_kib = absl::GetFlag(FLAGS_sqlite_reader_cache_kib);
  if (options.database.writer_cache_kib < 1 || options.database.reader_cache_kib < 1) {
    Log("error: --sqlite_writer_cache_kib and --sqlite_reader_cache_kib must be at least 1");
    return 2;
  }
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
  {
    std::vector<absl::Duration> alerts;
    for (absl::string_view day :
         absl::StrSplit(absl::GetFlag(FLAGS_window_closing_days), ',', absl::SkipWhitespace())) {
      int days = 0;
      if (!absl::SimpleAtoi(day, &days) || days < 1 ||
          days > absl::GetFlag(FLAGS_persistent_days)) {
        Log(absl::StrCat("error: --window_closing_days: \"", day,
                         "\" is not a number of days from 1 to --persistent_days"));
        return 2;
      }
      alerts.push_back(absl::Hours(24) * days);
    }
    options.service.thresholds.window_closing_alerts = alerts;  // empty: no WINDOW_CLOSING
  }
  {
    const double imbalance = absl::GetFlag(FLAGS_eccentric_imbalance_percent);
    const double drop = absl::GetFlag(FLAGS_strength_drop_percent);
    if (!(imbalance > 0 && imbalance <= 100) || !(drop > 0 && drop <= 100)) {
      Log("error: --eccentric_imbalance_percent and --strength_drop_percent must be above 0 and "
          "at most 100");
      return 2;
    }
    if (absl::GetFlag(FLAGS_pelvic_screen_due_days) < 0) {
      Log("error: --pelvic_screen_due_days must be at least 0");
      return 2;
    }
    options.service.screening.due_within =
        absl::Hours(24) * absl::GetFlag(FLAGS_pelvic_screen_due_days);
    options.service.assessment_thresholds.eccentric_imbalance_percent = imbalance;
    options.service.assessment_thresholds.baseline_drop_percent = drop;
  }
  options.service.readiness_cache = absl::GetFlag(FLAGS_readiness_cache);
  options.limits.max_calls_per_user = absl::GetFlag(FLAGS_max_calls_per_user);
  options.limits.max_calls = absl::GetFlag(FLAGS_max_calls);
  options.limits.max_streams_per_user = absl::GetFlag(FLAGS_max_streams_per_user);
  options.limits.max_streams = absl::GetFlag(FLAGS_max_streams);
  options.stream_worker_threads = absl::GetFlag(FLAGS_stream_worker_threads);
  if (options.limits.max_calls_per_user < 1 || options.limits.max_calls < 1 ||
      options.limits.max_streams_per_user < 1 || options.limits.max_streams < 1 ||
      options.stream_worker_threads < 1) {
    Log("error: --max_calls_per_user, --max_calls, --max_streams_per_user, --max_streams and "
        "--stream_worker_threads must be at least 1");
    return 2;
  }
  if (options.limits.max_calls >= options.max_sync_threads) {
    Log(absl::StrCat("error: --max_calls must be below ", options.max_sync_threads,
                     " (the server's call threads)"));
    return 2;
  }
  if (!absl::GetFlag(FLAGS_add_token_user).empty() ||
      !absl::GetFlag(FLAGS_revoke_token_user).empty()) {
    return TokenCommand(options.database);
  }
  options.tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls.key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options.insecure_allow_remote = absl::GetFlag(FLAGS_insecure_allow_remote);
  options.pseudonym_key_file = absl::GetFlag(FLAGS_pseudonym_key_file);
  if (options.pseudonym_key_file.empty()) {
    options.pseudonym_key_file = options.database.path + ".pseudonym-key";
  }
  if (absl::GetFlag(FLAGS_bootstrap_token)) {
    options.bootstrap_token_file = absl::GetFlag(FLAGS_token_file);
    if (options.bootstrap_token_file.empty()) options.bootstrap_token_file = options.database.path + ".token";
  }

  if (absl::GetFlag(FLAGS_plugin_deadline_ms) < 1) {
    Log("error: --plugin_deadline_ms must be at least 1");
    return 2;
  }
  // A pool beyond a few dozen processes per plugin is surely a typo (each is a process with the
  // plugin's memory, on a server with few cores).
  if (absl::GetFlag(FLAGS_plugin_hosts_per_plugin) < 1 ||
      absl::GetFlag(FLAGS_plugin_hosts_per_plugin) > 64) {
    Log("error: --plugin_hosts_per_plugin must be between 1 and 64");
    return 2;
  }
  if (absl::GetFlag(FLAGS_plugin_assign_budget_ms) < 1) {
    Log("error: --plugin_assign_budget_ms must be at least 1");
    return 2;
  }
  options.plugins.plugin_paths = PluginPaths(absl::GetFlag(FLAGS_plugin_path));
  options.plugins.deadline = absl::Milliseconds(absl::GetFlag(FLAGS_plugin_deadline_ms));
  options.plugins.hosts_per_plugin = absl::GetFlag(FLAGS_plugin_hosts_per_plugin);
  options.plugins.assign_budget =
      absl::Milliseconds(absl::GetFlag(FLAGS_plugin_assign_budget_ms));
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
  if ((*server)->bootstrapped_token()) {
    Log(absl::StrCat("no token existed: wrote an admin token for local-admin to ",
                     options.bootstrap_token_file, " (mode 0600)"));
  }
  Log(absl::StrCat("started on ", options.listen_address,
                   options.tls.cert_file.empty() ? " (plaintext)" : " (TLS)",
                   options.tls.client_ca_file.empty() ? "" : " (client certificates required)", " (port ", (*server)->port(),
                   "), database ",
                   options.database.postgres.empty()
                       ? options.database.path
                       : absl::StrCat("PostgreSQL schema ", options.database.postgres_schema),
                   ", persistent after ",
                   absl::GetFlag(FLAGS_persistent_days), " days"));
  if ((*server)->http_port() != 0) {
    Log(absl::StrCat("Connect protocol on ", options.http_listen_address,
                     options.tls.cert_file.empty() ? " (plaintext)" : " (TLS)", " (port ",
                     (*server)->http_port(), ")"));
    if (!options.web_root.empty()) {
      Log(absl::StrCat("web app at ", options.tls.cert_file.empty() ? "http" : "https", "://",
                       options.http_listen_address, "/ (from ", options.web_root,
                       "); sign in with a bearer token"));
    }
  }
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
