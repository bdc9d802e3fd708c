// The staff web app's files on --http_listen (--web_root, issue 20 items 2 and 3): the page and
// its hashed assets with the right types, a Content-Security-Policy that allows the app's own
// files only, nothing outside the folder, and the Connect API beside them unchanged. And
// AccessService.GetCaller, which the app asks after sign-in to show each role its pages.
#include <filesystem>
#include <fstream>

#include "httplib.h"

#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "tests/api/server_fixture.h"
#include "touchline/v1/access.grpc.pb.h"

namespace touchline::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class WebRootApiTest : public ServerTest {
 protected:
  void SetUp() override {
    root_ = absl::StrCat(::testing::TempDir(), "/touchline_web_", getpid());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ + "/assets");
    std::ofstream(root_ + "/index.html")
        << "<!doctype html><title>Touchline</title><script type=module src=/assets/app-1a2b.js>"
           "</script><div id=app></div>";
    std::ofstream(root_ + "/assets/app-1a2b.js") << "document.title = 'Touchline';";
    std::ofstream(root_ + "/assets/app-1a2b.css") << "body { margin: 0 }";
    // A secret beside the web root: never reachable through it.
    std::ofstream(root_ + "/../touchline_web_secret_" + std::to_string(getpid())) << "secret";
    ServerTest::SetUp();
  }
  void TearDown() override {
    ServerTest::TearDown();
    std::filesystem::remove_all(root_);
    std::filesystem::remove(root_ + "/../touchline_web_secret_" + std::to_string(getpid()));
  }
  void ConfigureServer(api::ServerOptions& options) override {
    options.http_listen_address = "127.0.0.1:0";
    options.web_root = root_;
  }
  std::string root_;
};

TEST_F(WebRootApiTest, ThePageAndItsAssetsAreServedUnderAStrictPolicy) {
  httplib::Client http("127.0.0.1", server_->http_port());
  auto page = http.Get("/");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("<div id=app>"));
  EXPECT_THAT(page->get_header_value("Content-Type"), HasSubstr("text/html"));
  const std::string csp = page->get_header_value("Content-Security-Policy");
  EXPECT_THAT(csp, HasSubstr("default-src 'none'"));
  EXPECT_THAT(csp, HasSubstr("script-src 'self'"));
  EXPECT_THAT(csp, HasSubstr("connect-src 'self'"));
  EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe-inline")));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe-eval")));
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache") << "a new build shows at once";
  EXPECT_FALSE(page->has_header("Set-Cookie"));
  EXPECT_FALSE(page->has_header("Access-Control-Allow-Origin"));

  auto script = http.Get("/assets/app-1a2b.js");
  ASSERT_TRUE(script);
  ASSERT_EQ(script->status, 200);
  EXPECT_THAT(script->get_header_value("Content-Type"), HasSubstr("javascript"));
  EXPECT_THAT(script->get_header_value("Cache-Control"), HasSubstr("immutable"));
  auto style = http.Get("/assets/app-1a2b.css");
  ASSERT_TRUE(style);
  EXPECT_THAT(style->get_header_value("Content-Type"), HasSubstr("text/css"));
}

TEST_F(WebRootApiTest, NothingOutsideTheFolderIsReachable) {
  httplib::Client http("127.0.0.1", server_->http_port());
  const std::string secret = "touchline_web_secret_" + std::to_string(getpid());
  for (const std::string& path : std::vector<std::string>{"/../" + secret, "/assets/../../" + secret,
                                                         "/%2e%2e/" + secret, "/assets/missing.js"}) {
    auto answer = http.Get(path.c_str());
    ASSERT_TRUE(answer) << path;
    EXPECT_NE(answer->status, 200) << path;
    EXPECT_THAT(answer->body, Not(HasSubstr("secret"))) << path;
    EXPECT_THAT(answer->get_header_value("Content-Security-Policy"), HasSubstr("default-src 'none'"));
  }
}

TEST_F(WebRootApiTest, TheApiBesideTheAppIsUnchanged) {
  httplib::Client http("127.0.0.1", server_->http_port());
  auto squads = http.Post("/touchline.v1.SquadService/ListSquads",
                          {{"Authorization", "Bearer " + TokenFor("coach.cat", common::Role::kCoach)}},
                          "{}", "application/json");
  ASSERT_TRUE(squads);
  EXPECT_EQ(squads->status, 200);
  EXPECT_EQ(squads->get_header_value("Content-Security-Policy"),
            "default-src 'none'; frame-ancestors 'none'");
  EXPECT_EQ(squads->get_header_value("Cache-Control"), "no-store");
}

