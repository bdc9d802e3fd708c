// The PostgreSQL part of touchline_bench (see postgres_part.h). Every PostgreSQL path stores into
// one schema a touchline-server created (so the raw baselines use Touchline's own table, indexes
// and foreign key), emptied and checkpointed before each path so each starts from the same state;
// the SQLite paths store into fresh copies of a template file, as the ingest part does.
#include "tests/benchmark/postgres_part.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "server/service/service_options.h"
#include "tests/benchmark/bench_calls.h"
#include "tests/benchmark/bench_support.h"
#include "tests/benchmark/ingest_part.h"
#include "tests/lib/postgres_server.h"

namespace touchline::bench {
namespace {

using touchline::domain::ContactEvent;

// ---- the PostgreSQL server's CPU ----

// CPU seconds every process of the PostgreSQL server has used so far: the postmaster, its live
// children (a backend per connection, the WAL writer, the checkpointer...) and the children that
// have ended (counted in the postmaster's once it has waited for them). Touchline's own CPU is
// only half of what a write costs on PostgreSQL; this is the other half.
double PostgresCpuSeconds(pid_t postmaster) {
  double total = ProcessCpuSeconds(postmaster, /*reaped_children=*/true);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    int pid = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &pid) || pid == postmaster) continue;
    const std::vector<std::string> stat = ProcessStat(pid);
    if (!stat.empty() && std::atoi(stat[1].c_str()) == postmaster) {
      total += ProcessCpuSeconds(pid);
    }
  }
  return total;
}

pid_t PostmasterPid(const testing::PostgresServer& server) {
  std::ifstream pid_file(server.folder() + "/data/postmaster.pid");
  pid_t pid = 0;
  pid_file >> pid;
  return pid;
}

// ---- raw libpq ----

// A raw path's failure is the bench's own fault, not an RPC error: stop with PostgreSQL's message.
[[noreturn]] void Fail(PGconn* c, const char* what) {
  std::fprintf(stderr, "error: raw libpq %s: %s\n", what, PQerrorMessage(c));
  std::exit(1);
}

void Check(PGconn* c, PGresult* r, ExecStatusType want, const char* what) {
  const bool ok = r != nullptr && PQresultStatus(r) == want;
  if (!ok && r != nullptr) {
    std::fprintf(stderr, "error: raw libpq %s: %s\n", what, PQresultErrorMessage(r));
    std::exit(1);
  }
  PQclear(r);
  if (!ok) Fail(c, what);
}

void Exec(PGconn* c, const char* sql) {
  PGresult* r = PQexec(c, sql);
  Check(c, r, PQresultStatus(r) == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, sql);
}

// A connection to the club's schema, set up as Touchline's are (postgres_database.cc).
struct Connection {
  PGconn* c;
  Connection(const std::string& conninfo, const std::string& schema)
      : c(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c) != CONNECTION_OK) Fail(c, "connect");
    Exec(c, absl::StrCat("SET search_path TO ", schema, "; SET synchronous_commit TO on").c_str());
  }
  ~Connection() { PQfinish(c); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
};

constexpr char kColumns[] =
    "player_id, kind, occurred_at, session_label, awkward, source, note, idempotency_key, "
    "recorded_at, recorded_by";
constexpr int kColumnCount = 10;
// The INSERT paths send ContactEventInserter's statement as it reaches PostgreSQL (postgres_sql.h
// adds RETURNING id), so that they differ from the storage code only in how they send it.
constexpr char kOnConflict[] = " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
// Rows a multi-row INSERT carries: 5,000 parameters, far under the protocol's 65,535.
constexpr int kRowsPerStatement = 500;

