// Bounds on what one request can make the server do or send (issue 16): the field violations of a
// huge bad request fit gRPC's 8 KiB trailer limit, and a huge filter is refused as the caller's
// mistake instead of failing inside SQLite.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

using ::testing::HasSubstr;

class RequestBoundsApiTest : public ServerTest {};

TEST_F(RequestBoundsApiTest, AQuarterMillionBadFilterValuesGetACappedInvalidArgument) {
  const int64_t squad = MakeSquad();
  v1::ListFlagsRequest req;
  req.set_squad_id(squad);
  for (int i = 0; i < 250000; ++i) req.add_kinds(static_cast<v1::FlagKind>(1000 + i % 7));
  v1::ListFlagsResponse resp;
  grpc::Status status = flags_->ListFlags(Ctx().get(), req, &resp);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(),
              HasSubstr("and 249999 more field violations; the first 20 are attached"));
  const std::vector<std::string> fields = ViolatedFields(status);
  ASSERT_EQ(fields.size(), 20u);
  EXPECT_EQ(fields.front(), "kinds[0]");
  EXPECT_EQ(fields.back(), "kinds[19]");
}

TEST_F(RequestBoundsApiTest, AHugeFilterIsTheCallersMistakeNotAnInternalError) {
  const int64_t squad = MakeSquad();
  v1::ListContactEventsRequest req;
  req.set_squad_id(squad);
  for (int i = 0; i < 250000; ++i) req.add_kinds(v1::CONTACT_KIND_SCRUM);
  v1::ListContactEventsResponse resp;
  grpc::Status status = events_->ListContactEvents(Ctx().get(), req, &resp);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("kinds: at most 64 values (250000 given)"));
  req.mutable_kinds()->Truncate(64);  // at the bound: answered
  EXPECT_TRUE(events_->ListContactEvents(Ctx().get(), req, &resp).ok());
}

}  // namespace
}  // namespace touchline::testing
