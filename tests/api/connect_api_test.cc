// The Connect protocol on --http_listen (issue 20 item 1), through a real server and an HTTP
// client that knows nothing of gRPC: JSON and binary unary calls, Connect errors with their HTTP
// status and google.rpc.BadRequest details, and the same tokens, roles, minimisation and audit as
// gRPC, because every call goes through the same interceptor.
#include "httplib.h"

#include "absl/strings/escaping.h"
#include "google/rpc/error_details.pb.h"
#include "server/api/connect_gateway.h"
#include "server/common/caller.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

using ::testing::HasSubstr;

class ConnectApiTest : public ServerTest {
 protected:
  void ConfigureServer(api::ServerOptions& options) override {
    options.http_listen_address = "127.0.0.1:0";
  }

  httplib::Result Post(const std::string& procedure, const std::string& body,
                       const std::string& token, const std::string& type = "application/json") {
    httplib::Client http("127.0.0.1", server_->http_port());
    httplib::Headers headers = {{"Connect-Protocol-Version", "1"}};
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return http.Post(("/touchline.v1." + procedure).c_str(), headers, body, type.c_str());
  }
  std::string Physio() { return TokenFor("physio.anna", common::Role::kPhysio); }
};

TEST_F(ConnectApiTest, AJsonCallAnswersJsonAndIsTheSameCallAsOverGrpc) {
  ASSERT_GT(server_->http_port(), 0);
  auto created = Post("SquadService/CreateSquad", R"({"squad": {"name": "Sevens"}})", Physio());
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 200) << created->body;
  EXPECT_EQ(created->get_header_value("Content-Type"), "application/json");
  EXPECT_THAT(created->body, HasSubstr(R"("name":"Sevens")"));
  // Over gRPC the squad is there: one server, one store.
  v1::ListSquadsResponse squads;
  ASSERT_TRUE(squads_->ListSquads(Ctx().get(), v1::ListSquadsRequest(), &squads).ok());
  ASSERT_EQ(squads.squads_size(), 1);
  EXPECT_EQ(squads.squads(0).name(), "Sevens");
  // Safe-by-default headers on every answer.
  EXPECT_EQ(created->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(created->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_THAT(created->get_header_value("Content-Security-Policy"), HasSubstr("default-src 'none'"));
  EXPECT_FALSE(created->has_header("Access-Control-Allow-Origin"));
}

TEST_F(ConnectApiTest, ABinaryCallAnswersBinary) {
  v1::CreateSquadRequest req;
  req.mutable_squad()->set_name("Academy");
  auto created = Post("SquadService/CreateSquad", req.SerializeAsString(), Physio(),
                      "application/proto");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200);
  EXPECT_EQ(created->get_header_value("Content-Type"), "application/proto");
  v1::CreateSquadResponse resp;
  ASSERT_TRUE(resp.ParseFromString(created->body));
  EXPECT_EQ(resp.squad().name(), "Academy");
  EXPECT_GT(resp.squad().id(), 0);
}

TEST_F(ConnectApiTest, ErrorsAreConnectJsonWithTheirHttpStatusAndFieldViolations) {
  // No token: 401 unauthenticated, nothing written.
  auto anonymous = Post("SquadService/CreateSquad", R"({"squad": {"name": "X"}})", "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->get_header_value("Content-Type"), "application/json");
  EXPECT_THAT(anonymous->body, HasSubstr(R"("code":"unauthenticated")"));
  // A bad field: 400 invalid_argument with the google.rpc.BadRequest detail, base64 unpadded.
  auto bad = Post("SquadService/CreateSquad", R"({"squad": {"name": ""}})", Physio());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr(R"("code":"invalid_argument")"));
  EXPECT_THAT(bad->body, HasSubstr(R"("type":"google.rpc.BadRequest")"));
  const size_t at = bad->body.find(R"("value":")");
  ASSERT_NE(at, std::string::npos);
  const size_t from = at + 9;
  std::string value = bad->body.substr(from, bad->body.find('"', from) - from);
  EXPECT_EQ(value.find('='), std::string::npos) << "unpadded";
  while (value.size() % 4 != 0) value += '=';
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape(value, &bytes));
  google::rpc::BadRequest violations;
  ASSERT_TRUE(violations.ParseFromString(bytes));
  ASSERT_GT(violations.field_violations_size(), 0);
  EXPECT_THAT(violations.field_violations(0).field(), HasSubstr("name"));
  // A role that may not: 403.
  auto coach = Post("SquadService/CreateSquad", R"({"squad": {"name": "X"}})",
                    TokenFor("coach.sam", common::Role::kCoach));
  ASSERT_TRUE(coach);
  EXPECT_EQ(coach->status, 403) << coach->body;
  EXPECT_THAT(coach->body, HasSubstr(R"("code":"permission_denied")"));
  // Not found: 404 not_found.
  auto missing = Post("SquadService/GetSquad", R"({"id": "999"})", Physio());
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_THAT(missing->body, HasSubstr(R"("code":"not_found")"));
  v1::ListSquadsResponse squads;
  ASSERT_TRUE(squads_->ListSquads(Ctx().get(), v1::ListSquadsRequest(), &squads).ok());
  EXPECT_EQ(squads.squads_size(), 0) << "no refused call wrote anything";
}

