#include "tests/lib/test_store.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/storage/postgres/postgres_database.h"
#include "tests/lib/postgres_server.h"

namespace touchline::testing {
namespace {

// The fixture's server, if its file names one that answers (a file left by an interrupted run
// names a server that is gone).
std::string ConnectionStringOfFixture() {
  const char* env = std::getenv("TOUCHLINE_TEST_POSTGRES_FILE");
  const std::string file = env != nullptr && *env != '\0' ? env : TOUCHLINE_TEST_POSTGRES_FILE;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string conninfo = text.str();
  absl::StripTrailingAsciiWhitespace(&conninfo);
  if (conninfo.empty()) return "";
  PGconn* c = PQconnectdb(conninfo.c_str());
  const bool answers = PQstatus(c) == CONNECTION_OK;
  PQfinish(c);
  return answers ? conninfo : "";
}

// A schema name for `path`: "t" and a hash of it, so it is valid and the same each time.
std::string SchemaFor(const std::string& path) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : path) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return absl::StrFormat("t%016x", hash);
}

}  // namespace

bool OnPostgres() {
  static const bool on = [] {
    const char* store = std::getenv("TOUCHLINE_TEST_STORE");
    return store != nullptr && std::string_view(store) == "postgresql";
  }();
  return on;
}

std::string TestPostgresConnectionString() {
  static std::mutex mutex;
  static std::unique_ptr<PostgresServer> own;
  static std::string conninfo;
  std::lock_guard lock(mutex);
  if (!conninfo.empty()) return conninfo;
  conninfo = ConnectionStringOfFixture();
  if (!conninfo.empty()) return conninfo;
  // No fixture (a suite run by hand): a server of this process, gone when it exits. Durability
  // is the concern of the tests that start their own; these need speed.
  PostgresServerOptions options;
  options.fsync = false;
  auto started = PostgresServer::Start(options);
  if (!started.ok()) {
    std::fprintf(stderr, "cannot start the test PostgreSQL: %s\n",
                 started.status().ToString().c_str());
    std::abort();
  }
  own = *std::move(started);
  conninfo = own->ConnectionString();
  return conninfo;
}

storage::DatabaseOptions TestStoreOptions(const std::string& path) {
  storage::DatabaseOptions options;
  options.path = path;
  if (OnPostgres()) {
    options.postgres = TestPostgresConnectionString();
    options.postgres_schema = SchemaFor(path);
  }
  return options;
}

void RemoveTestStore(const std::string& path) {
  if (!OnPostgres()) return;
  PGconn* c = PQconnectdb(TestPostgresConnectionString().c_str());
  if (PQstatus(c) == CONNECTION_OK) {
    const std::string schema = SchemaFor(path);
    PQclear(PQexec(c, absl::StrCat("SET client_min_messages TO warning; DROP SCHEMA IF EXISTS ",
                                   schema, " CASCADE; DROP SCHEMA IF EXISTS ", schema,
                                   "_audit CASCADE")
                          .c_str()));
  }
  PQfinish(c);
}

}  // namespace touchline::testing
