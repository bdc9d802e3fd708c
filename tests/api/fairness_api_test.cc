// No caller can starve the others (issue 15), through real channels: held streams hold no server
// thread, the limits refuse only the caller over them, a revoked token's streams end, and a
// cancelled stream is audited as CANCELLED.
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/access/credentials.h"
#include "server/api/call_limits.h"
#include "server/common/caller.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kDay = absl::Hours(24);
// Generous: CI machines are shared. The behaviour asserted is "it happens", not how fast.
constexpr absl::Duration kMust = absl::Seconds(20);

// A WatchFlags stream held open by the client's callback API: no client thread per stream either.
class HeldWatch final : public grpc::ClientReadReactor<v1::WatchFlagsResponse> {
 public:
  HeldWatch(v1::FlagService::Stub& stub, const std::string& token, int64_t squad_id) {
    context_.AddMetadata("authorization", "Bearer " + token);
    request_.set_squad_id(squad_id);
    stub.async()->WatchFlags(&context_, &request_, this);
    StartRead(&response_);
    StartCall();
  }
  ~HeldWatch() override {
    context_.TryCancel();
    WaitDone(absl::InfiniteDuration());
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    {
      std::lock_guard lock(mutex_);
      ++received_;
    }
    changed_.notify_all();
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard lock(mutex_);
    status_ = status;
    done_ = true;
    changed_.notify_all();
  }

  bool WaitReceived(int n, absl::Duration timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                             [&] { return received_ >= n || done_; }) &&
           received_ >= n;
  }
  bool WaitDone(absl::Duration timeout) {
    std::unique_lock lock(mutex_);
    if (timeout == absl::InfiniteDuration()) {
      changed_.wait(lock, [&] { return done_; });
      return true;
    }
    return changed_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] { return done_; });
  }
  grpc::Status status() {
    std::lock_guard lock(mutex_);
    return status_;
  }
  int received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  void Cancel() { context_.TryCancel(); }

 private:
  grpc::ClientContext context_;
  v1::WatchFlagsRequest request_;
  v1::WatchFlagsResponse response_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int received_ = 0;
  bool done_ = false;
  grpc::Status status_;
};

class FairnessApiTest : public ServerTest {
 protected:
  void ConfigureServer(api::ServerOptions& options) override {
    options.limits.max_streams_per_user = 1000;
    options.limits.max_streams = 1200;
    options.revocation_check_interval = absl::Milliseconds(100);
  }

  // A channel with a connection of its own (gRPC otherwise shares one connection per target,
  // and a connection carries at most 100 concurrent streams).
  std::shared_ptr<grpc::Channel> OwnChannel() {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args);
  }

  // A complaint 41 days old: moving the clock a day raises PERSISTENT for every watcher.
  void PrepareAFlagChange(int64_t squad) {
    const int64_t player = MakePlayer(squad, "Tom Hartley");
    onset_ = Start() - 41 * kDay;
    MakeComplaint(player, v1::SIDE_LEFT, onset_);
  }
  void RaiseIt() { clock_.Set(onset_ + 42 * kDay + absl::Minutes(1)); }

  absl::Time onset_;
};