// INSERT ... VALUES with `rows` rows of parameters.
std::string InsertSql(int rows) {
  std::string sql = absl::StrCat("INSERT INTO contact_events (", kColumns, ") VALUES ");
  for (int r = 0; r < rows; ++r) {
    absl::StrAppend(&sql, r > 0 ? ", (" : "(");
    for (int i = 1; i <= kColumnCount; ++i) {
      absl::StrAppend(&sql, i > 1 ? ", $" : "$", r * kColumnCount + i);
    }
    absl::StrAppend(&sql, ")");
  }
  return sql + kOnConflict;
}

// A row's values as text, as Touchline sends its parameters; null: no idempotency key.
struct TextRow {
  std::array<std::string, kColumnCount> text;
  std::array<const char*, kColumnCount> values;

  void Fill(const ContactEvent& e) {
    text = {absl::StrCat(e.player_id),
            absl::StrCat(static_cast<int>(e.kind)),
            absl::StrCat(absl::ToUnixMicros(e.occurred_at)),
            e.session_label,
            e.awkward ? "1" : "0",
            absl::StrCat(static_cast<int>(e.source)),
            e.note,
            e.idempotency_key,
            absl::StrCat(absl::ToUnixMicros(e.recorded_at)),
            e.recorded_by};
    for (int i = 0; i < kColumnCount; ++i) values[i] = text[i].c_str();
    if (e.idempotency_key.empty()) values[7] = nullptr;
  }
};

// Rows [from, to) in one transaction, one INSERT a round trip: what any code that waits for each
// statement's answer before sending the next pays, Touchline's storage included.
void InsertEach(PGconn* c, const std::vector<ContactEvent>& rows, size_t from, size_t to) {
  Exec(c, "BEGIN");
  TextRow row;
  for (size_t n = from; n < to; ++n) {
    row.Fill(rows[n]);
    Check(c,
          PQexecPrepared(c, "bench_insert", kColumnCount, row.values.data(), nullptr, nullptr, 0),
          PGRES_TUPLES_OK, "insert");
  }
  Exec(c, "COMMIT");
}

// The same rows, kRowsPerStatement to a statement: what an inserter that sends its rows in
// batches (and reads the ids, or their absence, back) would pay. One round trip per batch.
void InsertMultiRow(PGconn* c, const std::vector<ContactEvent>& rows, size_t from, size_t to) {
  Exec(c, "BEGIN");
  std::vector<TextRow> batch(kRowsPerStatement);  // never reallocated: `values` points into it
  std::vector<const char*> values;
  for (size_t start = from; start < to; start += kRowsPerStatement) {
    const int n = static_cast<int>(std::min<size_t>(kRowsPerStatement, to - start));
    values.clear();
    for (int k = 0; k < n; ++k) {
      batch[k].Fill(rows[start + k]);
      values.insert(values.end(), batch[k].values.begin(), batch[k].values.end());
    }
    PGresult* r = n == kRowsPerStatement
                      ? PQexecPrepared(c, "bench_insert_many", n * kColumnCount, values.data(),
                                       nullptr, nullptr, 0)
                      : PQexecParams(c, InsertSql(n).c_str(), n * kColumnCount, nullptr,
                                     values.data(), nullptr, nullptr, 0);
    Check(c, r, PGRES_TUPLES_OK, "multi-row insert");
  }
  Exec(c, "COMMIT");
}

