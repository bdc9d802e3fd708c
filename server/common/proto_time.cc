#include "server/common/proto_time.h"

namespace touchline::common {

namespace {
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the Timestamp message's documented range.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
}  // namespace

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  // A returned timestamp is always a valid one (0001-01-01 to 9999-12-31): an instant beyond,
  // e.g. "never" kept as absl::InfiniteFuture(), is clamped to the nearest end, never sent as a
  // value clients refuse to decode.
  if (t > absl::FromUnixSeconds(kMaxTimestampSeconds)) {
    out->set_seconds(kMaxTimestampSeconds);
    out->set_nanos(999999000);
    return;
  }
  if (t < absl::FromUnixSeconds(kMinTimestampSeconds)) {
    out->set_seconds(kMinTimestampSeconds);
    out->set_nanos(0);
    return;
  }
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rem = micros % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rem * 1000));
}

bool IsValidTimestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() >= kMinTimestampSeconds && ts.seconds() <= kMaxTimestampSeconds &&
         ts.nanos() >= 0 && ts.nanos() < 1000000000;
}

}  // namespace touchline::common
