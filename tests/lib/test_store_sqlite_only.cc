// test_store.h for a build without the PostgreSQL backend: every suite runs on SQLite.
#include "tests/lib/test_store.h"

namespace touchline::testing {

bool OnPostgres() { return false; }
storage::DatabaseOptions TestStoreOptions(const std::string& path) {
  storage::DatabaseOptions options;
  options.path = path;
  return options;
}
void RemoveTestStore(const std::string&) {}
std::string TestPostgresConnectionString() { return ""; }

}  // namespace touchline::testing
