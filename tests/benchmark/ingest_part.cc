// The ingest part of touchline_bench (see ingest_part.h). Every round stores the same rows on a
// fresh copy of one template database (squad and players created by a real touchline-server), in
// an order that alternates between rounds, so that drift of the shared machine lands on every
// path; the ratios are taken within each round and printed as median and min-max over rounds.
#include "tests/benchmark/ingest_part.h"

#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "server/service/proto_mapping.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "server/storage/record_store.h"
#include "tests/benchmark/bench_calls.h"
#include "tests/benchmark/bench_support.h"
#include "touchline/v1/contact_event.grpc.pb.h"

namespace touchline::bench {

namespace v1 = touchline::v1;
using touchline::domain::ContactEvent;

namespace {

// Rows [from, to) as events of `m`, as a client that holds them converts them.
void AddEvents(const std::vector<ContactEvent>& rows, size_t from, size_t to,
               v1::ImportContactEventsRequest* m) {
  for (size_t k = from; k < to; ++k) {
    const ContactEvent& e = rows[k];
    v1::ContactEvent* out = m->add_contact_events();
    out->set_player_id(e.player_id);
    out->set_kind(static_cast<v1::ContactKind>(e.kind));
    touchline::service::ToProto(e.occurred_at, out->mutable_occur_time());
    out->set_awkward(e.awkward);
    out->set_source(v1::CONTACT_SOURCE_WEARABLE);
    out->set_session_label(e.session_label);
    out->set_idempotency_key(e.idempotency_key);
  }
}

// The same rows as `touchline events import` reads them (with a header row); without keys, the
// CLI derives each row's key from its content.
void WriteCsv(const std::string& path, const std::vector<ContactEvent>& rows, bool keys) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << "player_id,kind,occurred_at,awkward,source,session_label,idempotency_key\n";
  for (const ContactEvent& e : rows) {
    out << e.player_id << ',' << v1::ContactKind_Name(static_cast<v1::ContactKind>(e.kind)) << ','
        << absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", e.occurred_at, absl::UTCTimeZone()) << ','
        << (e.awkward ? "true" : "false") << ",CONTACT_SOURCE_WEARABLE," << e.session_label << ','
        << (keys ? e.idempotency_key : "") << '\n';
  }
}

const char* const kFileSuffixes[] = {"", "-wal", ".audit", ".audit-wal", ".token",
                                     ".pseudonym-key"};

void CheckSqlite(int rc, sqlite3* db, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  std::fprintf(stderr, "error: raw SQLite %s: %s\n", what, sqlite3_errmsg(db));
  std::exit(1);
}

// A server on `store`, connected (a health check on the import's own channel) before the clock
// starts.
ServerProcess ConnectedServer(const std::string& binary, const StoreLocation& store,
                              std::shared_ptr<grpc::Channel>* channel) {
  ServerProcess server = ServerProcess::Start(binary, store);
  *channel = server.Channel(100);
  auto health = grpc::health::v1::Health::NewStub(*channel);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  CountError(health->Check(&ctx, req, &resp), "Health.Check");
  return server;
}

// ImportContactEvents as a client program with the rows in memory does it: each message built from
// the rows as it is sent (one request reused, as the CLI does), from opening the stream to its
// status. The baseline the CLI's CSV import is held to: both turn rows into messages while the
// server stores the previous ones.
Rate GrpcImportBuilt(const std::string& binary, const std::string& path,
                     const std::vector<ContactEvent>& rows) {
  std::shared_ptr<grpc::Channel> channel;
  ServerProcess server = ConnectedServer(binary, StoreLocation::Sqlite(path), &channel);
  auto stub = v1::ContactEventService::NewStub(channel);
  const int count = static_cast<int>(rows.size());
  v1::ImportContactEventsResponse resp;
  auto ctx = Ctx(server.token);
  const double cpu0 = server.CpuSeconds();
  const double client0 = ClientCpuSeconds();
  const absl::Time t0 = absl::Now();
  auto writer = stub->ImportContactEvents(ctx.get(), &resp);
  v1::ImportContactEventsRequest m;
  for (size_t i = 0; i < rows.size(); i += kEventsPerMessage) {
    m.Clear();
    AddEvents(rows, i, std::min(rows.size(), i + kEventsPerMessage), &m);
    if (!writer->Write(m)) break;
  }
  writer->WritesDone();
  CountError(writer->Finish(), "ImportContactEvents");
  const double secs = absl::ToDoubleSeconds(absl::Now() - t0);
  const double cpu = server.CpuSeconds() - cpu0;
  const double client = ClientCpuSeconds() - client0;
  if (resp.stored_count() != count) {
    std::fprintf(stderr, "error: ImportContactEvents stored %lld of %d events\n",
                 static_cast<long long>(resp.stored_count()), count);
    g_rpc_errors++;
  }
  stub.reset();
  channel.reset();
  server.Stop();
  return {count / secs, cpu * 1e6 / count, client * 1e6 / count};
}

// `touchline events import --file=CSV` as a user runs it: the whole process (reading and parsing
// the file, deriving keys, the stream, the answer), from exec to exit. Its output must say that
// every row was stored.
Rate CliImport(const std::string& binary, const std::string& cli, const std::string& path,
               const std::string& csv, int count) {
  std::shared_ptr<grpc::Channel> channel;
  ServerProcess server = ConnectedServer(binary, StoreLocation::Sqlite(path), &channel);
  const std::string out_path = path + ".cli-out";
  channel.reset();  // connected once to know the server answers; the CLI opens its own
  std::fflush(nullptr);  // the child must not write this process's buffered output again
  const double cpu0 = server.CpuSeconds();
  const absl::Time t0 = absl::Now();
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::freopen(out_path.c_str(), "w", stdout);
    if (out == nullptr) _exit(126);
    dup2(fileno(stdout), 2);
    std::string server_flag = absl::StrCat("--server=127.0.0.1:", server.port);
    std::string token_flag = absl::StrCat("--token=", server.token);
    std::string file_flag = absl::StrCat("--file=", csv);
    std::vector<char*> argv = {const_cast<char*>(cli.c_str()), server_flag.data(),
                               token_flag.data(), const_cast<char*>("events"),
                               const_cast<char*>("import"), file_flag.data(), nullptr};
    execv(cli.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  rusage child{};
  wait4(pid, &status, 0, &child);
  const double secs = absl::ToDoubleSeconds(absl::Now() - t0);
  const double cpu = server.CpuSeconds() - cpu0;
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  const double cli_cpu = seconds(child.ru_utime) + seconds(child.ru_stime);
  std::ifstream in(out_path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string expected = absl::StrCat("received ", count, ", stored ", count, ",");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      text.str().find(expected) == std::string::npos) {
    std::fprintf(stderr, "error: touchline events import --file=%s (exit %d): %.300s\n",
                 csv.c_str(), WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str().c_str());
    g_rpc_errors++;
  }
  std::remove(out_path.c_str());
  server.Stop();
  return {count / secs, cpu * 1e6 / count, cli_cpu * 1e6 / count};
}

}  // namespace

std::vector<ContactEvent> IngestRows(const std::vector<int64_t>& players, int count,
                                     absl::Time now) {
  const absl::Time last = absl::FromUnixSeconds(absl::ToUnixSeconds(now));  // whole seconds: CSV
  std::vector<ContactEvent> rows(count);
  for (int i = 0; i < count; ++i) {
    ContactEvent& e = rows[i];
    e.player_id = players[i % players.size()];
    e.kind = static_cast<touchline::domain::ContactKind>(1 + i % 10);
    e.occurred_at = last - absl::Seconds(static_cast<int64_t>(count - i) * 233);
    e.awkward = i % 97 == 0;
    e.source = touchline::domain::ContactSource::kWearable;
    e.session_label = "match";
    e.idempotency_key = absl::StrFormat("ev-%08d", i);
    e.recorded_at = now;
    e.recorded_by = "bench";
  }
  return rows;
}

std::vector<v1::ImportContactEventsRequest> Messages(const std::vector<ContactEvent>& rows) {
  std::vector<v1::ImportContactEventsRequest> messages;
  for (size_t i = 0; i < rows.size(); i += kEventsPerMessage) {
    messages.emplace_back();
    AddEvents(rows, i, std::min(rows.size(), i + kEventsPerMessage), &messages.back());
  }
  return messages;
}

std::vector<int64_t> SeedIngestSquad(const ServerProcess& server) {
  auto channel = server.Channel();
  const int64_t squad = CreateSquad(*channel, "Ingest XV", server.token);
  return CreatePlayers(*channel, squad, 50, server.token);
}

Template MakeTemplate(const std::string& binary, const std::string& dir) {
  Template t;
  t.path = Rm(dir + "/ingest_template.db");
  ServerProcess server = ServerProcess::Start(binary, t.path);
  t.players = SeedIngestSquad(server);
  server.Stop();
  return t;
}

std::string CopyOf(const Template& t, const std::string& to) {
  Rm(to);
  for (const char* s : kFileSuffixes) {
    std::error_code ignored;
    if (std::filesystem::exists(t.path + s)) {
      std::filesystem::copy_file(t.path + s, to + s, ignored);
    }
  }
  return to;
}

void RemoveTemplate(const Template& t) {
  for (const char* s : kFileSuffixes) std::remove((t.path + s).c_str());
}

// The baseline: the sqlite3 C API alone, on a copy of the server's own file (its CREATE TABLE and
// CREATE INDEX statements, its players for the foreign key), the connection set up as the
// server's writer is (WAL, the same synchronous, foreign_keys on, the same page cache), one
// prepared INSERT, the same rows, committed in transactions of the import's size. SQLite's own
// automatic checkpoint (1000 pages) runs on this connection; the server checkpoints on a thread
// of its own.
Rate RawSqlite(const std::string& path, const std::vector<ContactEvent>& rows, int per_commit,
               bool synchronous_full) {
  sqlite3* db = nullptr;
  CheckSqlite(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), db, "open");
  const std::string setup = absl::StrCat(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = ", synchronous_full ? "FULL" : "NORMAL",
      "; PRAGMA foreign_keys = ON; PRAGMA cache_size = -",
      touchline::storage::DatabaseOptions().writer_cache_kib, ";");
  CheckSqlite(sqlite3_exec(db, setup.c_str(), nullptr, nullptr, nullptr), db, "pragmas");
  sqlite3_stmt* insert = nullptr;
  CheckSqlite(sqlite3_prepare_v2(db,
                                 "INSERT INTO contact_events (player_id, kind, occurred_at, "
                                 "session_label, awkward, source, note, idempotency_key, "
                                 "recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 -1, &insert, nullptr),
              db, "prepare");
  const double cpu0 = ClientCpuSeconds();
  const absl::Time t0 = absl::Now();
  for (size_t start = 0; start < rows.size(); start += per_commit) {
    CheckSqlite(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
    for (size_t n = start; n < std::min(rows.size(), start + per_commit); ++n) {
      const ContactEvent& e = rows[n];
      sqlite3_bind_int64(insert, 1, e.player_id);
      sqlite3_bind_int(insert, 2, static_cast<int>(e.kind));
      sqlite3_bind_int64(insert, 3, absl::ToUnixMicros(e.occurred_at));
      sqlite3_bind_text(insert, 4, e.session_label.data(), e.session_label.size(), SQLITE_STATIC);
      sqlite3_bind_int(insert, 5, e.awkward ? 1 : 0);
      sqlite3_bind_int(insert, 6, static_cast<int>(e.source));
      sqlite3_bind_text(insert, 7, e.note.data(), e.note.size(), SQLITE_STATIC);
      sqlite3_bind_text(insert, 8, e.idempotency_key.data(), e.idempotency_key.size(),
                        SQLITE_STATIC);
      sqlite3_bind_int64(insert, 9, absl::ToUnixMicros(e.recorded_at));
      sqlite3_bind_text(insert, 10, e.recorded_by.data(), e.recorded_by.size(), SQLITE_STATIC);
      CheckSqlite(sqlite3_step(insert), db, "insert");
      sqlite3_reset(insert);
    }
    CheckSqlite(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - t0);
  const double cpu = ClientCpuSeconds() - cpu0;
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return {rows.size() / secs, cpu * 1e6 / rows.size(), 0};
}

storage::DatabaseOptions SqliteStoreOptions(const std::string& path, bool synchronous_full) {
  storage::DatabaseOptions o;
  o.path = path;
  o.synchronous_full = synchronous_full;
  o.create_if_missing = false;
  return o;
}

// Database brings its own setup (SQLite: its pragmas, its background checkpoints; PostgreSQL: the
// club's advisory lock at BEGIN, prepared statements).
Rate StorageOnly(const storage::DatabaseOptions& options, const std::vector<ContactEvent>& rows,
                 int per_commit, const StoreCpu& store_cpu) {
  auto db = touchline::storage::Database::Open(options);
  if (!db.ok()) {
    std::fprintf(stderr, "error: %s\n", db.status().ToString().c_str());
    std::exit(1);
  }
  const double store0 = store_cpu ? store_cpu() : 0;
  const double cpu0 = ClientCpuSeconds();
  const absl::Time t0 = absl::Now();
  for (size_t start = 0; start < rows.size(); start += per_commit) {
    absl::Status st = (*db)->Write([&](storage::Transaction& c) {
      touchline::storage::ContactEventInserter ins(c);
      for (size_t n = start; n < std::min(rows.size(), start + per_commit); ++n) {
        if (!ins.InsertIfNew(rows[n])) return absl::InternalError("a row was not stored");
      }
      return absl::OkStatus();
    });
    if (!st.ok()) {
      std::fprintf(stderr, "error: storage-only: %s\n", st.ToString().c_str());
      g_rpc_errors++;
    }
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - t0);
  Rate rate{rows.size() / secs, (ClientCpuSeconds() - cpu0) * 1e6 / rows.size(), 0};
  if (store_cpu) rate.store_us_per_event = (store_cpu() - store0) * 1e6 / rows.size();
  return rate;
}

// What the import costs the server, not what a client costs: the CLI's rows must be read, and a
// client's rows converted, before they can be sent (GrpcImportBuilt).
Rate GrpcImport(const std::string& binary, const StoreLocation& store,
                const std::vector<v1::ImportContactEventsRequest>& messages, int count,
                const StoreCpu& store_cpu) {
  std::shared_ptr<grpc::Channel> channel;
  ServerProcess server = ConnectedServer(binary, store, &channel);
  auto stub = v1::ContactEventService::NewStub(channel);
  const double store0 = store_cpu ? store_cpu() : 0;
  const double client0 = ClientCpuSeconds();
  const auto [per_second, server_us] = TimedImport(server, *stub, messages, count, server.token);
  const double client_us = (ClientCpuSeconds() - client0) * 1e6 / count;
  Rate rate{per_second, server_us, client_us};
  if (store_cpu) rate.store_us_per_event = (store_cpu() - store0) * 1e6 / count;
  stub.reset();
  channel.reset();  // the server's graceful stop would wait for an open connection
  server.Stop();
  return rate;
}

void RunAlternating(std::vector<IngestPath>& paths, int rounds) {
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < paths.size(); ++i) {
      IngestPath& p = paths[r % 2 == 0 ? i : paths.size() - 1 - i];
      p.rounds.push_back(p.run());
    }
  }
}

namespace {

std::vector<double> Field(const IngestPath& p, double Rate::*f) {
  std::vector<double> v;
  for (const Rate& r : p.rounds) v.push_back(r.*f);
  return v;
}

// A CPU column's cell: blank for a path that does not have it.
std::string CpuCell(const IngestPath& p, double Rate::*f) {
  const std::vector<double> v = Field(p, f);
  return Median(v) > 0 ? absl::StrFormat("%.2f", Median(v)) : "";
}

}  // namespace

void PrintRates(const std::vector<IngestPath>& paths) {
  bool store = false;
  for (const IngestPath& p : paths) store = store || !CpuCell(p, &Rate::store_us_per_event).empty();
  std::printf("%-40s %10s %17s %10s %12s%s\n", "path (per round: median, min-max)", "events/s",
              "min-max", "srv us/ev", "client us/ev", store ? "  store us/ev" : "");
  for (const IngestPath& p : paths) {
    const auto rate = Field(p, &Rate::per_second);
    std::printf("%-40s %10.0f %17s %10.2f %12s", p.label, Median(rate), Spread(rate, 0).c_str(),
                Median(Field(p, &Rate::server_us_per_event)),
                CpuCell(p, &Rate::client_us_per_event).c_str());
    if (store) std::printf(" %12s", CpuCell(p, &Rate::store_us_per_event).c_str());
    std::printf("\n");
  }
}

void PrintRatioHeader() {
  std::printf("%-40s %10s %17s  %s\n", "ratio of rates (per round)", "median", "min-max",
              "[each round]");
}

// Ratios of rates within each round (both measured seconds apart), then over rounds.
void PrintRatio(const char* label, const IngestPath& a, const IngestPath& b) {
  std::vector<double> v;
  for (size_t r = 0; r < a.rounds.size(); ++r) {
    v.push_back(a.rounds[r].per_second / b.rounds[r].per_second);
  }
  std::printf("%-40s %10.2f %17s  [", label, Median(v), Spread(v).c_str());
  for (double x : v) std::printf(" %.2f", x);  // every round's, in order: one outlier or many
  std::printf(" ]\n");
}

void RunIngestPart(const IngestPartOptions& o) {
  const int per_commit = touchline::service::ServiceOptions().import_batch_size;
  const Template tmpl = MakeTemplate(o.server_binary, o.dir);
  const std::vector<ContactEvent> rows = IngestRows(tmpl.players, o.events, o.now);
  const std::vector<v1::ImportContactEventsRequest> messages = Messages(rows);
  const std::string keyed_csv = o.dir + "/ingest_keyed.csv";
  const std::string keyless_csv = o.dir + "/ingest_keyless.csv";
  const bool csv = !o.cli_binary.empty();
  if (csv) {
    WriteCsv(keyed_csv, rows, true);
    WriteCsv(keyless_csv, rows, false);
  }
  const int count = static_cast<int>(rows.size());
  const std::string db = o.dir + "/ingest_round.db";

  std::vector<IngestPath> paths = {
      {"raw SQLite (sqlite3 C API)",
       [&] { return RawSqlite(CopyOf(tmpl, db), rows, per_commit, o.synchronous_full); }},
      {"storage-only (ContactEventInserter)",
       [&] {
         return StorageOnly(SqliteStoreOptions(CopyOf(tmpl, db), o.synchronous_full), rows,
                            per_commit);
       }},
      {"ImportContactEvents (gRPC, 500/msg)",
       [&] {
         return GrpcImport(o.server_binary, StoreLocation::Sqlite(CopyOf(tmpl, db)), messages,
                           count);
       }},
      {"gRPC import, messages built as sent",
       [&] { return GrpcImportBuilt(o.server_binary, CopyOf(tmpl, db), rows); }},
  };
  if (csv) {
    paths.push_back({"CLI events import, CSV with keys", [&] {
                       return CliImport(o.server_binary, o.cli_binary, CopyOf(tmpl, db),
                                        keyed_csv, count);
                     }});
    paths.push_back({"CLI events import, CSV without keys", [&] {
                       return CliImport(o.server_binary, o.cli_binary, CopyOf(tmpl, db),
                                        keyless_csv, count);
                     }});
  }
  RunAlternating(paths, o.rounds);
  Rm(db);

  std::printf("\ningest: %d events (50 players, oldest first, sequential keys), %d per commit, "
              "synchronous=%s, %d rounds alternating\n",
              count, per_commit, o.synchronous_full ? "full" : "normal", o.rounds);
  PrintRates(paths);
  PrintRatioHeader();
  PrintRatio("gRPC import / raw SQLite", paths[2], paths[0]);
  PrintRatio("gRPC import / storage-only", paths[2], paths[1]);
  PrintRatio("storage-only / raw SQLite", paths[1], paths[0]);
  PrintRatio("gRPC built as sent / built before", paths[3], paths[2]);
  if (csv) {
    PrintRatio("CSV with keys / gRPC built as sent", paths[4], paths[3]);
    PrintRatio("CSV with keys / gRPC built before", paths[4], paths[2]);
    PrintRatio("CSV without keys / gRPC built as sent", paths[5], paths[3]);
    PrintRatio("CSV without keys / CSV with keys", paths[5], paths[4]);
  }
  RemoveTemplate(tmpl);
  std::remove(keyed_csv.c_str());
  std::remove(keyless_csv.c_str());
}

}  // namespace touchline::bench
