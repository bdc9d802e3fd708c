// The ingest part of touchline_bench: the same contact events stored six ways, alternating in
// rounds within one run: raw SQLite (the sqlite3 C API on a database file the server created, so
// the schema cannot drift), the server's own storage code without gRPC, the gRPC streaming import
// (its messages built before the clock starts, and built from the rows as they are sent, as a
// client program does), and the CLI's CSV import of the same rows with and without idempotency
// keys.
//
// Below RunIngestPart: the rows and the paths that store them, which the PostgreSQL part
// (postgres_part.h) runs on its own store beside these, and the alternating rounds and tables both
// print.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/model.h"
#include "server/storage/database.h"
#include "tests/benchmark/bench_support.h"
#include "touchline/v1/contact_event.pb.h"

namespace touchline::bench {

struct IngestPartOptions {
  std::string server_binary;  // touchline-server
  std::string cli_binary;     // touchline (the CLI); empty: the CSV rows are left out
  std::string dir;            // where the databases and CSV files go
  int events = 200000;
  int rounds = 5;
  bool synchronous_full = true;
  absl::Time now;
};

void RunIngestPart(const IngestPartOptions& options);

// ---- shared with the PostgreSQL part ----

constexpr int kEventsPerMessage = 500;  // as the CLI sends them

// One path's round.
struct Rate {
  double per_second = 0;
  double server_us_per_event = 0;  // the process that stored them (the bench for raw/storage)
  // The client: the CLI process for the CSV rows, the bench's own for the gRPC imports.
  double client_us_per_event = 0;
  // The database server's processes (PostgreSQL's); 0 where the store is in-process (SQLite).
  double store_us_per_event = 0;
};

// CPU seconds a store's own server processes have used so far; empty for SQLite (in-process).
using StoreCpu = std::function<double()>;

// The rows every path stores: the same content, oldest first (as a wearable export or a
// session's CSV lists them), one every 233 s (a squad's rate), keys numbered in the same order.
std::vector<domain::ContactEvent> IngestRows(const std::vector<int64_t>& players, int count,
                                             absl::Time now);
// The rows as ImportContactEvents messages of kEventsPerMessage.
std::vector<v1::ImportContactEventsRequest> Messages(const std::vector<domain::ContactEvent>& rows);

// The squad the rows are about (50 players), created through the API of a fresh store's server;
// the players' ids in order.
std::vector<int64_t> SeedIngestSquad(const ServerProcess& server);

// A database the server created and migrated, holding that squad: each round stores into a fresh
// copy of it, so every path starts from the same file and the same schema.
struct Template {
  std::string path;
  std::vector<int64_t> players;
};
Template MakeTemplate(const std::string& binary, const std::string& dir);
// A fresh copy of the template's files at `to`; returns `to`.
std::string CopyOf(const Template& t, const std::string& to);
void RemoveTemplate(const Template& t);

// The baseline: the sqlite3 C API alone on a copy of the server's file (ingest_part.cc says how).
Rate RawSqlite(const std::string& path, const std::vector<domain::ContactEvent>& rows,
               int per_commit, bool synchronous_full);
// An existing SQLite store's options as the server sets them.
storage::DatabaseOptions SqliteStoreOptions(const std::string& path, bool synchronous_full);
// Touchline's own storage path without gRPC: Database (whichever backend `options` names) and
// ContactEventInserter, in transactions of the import's size.
Rate StorageOnly(const storage::DatabaseOptions& options,
                 const std::vector<domain::ContactEvent>& rows, int per_commit,
                 const StoreCpu& store_cpu = {});
// ImportContactEvents through a touchline-server on `store`, the messages built beforehand: from
// opening the stream to its status.
Rate GrpcImport(const std::string& binary, const StoreLocation& store,
                const std::vector<v1::ImportContactEventsRequest>& messages, int count,
                const StoreCpu& store_cpu = {});

// A path of a part, and its rounds.
struct IngestPath {
  const char* label;
  std::function<Rate()> run;
  std::vector<Rate> rounds;
};
// Runs every path once a round, `rounds` times, the order reversed every other round, so that no
// path is always first after a quiet moment or always last.
void RunAlternating(std::vector<IngestPath>& paths, int rounds);
// The table of rates: median and min-max over rounds, CPU per event (a store column when a path
// has one).
void PrintRates(const std::vector<IngestPath>& paths);
// The header of the ratio rows, then one row: a's rate over b's within each round, median, min-max
// and every round's.
void PrintRatioHeader();
void PrintRatio(const char* label, const IngestPath& a, const IngestPath& b);

}  // namespace touchline::bench
