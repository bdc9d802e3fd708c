// A real touchline server on 127.0.0.1:0 with a fresh database and a manual clock, and stubs
// talking to it over a real gRPC channel.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "server/api/touchline_server.h"
#include "server/common/caller.h"
#include "server/service/proto_mapping.h"
#include "server/storage/audit_log_store.h"
#include "server/storage/database.h"
#include "tests/lib/test_store.h"
#include "touchline/v1/audit.grpc.pb.h"
#include "touchline/v1/complaint.grpc.pb.h"
#include "touchline/v1/contact_event.grpc.pb.h"
#include "touchline/v1/flag.grpc.pb.h"
#include "touchline/v1/protocol.grpc.pb.h"
#include "touchline/v1/readiness.grpc.pb.h"
#include "touchline/v1/squad.grpc.pb.h"
#include <unistd.h>

namespace touchline::testing {

inline absl::Time Day(int y, int m, int d, int h = 0, int min = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, h, min), absl::UTCTimeZone());
}

inline google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  service::ToProto(t, &ts);
  return ts;
}

// The field names of the BadRequest violations in a status, in order.
inline std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return fields;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      for (const auto& v : bad_request.field_violations()) fields.push_back(v.field());
    }
  }
  return fields;
}

class ServerTest : public ::testing::Test {
 protected:
  // 2026-11-01 10:00 UTC: the server's "now" unless a test moves it.
  static absl::Time Start() { return Day(2026, 11, 1, 10); }

  void SetUp() override {
    static std::atomic<int> counter{0};
    db_path_ = absl::StrCat(::testing::TempDir(), "/touchline_api_", getpid(), "_", counter++,
                            ".db");
    RemoveStoreFiles();  // left by an earlier run that died under the same pid: start afresh
    StartServer();
  }

  void TearDown() override {
    server_.reset();
    RemoveStoreFiles();
    RemoveTestStore(db_path_);
  }