// The same INSERTs in pipeline mode: every statement of the transaction sent without waiting for
// any answer, the answers read after the sync. libpq reads what the server sends while its own
// writes would block, so a long pipeline cannot deadlock in blocking mode.
void InsertPipelined(PGconn* c, const std::vector<ContactEvent>& rows, size_t from, size_t to) {
  if (PQenterPipelineMode(c) != 1) Fail(c, "enter pipeline mode");
  auto send = [&](const char* sql) {
    if (PQsendQueryParams(c, sql, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) Fail(c, sql);
  };
  send("BEGIN");
  TextRow row;
  for (size_t n = from; n < to; ++n) {
    row.Fill(rows[n]);
    if (PQsendQueryPrepared(c, "bench_insert", kColumnCount, row.values.data(), nullptr, nullptr,
                            0) != 1) {
      Fail(c, "send insert");
    }
  }
  send("COMMIT");
  if (PQpipelineSync(c) != 1) Fail(c, "pipeline sync");
  // One result per statement (BEGIN, the INSERTs, COMMIT), each followed by a null; then the
  // sync's.
  for (size_t i = 0; i < to - from + 2; ++i) {
    const bool insert = i > 0 && i <= to - from;
    Check(c, PQgetResult(c), insert ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, "pipelined statement");
    if (PGresult* extra = PQgetResult(c); extra != nullptr) {
      PQclear(extra);
      Fail(c, "pipelined statement: more than one result");
    }
  }
  Check(c, PQgetResult(c), PGRES_PIPELINE_SYNC, "pipeline sync");
  if (PQexitPipelineMode(c) != 1) Fail(c, "exit pipeline mode");
}

// COPY's text format: backslash, tab, newline and carriage return escaped; \N is null.
void AppendCopyField(std::string& out, const char* value) {
  if (value == nullptr) {
    out += "\\N";
    return;
  }
  for (const char* p = value; *p != '\0'; ++p) {
    switch (*p) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += *p;
    }
  }
}

// The same rows by COPY FROM STDIN: the bulk path PostgreSQL has for this, the ceiling.
void Copy(PGconn* c, const std::vector<ContactEvent>& rows, size_t from, size_t to) {
  Exec(c, "BEGIN");
  Check(c, PQexec(c, absl::StrCat("COPY contact_events (", kColumns, ") FROM STDIN").c_str()),
        PGRES_COPY_IN, "copy");
  std::string buffer;
  TextRow row;
  for (size_t n = from; n < to; ++n) {
    row.Fill(rows[n]);
    for (int i = 0; i < kColumnCount; ++i) {
      if (i > 0) buffer += '\t';
      AppendCopyField(buffer, row.values[i]);
    }
    buffer += '\n';
    if (buffer.size() >= 64 * 1024 || n + 1 == to) {
      if (PQputCopyData(c, buffer.data(), static_cast<int>(buffer.size())) != 1) {
        Fail(c, "copy data");
      }
      buffer.clear();
    }
  }
  if (PQputCopyEnd(c, nullptr) != 1) Fail(c, "copy end");
  Check(c, PQgetResult(c), PGRES_COMMAND_OK, "copy");
  if (PGresult* extra = PQgetResult(c); extra != nullptr) {
    PQclear(extra);
    Fail(c, "copy: more than one result");
  }
  Exec(c, "COMMIT");
}

using StoreRows = void (*)(PGconn*, const std::vector<ContactEvent>&, size_t, size_t);

// The median time of a `SELECT 1` on `c`, in microseconds: one round trip and nothing else.
double SelectOneMicros(PGconn* c, int times) {
  std::vector<double> us;
  for (int i = 0; i < times; ++i) {
    const absl::Time t0 = absl::Now();
    Exec(c, "SELECT 1");
    us.push_back(absl::ToDoubleMicroseconds(absl::Now() - t0));
  }
  return Median(us);
}

// A raw libpq baseline: one connection, the INSERTs prepared before the clock starts, the rows
// stored by `store` in transactions of the import's size. With `round_trip_us`, a round trip on
// the same connection is timed first.
Rate RawLibpq(StoreRows store, const std::string& conninfo, const std::string& schema,
              const std::vector<ContactEvent>& rows, int per_commit, const StoreCpu& store_cpu,
              std::vector<double>* round_trip_us = nullptr) {
  Connection connection(conninfo, schema);
  PGconn* c = connection.c;
  Check(c, PQprepare(c, "bench_insert", InsertSql(1).c_str(), kColumnCount, nullptr),
        PGRES_COMMAND_OK, "prepare");
  Check(c,
        PQprepare(c, "bench_insert_many", InsertSql(kRowsPerStatement).c_str(),
                  kRowsPerStatement * kColumnCount, nullptr),
        PGRES_COMMAND_OK, "prepare");
  if (round_trip_us != nullptr) round_trip_us->push_back(SelectOneMicros(c, 1000));
  const double store0 = store_cpu();
  const double cpu0 = ClientCpuSeconds();
  const absl::Time t0 = absl::Now();
  for (size_t start = 0; start < rows.size(); start += per_commit) {
    store(c, rows, start, std::min(rows.size(), start + per_commit));
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - t0);
  Rate rate{rows.size() / secs, (ClientCpuSeconds() - cpu0) * 1e6 / rows.size(), 0};
  rate.store_us_per_event = (store_cpu() - store0) * 1e6 / rows.size();
  return rate;
}

