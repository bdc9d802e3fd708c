// Every timestamp the server returns is a valid google.protobuf.Timestamp (issue 16): an instant
// outside 0001-01-01..9999-12-31 (e.g. "never" as absl::InfiniteFuture) is clamped, not sent as a
// value clients refuse to decode.
#include <gtest/gtest.h>

#include "server/common/proto_time.h"
#include "server/service/proto_mapping.h"

namespace touchline::service {
namespace {

TEST(ProtoMapping, ReturnedTimestampsAreAlwaysValid) {
  for (absl::Time t : {absl::InfiniteFuture(), absl::InfinitePast(),
                       absl::FromUnixSeconds(300000000000), absl::FromUnixSeconds(-70000000000),
                       absl::FromUnixMicros(-1), absl::UnixEpoch()}) {
    google::protobuf::Timestamp ts;
    ToProto(t, &ts);
    EXPECT_TRUE(common::IsValidTimestamp(ts)) << ts.ShortDebugString();
  }
  google::protobuf::Timestamp ts;
  ToProto(absl::FromUnixMicros(1'700'000'000'123'456), &ts);  // ordinary instants are exact
  EXPECT_EQ(ts.seconds(), 1'700'000'000);
  EXPECT_EQ(ts.nanos(), 123'456'000);
  EXPECT_EQ(FromProto(ts), absl::FromUnixMicros(1'700'000'000'123'456));
}

}  // namespace
}  // namespace touchline::service