TEST_F(WebRootApiTest, CorsIsOffUnlessConfigured) {
  httplib::Client http("127.0.0.1", server_->http_port());
  auto preflight = http.Options("/touchline.v1.SquadService/ListSquads",
                                {{"Origin", "https://evil.example"},
                                 {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(preflight);
  EXPECT_FALSE(preflight->has_header("Access-Control-Allow-Origin"));
  auto call = http.Post("/touchline.v1.SquadService/ListSquads",
                        {{"Origin", "https://evil.example"},
                         {"Authorization", "Bearer " + TokenFor("coach.cat", common::Role::kCoach)}},
                        "{}", "application/json");
  ASSERT_TRUE(call);
  EXPECT_FALSE(call->has_header("Access-Control-Allow-Origin"))
      << "a page elsewhere cannot read the answer";
}

class CorsApiTest : public ServerTest {
 protected:
  void ConfigureServer(api::ServerOptions& options) override {
    options.http_listen_address = "127.0.0.1:0";
    options.http_cors_origins = {"https://portal.club.example"};
  }
};

TEST_F(CorsApiTest, AConfiguredOriginMayCallAndNoOtherMay) {
  httplib::Client http("127.0.0.1", server_->http_port());
  auto preflight = http.Options("/touchline.v1.ReadinessService/GetSquadReadiness",
                                {{"Origin", "https://portal.club.example"},
                                 {"Access-Control-Request-Method", "POST"},
                                 {"Access-Control-Request-Headers", "authorization,content-type"}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"), "https://portal.club.example");
  EXPECT_THAT(preflight->get_header_value("Access-Control-Allow-Headers"), HasSubstr("Authorization"));
  EXPECT_FALSE(preflight->has_header("Access-Control-Allow-Credentials")) << "no cookies, ever";
  auto call = http.Post("/touchline.v1.SquadService/ListSquads",
                        {{"Origin", "https://portal.club.example"},
                         {"Authorization", "Bearer " + TokenFor("coach.cat", common::Role::kCoach)}},
                        "{}", "application/json");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->status, 200);
  EXPECT_EQ(call->get_header_value("Access-Control-Allow-Origin"), "https://portal.club.example");
  EXPECT_EQ(call->get_header_value("Vary"), "Origin");
  // Another origin, even one that only differs in scheme: nothing.
  auto other = http.Options("/touchline.v1.SquadService/ListSquads",
                            {{"Origin", "http://portal.club.example"},
                             {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
}

TEST_F(WebRootApiTest, GetCallerNamesTheTokensUserAndRoleAndNothingForNoToken) {
  auto access = v1::AccessService::NewStub(channel_);
  for (const auto& [user, role, expected] :
       {std::tuple{"coach.cat", common::Role::kCoach, v1::ROLE_COACH},
        std::tuple{"physio.anna", common::Role::kPhysio, v1::ROLE_PHYSIO},
        std::tuple{"analyst.ada", common::Role::kAnalyst, v1::ROLE_ANALYST},
        std::tuple{"admin.al", common::Role::kAdmin, v1::ROLE_ADMIN}}) {
    v1::GetCallerResponse caller;
    ASSERT_TRUE(access->GetCaller(CtxAs(user, role).get(), v1::GetCallerRequest(), &caller).ok());
    EXPECT_EQ(caller.user(), user) << "an analyst's own name is not minimised away";
    EXPECT_EQ(caller.role(), expected);
  }
  grpc::ClientContext anonymous;
  v1::GetCallerResponse nobody;
  EXPECT_EQ(access->GetCaller(&anonymous, v1::GetCallerRequest(), &nobody).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST(WebRootListenerTest, AMissingFolderIsRefusedAtStart) {
  api::ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.http_listen_address = "127.0.0.1:0";
  options.web_root = "/nonexistent/touchline/web";
  options.database.path = absl::StrCat(::testing::TempDir(), "/touchline_webroot_", getpid(), ".db");
  domain::ManualClock clock{absl::FromUnixSeconds(1793527200)};
  auto server = api::TouchlineServer::Start(options, clock);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(server.status().message()), HasSubstr("/nonexistent/touchline/web"));
  for (const char* suffix : {"", "-wal", "-shm", ".audit", ".audit-wal", ".audit-shm", ".token",
                             ".pseudonym-key"}) {
    std::remove((options.database.path + suffix).c_str());
  }
}

}  // namespace
}  // namespace touchline::testing
