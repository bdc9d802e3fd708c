// What every part of touchline_bench shares: a touchline-server child process, the RPC error count
// (every call's grpc-status is checked), the bench's own CPU, medians and spreads.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "touchline/v1/contact_event.grpc.pb.h"

ABSL_DECLARE_FLAG(std::string, synchronous);

namespace touchline::bench {

namespace v1 = touchline::v1;

inline std::atomic<int64_t> g_rpc_errors{0};
// The bearer token of the server under test (its first start writes one beside the database).
inline std::string g_token;

inline void CountError(const grpc::Status& s, const char* what) {
  if (s.ok()) return;
  if (g_rpc_errors.fetch_add(1) < 5) {
    std::fprintf(stderr, "error: %s: %d %s\n", what, s.error_code(), s.error_message().c_str());
  }
}

// /proc/PID/stat's fields after the command name (which may hold spaces), from the state (field 3)
// on: field N is at [N - 3]. Empty when the process is gone.
inline std::vector<std::string> ProcessStat(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 > text.size()) return {};
  std::vector<std::string> fields = absl::StrSplit(text.substr(close + 2), ' ');
  if (fields.size() < 15) return {};
  return fields;
}

// CPU time a process has used so far (user + system, all threads: fields 14 and 15), in seconds;
// with `reaped_children`, also that of its children that have ended and been waited for (16, 17).
inline double ProcessCpuSeconds(pid_t pid, bool reaped_children = false) {
  const std::vector<std::string> f = ProcessStat(pid);
  if (f.empty()) return 0;
  double ticks = std::atof(f[11].c_str()) + std::atof(f[12].c_str());
  if (reaped_children) ticks += std::atof(f[13].c_str()) + std::atof(f[14].c_str());
  return ticks / sysconf(_SC_CLK_TCK);
}

// ---- a touchline-server child process ----
// Where a server keeps its records: the flags that name the store, and the base name of the files
// it keeps beside it (`<files>.token`, `<files>.pseudonym-key`).
struct StoreLocation {
  std::vector<std::string> flags;
  std::string files;

  static StoreLocation Sqlite(const std::string& path) { return {{"--db=" + path}, path}; }
  // A club schema on a PostgreSQL server (`conninfo`: libpq keywords); its files go to `files`
  // rather than to the working directory, where the server would put them by the schema's name.
  static StoreLocation Postgres(const std::string& conninfo, const std::string& schema,
                                const std::string& files) {
    return {{"--store=postgresql:" + conninfo, "--store_schema=" + schema,
             "--token_file=" + files + ".token",
             "--pseudonym_key_file=" + files + ".pseudonym-key"},
            files};
  }
};

struct ServerProcess {
  pid_t pid = -1;
  int port = 0;
  int http_port = 0;  // the Connect listener's, when started with --http_listen
  double startup_ms = 0;  // spawn until the health check answers SERVING
  std::string token;      // its admin bearer token (written beside the database on first start)

  static ServerProcess Start(const std::string& binary, const std::string& db,
                             const std::string& extra_flag = "") {
    return Start(binary, StoreLocation::Sqlite(db), extra_flag);
  }

