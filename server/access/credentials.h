// Bearer tokens (only their SHA-256 is stored), the first-start bootstrap token, and the keyed
// pseudonyms analysts receive instead of player identifiers.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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

// Unrevoked tokens by hash, so that checking a call's token reads no database. A token is read
// from the database the first time it is seen and kept; everything kept is dropped at once when
// the token table changes. A change by this process is seen at once (Clear); a token issued by
// another process is simply not kept yet; a token revoked by another process is dropped when
// Refresh next reads the table's stamp (the server's revocation check, every 250 ms, the same
// window in which it ends that token's open streams). An entry is kept only if the stamp read
// with it is the cache's current one, so a revocation racing a first check is never lost.
// Unknown tokens are never kept (a flood of made-up tokens costs reads, never memory).
class TokenCache {
 public:
  explicit TokenCache(storage::Database& db) : db_(db) {}
  // The caller an "authorization" metadata value names: "Bearer <token>" (scheme
  // case-insensitive). UNAUTHENTICATED when the value is malformed or the token unknown or
  // revoked; UNAVAILABLE when the token table cannot be read.
  absl::StatusOr<common::Caller> Authenticate(std::string_view authorization);
  // Reads the token table's stamp; drops every kept token when it changed.
  absl::Status Refresh();
  // Drops every kept token (this process issued or revoked one).
  void Clear();
  // Token checks that read the database (tests).
  uint64_t database_reads() const;

 private:
  struct Kept {
    std::string user;
    common::Role role;
  };
  storage::Database& db_;
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<std::string, Kept> kept_ ABSL_GUARDED_BY(mutex_);  // by token hash
  std::optional<std::pair<int64_t, int64_t>> stamp_ ABSL_GUARDED_BY(mutex_);
  uint64_t database_reads_ ABSL_GUARDED_BY(mutex_) = 0;
};

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
