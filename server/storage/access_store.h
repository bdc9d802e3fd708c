// Bearer-token hashes and the append-only audit log (issue 5). Like record_store.h, every function
// runs on a connection handed out by Database::Write or Database::Read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace touchline::storage {

// ---- tokens: only the SHA-256 of a token is ever stored ----
struct TokenRecord {
  std::string user;
  int role = 0;  // touchline.v1.Role
};

absl::Status InsertToken(SQLite::Database& db, const std::string& sha256_hex,
                         const std::string& user, int role, absl::Time now);
// The unrevoked token with this hash, if any.
std::optional<TokenRecord> FindActiveToken(SQLite::Database& db, const std::string& sha256_hex);
int64_t CountActiveTokens(SQLite::Database& db);
// Revokes every token of `user`; returns how many.
int RevokeTokensOfUser(SQLite::Database& db, const std::string& user, absl::Time now);

// ---- audit log: append-only (triggers refuse UPDATE and DELETE) ----
// An audit event naming more players than this keeps them packed in the event's own row.
inline constexpr size_t kMaxPlayerRowsPerAuditEvent = 8;

struct AuditRecord {
  int64_t id = 0;
  absl::Time occurred_at;
  std::string user;
  int role = 0;
  std::string method;
  int64_t squad_id = 0;  // 0: none
  std::string outcome;
  std::vector<int64_t> player_ids;  // distinct, ascending
};

struct AuditFilter {
  int64_t player_id = 0;
  std::string user;
  std::string method;
  std::string outcome;
  std::optional<absl::Time> start;  // inclusive
  std::optional<absl::Time> end;    // exclusive
};

absl::StatusOr<int64_t> AppendAuditEvent(SQLite::Database& db, const AuditRecord& record);
// Newest first: ids < before_id (0 = from the newest), at most `limit`.
std::vector<AuditRecord> ListAuditEvents(SQLite::Database& db, const AuditFilter& filter,
                                         int64_t before_id, int limit);

}  // namespace touchline::storage