// ---- readiness ----

// One server of a readiness comparison: its squad, and its store's CPU (PostgreSQL only).
struct BoardServer {
  ServerProcess server;
  Squad squad;
  StoreCpu store_cpu;
};

// A readiness row: the same measurement on both servers, round by round.
struct BoardRow {
  std::vector<LoadResult> pg, sqlite;
  std::vector<double> pg_store_us;  // PostgreSQL's CPU per call
};

// `measure` on both servers, `rounds` times: PostgreSQL first in even rounds, SQLite first in odd
// ones, so that neither always has the quieter moment.
template <typename Measure>
BoardRow Alternate(const BoardServer& pg, const BoardServer& sqlite, int rounds, Measure measure) {
  BoardRow row;
  for (int r = 0; r < rounds; ++r) {
    for (const bool on_pg : {r % 2 == 0, r % 2 != 0}) {
      if (!on_pg) {
        row.sqlite.push_back(measure(sqlite));
        continue;
      }
      const double store0 = pg.store_cpu();
      row.pg.push_back(measure(pg));
      const int64_t calls = std::max<int64_t>(1, row.pg.back().calls);
      row.pg_store_us.push_back((pg.store_cpu() - store0) * 1e6 / calls);
    }
  }
  return row;
}

void PrintBoardHeader(int rounds) {
  std::printf("\n%-38s %4s %8s %8s %5s %11s %7s %7s %5s %7s %7s %5s %6s %6s %6s\n",
              absl::StrCat("readiness, PostgreSQL/SQLite (", rounds, " rounds)").c_str(), "conc",
              "pg/s", "sqlite/s", "ratio", "min-max", "pg p50", "sq p50", "x", "pg p99", "sq p99",
              "x", "srv pg", "srv sq", "pg us");
}

void PrintBoardRow(const char* label, int conc, const BoardRow& row) {
  auto field = [](const std::vector<LoadResult>& v, double LoadResult::*f) {
    std::vector<double> out;
    for (const LoadResult& x : v) out.push_back(x.*f);
    return out;
  };
  auto ratios = [&](double LoadResult::*f) {
    std::vector<double> out;
    for (size_t r = 0; r < row.pg.size(); ++r) out.push_back(row.pg[r].*f / row.sqlite[r].*f);
    return out;
  };
  const std::vector<double> rate_ratio = ratios(&LoadResult::per_second);
  std::printf("%-38s %4d %8.0f %8.0f %5.2f %11s %7.2f %7.2f %5.2f %7.2f %7.2f %5.2f %6.0f %6.0f"
              " %6.0f\n",
              label, conc, Median(field(row.pg, &LoadResult::per_second)),
              Median(field(row.sqlite, &LoadResult::per_second)), Median(rate_ratio),
              Spread(rate_ratio).c_str(), Median(field(row.pg, &LoadResult::p50_ms)),
              Median(field(row.sqlite, &LoadResult::p50_ms)), Median(ratios(&LoadResult::p50_ms)),
              Median(field(row.pg, &LoadResult::p99_ms)),
              Median(field(row.sqlite, &LoadResult::p99_ms)), Median(ratios(&LoadResult::p99_ms)),
              Median(field(row.pg, &LoadResult::server_cpu_us)),
              Median(field(row.sqlite, &LoadResult::server_cpu_us)), Median(row.pg_store_us));
}

