#include "server/storage/database.h"

#include <utility>

#include "server/storage/migrations.h"
#include "server/storage/sqlite/sqlite_database.h"

namespace touchline::storage {

int Database::LatestSchemaVersion() { return LatestMigrationVersion(); }

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  absl::StatusOr<std::unique_ptr<SqliteDatabase>> backend = SqliteDatabase::Open(options);
  if (!backend.ok()) return backend.status();
  return std::make_unique<Database>(options, *std::move(backend));
}

Database::Database(DatabaseOptions options, std::unique_ptr<DatabaseBackend> backend)
    : options_(std::move(options)), backend_(std::move(backend)) {}

Database::~Database() = default;

}  // namespace touchline::storage
