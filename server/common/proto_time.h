// google.protobuf.Timestamp <-> absl::Time, shared by every layer that reads or answers requests.
#pragma once

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace touchline::common {

absl::Time FromProto(const google::protobuf::Timestamp& ts);
// Clamped to the Timestamp message's range (0001-01-01 to 9999-12-31), so an answer always decodes.
void ToProto(absl::Time t, google::protobuf::Timestamp* out);
// A Timestamp protobuf's own validity (seconds within years 1-9999, nanos in [0, 1e9)).
bool IsValidTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace touchline::common