  static ServerProcess Start(const std::string& binary, const StoreLocation& store,
                             const std::string& extra_flag = "") {
    ServerProcess p;
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    const absl::Time t0 = absl::Now();
    p.pid = fork();
    if (p.pid == 0) {
      dup2(fds[1], 2);
      close(fds[0]);
      // Every caller of the bench uses one token: its 64 callers are one user's.
      std::vector<std::string> flags = store.flags;
      flags.push_back("--listen=127.0.0.1:0");
      flags.push_back("--synchronous=" + absl::GetFlag(FLAGS_synchronous));
      flags.push_back("--max_calls_per_user=128");
      for (absl::string_view flag : absl::StrSplit(extra_flag, ' ', absl::SkipEmpty())) {
        flags.emplace_back(flag);
      }
      std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
      for (std::string& flag : flags) argv.push_back(flag.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    std::string log;
    char buf[512];
    const bool with_http = extra_flag.find("--http_listen") != std::string::npos;
    while (p.port == 0 || (with_http && p.http_port == 0)) {
      const ssize_t n = read(fds[0], buf, sizeof buf);
      if (n <= 0) {
        std::fprintf(stderr, "touchline-server did not start: %s\n", log.c_str());
        std::exit(1);
      }
      log.append(buf, n);
      const auto at = log.find("(port ");
      if (at != std::string::npos) p.port = std::atoi(log.c_str() + at + 6);
      const auto connect = log.find("Connect protocol on ");
      const auto http_at = connect == std::string::npos ? connect : log.find("(port ", connect);
      if (http_at != std::string::npos) p.http_port = std::atoi(log.c_str() + http_at + 6);
    }
    // Keep draining the server's log so it never blocks on a full pipe.
    std::thread([fd = fds[0]] {
      char b[512];
      while (read(fd, b, sizeof b) > 0) {
      }
      close(fd);
    }).detach();
    auto health = grpc::health::v1::Health::NewStub(p.Channel());
    for (;;) {
      grpc::ClientContext ctx;
      grpc::health::v1::HealthCheckRequest req;
      grpc::health::v1::HealthCheckResponse resp;
      if (health->Check(&ctx, req, &resp).ok() &&
          resp.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
        break;
      }
    }
    p.startup_ms = absl::ToDoubleMilliseconds(absl::Now() - t0);
    std::ifstream token_file(store.files + ".token");
    if (std::getline(token_file, p.token)) g_token = p.token;
    return p;
  }

  std::shared_ptr<grpc::Channel> Channel(int index = 0) const {
    grpc::ChannelArguments args;
    args.SetInt("bench.channel", index);  // distinct channels get distinct connections
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials(), args);
  }

  // CPU time the server process has used so far (user + system, all threads), in seconds.
  double CpuSeconds() const { return ProcessCpuSeconds(pid); }

  // Peak resident memory (VmHWM) in MiB.
  double PeakMiB() const {
    std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
    }
    return 0;
  }

  void Stop() {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    pid = -1;
  }
};

// CPU time this (bench) process has used so far, all threads, in seconds.
inline double ClientCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

inline std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = g_token) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->AddMetadata("authorization", "Bearer " + token);
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  return c;
}

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

inline std::string Rm(const std::string& path) {
  for (const char* s : {"", "-wal", "-shm", ".audit", ".audit-wal", ".audit-shm", ".token",
                        ".pseudonym-key"}) {
    std::remove((path + s).c_str());
  }
  return path;
}


// "min-max" of per-round figures, as every spread the bench prints.
inline std::string Spread(std::vector<double> v, int decimals = 2) {
  if (v.empty()) return "-";
  std::sort(v.begin(), v.end());
  return absl::StrCat(absl::StrFormat("%.*f", decimals, v.front()), "-",
                      absl::StrFormat("%.*f", decimals, v.back()));
}

// Streams `messages` through one ImportContactEvents call, timed from opening the stream to its
// status; an answer that did not store exactly `count` events counts as an error. Returns events
// per second and the server's CPU microseconds per event.
inline std::pair<double, double> TimedImport(const ServerProcess& server,
                                             v1::ContactEventService::Stub& stub,
                                             const std::vector<v1::ImportContactEventsRequest>& messages,
                                             int count, const std::string& token = g_token) {
  v1::ImportContactEventsResponse resp;
  auto ctx = Ctx(token);
  const double cpu0 = server.CpuSeconds();
  const absl::Time t0 = absl::Now();
  auto writer = stub.ImportContactEvents(ctx.get(), &resp);
  for (const auto& m : messages) writer->Write(m);
  writer->WritesDone();
  CountError(writer->Finish(), "ImportContactEvents");
  const double secs = absl::ToDoubleSeconds(absl::Now() - t0);
  const double cpu = server.CpuSeconds() - cpu0;
  if (resp.stored_count() != count) {
    std::fprintf(stderr, "error: ImportContactEvents stored %lld of %d events\n",
                 static_cast<long long>(resp.stored_count()), count);
    g_rpc_errors++;
  }
  return {count / secs, cpu * 1e6 / count};
}

}  // namespace touchline::bench
