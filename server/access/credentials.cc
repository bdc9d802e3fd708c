#include "server/access/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "openssl/evp.h"
#include "openssl/hmac.h"
#include "openssl/rand.h"
#include "openssl/sha.h"
#include "server/common/field_checks.h"
#include "server/common/status_macros.h"
#include "server/storage/access_store.h"

namespace touchline::access {
namespace {

constexpr size_t kMaxTokenLength = 256;
constexpr size_t kMaxUserLength = 128;

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // Without randomness there can be no secret; never fall back to something guessable.
    std::abort();
  }
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string NewBearerToken() { return absl::StrCat("tl_", absl::BytesToHexString(RandomBytes(32))); }

absl::StatusOr<std::string> IssueToken(storage::Database& db, const std::string& user,
                                       common::Role role, absl::Time now) {
  if (user.empty() || user.size() > kMaxUserLength || !common::IsValidUtf8(user)) {
    return absl::InvalidArgumentError("a token's user name must be 1-128 bytes of UTF-8");
  }
  for (unsigned char c : user) {
    if (c < 0x20 || c == 0x7f) return absl::InvalidArgumentError("user name has control characters");
  }
  if (role == common::Role::kNone) return absl::InvalidArgumentError("a token needs a role");
  const std::string token = NewBearerToken();
  absl::Status status = db.Write([&](storage::Transaction& conn) {
    return storage::InsertToken(conn, Sha256Hex(token), user, static_cast<int>(role), now);
  });
  if (!status.ok()) return status;
  return token;
}

absl::StatusOr<int> RevokeTokens(storage::Database& db, const std::string& user, absl::Time now) {
  int revoked = 0;
  absl::Status status = db.Write([&](storage::Transaction& conn) {
    revoked = storage::RevokeTokensOfUser(conn, user, now);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return revoked;
}

namespace {

// The token hash a well-formed "Bearer <token>" value names.
absl::StatusOr<std::string> TokenHashOf(std::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  const absl::string_view value(authorization.data(), authorization.size());
  if (value.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(value, kScheme)) {
    return absl::UnauthenticatedError("expected \"authorization: Bearer <token>\" metadata");
  }
  const absl::string_view token = absl::StripAsciiWhitespace(value.substr(kScheme.size()));
  if (token.empty() || token.size() > kMaxTokenLength) {
    return absl::UnauthenticatedError("malformed bearer token");
  }
  return Sha256Hex(std::string_view(token.data(), token.size()));
}

absl::Status Unknown() { return absl::UnauthenticatedError("unknown or revoked bearer token"); }

}  // namespace

absl::StatusOr<common::Caller> TokenCache::Authenticate(std::string_view authorization) {
  absl::StatusOr<std::string> hash = TokenHashOf(authorization);
  if (!hash.ok()) return hash.status();
  common::Caller caller;
  {
    absl::MutexLock lock(&mutex_);
    if (auto it = kept_.find(*hash); it != kept_.end()) {
      caller.user = it->second.user;
      caller.role = it->second.role;
      caller.credential = *std::move(hash);
      return caller;
    }
    ++database_reads_;
  }
  std::optional<storage::TokenRecord> record;
  std::pair<int64_t, int64_t> stamp;
  absl::Status status = db_.Read([&](storage::Transaction& conn) {
    record = storage::FindActiveToken(conn, *hash);
    stamp = storage::TokenTableStamp(conn);  // the same read transaction: the same snapshot
    return absl::OkStatus();
  });
  if (!status.ok()) return absl::UnavailableError("cannot check the token now; retry");
  if (!record) return Unknown();
  caller.user = record->user;
  caller.role = static_cast<common::Role>(record->role);
  {
    absl::MutexLock lock(&mutex_);
    if (!stamp_) stamp_ = stamp;
    if (*stamp_ == stamp) kept_[*hash] = Kept{caller.user, caller.role};
  }
  caller.credential = *std::move(hash);
  return caller;
}

absl::Status TokenCache::Refresh() {
  std::pair<int64_t, int64_t> stamp;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) {
    stamp = storage::TokenTableStamp(conn);
    return absl::OkStatus();
  }));
  absl::MutexLock lock(&mutex_);
  if (stamp_ != stamp) {
    kept_.clear();
    stamp_ = stamp;
  }
  return absl::OkStatus();
}

void TokenCache::Clear() {
  absl::MutexLock lock(&mutex_);
  kept_.clear();
  stamp_.reset();
}

uint64_t TokenCache::database_reads() const {
  absl::MutexLock lock(&mutex_);
  return database_reads_;
}

absl::StatusOr<std::vector<std::string>> RevokedCredentials(
    storage::Database& db, const std::vector<std::string>& credentials) {
  std::vector<std::string> revoked;
  absl::Status status = db.Read([&](storage::Transaction& conn) {
    for (const std::string& hash : credentials) {
      if (!storage::FindActiveToken(conn, hash)) revoked.push_back(hash);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return revoked;
}

absl::Status WriteSecretFile(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  // An existing file keeps its mode through O_TRUNC: tighten it before writing the secret.
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t done = 0;
  while (ok && done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok) return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<bool> BootstrapTokenFile(storage::Database& db, const std::string& path,
                                        absl::Time now) {
  int64_t active = 0;
  absl::Status status = db.Read([&](storage::Transaction& conn) {
    active = storage::CountActiveTokens(conn);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (active > 0) return false;
  absl::StatusOr<std::string> token = IssueToken(db, "local-admin", common::Role::kAdmin, now);
  if (!token.ok()) return token.status();
  status = WriteSecretFile(path, absl::StrCat(*token, "\n"));
  if (!status.ok()) return status;
  return true;
}

std::string Pseudonymizer::Pseudonym(int64_t player_id) const {
  const std::string message = absl::StrCat("touchline-player:", player_id);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_length);
  return absl::StrCat("P", absl::BytesToHexString(absl::string_view(
                               reinterpret_cast<const char*>(mac), 12)));
}

std::string DeriveKey(std::string_view key, std::string_view purpose) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size(), mac, &mac_length);
  return std::string(reinterpret_cast<const char*>(mac), mac_length);
}

absl::StatusOr<std::string> LoadOrCreatePseudonymKey(const std::string& path) {
  if (path.empty()) return RandomBytes(32);
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string key(absl::StripAsciiWhitespace(buffer.str()));
    if (key.size() < 32) {
      return absl::FailedPreconditionError(
          absl::StrCat("pseudonym key file ", path, " holds fewer than 32 bytes"));
    }
    return key;
  }
  std::string key = absl::BytesToHexString(RandomBytes(32));
  absl::Status status = WriteSecretFile(path, absl::StrCat(key, "\n"));
  if (!status.ok()) return status;
  return key;
}

}  // namespace touchline::access
