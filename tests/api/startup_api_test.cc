// Start-up is safe (issue 16): an address that cannot be bound is a clear error, never a crash; a
// second server on a port in use refuses to start instead of sharing it (and taking some of the
// calls against another database); the plaintext-only-on-loopback rule goes by what the address
// resolves to, not by its spelling.
#include <cstdio>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

using ::testing::HasSubstr;

class StartupApiTest : public ServerTest {
 protected:
  absl::StatusOr<std::unique_ptr<api::TouchlineServer>> StartSecond(const std::string& listen,
                                                                   bool allow_remote = false) {
    api::ServerOptions options;
    options.listen_address = listen;
    options.insecure_allow_remote = allow_remote;
    options.database.path = db_path_ + ".second";
    options.database.synchronous_full = false;
    return api::TouchlineServer::Start(options, clock_);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm", ".audit", ".audit-wal", ".audit-shm"}) {
      std::remove(absl::StrCat(db_path_, ".second", suffix).c_str());
    }
    ServerTest::TearDown();
  }
};

TEST_F(StartupApiTest, ASecondServerOnAPortInUseRefusesToStartAndTheFirstKeepsServing) {
  auto second = StartSecond(server_->address());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("cannot listen on"));
  // Every call still reaches the first server's database.
  for (int i = 0; i < 20; ++i) MakeSquad(absl::StrCat("Squad ", i));
  v1::ListSquadsRequest req;
  v1::ListSquadsResponse resp;
  ASSERT_TRUE(squads_->ListSquads(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.squads_size(), 20);
}

TEST_F(StartupApiTest, AnAddressThatCannotBeBoundIsAnErrorNotACrash) {
  // A port out of range (gRPC would wrap 99999 to another port), a host that is no address.
  for (const std::string listen :
       {"127.0.0.1:99999", "127.0.0.1:-1", "256.1.1.1:50051", "no-such-host.invalid:50051"}) {
    auto second = StartSecond(listen, /*allow_remote=*/true);
    ASSERT_FALSE(second.ok()) << listen;
    EXPECT_THAT(std::string(second.status().message()), HasSubstr(listen));
  }
}

// (The addresses that are loopback are in access_api_test.cc.)
TEST(LoopbackRule, GoesByWhatTheNameResolvesTo) {
  // Spelled like loopback, but a name: whatever a DNS server says it is, it is not proven loopback.
  EXPECT_FALSE(api::IsLoopbackAddress("127.attacker.test:50051"));
  EXPECT_FALSE(api::IsLoopbackAddress("localhost.attacker.test:50051"));
  EXPECT_FALSE(api::IsLoopbackAddress("[::ffff:10.0.0.1]:50051"));
}

}  // namespace
}  // namespace touchline::testing
