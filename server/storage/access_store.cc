#include "server/storage/access_store.h"

#include "server/storage/database.h"
#include "server/storage/row_binding.h"


namespace touchline::storage {

absl::Status InsertToken(Transaction& db, const std::string& sha256_hex,
                         const std::string& user, int role, absl::Time now) {
  Statement insert = db.Prepare("INSERT INTO access_tokens (token_sha256, user_name, role, created_at) "
                           "VALUES (?, ?, ?, ?)");
  insert.Bind(1, sha256_hex);
  insert.Bind(2, user);
  insert.Bind(3, role);
  insert.Bind(4, static_cast<int64_t>(absl::ToUnixMicros(now)));
  insert.Execute();
  return absl::OkStatus();
}

std::optional<TokenRecord> FindActiveToken(Transaction& db, const std::string& sha256_hex) {
  Statement query = db.PrepareCached("SELECT user_name, role FROM access_tokens "
                        "WHERE token_sha256 = ? AND revoked_at IS NULL");
  query.Bind(1, sha256_hex);
  if (!query.Step()) return std::nullopt;
  return TokenRecord{query.ColumnText(0), query.ColumnInt32(1)};
}

int64_t CountActiveTokens(Transaction& db) {
  return QueryInt(db, "SELECT COUNT(*) FROM access_tokens WHERE revoked_at IS NULL");
}

std::pair<int64_t, int64_t> TokenTableStamp(Transaction& db) {
  Statement query = db.PrepareCached("SELECT COUNT(*), COUNT(revoked_at) FROM access_tokens");
  query.Step();
  return {query.ColumnInt(0), query.ColumnInt(1)};
}

int RevokeTokensOfUser(Transaction& db, const std::string& user, absl::Time now) {
  Statement update = db.Prepare("UPDATE access_tokens SET revoked_at = ? "
                           "WHERE user_name = ? AND revoked_at IS NULL");
  update.Bind(1, static_cast<int64_t>(absl::ToUnixMicros(now)));
  update.Bind(2, user);
  return update.Execute();
}

}  // namespace touchline::storage
