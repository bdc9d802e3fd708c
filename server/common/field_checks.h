// Checks shared by the request validators. Each adds a violation to `v` and returns whether the
// value was acceptable.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/common/request_errors.h"

namespace touchline::common {

// Non-empty after trimming, at most max_length bytes, valid UTF-8 without NUL.
bool CheckRequiredText(FieldViolations& v, const std::string& field, const std::string& value,
                       size_t max_length);
// May be empty; at most max_length bytes; valid UTF-8 without NUL.
bool CheckOptionalText(FieldViolations& v, const std::string& field, const std::string& value,
                       size_t max_length);
bool CheckPositiveId(FieldViolations& v, const std::string& field, int64_t id);
// A request's optional [start_time, end_time) range: each a valid timestamp when set, and the end
// after the start when both are. Returns whether the range was acceptable.
// A repeated filter (e.g. `kinds`) holds at most kMaxFilterValues values: each becomes a bound
// SQL variable, and SQLite refuses more than 32,766 of them (250,000 kinds answered INTERNAL).
inline constexpr int kMaxFilterValues = 64;
void CheckFilterSize(FieldViolations& v, const std::string& field, int size);

bool CheckOptionalTimeRange(FieldViolations& v, const google::protobuf::Timestamp* start,
                            const google::protobuf::Timestamp* end);
template <typename Request>
bool CheckOptionalTimeRange(FieldViolations& v, const Request& request) {
  return CheckOptionalTimeRange(v, request.has_start_time() ? &request.start_time() : nullptr,
                                request.has_end_time() ? &request.end_time() : nullptr);
}
bool IsValidUtf8(const std::string& s);

}  // namespace touchline::common