// One caller for `seconds`: a contact event about one player (each time the next), then the board,
// each timed on its own. The board is the first read after a write: SQLite's backend names the
// player that changed and the kept board has that row recomputed; PostgreSQL's does not know
// (PlayersChangedSince: nullopt), so the whole board is. CPU figures are per write-and-board pair.
std::pair<LoadResult, LoadResult> BoardAfterWrite(const BoardServer& s, double seconds) {
  const ReadinessCall read{s.server, s.squad.id};
  auto read_state = read.Prepare(0);
  auto write_state = WriteCall{s.server, 0}.Prepare(0);
  std::vector<double> write_ms, read_ms;
  const double server0 = s.server.CpuSeconds();
  const double client0 = ClientCpuSeconds();
  const absl::Time t0 = absl::Now();
  for (size_t i = 0; absl::Now() - t0 < absl::Seconds(seconds); ++i) {
    absl::Time start = absl::Now();
    WriteCall{s.server, s.squad.players[i % s.squad.players.size()]}.Once(write_state);
    write_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    start = absl::Now();
    read.Once(read_state);
    read_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - t0);
  const double server = s.server.CpuSeconds() - server0;
  const double client = ClientCpuSeconds() - client0;
  return {Summarize(std::move(write_ms), elapsed, server, client),
          Summarize(std::move(read_ms), elapsed, server, client)};
}

// A server on `store` with the readiness part's squad, seeded through the API as the readiness
// part seeds its own (50 players, five seasons of complaints, today's protocols, recent contacts).
BoardServer SeedBoard(const std::string& binary, const StoreLocation& store, int warm_events,
                      const StoreCpu& store_cpu, absl::Time now) {
  BoardServer b{ServerProcess::Start(binary, store), {}, store_cpu};
  b.squad = MakeSquad(*b.server.Channel(), "Bench XV", 50, now, b.server.token);
  IngestThroughGrpc(b.server, b.squad, warm_events, 500, now, "warm-");
  return b;
}

void RunReadiness(const PostgresPartOptions& o, const std::string& conninfo,
                  const StoreCpu& pg_cpu) {
  const StoreLocation pg_store =
      StoreLocation::Postgres(conninfo, "board", Rm(o.dir + "/pg_board"));
  const StoreLocation sqlite_store = StoreLocation::Sqlite(Rm(o.dir + "/pg_part_board.db"));
  const int warm = std::min(o.events, 5000);
  const int rounds = std::max(1, o.readiness_rounds);
  const double slice = o.seconds / rounds;
  BoardServer pg = SeedBoard(o.server_binary, pg_store, warm, pg_cpu, o.now);
  BoardServer sqlite = SeedBoard(o.server_binary, sqlite_store, warm, {}, o.now);
  auto board_rows = [&](const char* label) {
    for (const BoardServer* b : {&pg, &sqlite}) {
      Load(1, 0.2, ReadinessCall{b->server, b->squad.id});  // every reader connection warm
      Load(16, 0.2, ReadinessCall{b->server, b->squad.id});
    }
    for (const int conc : o.levels) {
      PrintBoardRow(label, conc, Alternate(pg, sqlite, rounds, [&](const BoardServer& b) {
                      return Load(conc, slice, ReadinessCall{b.server, b.squad.id}, &b.server);
                    }));
    }
  };
  PrintBoardHeader(rounds);
  board_rows("GetSquadReadiness, kept board");
  // After the read-only rows: the writes change what the board shows.
  BoardRow writes;
  const BoardRow after = Alternate(pg, sqlite, rounds, [&](const BoardServer& b) {
    auto [write, read] = BoardAfterWrite(b, slice);
    (&b == &pg ? writes.pg : writes.sqlite).push_back(write);
    return read;
  });
  writes.pg_store_us = after.pg_store_us;
  PrintBoardRow("CreateContactEvent (then the board)", 1, writes);
  PrintBoardRow("GetSquadReadiness right after it", 1, after);

  // Recomputed every call: what the first read after a write costs wherever the whole board is
  // recomputed (PostgreSQL after any write; SQLite after a roster change).
  for (BoardServer* b : {&pg, &sqlite}) b->server.Stop();
  pg.server = ServerProcess::Start(o.server_binary, pg_store, "--readiness_cache=false");
  sqlite.server = ServerProcess::Start(o.server_binary, sqlite_store, "--readiness_cache=false");
  board_rows("GetSquadReadiness, recomputed");
  for (BoardServer* b : {&pg, &sqlite}) b->server.Stop();
  Rm(o.dir + "/pg_board");
  Rm(o.dir + "/pg_part_board.db");
}

}  // namespace

