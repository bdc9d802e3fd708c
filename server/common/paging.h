// Page tokens: opaque to clients, a versioned cursor inside.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "server/storage/record_store.h"

namespace touchline::common {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// page_size 0 means the default; negative is INVALID_ARGUMENT; above the maximum is clamped.
absl::StatusOr<int> NormalizePageSize(int page_size);
// Empty token: the first page. A token we did not issue: INVALID_ARGUMENT on page_token.
absl::StatusOr<storage::PageCursor> DecodePageToken(const std::string& token);
std::string EncodePageToken(storage::PageCursor cursor);

}  // namespace touchline::common
