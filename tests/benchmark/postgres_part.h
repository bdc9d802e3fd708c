// The PostgreSQL part of touchline_bench (issue 21): Touchline on its PostgreSQL backend next to
// SQLite and next to raw libpq, in one run, on a PostgreSQL 15 of its own
// (tests/lib/postgres_server.h: fsync on, synchronous_commit on, as in production). Built only
// where the test PostgreSQL is (TOUCHLINE_BENCH_POSTGRES).
//
// Ingest: the ingest part's rows stored, alternating in rounds, by raw libpq into the table a
// Touchline schema created (Touchline's INSERT one a round trip, 500 rows a statement, in pipeline
// mode; COPY), by Touchline's storage code on PostgreSQL and on SQLite, by raw SQLite, and by the
// gRPC import through touchline-server on each.
// Readiness: GetSquadReadiness through touchline-server on PostgreSQL and on SQLite, the same squad
// seeded the same way through the API, alternating in rounds: the kept board, the board right
// after a write, the board recomputed every call.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/lib/postgres_server.h"

namespace touchline::bench {

struct PostgresPartOptions {
  std::string server_binary;  // touchline-server
  std::string dir;            // where the SQLite files and the servers' token files go
  int events = 50000;
  int ingest_rounds = 5;
  int readiness_rounds = 3;
  double seconds = 3;             // per readiness row and server, split over the rounds
  std::vector<int> levels = {1, 16};  // concurrent callers of the readiness rows
  bool synchronous_full = true;   // SQLite's; PostgreSQL always commits with synchronous_commit on
  absl::Time now;
};

void RunPostgresPart(const PostgresPartOptions& options);

// A PostgreSQL 15 of a part's own (production durability); nullptr, the error printed and
// counted as a failed call, when it cannot start.
std::unique_ptr<testing::PostgresServer> StartBenchPostgres();

}  // namespace touchline::bench