std::unique_ptr<testing::PostgresServer> StartBenchPostgres() {
  absl::StatusOr<std::unique_ptr<testing::PostgresServer>> started =
      testing::PostgresServer::Start();
  if (!started.ok()) {
    std::fprintf(stderr, "error: PostgreSQL: %s\n", started.status().ToString().c_str());
    g_rpc_errors++;
    return nullptr;
  }
  return *std::move(started);
}

void RunPostgresPart(const PostgresPartOptions& o) {
  const std::unique_ptr<testing::PostgresServer> pg = StartBenchPostgres();
  if (pg == nullptr) return;
  const std::string conninfo = pg->ConnectionString();
  const pid_t postmaster = PostmasterPid(*pg);
  const StoreCpu pg_cpu = [postmaster] { return PostgresCpuSeconds(postmaster); };
  const int per_commit = touchline::service::ServiceOptions().import_batch_size;

  // The same squad on both stores, made through the API: the same player ids, so the same rows.
  const Template tmpl = MakeTemplate(o.server_binary, o.dir);
  constexpr char kSchema[] = "bench";
  const StoreLocation pg_store =
      StoreLocation::Postgres(conninfo, kSchema, Rm(o.dir + "/pg_ingest"));
  {
    ServerProcess server = ServerProcess::Start(o.server_binary, pg_store);
    if (SeedIngestSquad(server) != tmpl.players) {
      std::fprintf(stderr, "error: the PostgreSQL squad's player ids differ from SQLite's\n");
      g_rpc_errors++;
    }
    server.Stop();
  }
  const std::vector<ContactEvent> rows = IngestRows(tmpl.players, o.events, o.now);
  const std::vector<v1::ImportContactEventsRequest> messages = Messages(rows);
  const int count = static_cast<int>(rows.size());
  const std::string db = o.dir + "/pg_part_round.db";
  storage::DatabaseOptions pg_options;  // as the server's --store and --store_schema make them
  pg_options.postgres_schema = kSchema;
  pg_options.create_if_missing = false;
  if (absl::Status s = storage::ApplyStoreLocator("postgresql:" + conninfo, pg_options); !s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
    std::exit(1);
  }

  // Every PostgreSQL path starts from an empty table (ids from 1 again) just checkpointed, as every
  // SQLite path starts from a fresh copy of the template.
  Connection admin(conninfo, kSchema);
  auto fresh_table = [&] {
    Exec(admin.c, "TRUNCATE contact_events RESTART IDENTITY");
    Exec(admin.c, "CHECKPOINT");
  };
  std::vector<double> round_trip_us;
  std::vector<IngestPath> paths = {
      {"raw libpq, one INSERT a round trip",
       [&] {
         fresh_table();
         return RawLibpq(InsertEach, conninfo, kSchema, rows, per_commit, pg_cpu, &round_trip_us);
       }},
      {"raw libpq, 500-row INSERTs",
       [&] {
         fresh_table();
         return RawLibpq(InsertMultiRow, conninfo, kSchema, rows, per_commit, pg_cpu);
       }},
      {"raw libpq, pipeline mode",
       [&] {
         fresh_table();
         return RawLibpq(InsertPipelined, conninfo, kSchema, rows, per_commit, pg_cpu);
       }},
      {"raw libpq, COPY",
       [&] {
         fresh_table();
         return RawLibpq(Copy, conninfo, kSchema, rows, per_commit, pg_cpu);
       }},
      {"storage-only on PostgreSQL",
       [&] {
         fresh_table();
         return StorageOnly(pg_options, rows, per_commit, pg_cpu);
       }},
      {"ImportContactEvents on PostgreSQL",
       [&] {
         fresh_table();
         return GrpcImport(o.server_binary, pg_store, messages, count, pg_cpu);
       }},
      {"raw SQLite (sqlite3 C API)",
       [&] { return RawSqlite(CopyOf(tmpl, db), rows, per_commit, o.synchronous_full); }},
      {"storage-only on SQLite",
       [&] {
         return StorageOnly(SqliteStoreOptions(CopyOf(tmpl, db), o.synchronous_full), rows,
                            per_commit);
       }},
      {"ImportContactEvents on SQLite",
       [&] {
         return GrpcImport(o.server_binary, StoreLocation::Sqlite(CopyOf(tmpl, db)), messages,
                           count);
       }},
  };
  RunAlternating(paths, o.ingest_rounds);
  Rm(db);
  RemoveTemplate(tmpl);
  Rm(o.dir + "/pg_ingest");

  std::printf("\npostgres: PostgreSQL 15 (fsync on, synchronous_commit on) on loopback beside "
              "SQLite (synchronous=%s)\n",
              o.synchronous_full ? "full" : "normal");
  std::printf("ingest: %d events (50 players, oldest first, sequential keys), %d per commit, "
              "%d rounds alternating; store us/ev: PostgreSQL's own CPU\n",
              count, per_commit, o.ingest_rounds);
  PrintRates(paths);
  PrintRatioHeader();
  const IngestPath& each = paths[0];
  const IngestPath& many = paths[1];
  const IngestPath& pipelined = paths[2];
  const IngestPath& copy = paths[3];
  const IngestPath& storage_pg = paths[4];
  const IngestPath& grpc_pg = paths[5];
  const IngestPath& storage_sqlite = paths[7];
  const IngestPath& grpc_sqlite = paths[8];
  PrintRatio("storage on PG / raw one a round trip", storage_pg, each);
  PrintRatio("storage on PG / raw pipeline", storage_pg, pipelined);
  PrintRatio("raw pipeline / raw one a round trip", pipelined, each);
  PrintRatio("raw 500-row INSERTs / raw pipeline", many, pipelined);
  PrintRatio("raw COPY / raw pipeline", copy, pipelined);
  PrintRatio("gRPC on PG / storage on PG", grpc_pg, storage_pg);
  PrintRatio("storage on PG / storage on SQLite", storage_pg, storage_sqlite);
  PrintRatio("gRPC on PG / gRPC on SQLite", grpc_pg, grpc_sqlite);
  auto us_per_row = [](const IngestPath& p) {
    std::vector<double> v;
    for (const Rate& r : p.rounds) v.push_back(r.per_second);
    return 1e6 / Median(v);
  };
  std::printf("round trip (SELECT 1 on the raw connection): %.1f us median (rounds %s); per row: "
              "one a round trip %.1f us, storage on PG %.1f us, gRPC on PG %.1f us, 500-row "
              "INSERTs %.1f us, pipeline %.1f us, COPY %.1f us\n",
              Median(round_trip_us), Spread(round_trip_us, 1).c_str(), us_per_row(each),
              us_per_row(storage_pg), us_per_row(grpc_pg), us_per_row(many), us_per_row(pipelined),
              us_per_row(copy));

  RunReadiness(o, conninfo, pg_cpu);
}

}  // namespace touchline::bench
