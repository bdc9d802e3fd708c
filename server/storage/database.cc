#include "server/storage/database.h"

#include <utility>

#include "absl/strings/str_cat.h"

#include "server/storage/migrations.h"
#include "server/storage/sqlite/sqlite_database.h"
#if TOUCHLINE_WITH_POSTGRES
#include "server/storage/postgres/postgres_database.h"
#endif

namespace touchline::storage {

int Database::LatestSchemaVersion() { return LatestMigrationVersion(); }

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  if (!options.postgres.empty()) {
#if TOUCHLINE_WITH_POSTGRES
    absl::StatusOr<std::unique_ptr<PostgresDatabase>> backend = PostgresDatabase::Open(options);
    if (!backend.ok()) return backend.status();
    DatabaseOptions shown = options;
    shown.path = absl::StrCat("PostgreSQL schema ", (*backend)->schema());
    return std::make_unique<Database>(std::move(shown), *std::move(backend));
#else
    return absl::FailedPreconditionError(
        "this build has no PostgreSQL backend (it was built without libpq-dev)");
#endif
  }
  absl::StatusOr<std::unique_ptr<SqliteDatabase>> backend = SqliteDatabase::Open(options);
  if (!backend.ok()) return backend.status();
  return std::make_unique<Database>(options, *std::move(backend));
}

absl::Status ApplyStoreLocator(const std::string& store, DatabaseOptions& options) {
  if (store.rfind("sqlite:", 0) == 0) {
    options.path = store.substr(7);
    options.postgres.clear();
    if (options.path.empty()) return absl::InvalidArgumentError("--store=sqlite: names no file");
    return absl::OkStatus();
  }
  std::string conninfo;
  if (store.rfind("postgresql://", 0) == 0 || store.rfind("postgres://", 0) == 0) {
    conninfo = store;  // a URI, as libpq takes it
  } else if (store.rfind("postgresql:", 0) == 0) {
    conninfo = store.substr(11);  // keyword=value pairs
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--store=", store.substr(0, 40),
        ": expected sqlite:PATH, postgresql://... (a libpq URI) or postgresql:KEY=VALUE ..."));
  }
#if TOUCHLINE_WITH_POSTGRES
  if (absl::Status s = CheckNoPasswordInConnectionString(conninfo); !s.ok()) return s;
  if (absl::Status s = CheckPostgresSchemaName(options.postgres_schema); !s.ok()) return s;
  options.postgres = conninfo;
  options.path = options.postgres_schema;
  return absl::OkStatus();
#else
  return absl::InvalidArgumentError(
      "this build has no PostgreSQL backend (it was built without libpq-dev)");
#endif
}

Database::Database(DatabaseOptions options, std::unique_ptr<DatabaseBackend> backend)
    : options_(std::move(options)), backend_(std::move(backend)) {}

Database::~Database() = default;

}  // namespace touchline::storage
