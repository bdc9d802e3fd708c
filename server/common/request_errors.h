// Building the statuses a caller sees for bad input. INVALID_ARGUMENT statuses carry a
// google.rpc.BadRequest payload listing every field violation; server/api turns the payload into
// the grpc-status-details-bin trailer.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace touchline::common {

// The payload key (type URL) under which a serialized google.rpc.BadRequest rides on an absl::Status.
inline constexpr absl::string_view kBadRequestTypeUrl =
    "type.googleapis.com/google.rpc.BadRequest";

// Collects every problem with a request before answering, so the caller fixes them all at once.
class FieldViolations {
 public:
  // Violations attached to a status at most; the message counts the rest. gRPC sends the details
  // in a trailer, and trailers over 8 KiB (its default) are refused: a request with 250,000 bad
  // entries must still get its INVALID_ARGUMENT.
  static constexpr size_t kMaxListed = 20;

  void Add(std::string field, std::string description);
  bool empty() const { return count_ == 0; }
  // OK when empty; otherwise INVALID_ARGUMENT naming the first problem and how many there are,
  // with the first kMaxListed attached.
  absl::Status ToStatus() const;

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
  size_t count_ = 0;
};

// INVALID_ARGUMENT with a single field violation.
absl::Status InvalidField(std::string field, std::string description);

}  // namespace touchline::common
