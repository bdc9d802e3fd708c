// Issue 16 through a real server: the plugin host of a running touchline server cannot open the
// server's database, its audit log, the token file or the pseudonym key, all beside the database
// as by default. The probe fixture tries each from inside its host.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "plugins/runtime/host_confinement.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

namespace pv1 = touchline::plugin::v1;

class ContainedPluginServerTest : public ServerTest {
 protected:
  void SetUp() override {
    if (plugins::LandlockAbi() == 0) {
      GTEST_SKIP() << "this kernel has no Landlock (Linux 5.13 or later, enabled at boot): plugin "
                      "hosts are not confined to the system's files here";
    }
    ServerTest::SetUp();
  }

  void TearDown() override {
    unsetenv("TOUCHLINE_PROBE_SECRET");
    ServerTest::TearDown();
    if (db_.empty()) return;  // skipped before the server started
    for (const std::string& file : ServerFiles()) std::remove(file.c_str());
  }

  void ConfigureServer(api::ServerOptions& options) override {
    db_ = options.database.path;
    options.bootstrap_token_file = db_ + ".token";
    options.pseudonym_key_file = db_ + ".pseudonym-key";
    options.plugins.plugin_paths = {std::string(TOUCHLINE_FIXTURE_DIR) + "/probe/probe.so"};
    options.plugins.host_executable = TOUCHLINE_HOST_PATH;
    options.plugins.on_refused = [](const pv1::RefusedPlugin& r) {
      ADD_FAILURE() << r.path() << " refused: " << r.reason();
    };
    // The hosts inherit the server's environment: the probe learns what to try.
    std::string secrets;
    for (const std::string& file : ServerFiles()) {
      secrets += (secrets.empty() ? "" : ":") + file;
    }
    setenv("TOUCHLINE_PROBE_SECRET", secrets.c_str(), 1);
  }

  std::vector<std::string> ServerFiles() const {
    return {db_, db_ + ".audit", db_ + ".token", db_ + ".pseudonym-key"};
  }

  std::string db_;
};

TEST_F(ContainedPluginServerTest, APluginCannotOpenTheDatabaseAuditLogTokenOrKey) {
  // They exist, and the server's user can read them.
  for (const std::string& file : ServerFiles()) ASSERT_TRUE(std::ifstream(file).good()) << file;

  const int64_t player = MakePlayer(MakeSquad(), "Ana");
  v1::AssignProtocolsRequest req;
  req.set_player_id(player);
  req.set_session_label("Tuesday training");
  v1::AssignProtocolsResponse resp;
  const grpc::Status status = protocols_->AssignProtocols(Ctx().get(), req, &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(resp.assignments_size(), 1);
  ASSERT_EQ(resp.assignments(0).post_size(), 1) << resp.ShortDebugString();
  const std::string report = resp.assignments(0).post(0).prescription().reason();
  EXPECT_THAT(report, ::testing::HasSubstr(" secret=refused ")) << report;
}

}  // namespace
}  // namespace touchline::testing
