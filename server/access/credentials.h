// Bearer tokens (only their SHA-256 is stored), the first-start bootstrap token, and the keyed
// pseudonyms analysts receive instead of player identifiers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/caller.h"
#include "server/storage/database.h"

namespace touchline::access {

// Lower-case hex SHA-256.
std::string Sha256Hex(std::string_view data);
// A fresh token: "tl_" + 64 hex digits (256 bits from the OpenSSL CSPRNG).
std::string NewBearerToken();

// Stores the hash of a new token for `user` with `role` and returns the token (shown once; the
// server cannot show it again). INVALID_ARGUMENT for an empty, over-long or non-UTF-8 user name.
absl::StatusOr<std::string> IssueToken(storage::Database& db, const std::string& user,
                                       common::Role role, absl::Time now);
// Revokes every token of `user`; returns how many were revoked.
absl::StatusOr<int> RevokeTokens(storage::Database& db, const std::string& user, absl::Time now);

// The caller an "authorization" metadata value names: "Bearer <token>" (scheme case-insensitive).
// UNAUTHENTICATED when the value is malformed or the token unknown or revoked.
absl::StatusOr<common::Caller> Authenticate(storage::Database& db, std::string_view authorization);

// Of `credentials` (Caller::credential values), those that no longer name an unrevoked token:
// a token revoked by another process (`touchline-server --revoke_token_user`) is seen here.
absl::StatusOr<std::vector<std::string>> RevokedCredentials(
    storage::Database& db, const std::vector<std::string>& credentials);

// On first start (no valid token at all) issues an admin token for user "local-admin" and writes it
// to `path` (mode 0600) for the CLI. Returns true if it did.
absl::StatusOr<bool> BootstrapTokenFile(storage::Database& db, const std::string& path,
                                        absl::Time now);

// Writes `content` to `path` readable by the owner only (0600), replacing any previous file.
absl::Status WriteSecretFile(const std::string& path, std::string_view content);

// Keyed pseudonyms: "P" + the first 96 bits of HMAC-SHA256(key, "touchline-player:" + id) in hex.
// The key lives outside the database, so a copy of the database cannot reverse them.
class Pseudonymizer {
 public:
  explicit Pseudonymizer(std::string key) : key_(std::move(key)) {}
  std::string Pseudonym(int64_t player_id) const;

 private:
  std::string key_;
};

// A key for another purpose derived from `key`: HMAC-SHA256(key, purpose), 32 bytes; e.g. the
// export cursors' seal, so the pseudonym key itself is used for pseudonyms only.
std::string DeriveKey(std::string_view key, std::string_view purpose);

// Reads the key file (at least 32 bytes), creating it with 32 random bytes (hex, mode 0600) when
// missing. An empty path gives a random key for this process only (tests).
absl::StatusOr<std::string> LoadOrCreatePseudonymKey(const std::string& path);

}  // namespace touchline::access