// 1,000 held watch streams (255 took every thread of the old sync server): every other user's
// calls are still answered, the greedy user is refused past its limit, and a flag change still
// reaches all 1,000.
TEST_F(FairnessApiTest, AThousandHeldStreamsStarveNobody) {
  const int64_t squad = MakeSquad();
  PrepareAFlagChange(squad);
  const std::string greedy = TokenFor("analyst.greedy", common::Role::kAnalyst);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::FlagService::Stub>> stubs;
  for (int i = 0; i < 12; ++i) {
    channels.push_back(OwnChannel());
    stubs.push_back(v1::FlagService::NewStub(channels.back()));
  }
  std::vector<std::unique_ptr<HeldWatch>> held;
  for (int i = 0; i < 1000; ++i) {
    held.push_back(std::make_unique<HeldWatch>(*stubs[i % stubs.size()], greedy, squad));
  }

  for (int i = 0; i < 2000 && server_->OpenStreamCount() < 1000; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(server_->OpenStreamCount(), 1000u);

  // The 1,001st of the same user is refused, naming the limit.
  HeldWatch over(*stubs[0], greedy, squad);
  ASSERT_TRUE(over.WaitDone(kMust));
  EXPECT_EQ(over.status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(over.status().error_message(), HasSubstr("--max_streams_per_user=1000"));

  // Everybody else is served: unary reads and writes of another user, and a stream of theirs.
  HeldWatch physio_watch(*flags_, TokenFor("physio.anna"), squad);
  for (int i = 0; i < 20; ++i) {
    v1::GetSquadReadinessRequest req;
    req.set_squad_id(squad);
    v1::GetSquadReadinessResponse resp;
    auto status = readiness_->GetSquadReadiness(Ctx().get(), req, &resp);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(resp.players_size(), 1);
  }
  MakePlayer(squad, "Another Player");
  EXPECT_EQ(HealthStatus(), "SERVING");  // one greedy user is not a health failure

  // And the streams are live: one flag change reaches all of them.
  RaiseIt();
  int reached = 0;
  for (auto& w : held) reached += w->WaitReceived(1, kMust) ? 1 : 0;
  EXPECT_EQ(reached, 1000);
  EXPECT_TRUE(physio_watch.WaitReceived(1, kMust));
  for (auto& w : held) EXPECT_FALSE(w->WaitDone(absl::ZeroDuration())) << w->status().error_message();
}

class StreamLimitTest : public FairnessApiTest {
 protected:
  void ConfigureServer(api::ServerOptions& options) override {
    FairnessApiTest::ConfigureServer(options);
    options.limits.max_streams_per_user = 3;
  }
};

TEST_F(StreamLimitTest, OnlyTheUserOverItsLimitIsRefusedAndAClosedStreamFreesItsPlace) {
  const int64_t squad = MakeSquad();
  const std::string anna = TokenFor("physio.anna");
  std::vector<std::unique_ptr<HeldWatch>> mine;
  for (int i = 0; i < 3; ++i) mine.push_back(std::make_unique<HeldWatch>(*flags_, anna, squad));
  for (int i = 0; i < 2000 && server_->OpenStreamCount() < 3; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(server_->OpenStreamCount(), 3u);
  {
    HeldWatch fourth(*flags_, anna, squad);
    ASSERT_TRUE(fourth.WaitDone(kMust));
    EXPECT_EQ(fourth.status().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(fourth.status().error_message(), HasSubstr("physio.anna"));
  }
  HeldWatch other(*flags_, TokenFor("physio.ben"), squad);
  EXPECT_FALSE(other.WaitDone(absl::Milliseconds(300))) << other.status().error_message();

  // Closing one frees its place (the count drops when the server has finished the stream).
  mine.front()->Cancel();
  ASSERT_TRUE(mine.front()->WaitDone(kMust));
  bool admitted = false;
  for (int attempt = 0; attempt < 50 && !admitted; ++attempt) {
    HeldWatch again(*flags_, anna, squad);
    admitted = !again.WaitDone(absl::Milliseconds(200));
  }
  EXPECT_TRUE(admitted);
}

// Revoking a token from another process (another connection to the same file, as
// `touchline-server --revoke_token_user` is) ends its open watch and import streams with
// UNAUTHENTICATED, and its unary calls too (their check is kept in memory until then); the
// token's neighbours are untouched.
TEST_F(FairnessApiTest, RevokingATokenEndsItsStreams) {
  const int64_t squad = MakeSquad();
  const std::string revoked_token = TokenFor("physio.leaving");
  HeldWatch watch(*flags_, revoked_token, squad);
  HeldWatch neighbour(*flags_, TokenFor("physio.anna"), squad);

  grpc::ClientContext import_ctx;
  import_ctx.AddMetadata("authorization", "Bearer " + revoked_token);
  v1::ImportContactEventsResponse import_resp;
  auto importer = events_->ImportContactEvents(&import_ctx, &import_resp);
  auto import_status = std::async(std::launch::async, [&] { return importer->Finish(); });
  // Both streams are open on the server before the revocation (a physio's first write proves the
  // server is past admitting them: the watch is subscribed once its opening read has run).
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_FALSE(watch.WaitDone(absl::ZeroDuration())) << watch.status().error_message();
  // A unary call with the token: answered, and its check now kept in memory (TokenCache).
  auto list_squads = [&] {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + revoked_token);
    v1::ListSquadsResponse resp;
    return squads_->ListSquads(&ctx, v1::ListSquadsRequest(), &resp);
  };
  ASSERT_TRUE(list_squads().ok());

  storage::DatabaseOptions other_process = TestStoreOptions(db_path_);
  other_process.create_if_missing = false;
  auto db = storage::Database::Open(other_process);
  ASSERT_TRUE(db.ok()) << db.status();
  auto revoked = access::RevokeTokens(**db, "physio.leaving", absl::Now());
  ASSERT_TRUE(revoked.ok());
  ASSERT_EQ(*revoked, 1);

  ASSERT_TRUE(watch.WaitDone(kMust));
  EXPECT_EQ(watch.status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(watch.status().error_message(), HasSubstr("revoked"));
  ASSERT_EQ(import_status.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(import_status.get().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(neighbour.WaitDone(absl::ZeroDuration())) << neighbour.status().error_message();
  // The same check that ended the streams dropped the kept token: unary calls are refused too.
  EXPECT_EQ(list_squads().error_code(), grpc::StatusCode::UNAUTHENTICATED);

  HeldWatch again(*flags_, revoked_token, squad);
  ASSERT_TRUE(again.WaitDone(kMust));
  EXPECT_EQ(again.status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// A stream the client cancels ends in the audit log as CANCELLED (not INTERNAL, not OK).
TEST_F(FairnessApiTest, ACancelledStreamIsAuditedAsCancelled) {
  const int64_t squad = MakeSquad();
  {
    HeldWatch watch(*flags_, TokenFor("physio.anna"), squad);
    absl::SleepFor(absl::Milliseconds(200));
    watch.Cancel();
    ASSERT_TRUE(watch.WaitDone(kMust));
    EXPECT_EQ(watch.status().error_code(), grpc::StatusCode::CANCELLED);
  }
  v1::ListAuditEventsRequest req;
  req.set_method("/touchline.v1.FlagService/WatchFlags");
  bool found = false;
  for (int attempt = 0; attempt < 100 && !found; ++attempt) {
    v1::ListAuditEventsResponse resp;
    auto status = audit_->ListAuditEvents(CtxAs("admin", common::Role::kAdmin).get(), req, &resp);
    ASSERT_TRUE(status.ok()) << status.error_message();
    // Newest first: its end (once the server has finished it), then its opening.
    if (resp.audit_events_size() == 2) {
      EXPECT_EQ(resp.audit_events(0).outcome(), "CANCELLED");
      EXPECT_EQ(resp.audit_events(1).outcome(), "OPENED");
      found = true;
    }
    if (!found) absl::SleepFor(absl::Milliseconds(50));  // written when the server finishes it
  }
  EXPECT_TRUE(found);
}

TEST(CallLimits, CountsPerUserAndInAllAndReleases) {
  api::CallLimits limits({.max_calls_per_user = 2, .max_calls = 3, .max_streams_per_user = 1,
                          .max_streams = 5});
  using Kind = api::CallLimits::Kind;
  EXPECT_TRUE(limits.Admit("a", Kind::kCall).ok());
  EXPECT_TRUE(limits.Admit("a", Kind::kCall).ok());
  absl::Status third = limits.Admit("a", Kind::kCall);
  EXPECT_TRUE(absl::IsResourceExhausted(third));
  EXPECT_THAT(std::string(third.message()), HasSubstr("--max_calls_per_user=2"));
  EXPECT_TRUE(limits.Admit("a", Kind::kStream).ok());  // streams are counted apart
  EXPECT_TRUE(absl::IsResourceExhausted(limits.Admit("a", Kind::kStream)));
  EXPECT_TRUE(limits.Admit("b", Kind::kCall).ok());
  absl::Status full = limits.Admit("c", Kind::kCall);  // 3 in all
  EXPECT_TRUE(absl::IsResourceExhausted(full));
  EXPECT_THAT(std::string(full.message()), HasSubstr("--max_calls=3"));
  EXPECT_EQ(limits.InFlight("c", Kind::kCall), 0);  // a refusal counts nothing
  limits.Release("a", Kind::kCall);
  EXPECT_EQ(limits.InFlight("a", Kind::kCall), 1);
  EXPECT_TRUE(limits.Admit("c", Kind::kCall).ok());
}

}  // namespace
}  // namespace touchline::testing
