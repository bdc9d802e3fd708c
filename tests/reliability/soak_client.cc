// Soak client: CLIENTS threads, each on its own channel, mix writes (CreateContactEvent with a
// unique idempotency key) and reads (ListContactEvents, GetSquadReadiness) against a running
// touchline-server for SECONDS. Any non-OK answer is an unexpected error. Afterwards every player's
// events are listed and must be exactly the acknowledged ones (none lost, none extra, none twice).
// Samples the server's memory (VmRSS and VmHWM from /proc/<pid>/status) and, when given, the size
// of the database file and its WAL, every SAMPLE seconds of the run (clock-driven, not slept).
//
// "Flat" memory: the first WARMUP seconds are excluded (the 64 connections, the sync-server
// threads growing to the number of concurrent calls, glibc's per-thread malloc arenas and SQLite's
// page caches filling up to their cache_size limits all happen there). From the sample at WARMUP
// to the end, RSS may grow by at most MAX_GROWTH KiB (0 = report only).
//
//   soak_client <host:port> <token> <server pid> <clients> <seconds> <max rss growth KiB>
//               [warm-up seconds = 10] [sample seconds = 10] [database path]
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "touchline/v1/contact_event.grpc.pb.h"
#include "touchline/v1/readiness.grpc.pb.h"
#include "touchline/v1/squad.grpc.pb.h"

namespace v1 = touchline::v1;

namespace {

constexpr int kPlayers = 8;

// A field of /proc/<pid>/status in KiB ("VmRSS", "VmHWM"), -1 if missing.
long StatusKib(const std::string& pid, const std::string& field) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string line;
  const std::string prefix = field + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
  }
  return -1;
}

long FileKib(const std::string& path) {
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_size / 1024) : 0;
}

struct Sample {
  int at_s;
  long rss_kib, hwm_kib, db_kib, wal_kib;
};

Sample TakeSample(int at_s, const std::string& pid, const std::string& db) {
  return Sample{at_s, StatusKib(pid, "VmRSS"), StatusKib(pid, "VmHWM"), FileKib(db),
                db.empty() ? 0 : FileKib(db + "-wal")};
}