  void RemoveStoreFiles() const {
    for (const char* file : {"", ".audit"}) {  // the database and its audit log
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::remove(absl::StrCat(db_path_, file, suffix).c_str());
      }
    }
  }

  void StartServer() {
    api::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.database = TestStoreOptions(db_path_);
    options.database.synchronous_full = false;
    ConfigureServer(options);
    auto server = api::TouchlineServer::Start(options, clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    squads_ = v1::SquadService::NewStub(channel_);
    players_ = v1::PlayerService::NewStub(channel_);
    events_ = v1::ContactEventService::NewStub(channel_);
    complaints_ = v1::ComplaintService::NewStub(channel_);
    flags_ = v1::FlagService::NewStub(channel_);
    readiness_ = v1::ReadinessService::NewStub(channel_);
    protocols_ = v1::ProtocolService::NewStub(channel_);
    audit_ = v1::AuditService::NewStub(channel_);
  }

  // A bearer token of `user` with `role`, issued once per fixture (tokens survive restarts).
  std::string TokenFor(const std::string& user, common::Role role = common::Role::kPhysio) {
    auto& token = tokens_[{user, role}];
    if (token.empty()) {
      auto issued = server_->IssueToken(user, role);
      EXPECT_TRUE(issued.ok()) << issued.status();
      token = issued.value_or("");
    }
    return token;
  }

  // A context for `user` with `role`: sends its bearer token.
  std::unique_ptr<grpc::ClientContext> CtxAs(const std::string& user, common::Role role) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + TokenFor(user, role));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  // What the gRPC health service says of the whole server: "SERVING", "NOT_SERVING" or "error".
  std::string HealthStatus() {
    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    if (!health->Check(&ctx, req, &resp).ok()) return "error";
    return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
  }

  // The server's store opened again beside it, as another process would (nothing created): the
  // clinical record, or its audit log. On either backend (tests/lib/test_store.h).
  std::unique_ptr<storage::Database> OpenStoreBeside(
      storage::StoreKind kind = storage::StoreKind::kClinicalRecord) {
    storage::DatabaseOptions options = TestStoreOptions(db_path_);
    if (kind == storage::StoreKind::kAuditLog) options.path = storage::AuditLogPathFor(db_path_);
    options.kind = kind;
    options.create_if_missing = false;
    options.reader_connections = 1;
    options.background_checkpoint_pages = 0;
    auto db = storage::Database::Open(options);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  }
  // Each row `sql` reads from the store, its columns joined by spaces (integers in decimal).
  std::vector<std::string> StoreRows(const std::string& sql,
                                     storage::StoreKind kind = storage::StoreKind::kClinicalRecord) {
    std::vector<std::string> rows;
    auto db = OpenStoreBeside(kind);
    if (db == nullptr) return rows;
    const absl::Status read = db->Read([&](storage::Transaction& tx) {
      storage::Statement q = tx.Prepare(sql);
      while (q.Step()) {
        std::string row;
        for (int c = 0; c < q.ColumnCount(); ++c) {
          if (c > 0) row += " ";
          row += q.TypeOf(c) == storage::ColumnType::kInteger ? absl::StrCat(q.ColumnInt(c))
                                                                : q.ColumnText(c);
        }
        rows.push_back(std::move(row));
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read;
    return rows;
  }
  int64_t StoreInt(const std::string& sql,
                   storage::StoreKind kind = storage::StoreKind::kClinicalRecord) {
    const std::vector<std::string> rows = StoreRows(sql, kind);
    int64_t value = -1;
    if (rows.empty() || !absl::SimpleAtoi(rows[0], &value)) ADD_FAILURE() << sql;
    return value;
  }
  // Runs `sql` in a write transaction of the store: what a hand at the database could do.
  absl::Status StoreExecute(const std::string& sql,
                            storage::StoreKind kind = storage::StoreKind::kClinicalRecord) {
    auto db = OpenStoreBeside(kind);
    if (db == nullptr) return absl::InternalError("cannot open the store");
    return db->Write([&](storage::Transaction& tx) {
      tx.Execute(sql);
      return absl::OkStatus();
    });
  }

  // Hook for suites that need other server options (protocol plugins, small watch buffers ...),
  // applied before every start; none by default.
  virtual void ConfigureServer(api::ServerOptions&) {}

  void RestartServer() {
    server_.reset();
    StartServer();
  }

  // A context for physio `user`, who is recorded as the author of changes.
  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& user = "physio.anna") {
    return CtxAs(user, common::Role::kPhysio);
  }

  int64_t MakeSquad(const std::string& name = "First XV") {
    v1::CreateSquadRequest req;
    req.mutable_squad()->set_name(name);
    v1::CreateSquadResponse resp;
    auto status = squads_->CreateSquad(Ctx().get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.squad().id();
  }

  int64_t MakePlayer(int64_t squad_id, const std::string& name,
                     v1::PositionGroup group = v1::POSITION_GROUP_BACK) {
    v1::CreatePlayerRequest req;
    req.mutable_player()->set_squad_id(squad_id);
    req.mutable_player()->set_name(name);
    req.mutable_player()->set_position_group(group);
    req.mutable_player()->set_position_name(group == v1::POSITION_GROUP_BACK ? "wing" : "lock");
    v1::CreatePlayerResponse resp;
    auto status = players_->CreatePlayer(Ctx().get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.player().id();
  }

  v1::Complaint MakeComplaint(int64_t player_id, v1::Side side, absl::Time onset,
                              v1::OnsetKind kind = v1::ONSET_KIND_GRADUAL, int pain = 3) {
    v1::CreateComplaintRequest req;
    auto* c = req.mutable_complaint();
    c->set_player_id(player_id);
    c->set_side(side);
    *c->mutable_onset_time() = Ts(onset);
    c->set_onset_kind(kind);
    c->set_mechanism(kind == v1::ONSET_KIND_ACUTE ? v1::MECHANISM_SPRINTING
                                                   : v1::MECHANISM_UNKNOWN);
    c->mutable_symptoms()->set_pain(pain);
    c->mutable_symptoms()->set_tightness(true);
    v1::CreateComplaintResponse resp;
    auto status = complaints_->CreateComplaint(Ctx().get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.complaint();
  }

  grpc::Status Archive(int64_t player_id) {
    v1::ArchivePlayerRequest req;
    req.set_id(player_id);
    v1::ArchivePlayerResponse resp;
    return players_->ArchivePlayer(Ctx().get(), req, &resp);
  }

  // Records one contact event (a fresh idempotency key each time) and returns its id.
  int64_t MakeEvent(int64_t player_id, v1::ContactKind kind, absl::Time at, bool awkward) {
    static int key = 0;
    v1::CreateContactEventRequest req;
    auto* e = req.mutable_contact_event();
    e->set_player_id(player_id);
    e->set_kind(kind);
    *e->mutable_occur_time() = Ts(at);
    e->set_awkward(awkward);
    e->set_session_label("Saturday match");
    e->set_idempotency_key(absl::StrCat("fixture-event-", ++key));
    v1::CreateContactEventResponse resp;
    auto status = events_->CreateContactEvent(Ctx().get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.contact_event().id();
  }

  grpc::Status Resolve(int64_t complaint_id, absl::Time at) {
    v1::ResolveComplaintRequest req;
    req.set_complaint_id(complaint_id);
    *req.mutable_resolve_time() = Ts(at);
    v1::ResolveComplaintResponse resp;
    return complaints_->ResolveComplaint(Ctx().get(), req, &resp);
  }

  domain::ManualClock clock_{Start()};
  std::string db_path_;
  std::unique_ptr<api::TouchlineServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SquadService::Stub> squads_;
  std::unique_ptr<v1::PlayerService::Stub> players_;
  std::unique_ptr<v1::ContactEventService::Stub> events_;
  std::unique_ptr<v1::ComplaintService::Stub> complaints_;
  std::unique_ptr<v1::FlagService::Stub> flags_;
  std::unique_ptr<v1::ReadinessService::Stub> readiness_;
  std::unique_ptr<v1::ProtocolService::Stub> protocols_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::map<std::pair<std::string, common::Role>, std::string> tokens_;
};

}  // namespace touchline::testing
