#include "server/service/export_cursor.h"

#include <set>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "openssl/crypto.h"
#include "openssl/evp.h"
#include "openssl/hmac.h"
#include "server/service/proto_mapping.h"
#include "server/common/request_errors.h"

namespace touchline::service {
namespace {

constexpr char kVersion[] = "x1";
// Bytes of the HMAC-SHA256 kept: 128 bits is far beyond guessing.
constexpr size_t kMacBytes = 16;

std::string TimeParam(bool has, const google::protobuf::Timestamp& ts) {
  return has ? absl::StrCat(absl::ToUnixMicros(FromProto(ts))) : "-";
}

// The request fields a cursor is bound to, in one canonical form: kinds sorted and deduplicated,
// so [A, B, A] and [B, A] are the same export.
std::string Parameters(const v1::ExportRecordsRequest& request) {
  const std::set<int> kinds(request.kinds().begin(), request.kinds().end());
  return absl::StrCat("squad=", request.squad_id(),
                      ";start=", TimeParam(request.has_start_time(), request.start_time()),
                      ";end=", TimeParam(request.has_end_time(), request.end_time()),
                      ";kinds=", absl::StrJoin(kinds, ","));
}

absl::Status NotIssued() {
  return common::InvalidField("cursor",
                      "is not an export cursor this server issued; pass a cursor exactly as "
                      "received, or an empty one to start from the beginning");
}

}  // namespace

std::string ExportCursorSeal::Mac(const std::string& body,
                                  const v1::ExportRecordsRequest& request) const {
  const std::string data = absl::StrCat(body, "\n", Parameters(request));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), kMacBytes);
}

std::string ExportCursorSeal::Encode(const v1::ExportRecordsRequest& request,
                                     const ExportPositions& positions) const {
  std::string body = kVersion;
  for (const auto& [kind, id] : positions) {
    if (id > 0) absl::StrAppend(&body, ";", kind, "=", id);
  }
  return absl::WebSafeBase64Escape(
      absl::StrCat(body, ";", absl::BytesToHexString(Mac(body, request))));
}

absl::StatusOr<ExportPositions> ExportCursorSeal::Decode(
    const v1::ExportRecordsRequest& request) const {
  ExportPositions positions;
  if (request.cursor().empty()) return positions;
  std::string raw;
  // Only the exact text issued: base64 decoders accept variants (padding, stray low bits).
  if (request.cursor().size() > 1024 || !absl::WebSafeBase64Unescape(request.cursor(), &raw) ||
      absl::WebSafeBase64Escape(raw) != request.cursor()) {
    return NotIssued();
  }
  const size_t last = raw.rfind(';');
  if (last == std::string::npos) return NotIssued();
  const std::string body = raw.substr(0, last);
  const std::string mac_hex = raw.substr(last + 1);
  std::vector<std::string> parts = absl::StrSplit(body, ';');
  if (parts.empty() || parts[0] != kVersion || mac_hex.size() != 2 * kMacBytes) return NotIssued();
  for (size_t i = 1; i < parts.size(); ++i) {
    std::pair<std::string, std::string> kv = absl::StrSplit(parts[i], absl::MaxSplits('=', 1));
    int kind = 0;
    int64_t id = 0;
    if (!absl::SimpleAtoi(kv.first, &kind) || !absl::SimpleAtoi(kv.second, &id) || id <= 0 ||
        !v1::RecordKind_IsValid(kind) || kind == v1::RECORD_KIND_UNSPECIFIED ||
        !positions.emplace(kind, id).second) {
      return NotIssued();
    }
  }
  // Compared as the lower-case hex issued: HexStringToBytes would take 'A' for 'a' and skip no
  // invalid digit, so an altered cursor could decode to the same bytes.
  const std::string expected = absl::BytesToHexString(Mac(body, request));
  if (mac_hex.size() != expected.size() ||
      CRYPTO_memcmp(mac_hex.data(), expected.data(), expected.size()) != 0) {
    return common::InvalidField("cursor",
                        "does not belong to this request: resume with the same squad_id, "
                        "start_time, end_time and kinds as the export that issued it (or the "
                        "cursor was altered, or the server's key has changed since)");
  }
  return positions;
}

}  // namespace touchline::service
