#include "tests/benchmark/replicas_part.h"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/benchmark/bench_calls.h"
#include "tests/benchmark/bench_support.h"
#include "tests/benchmark/postgres_part.h"
#include "tests/lib/postgres_server.h"

namespace touchline::bench {
namespace {

// GetSquadReadiness with caller t on replica t % 2 (or all on the first when there is one).
struct SplitReadinessCall {
  std::vector<const ServerProcess*> replicas;
  int64_t squad_id;
  struct State {
    const ServerProcess* server;
    std::unique_ptr<v1::ReadinessService::Stub> stub;
  };
  State Prepare(int t) const {
    const ServerProcess* server = replicas[t % replicas.size()];
    return {server, v1::ReadinessService::NewStub(server->Channel(t))};
  }
  void Once(State& state) const {
    v1::GetSquadReadinessRequest req;
    req.set_squad_id(squad_id);
    v1::GetSquadReadinessResponse resp;
    CountError(state.stub->GetSquadReadiness(Ctx(state.server->token).get(), req, &resp),
               "GetSquadReadiness");
  }
};

double CpuOf(const std::vector<const ServerProcess*>& replicas) {
  double total = 0;
  for (const ServerProcess* r : replicas) total += r->CpuSeconds();
  return total;
}

// One shape's figure in a round, and the replicas' CPU per call (or per event), microseconds.
struct Figure {
  LoadResult load;
  double replicas_cpu_us = 0;
};

LoadResult ReadinessOn(const std::vector<const ServerProcess*>& replicas, int64_t squad,
                       int callers, double seconds, double* cpu_us) {
  const double cpu0 = CpuOf(replicas);
  LoadResult r = Load(callers, seconds, SplitReadinessCall{replicas, squad});
  *cpu_us = (CpuOf(replicas) - cpu0) * 1e6 / std::max<int64_t>(1, r.calls);
  return r;
}

// `count` events imported at once through the replicas, one stream each, split evenly; events/s
// from the first stream's start to the last one's end.
double ImportOn(const std::vector<const ServerProcess*>& replicas, const Squad& squad, int count,
                absl::Time now, const std::string& prefix, int first, double* cpu_us) {
  std::vector<std::vector<v1::ImportContactEventsRequest>> streams(replicas.size());
  std::vector<int> counts(replicas.size(), 0);
  for (int n = first; n < first + count;) {
    const size_t s = ((n - first) * replicas.size()) / count;
    v1::ImportContactEventsRequest m;
    for (int k = 0; k < 500 && n < first + count && ((n - first) * replicas.size()) / count == s;
         ++k, ++n) {
      ToProtoEvent(SyntheticEvent(squad.players[n % squad.players.size()], n, now, prefix),
                   m.add_contact_events());
      ++counts[s];
    }
    streams[s].push_back(std::move(m));
  }
  const double cpu0 = CpuOf(replicas);
  const absl::Time t0 = absl::Now();
  std::vector<std::thread> threads;
  for (size_t s = 0; s < replicas.size(); ++s) {
    threads.emplace_back([&, s] {
      auto stub = v1::ContactEventService::NewStub(replicas[s]->Channel(200 + s));
      TimedImport(*replicas[s], *stub, streams[s], counts[s], replicas[s]->token);
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  *cpu_us = (CpuOf(replicas) - cpu0) * 1e6 / count;
  return count / seconds;
}

void PrintRow(const char* label, int conc, const std::vector<double>& one,
              const std::vector<double>& two, const std::vector<double>& p50_one,
              const std::vector<double>& p50_two, const std::vector<double>& cpu_one,
              const std::vector<double>& cpu_two) {
  std::vector<double> ratio;
  for (size_t r = 0; r < one.size(); ++r) ratio.push_back(two[r] / one[r]);
  std::printf("%-34s %4d %9.0f %9.0f %5.2f %11s %7.2f %7.2f %7.0f %7.0f\n", label, conc,
              Median(one), Median(two), Median(ratio), Spread(ratio).c_str(),
              p50_one.empty() ? 0 : Median(p50_one), p50_two.empty() ? 0 : Median(p50_two),
              Median(cpu_one), Median(cpu_two));
}

}  // namespace

void RunReplicasPart(const ReplicasPartOptions& o) {
  const std::unique_ptr<testing::PostgresServer> pg = StartBenchPostgres();
  if (pg == nullptr) return;
  const StoreLocation store =
      StoreLocation::Postgres(pg->ConnectionString(), "replicas", Rm(o.dir + "/replicas"));
  ServerProcess first = ServerProcess::Start(o.server_binary, store);
  ServerProcess second = ServerProcess::Start(o.server_binary, store);
  const std::vector<const ServerProcess*> one = {&first};
  const std::vector<const ServerProcess*> two = {&first, &second};
  const Squad squad = MakeSquad(*first.Channel(), "Bench XV", 50, o.now, first.token);
  IngestThroughGrpc(first, squad, std::min(o.events, 5000), 500, o.now, "warm-");
  const int rounds = std::max(1, o.rounds);
  const double slice = o.seconds / rounds;

  std::printf("\nreplicas: touchline-server x1 and x2 on one club's schema of PostgreSQL 15 "
              "(fsync on, synchronous_commit on), %d rounds alternating; srv us: both replicas' "
              "CPU per call or event\n",
              rounds);
  std::printf("%-34s %4s %9s %9s %5s %11s %7s %7s %7s %7s\n", "", "conc", "x1/s", "x2/s",
              "x2/x1", "min-max", "x1 p50", "x2 p50", "srv x1", "srv x2");
  double ignored = 0;
  for (const auto* shape : {&one, &two}) {
    ReadinessOn(*shape, squad.id, 16, 0.2, &ignored);  // every board built, connections warm
  }
  for (const int conc : o.levels) {
    std::vector<double> r1, r2, p1, p2, c1, c2;
    for (int r = 0; r < rounds; ++r) {
      for (const bool on_one : {r % 2 == 0, r % 2 != 0}) {
        double cpu = 0;
        const LoadResult l = ReadinessOn(on_one ? one : two, squad.id, conc, slice, &cpu);
        (on_one ? r1 : r2).push_back(l.per_second);
        (on_one ? p1 : p2).push_back(l.p50_ms);
        (on_one ? c1 : c2).push_back(cpu);
      }
    }
    PrintRow("GetSquadReadiness, kept board", conc, r1, r2, p1, p2, c1, c2);
  }
  std::vector<double> i1, i2, c1, c2;
  int first_event = 100000;
  for (int r = 0; r < rounds; ++r) {
    for (const bool on_one : {r % 2 == 0, r % 2 != 0}) {
      double cpu = 0;
      const double rate = ImportOn(on_one ? one : two, squad, o.events, o.now,
                                   absl::StrCat("r", r, on_one ? "-one-" : "-two-"), first_event,
                                   &cpu);
      first_event += o.events;
      (on_one ? i1 : i2).push_back(rate);
      (on_one ? c1 : c2).push_back(cpu);
    }
  }
  PrintRow("ImportContactEvents, events/s", 0, i1, i2, {}, {}, c1, c2);
  first.Stop();
  second.Stop();
  Rm(o.dir + "/replicas");
}

}  // namespace touchline::bench
