// What several parts of touchline_bench call: the synthetic squad seeded through the API (the same
// way on every server, whichever store it runs on), the synthetic contact history, and the load
// loop that times a call from N concurrent callers.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/domain/model.h"
#include "server/service/proto_mapping.h"
#include "tests/benchmark/bench_support.h"
#include "touchline/v1/contact_event.grpc.pb.h"
#include "touchline/v1/readiness.grpc.pb.h"

namespace touchline::bench {

// An ingest run: its rate, and the CPU it cost per event (microseconds) of the process that did
// the storing (the server; the bench itself for storage-only), which the shared machine's noise
// moves far less than the rate.
struct IngestResult {
  double per_second = 0;
  double cpu_us_per_event = 0;
};

// ---- synthetic squad (domain.md section 4) ----
struct Squad {
  int64_t id = 0;
  std::vector<int64_t> players;
};

// Calls made with `token` (the server's admin token).
int64_t CreateSquad(grpc::Channel& ch, const std::string& name,
                    const std::string& token = g_token);
// `players` players of the squad, half forwards and half backs; their ids in order.
std::vector<int64_t> CreatePlayers(grpc::Channel& ch, int64_t squad_id, int players,
                                   const std::string& token = g_token);
// A squad of `players` with five seasons of complaints and today's session's protocols.
Squad MakeSquad(grpc::Channel& ch, const std::string& name, int players, absl::Time now,
                const std::string& token = g_token);

// Event n of the synthetic history: newest first, n * 233 s before `now`.
touchline::domain::ContactEvent SyntheticEvent(int64_t player, int64_t n, absl::Time now,
                                               const std::string& key_prefix);
void ToProtoEvent(const touchline::domain::ContactEvent& e, v1::ContactEvent* out);

// Streams `count` events in messages of `per_message`; returns events/s of acknowledged storage
// and the server's CPU per event.
// Events first .. first+count-1 of the synthetic history (event n is n * 233 s before `now`).
IngestResult IngestThroughGrpc(const ServerProcess& server, const Squad& squad, int count,
                               int per_message, absl::Time now, const std::string& prefix,
                               int first = 0);

struct LoadResult {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  // CPU per call: of the server process, and of this client process (all its threads). Unlike
  // calls/s, these hardly move when the shared machine is busy, and they show who used the cores.
  double server_cpu_us = 0;
  double client_cpu_us = 0;
  int64_t calls = 0;
};

// The figures of calls that took `ms` (milliseconds each) in `elapsed` seconds, and the CPU the
// server and the client used meanwhile (seconds).
inline LoadResult Summarize(std::vector<double> ms, double elapsed, double server_cpu,
                            double client_cpu) {
  std::sort(ms.begin(), ms.end());
  LoadResult r;
  if (ms.empty()) return r;
  r.calls = static_cast<int64_t>(ms.size());
  r.per_second = ms.size() / elapsed;
  r.server_cpu_us = server_cpu * 1e6 / ms.size();
  r.client_cpu_us = client_cpu * 1e6 / ms.size();
  r.p50_ms = ms[ms.size() / 2];
  r.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  return r;
}

template <typename Call>
LoadResult Load(int threads, double seconds, Call call, const ServerProcess* server = nullptr) {
  std::vector<std::vector<double>> latencies(threads);
  const double server_cpu0 = server != nullptr ? server->CpuSeconds() : 0;
  const double client_cpu0 = ClientCpuSeconds();
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  const absl::Time t0 = absl::Now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto state = call.Prepare(t);
      while (!stop.load(std::memory_order_relaxed)) {
        const absl::Time s = absl::Now();
        call.Once(state);
        latencies[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - s));
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(seconds * 1000)));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - t0);
  const double server_cpu = server != nullptr ? server->CpuSeconds() - server_cpu0 : 0;
  const double client_cpu = ClientCpuSeconds() - client_cpu0;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return Summarize(std::move(all), elapsed, server_cpu, client_cpu);
}

struct ReadinessCall {
  const ServerProcess& server;
  int64_t squad_id;
  using State = std::unique_ptr<v1::ReadinessService::Stub>;
  State Prepare(int t) const { return v1::ReadinessService::NewStub(server.Channel(t)); }
  v1::GetSquadReadinessResponse Fetch(State& stub) const {
    v1::GetSquadReadinessRequest req;
    req.set_squad_id(squad_id);
    v1::GetSquadReadinessResponse resp;
    CountError(stub->GetSquadReadiness(Ctx(server.token).get(), req, &resp), "GetSquadReadiness");
    return resp;
  }
  void Once(State& stub) const { Fetch(stub); }
};

// A write call: one contact event with a fresh key.
struct WriteCall {
  const ServerProcess& server;
  int64_t player;
  using State = std::pair<std::unique_ptr<v1::ContactEventService::Stub>, std::string>;
  State Prepare(int t) const {
    static std::atomic<int> run{0};
    return {v1::ContactEventService::NewStub(server.Channel(t)),
            absl::StrCat("w", run.fetch_add(1), "-", t, "-")};
  }
  void Once(State& state) const {
    static std::atomic<int64_t> n{0};
    v1::CreateContactEventRequest req;
    auto* e = req.mutable_contact_event();
    e->set_player_id(player);
    e->set_kind(v1::CONTACT_KIND_TACKLE_MADE);
    touchline::service::ToProto(absl::Now() - absl::Hours(1), e->mutable_occur_time());
    e->set_idempotency_key(absl::StrCat(state.second, n.fetch_add(1)));
    v1::CreateContactEventResponse resp;
    CountError(state.first->CreateContactEvent(Ctx(server.token).get(), req, &resp),
               "CreateContactEvent");
  }
};

}  // namespace touchline::bench