void Authorize(grpc::ClientContext* ctx, const std::string& token) {
  ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  // As a real client: a connection attempt that fails is retried after gRPC's backoff instead of
  // failing every call at once. Seen about once in eight runs next to crash_safety (ctest -j2):
  // one channel's first connect() returned ENOENT (GRPC_TRACE=tcp,subchannel: "connect failed
  // ... syscall: connect, errno: 2", at start, with 63 others connecting and crash_safety's
  // clients churning), the retry 1 s later connected, and in that second the fail-fast client
  // counted ~30,000 "unexpected errors". A server that stops answering still shows: every call
  // has a deadline, and DEADLINE_EXCEEDED is an unexpected error.
  ctx->set_wait_for_ready(true);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7 || argc > 10) {
    std::fprintf(stderr,
                 "usage: soak_client host:port token pid clients seconds max_growth_kib "
                 "[warmup_s] [sample_s] [db_path]\n");
    return 2;
  }
  const std::string target = argv[1], token = argv[2], pid = argv[3];
  const int clients = std::atoi(argv[4]);
  const int seconds = std::atoi(argv[5]);
  const long max_growth = std::atol(argv[6]);
  const int warmup = argc > 7 ? std::atoi(argv[7]) : 10;
  const int sample_every = argc > 8 ? std::max(1, std::atoi(argv[8])) : 10;
  const std::string db_path = argc > 9 ? argv[9] : "";
  if (max_growth > 0 && (warmup <= 0 || warmup >= seconds || warmup % sample_every != 0)) {
    std::fprintf(stderr, "a growth limit needs 0 < warm-up < seconds, warm-up a multiple of the "
                         "sample interval\n");
    return 2;
  }

  auto setup_channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  {
    auto squads = v1::SquadService::NewStub(setup_channel);
    auto players = v1::PlayerService::NewStub(setup_channel);
    grpc::ClientContext ctx;
    Authorize(&ctx, token);
    v1::CreateSquadRequest req;
    req.mutable_squad()->set_name("Soak XV");
    v1::CreateSquadResponse resp;
    grpc::Status s = squads->CreateSquad(&ctx, req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "setup: CreateSquad: %s\n", s.error_message().c_str());
      return 1;
    }
    for (int p = 0; p < kPlayers; ++p) {
      grpc::ClientContext pctx;
      Authorize(&pctx, token);
      v1::CreatePlayerRequest preq;
      preq.mutable_player()->set_squad_id(resp.squad().id());
      preq.mutable_player()->set_name("Soak Player " + std::to_string(p + 1));
      preq.mutable_player()->set_position_group(p % 2 ? v1::POSITION_GROUP_BACK
                                                      : v1::POSITION_GROUP_FORWARD);
      v1::CreatePlayerResponse presp;
      if (grpc::Status ps = players->CreatePlayer(&pctx, preq, &presp); !ps.ok()) {
        std::fprintf(stderr, "setup: CreatePlayer: %s\n", ps.error_message().c_str());
        return 1;
      }
    }
  }

  std::atomic<long> writes{0}, reads{0}, errors{0};
  std::mutex mu;
  std::map<int64_t, std::set<std::string>> acked;  // player -> keys
  std::map<std::string, int> error_kinds;
  const auto begin = std::chrono::steady_clock::now();
  const auto end = begin + std::chrono::seconds(seconds);

  // The memory sampler: a sample at 0, every sample_every seconds, and at the end.
  std::vector<Sample> samples;
  std::mutex sample_mu;
  std::condition_variable sample_cv;
  bool stop_sampling = false;
  std::thread sampler([&] {
    std::unique_lock lock(sample_mu);
    for (int at = 0; at < seconds; at += sample_every) {
      if (sample_cv.wait_until(lock, begin + std::chrono::seconds(at),
                               [&] { return stop_sampling; })) {
        return;
      }
      samples.push_back(TakeSample(at, pid, db_path));
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      grpc::ChannelArguments args;
      args.SetInt("grpc.use_local_subchannel_pool", 1);  // a connection of its own, like a client
      auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
      auto events = v1::ContactEventService::NewStub(channel);
      auto readiness = v1::ReadinessService::NewStub(channel);
      std::set<std::string> mine;
      const int64_t player = t % kPlayers + 1;
      auto record_error = [&](const char* what, const grpc::Status& s) {
        ++errors;
        std::lock_guard<std::mutex> lock(mu);
        ++error_kinds[std::string(what) + ": " + std::to_string(s.error_code()) + " " +
                      s.error_message()];
      };
      for (int i = 0; std::chrono::steady_clock::now() < end; ++i) {
        if (i % 3 != 2) {
          grpc::ClientContext ctx;
          Authorize(&ctx, token);
          v1::CreateContactEventRequest req;
          v1::ContactEvent* e = req.mutable_contact_event();
          e->set_player_id(player);
          e->set_kind(i % 2 ? v1::CONTACT_KIND_SCRUM : v1::CONTACT_KIND_TACKLE_MADE);
          e->mutable_occur_time()->set_seconds(std::time(nullptr) - 3600 - i);
          const std::string key = "soak-" + std::to_string(t) + "-" + std::to_string(i);
          e->set_idempotency_key(key);
          v1::CreateContactEventResponse resp;
          grpc::Status s = events->CreateContactEvent(&ctx, req, &resp);
          if (s.ok()) {
            mine.insert(key);
            ++writes;
          } else {
            record_error("CreateContactEvent", s);
          }
        } else if (i % 2) {
          grpc::ClientContext ctx;
          Authorize(&ctx, token);
          v1::ListContactEventsRequest req;
          req.set_player_id(player);
          req.set_page_size(50);
          v1::ListContactEventsResponse resp;
          grpc::Status s = events->ListContactEvents(&ctx, req, &resp);
          s.ok() ? (void)++reads : record_error("ListContactEvents", s);
        } else {
          grpc::ClientContext ctx;
          Authorize(&ctx, token);
          v1::GetSquadReadinessRequest req;
          req.set_squad_id(1);
          v1::GetSquadReadinessResponse resp;
          grpc::Status s = readiness->GetSquadReadiness(&ctx, req, &resp);
          s.ok() ? (void)++reads : record_error("GetSquadReadiness", s);
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      acked[player].insert(mine.begin(), mine.end());
    });
  }
  for (auto& th : threads) th.join();
  {
    std::lock_guard lock(sample_mu);
    stop_sampling = true;
  }
  sample_cv.notify_all();
  sampler.join();
  const int elapsed = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::steady_clock::now() - begin)
                                           .count());
  samples.push_back(TakeSample(elapsed, pid, db_path));

  // Afterwards: exactly what the clients were told was written.
  int wrong = 0;
  auto events = v1::ContactEventService::NewStub(setup_channel);
  for (int64_t player = 1; player <= kPlayers; ++player) {
    std::map<std::string, int> stored;
    std::string page;
    do {
      grpc::ClientContext ctx;
      Authorize(&ctx, token);
      v1::ListContactEventsRequest req;
      req.set_player_id(player);
      req.set_page_size(1000);
      req.set_page_token(page);
      v1::ListContactEventsResponse resp;
      grpc::Status s = events->ListContactEvents(&ctx, req, &resp);
      if (!s.ok()) {
        std::fprintf(stderr, "verify: ListContactEvents: %s\n", s.error_message().c_str());
        return 1;
      }
      for (const auto& e : resp.contact_events()) ++stored[e.idempotency_key()];
      page = resp.next_page_token();
    } while (!page.empty());
    for (const auto& key : acked[player]) {
      if (stored[key] != 1) {
        ++wrong;
        if (wrong < 10) std::fprintf(stderr, "event %s stored %d times\n", key.c_str(), stored[key]);
      }
    }
    for (const auto& [key, n] : stored) {
      if (!acked[player].count(key)) {
        ++wrong;
        if (wrong < 10) std::fprintf(stderr, "event %s stored but never acknowledged\n", key.c_str());
      }
    }
  }
  for (const auto& [kind, n] : error_kinds) std::fprintf(stderr, "  %d x %s\n", n, kind.c_str());
  std::printf("soak: %d clients, %d s: %ld writes, %ld reads acknowledged, %ld unexpected errors, "
              "%d wrong records afterwards\n",
              clients, seconds, writes.load(), reads.load(), errors.load(), wrong);
  for (const Sample& m : samples) {
    std::printf("soak: t=%4d s  server VmRSS %7ld KiB  VmHWM %7ld KiB  database %7ld KiB  WAL %6ld KiB\n",
                m.at_s, m.rss_kib, m.hwm_kib, m.db_kib, m.wal_kib);
  }
  const Sample& first = samples.front();
  const Sample& last = samples.back();
  const Sample* warm = nullptr;
  for (const Sample& m : samples) {
    if (m.at_s == warmup) warm = &m;
  }
  std::printf("soak: server RSS %ld KiB at start, %ld KiB at end (%+ld KiB)\n", first.rss_kib,
              last.rss_kib, last.rss_kib - first.rss_kib);
  bool ok = errors == 0 && wrong == 0 && writes > 0 && reads > 0;
  for (const Sample& m : samples) ok = ok && m.rss_kib > 0;
  if (warm != nullptr) {
    const long growth = last.rss_kib - warm->rss_kib;
    std::printf("soak: after the %d s warm-up: RSS %ld -> %ld KiB (%+ld KiB, %+.1f%%)%s\n", warmup,
                warm->rss_kib, last.rss_kib, growth, 100.0 * growth / warm->rss_kib,
                max_growth > 0 ? (" limit +" + std::to_string(max_growth) + " KiB").c_str() : "");
    if (max_growth > 0 && growth > max_growth) {
      std::printf("soak: FAIL: RSS grew by more than %ld KiB after the warm-up\n", max_growth);
      ok = false;
    }
  } else if (max_growth > 0) {
    std::printf("soak: FAIL: no sample at the end of the warm-up (%d s)\n", warmup);
    ok = false;
  }
  return ok ? 0 : 1;
}
