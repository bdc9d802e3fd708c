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

Database::Database(DatabaseOptions options, std::unique_ptr<DatabaseBackend> backend)
    : options_(std::move(options)), backend_(std::move(backend)) {}

Database::~Database() = default;

}  // namespace touchline::storage
