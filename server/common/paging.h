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

// One page of a list computed in memory at `as_of` (a queue or a task list, sorted): the page is
// [begin, end) of its `total` items; the token of the next page (empty after the last) carries
// the offset, and the instant, so the next page is read at the same instant.
struct ComputedPage {
  size_t begin = 0;
  size_t end = 0;
  std::string next_page_token;
};
ComputedPage PageOfComputed(const storage::PageCursor& cursor, size_t total, int page_size,
                            absl::Time as_of);

}  // namespace touchline::common
