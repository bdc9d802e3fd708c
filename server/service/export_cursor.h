// Export cursors: opaque to clients, a position per record kind inside, sealed with an HMAC over
// the positions and the request's parameters. A cursor is therefore refused when it was altered,
// when it comes from a request for another squad, range or set of kinds, and when the server's key
// changed (for analysts the pseudonyms changed with it, so a resumed export would not join up).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "touchline/v1/export.pb.h"

namespace touchline::service {

// Per kind (a touchline.v1.RecordKind value), the id of the last record sent; absent: none yet.
using ExportPositions = std::map<int, int64_t>;

class ExportCursorSeal {
 public:
  // `key`: secret bytes (the server derives them from its pseudonym key).
  explicit ExportCursorSeal(std::string key) : key_(std::move(key)) {}

  std::string Encode(const v1::ExportRecordsRequest& request,
                     const ExportPositions& positions) const;
  // Empty cursor: no positions. Otherwise INVALID_ARGUMENT with a field violation on "cursor".
  // The request's other fields must already be valid.
  absl::StatusOr<ExportPositions> Decode(const v1::ExportRecordsRequest& request) const;

 private:
  std::string Mac(const std::string& body, const v1::ExportRecordsRequest& request) const;
  std::string key_;
};

}  // namespace touchline::service
