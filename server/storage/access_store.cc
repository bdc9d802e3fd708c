#include "server/storage/access_store.h"

#include "server/storage/database.h"

#include "SQLiteCpp/Statement.h"

namespace touchline::storage {

absl::Status InsertToken(SQLite::Database& db, const std::string& sha256_hex,
                         const std::string& user, int role, absl::Time now) {
  SQLite::Statement insert(db,
                           "INSERT INTO access_tokens (token_sha256, user_name, role, created_at) "
                           "VALUES (?, ?, ?, ?)");
  insert.bind(1, sha256_hex);
  insert.bind(2, user);
  insert.bind(3, role);
  insert.bind(4, static_cast<int64_t>(absl::ToUnixMicros(now)));
  insert.exec();
  return absl::OkStatus();
}

std::optional<TokenRecord> FindActiveToken(SQLite::Database& db, const std::string& sha256_hex) {
  CachedStatement query(db,
                        "SELECT user_name, role FROM access_tokens "
                        "WHERE token_sha256 = ? AND revoked_at IS NULL");
  query->bind(1, sha256_hex);
  if (!query->executeStep()) return std::nullopt;
  return TokenRecord{query->getColumn(0).getString(), query->getColumn(1).getInt()};
}

int64_t CountActiveTokens(SQLite::Database& db) {
  return db.execAndGet("SELECT COUNT(*) FROM access_tokens WHERE revoked_at IS NULL").getInt64();
}

std::pair<int64_t, int64_t> TokenTableStamp(SQLite::Database& db) {
  CachedStatement query(db, "SELECT COUNT(*), COUNT(revoked_at) FROM access_tokens");
  query->executeStep();
  return {query->getColumn(0).getInt64(), query->getColumn(1).getInt64()};
}

int RevokeTokensOfUser(SQLite::Database& db, const std::string& user, absl::Time now) {
  SQLite::Statement update(db,
                           "UPDATE access_tokens SET revoked_at = ? "
                           "WHERE user_name = ? AND revoked_at IS NULL");
  update.bind(1, static_cast<int64_t>(absl::ToUnixMicros(now)));
  update.bind(2, user);
  return update.exec();
}

}  // namespace touchline::storage
