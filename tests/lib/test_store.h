// Which backend the storage, service and API suites run on (issue 21): SQLite, unless the
// environment says TOUCHLINE_TEST_STORE=postgresql, as ctest does for the suites' second
// registration (label `postgresql`). There every test gets schemas of its own on one PostgreSQL
// server: the one ctest's fixture started (its connection string in build/tests/lib/postgres.conninfo,
// or the file TOUCHLINE_TEST_POSTGRES_FILE names), or else one this process starts for itself.
#pragma once

#include <string>

#include "server/storage/database.h"

namespace touchline::testing {

bool OnPostgres();

// The options of a fresh store for a test, named by `path`: SQLite, that file; PostgreSQL, a
// schema named after it (and its audit log's beside it), on the shared test server.
storage::DatabaseOptions TestStoreOptions(const std::string& path);

// Removes the store `path` names: PostgreSQL, drops its schemas (SQLite files are the caller's).
void RemoveTestStore(const std::string& path);

// The test server's connection string (PostgreSQL only; starts the server if this process owns it).
std::string TestPostgresConnectionString();

}  // namespace touchline::testing

// First line of a test that holds only for SQLite (WAL, file faults, a file's backup, PRAGMAs):
// skipped on PostgreSQL, where its counterpart is a test of its own.
#define TOUCHLINE_SQLITE_ONLY(why)                                          \
  do {                                                                      \
    if (::touchline::testing::OnPostgres()) GTEST_SKIP() << "SQLite only: " << why; \
  } while (0)
