#include "server/common/paging.h"

#include <algorithm>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/request_errors.h"

namespace touchline::common {

absl::StatusOr<int> NormalizePageSize(int page_size) {
  if (page_size < 0) return InvalidField("page_size", "must not be negative");
  if (page_size == 0) return kDefaultPageSize;
  return page_size > kMaxPageSize ? kMaxPageSize : page_size;
}

absl::StatusOr<storage::PageCursor> DecodePageToken(const std::string& token) {
  storage::PageCursor cursor;
  if (token.empty()) return cursor;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) {
    return InvalidField("page_token", "is not a token this server issued");
  }
  std::vector<std::string> parts = absl::StrSplit(raw, ':');
  if (parts.size() != 3 || parts[0] != "c1" || !absl::SimpleAtoi(parts[1], &cursor.key) ||
      !absl::SimpleAtoi(parts[2], &cursor.id)) {
    return InvalidField("page_token", "is not a token this server issued");
  }
  return cursor;
}

std::string EncodePageToken(storage::PageCursor cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat("c1:", cursor.key, ":", cursor.id));
}

ComputedPage PageOfComputed(const storage::PageCursor& cursor, size_t total, int page_size,
                            absl::Time as_of) {
  ComputedPage page;
  page.begin = std::min<size_t>(static_cast<size_t>(std::max<int64_t>(cursor.id, 0)), total);
  page.end = std::min(total, page.begin + static_cast<size_t>(std::max(page_size, 0)));
  if (page.end < total) {
    page.next_page_token =
        EncodePageToken({absl::ToUnixMicros(as_of), static_cast<int64_t>(page.end)});
  }
  return page;
}

}  // namespace touchline::common