TEST_F(ConnectApiTest, MalformedOrMisdirectedRequestsAreRefusedBeforeTheServer) {
  auto not_json = Post("SquadService/CreateSquad", "{\"squad\": ", Physio());
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_THAT(not_json->body, HasSubstr("touchline.v1.CreateSquadRequest"));
  auto unknown_field = Post("SquadService/CreateSquad", R"({"squad": {"nmae": "X"}})", Physio());
  ASSERT_TRUE(unknown_field);
  EXPECT_EQ(unknown_field->status, 400);
  auto not_proto = Post("SquadService/CreateSquad", "\xff\xff\xff", Physio(), "application/proto");
  ASSERT_TRUE(not_proto);
  EXPECT_EQ(not_proto->status, 400);
  auto xml = Post("SquadService/CreateSquad", "<squad/>", Physio(), "application/xml");
  ASSERT_TRUE(xml);
  EXPECT_EQ(xml->status, 415);
  auto nowhere = Post("SquadService/Explode", "{}", Physio());
  ASSERT_TRUE(nowhere);
  EXPECT_EQ(nowhere->status, 404);
  EXPECT_THAT(nowhere->body, HasSubstr(R"("code":"unimplemented")"));
  auto streaming = Post("FlagService/WatchFlags", "{}", Physio());
  ASSERT_TRUE(streaming);
  EXPECT_EQ(streaming->status, 415);
  httplib::Client http("127.0.0.1", server_->http_port());
  auto get = http.Get("/touchline.v1.SquadService/ListSquads");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  auto elsewhere = http.Get("/etc/passwd");
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 404);
  EXPECT_EQ(elsewhere->get_header_value("X-Content-Type-Options"), "nosniff");
  v1::ListSquadsResponse squads;
  ASSERT_TRUE(squads_->ListSquads(Ctx().get(), v1::ListSquadsRequest(), &squads).ok());
  EXPECT_EQ(squads.squads_size(), 0);
}

TEST_F(ConnectApiTest, EveryConnectCallHasItsAuditRecord) {
  const int64_t squad = MakeSquad();
  const std::string body = absl::StrCat(R"({"squadId": ")", squad, R"("})");
  ASSERT_EQ(Post("ComplaintService/ListComplaints", body, Physio())->status, 200);
  auto coach = Post("ComplaintService/ListComplaints", body, TokenFor("coach.sam", common::Role::kCoach));
  ASSERT_EQ(coach->status, 403) << "a coach reads no clinical record, over Connect either";
  v1::ListAuditEventsRequest req;
  req.set_method("/touchline.v1.ComplaintService/ListComplaints");
  v1::ListAuditEventsResponse resp;
  ASSERT_TRUE(audit_->ListAuditEvents(CtxAs("admin.al", common::Role::kAdmin).get(), req, &resp).ok());
  ASSERT_EQ(resp.audit_events_size(), 2);
  EXPECT_EQ(resp.audit_events(0).user(), "coach.sam");
  EXPECT_EQ(resp.audit_events(0).outcome(), "PERMISSION_DENIED");
  EXPECT_EQ(resp.audit_events(1).user(), "physio.anna");
  EXPECT_EQ(resp.audit_events(1).outcome(), "OK");
}

TEST(ConnectListenerTest, PlaintextHttpIsRefusedOffLoopbackLikeGrpc) {
  api::ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.http_listen_address = "0.0.0.0:0";
  options.database.path = absl::StrCat(::testing::TempDir(), "/touchline_connect_", getpid(), ".db");
  domain::ManualClock clock{absl::FromUnixSeconds(1793527200)};
  auto server = api::TouchlineServer::Start(options, clock);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(server.status().message()), HasSubstr("refusing to serve health data in plaintext on 0.0.0.0:0"));
  for (const char* suffix : {"", "-wal", "-shm", ".audit", ".audit-wal", ".audit-shm", ".token",
                             ".pseudonym-key"}) {
    std::remove((options.database.path + suffix).c_str());
  }
}

TEST(ConnectStatusTest, EveryCodeHasTheSpecificationsHttpStatusAndName) {
  EXPECT_EQ(api::ConnectHttpStatus(grpc::StatusCode::INVALID_ARGUMENT), 400);
  EXPECT_EQ(api::ConnectHttpStatus(grpc::StatusCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(api::ConnectHttpStatus(grpc::StatusCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(api::ConnectHttpStatus(grpc::StatusCode::NOT_FOUND), 404);
  EXPECT_EQ(api::ConnectHttpStatus(grpc::StatusCode::ALREADY_EXISTS), 409);
  EXPECT_EQ(api::ConnectHttpStatus(grpc::StatusCode::RESOURCE_EXHAUSTED), 429);
  EXPECT_EQ(api::ConnectHttpStatus(grpc::StatusCode::CANCELLED), 499);
  EXPECT_EQ(api::ConnectHttpStatus(grpc::StatusCode::UNAVAILABLE), 503);
  EXPECT_EQ(api::ConnectHttpStatus(grpc::StatusCode::DEADLINE_EXCEEDED), 504);
  EXPECT_EQ(api::ConnectCodeName(grpc::StatusCode::CANCELLED), "canceled");
  EXPECT_EQ(api::ConnectCodeName(grpc::StatusCode::FAILED_PRECONDITION), "failed_precondition");
  const api::ConnectResponse e =
      api::ConnectError(grpc::Status(grpc::StatusCode::NOT_FOUND, "squad \"7\"\n gone"));
  EXPECT_EQ(e.body, R"({"code":"not_found","message":"squad \"7\"\n gone"})");
}

}  // namespace
}  // namespace touchline::testing
