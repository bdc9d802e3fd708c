// Connect server streams on --http_listen (issue 20 item 1): the live board and WatchFlags as a
// browser's Connect client reads them (enveloped JSON messages, then the end-of-stream message),
// through a real server and an HTTP client that knows nothing of gRPC; the same roles and
// minimisation as gRPC; refusals as the specification has them; the per-token limit and the
// lifetime that give an abandoned stream's thread back.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "httplib.h"

#include "absl/strings/str_cat.h"
#include "server/api/connect_gateway.h"
#include "server/common/caller.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// One Connect server stream read on a thread of its own: data messages and the end-of-stream
// message as they arrive.
class ConnectStreamReader {
 public:
  ConnectStreamReader(int port, const std::string& procedure, const std::string& token,
                      const std::string& json_request,
                      const std::string& content_type = "application/connect+json")
      : http_("127.0.0.1", port) {
    http_.set_read_timeout(std::chrono::seconds(60));
    thread_ = std::thread([this, procedure, token, json_request, content_type] {
      httplib::Request req;
      req.method = "POST";
      req.path = "/touchline.v1." + procedure;
      req.headers = {{"Content-Type", content_type}, {"Connect-Protocol-Version", "1"}};
      if (!token.empty()) req.headers.emplace("Authorization", "Bearer " + token);
      req.body = api::ConnectEnvelope(0, json_request);
      req.content_receiver = [this](const char* data, size_t n, uint64_t, uint64_t) {
        std::lock_guard lock(mutex_);
        buffer_.append(data, n);
        while (buffer_.size() >= 5) {
          uint32_t length = 0;
          for (int i = 1; i <= 4; ++i) length = (length << 8) | static_cast<unsigned char>(buffer_[i]);
          if (buffer_.size() < 5 + length) break;
          const auto flags = static_cast<unsigned char>(buffer_[0]);
          std::string message = buffer_.substr(5, length);
          buffer_.erase(0, 5 + length);
          if (flags == 0x02) {
            end_ = message;
          } else {
            messages_.push_back(message);
          }
        }
        changed_.notify_all();
        return !stop_;
      };
      auto result = http_.send(req);
      std::lock_guard lock(mutex_);
      if (result) {
        http_status_ = result->status;
        content_type_ = result->get_header_value("Content-Type");
      }
      closed_ = true;
      changed_.notify_all();
    });
  }
  ~ConnectStreamReader() { Close(); }

  // Goes away like a closed browser tab: the connection is dropped.
  void Close() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    http_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // The next data message (JSON), or "" when none came within `wait`.
  std::string Next(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, wait, [this] { return !messages_.empty() || closed_; });
    if (messages_.empty()) return "";
    std::string m = messages_.front();
    messages_.pop_front();
    return m;
  }
  // The end-of-stream message once the stream has ended ("" if it has not within `wait`).
  std::string End(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, wait, [this] { return closed_; });
    return end_;
  }
  int http_status() {
    std::lock_guard lock(mutex_);
    return http_status_;
  }
  std::string content_type() {
    std::lock_guard lock(mutex_);
    return content_type_;
  }

 private:
  httplib::Client http_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string buffer_;
  std::deque<std::string> messages_;
  std::string end_;
  bool closed_ = false;
  bool stop_ = false;
  int http_status_ = 0;
  std::string content_type_;
};

class ConnectStreamApiTest : public ServerTest {
 protected:
  void ConfigureServer(api::ServerOptions& options) override {
    options.http_listen_address = "127.0.0.1:0";
    options.connect_streams.per_token = 3;
    options.connect_streams.lifetime = lifetime_;
  }

  // A squad of two players, one with an open complaint (a coach sees "medical", a physio more).
  void MakeSquadWithAComplaint() {
    squad_ = MakeSquad();
    hurt_ = MakePlayer(squad_, "Rhys Tanner");
    fit_ = MakePlayer(squad_, "Owen Pryce");
    complaint_ = MakeComplaint(hurt_, v1::SIDE_LEFT, Start() - absl::Hours(24 * 3)).id();
  }

  grpc::Status Override(int64_t player, v1::Availability availability) {
    v1::CreateReadinessOverrideRequest req;
    auto* o = req.mutable_readiness_override();
    o->set_player_id(player);
    o->set_availability(availability);
    o->set_reason("knock to the shoulder in contact drills");
    *o->mutable_expire_time() = Ts(Start() + absl::Hours(48));
    v1::CreateReadinessOverrideResponse resp;
    return readiness_->CreateReadinessOverride(Ctx().get(), req, &resp);
  }

  std::string BoardRequest() const { return absl::StrCat(R"({"squadId":")", squad_, R"("})"); }

