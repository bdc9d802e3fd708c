// Bearer-token hashes (issue 5; the audit log is in audit_log_store.h). Like record_store.h, every
// function runs on a connection handed out by Database::Write or Database::Read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/storage/transaction.h"

namespace touchline::storage {

// ---- tokens: only the SHA-256 of a token is ever stored ----
struct TokenRecord {
  std::string user;
  int role = 0;  // touchline.v1.Role
};

absl::Status InsertToken(Transaction& db, const std::string& sha256_hex,
                         const std::string& user, int role, absl::Time now);
// The unrevoked token with this hash, if any.
std::optional<TokenRecord> FindActiveToken(Transaction& db, const std::string& sha256_hex);
int64_t CountActiveTokens(Transaction& db);
// What changes whenever a token is issued or revoked, by any process: (tokens, revoked tokens).
std::pair<int64_t, int64_t> TokenTableStamp(Transaction& db);
// Revokes every token of `user`; returns how many.
int RevokeTokensOfUser(Transaction& db, const std::string& user, absl::Time now);

}  // namespace touchline::storage
