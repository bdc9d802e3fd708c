// The ingest part of touchline_bench: the same contact events stored six ways, alternating in
// rounds within one run: raw SQLite (the sqlite3 C API on a database file the server created, so
// the schema cannot drift), the server's own storage code without gRPC, the gRPC streaming import
// (its messages built before the clock starts, and built from the rows as they are sent, as a
// client program does), and the CLI's CSV import of the same rows with and without idempotency
// keys.
#pragma once

#include <string>

#include "absl/time/time.h"

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

}  // namespace touchline::bench