  absl::Duration lifetime_ = absl::Minutes(5);
  int64_t squad_ = 0, hurt_ = 0, fit_ = 0, complaint_ = 0;
};

TEST_F(ConnectStreamApiTest, TheLiveBoardArrivesAtOnceAndAgainAfterEachChange) {
  MakeSquadWithAComplaint();
  ConnectStreamReader board(server_->http_port(), "ReadinessService/WatchSquadReadiness",
                            TokenFor("coach.cat", common::Role::kCoach), BoardRequest());
  const std::string first = board.Next();
  ASSERT_THAT(first, HasSubstr(R"("availableCount":1)"));
  EXPECT_THAT(first, HasSubstr("Owen Pryce"));
  // The coach's board is minimised like GetSquadReadiness: the reason is "medical", with no
  // complaint id or clinical code.
  EXPECT_THAT(first, HasSubstr("READINESS_REASON_CODE_MEDICAL"));
  EXPECT_THAT(first, Not(HasSubstr("complaintId")));
  EXPECT_THAT(first, Not(HasSubstr("OPEN_COMPLAINT")));
  EXPECT_EQ(board.content_type(), "");  // still open: no result yet

  // A change made over gRPC by a physio reaches the coach's open stream without asking.
  ASSERT_TRUE(Override(fit_, v1::AVAILABILITY_UNAVAILABLE).ok());
  const std::string second = board.Next(std::chrono::seconds(3));
  ASSERT_FALSE(second.empty()) << "the board did not follow the override within 3 s";
  EXPECT_THAT(second, HasSubstr(R"("unavailableCount":)"));
  EXPECT_THAT(second, Not(HasSubstr(R"("availableCount":1)")));
  EXPECT_THAT(second, HasSubstr("READINESS_REASON_CODE_OVERRIDE"));
  EXPECT_THAT(second, Not(HasSubstr("shoulder"))) << "the override's reason is free text";

  // A write that changes nothing on the board sends nothing.
  v1::UpdateSquadRequest rename;
  rename.mutable_squad()->set_id(squad_);
  rename.mutable_squad()->set_name("First XV (renamed)");
  rename.mutable_update_mask()->add_paths("name");
  v1::UpdateSquadResponse renamed;
  ASSERT_TRUE(squads_->UpdateSquad(Ctx().get(), rename, &renamed).ok());
  EXPECT_EQ(board.Next(std::chrono::milliseconds(1500)), "");
}

TEST_F(ConnectStreamApiTest, APhysiosBoardCarriesTheClinicalReasonsACoachsDoesNot) {
  MakeSquadWithAComplaint();
  ConnectStreamReader physio(server_->http_port(), "ReadinessService/WatchSquadReadiness",
                             TokenFor("physio.anna"), BoardRequest());
  const std::string board = physio.Next();
  EXPECT_THAT(board, HasSubstr(absl::StrCat(R"("complaintId":")", complaint_, R"(")")));
  EXPECT_THAT(board, HasSubstr("READINESS_REASON_CODE_OPEN_COMPLAINT"));
}

TEST_F(ConnectStreamApiTest, FlagChangesStreamToAPhysioAndNotToACoach) {
  MakeSquadWithAComplaint();
  const std::string request = absl::StrCat(R"({"squadId":")", squad_, R"(","fromNow":true})");
  ConnectStreamReader coach(server_->http_port(), "FlagService/WatchFlags",
                            TokenFor("coach.cat", common::Role::kCoach), request);
  EXPECT_EQ(coach.End(), R"({"error":{"code":"permission_denied","message":)"
                         R"("role coach may not call /touchline.v1.FlagService/WatchFlags"}})")
      << "refused as the end of a 200 stream, as the specification asks";
  EXPECT_EQ(coach.http_status(), 200);
  EXPECT_EQ(coach.content_type(), "application/connect+json");

  ConnectStreamReader physio(server_->http_port(), "FlagService/WatchFlags", TokenFor("physio.anna"),
                             request);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the watch is open
  // An awkward tackle three days before onset: suspected pelvic origin.
  MakeEvent(hurt_, v1::CONTACT_KIND_TACKLE_MADE, Start() - absl::Hours(24 * 4), true);
  const std::string change = physio.Next(std::chrono::seconds(5));
  ASSERT_FALSE(change.empty()) << "no flag change arrived";
  EXPECT_THAT(change, HasSubstr("FLAG_CHANGE_TYPE_RAISED"));
  EXPECT_THAT(change, HasSubstr("FLAG_KIND_SUSPECTED_PELVIC_ORIGIN"));
}

TEST_F(ConnectStreamApiTest, RefusalsFollowTheSpecification) {
  MakeSquadWithAComplaint();
  const int port = server_->http_port();
  // No token: the stream ends at once, unauthenticated.
  ConnectStreamReader anonymous(port, "ReadinessService/WatchSquadReadiness", "", BoardRequest());
  EXPECT_THAT(anonymous.End(), HasSubstr(R"("code":"unauthenticated")"));
  EXPECT_EQ(anonymous.http_status(), 200);
  // Not the request message: invalid_argument, naming the type.
  ConnectStreamReader garbled(port, "ReadinessService/WatchSquadReadiness", TokenFor("physio.anna"),
                              R"({"squad": 1})");
  EXPECT_THAT(garbled.End(), HasSubstr(R"("code":"invalid_argument")"));
  EXPECT_THAT(garbled.End(), HasSubstr("WatchSquadReadinessRequest"));
  // An unknown squad: not_found, from the service.
  ConnectStreamReader nowhere(port, "ReadinessService/WatchSquadReadiness", TokenFor("physio.anna"),
                              R"({"squadId":"999"})");
  EXPECT_THAT(nowhere.End(), HasSubstr(R"("code":"not_found")"));
  // Unary content types are not a stream call: 415.
  ConnectStreamReader unary_type(port, "ReadinessService/WatchSquadReadiness",
                                 TokenFor("physio.anna"), BoardRequest(), "application/json");
  unary_type.End();
  EXPECT_EQ(unary_type.http_status(), 415);
  // A body that is no envelope.
  httplib::Client http("127.0.0.1", port);
  auto short_body = http.Post("/touchline.v1.ReadinessService/WatchSquadReadiness",
                              {{"Authorization", "Bearer " + TokenFor("physio.anna")}}, "{}",
                              "application/connect+json");
  ASSERT_TRUE(short_body);
  EXPECT_EQ(short_body->status, 200);
  EXPECT_THAT(short_body->body, HasSubstr("not one enveloped request message"));
  EXPECT_EQ(short_body->body[0], '\x02') << "the end-of-stream flag";
}

TEST_F(ConnectStreamApiTest, OneTokenCannotHoldEveryStreamThread) {
  MakeSquadWithAComplaint();
  const std::string coach = TokenFor("coach.cat", common::Role::kCoach);
  std::vector<std::unique_ptr<ConnectStreamReader>> held;
  for (int i = 0; i < 3; ++i) {  // the test server's per-token limit
    held.push_back(std::make_unique<ConnectStreamReader>(
        server_->http_port(), "ReadinessService/WatchSquadReadiness", coach, BoardRequest()));
    ASSERT_FALSE(held.back()->Next().empty());
  }
  ConnectStreamReader fourth(server_->http_port(), "ReadinessService/WatchSquadReadiness", coach,
                             BoardRequest());
  EXPECT_THAT(fourth.End(), HasSubstr(R"("code":"resource_exhausted")"));
  EXPECT_THAT(fourth.End(), HasSubstr("this token has 3 Connect streams open"));
  // Someone else is not affected.
  ConnectStreamReader physio(server_->http_port(), "ReadinessService/WatchSquadReadiness",
                             TokenFor("physio.anna"), BoardRequest());
  EXPECT_FALSE(physio.Next().empty());
  // A closed tab gives its place back once the server next writes to it (here: a change).
  held.back()->Close();
  held.pop_back();
  ASSERT_TRUE(Override(fit_, v1::AVAILABILITY_MODIFIED).ok());
  EXPECT_FALSE(physio.Next(std::chrono::seconds(3)).empty());
  bool freed = false;
  for (int i = 0; i < 50 && !freed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ConnectStreamReader again(server_->http_port(), "ReadinessService/WatchSquadReadiness", coach,
                              BoardRequest());
    freed = !again.Next(std::chrono::seconds(2)).empty();
  }
  EXPECT_TRUE(freed) << "the closed stream's place was never given back";
}

class ConnectStreamLifetimeTest : public ConnectStreamApiTest {
 protected:
  void SetUp() override {
    lifetime_ = absl::Milliseconds(800);
    ConnectStreamApiTest::SetUp();
  }
};

TEST_F(ConnectStreamLifetimeTest, AQuietStreamEndsCleanlyAtItsLifetimeAndFreesItsPlace) {
  MakeSquadWithAComplaint();
  ConnectStreamReader board(server_->http_port(), "ReadinessService/WatchSquadReadiness",
                            TokenFor("coach.cat", common::Role::kCoach), BoardRequest());
  EXPECT_FALSE(board.Next().empty());
  EXPECT_EQ(board.End(std::chrono::seconds(5)), "{}") << "a clean end: the client opens the next";
  for (int i = 0; i < 50 && server_->connect_streams_open() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(server_->connect_streams_open(), 0);
}

}  // namespace
}  // namespace touchline::testing
