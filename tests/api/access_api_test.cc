// Issue 5 through real channels: bearer tokens, the method table walked for every RPC and role,
// minimisation on the wire, the audit log, hostile input, TLS and mutual TLS, first-start token.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "SQLiteCpp/Database.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "httplib.h"
#include "server/access/access_policy.h"
#include "server/access/credentials.h"
#include "server/access/minimiser.h"
#include "server/api/access_interceptor.h"
#include "server/common/caller.h"
#include "server/storage/audit_log_store.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

using common::Role;
constexpr common::Role kRoles[] = {common::Role::kAdmin, common::Role::kPhysio, common::Role::kCoach, common::Role::kAnalyst};

std::string RoleUser(common::Role role) { return absl::StrCat(access::RoleName(role), ".user"); }

// Every method of every touchline.v1 service linked into this binary, from the descriptor pool.
std::vector<const google::protobuf::MethodDescriptor*> AllApiMethods() {
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const std::string& name : files) {
    const auto* file = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr || file->package() != "touchline.v1") continue;
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        methods.push_back(file->service(s)->method(m));
      }
    }
  }
  return methods;
}

std::string FullName(const google::protobuf::MethodDescriptor* m) {
  return absl::StrCat("/", m->service()->full_name(), "/", m->name());
}

grpc::ByteBuffer Bytes(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string BytesOf(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

struct RawResult {
  grpc::Status status;
  std::string response;  // the bytes on the wire (the last message)
};

// Calls any method (unary or streaming) with one raw request message, through the generic API.
RawResult CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                  const std::string& request, grpc::ClientContext* ctx) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(ctx, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](intptr_t id) {
    EXPECT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(reinterpret_cast<intptr_t>(tag), id);
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  RawResult result;
  if (step(1)) {
    call->Write(Bytes(request), reinterpret_cast<void*>(2));
    if (step(2)) {
      call->WritesDone(reinterpret_cast<void*>(3));
      step(3);
    }
    grpc::ByteBuffer buffer;
    for (;;) {
      call->Read(&buffer, reinterpret_cast<void*>(4));
      if (!step(4)) break;
      result.response = BytesOf(buffer);
    }
  }
  call->Finish(&result.status, reinterpret_cast<void*>(5));
  step(5);
  return result;
}

class AccessApiTest : public ServerTest {
 protected:
  std::unique_ptr<grpc::ClientContext> As(common::Role role) { return CtxAs(RoleUser(role), role); }

  std::unique_ptr<grpc::ClientContext> WithAuthorization(const std::string& value) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", value);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  // A squad with two players; Ann has an open complaint full of clinical detail and free text, and
  // a readiness override.
  void MakeClinicalRecord() {
    squad_ = MakeSquad("First XV");
    ann_ = MakePlayer(squad_, "Ann Secretname");
    bob_ = MakePlayer(squad_, "Bob Othername");
    v1::CreateComplaintRequest req;
    auto* c = req.mutable_complaint();
    c->set_player_id(ann_);
    c->set_side(v1::SIDE_LEFT);
    *c->mutable_onset_time() = Ts(Day(2026, 10, 20));
    c->set_onset_kind(v1::ONSET_KIND_ACUTE);
    c->set_mechanism(v1::MECHANISM_SPRINTING);
    c->mutable_symptoms()->set_pain(7);
    c->mutable_symptoms()->set_spasm(true);
    c->mutable_history()->set_notes("history-free-text-XYZZY");
    c->mutable_findings()->set_piriformis_spasm(true);
    c->mutable_findings()->set_notes("findings-free-text-XYZZY");
    c->set_osiics_code("TM1");
    v1::CreateComplaintResponse resp;
    ASSERT_TRUE(complaints_->CreateComplaint(Ctx("physio.anna").get(), req, &resp).ok());
    complaint_ = resp.complaint().id();
    MakeComplaint(bob_, v1::SIDE_RIGHT, Day(2026, 10, 25));

    v1::CreateReadinessOverrideRequest o;
    o.mutable_readiness_override()->set_player_id(bob_);
    o.mutable_readiness_override()->set_availability(v1::AVAILABILITY_MODIFIED);
    o.mutable_readiness_override()->set_reason("override-free-text-XYZZY");
    *o.mutable_readiness_override()->mutable_expire_time() = Ts(Start() + absl::Hours(72));
    v1::CreateReadinessOverrideResponse or_;
    ASSERT_TRUE(readiness_->CreateReadinessOverride(Ctx().get(), o, &or_).ok());
  }

  int64_t squad_ = 0, ann_ = 0, bob_ = 0, complaint_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The table

TEST_F(AccessApiTest, EveryApiMethodHasATableEntry) {
  const auto methods = AllApiMethods();
  ASSERT_GE(methods.size(), 27u);  // 27 when issue 5 landed; more as the API grows
  std::set<std::string> in_pool;
  for (const auto* m : methods) {
    in_pool.insert(FullName(m));
    EXPECT_NE(access::FindMethodRule(FullName(m)), nullptr)
        << FullName(m) << " has no entry in server/access/access_policy.cc: it is denied to all";
  }
  for (const auto& rule : access::MethodRules()) {
    EXPECT_TRUE(in_pool.count(std::string(rule.method))) << rule.method << " is not an API method";
  }
}

TEST_F(AccessApiTest, UnknownMethodsAreDeniedToEveryRole) {
  for (common::Role role : kRoles) {
    EXPECT_FALSE(access::IsAllowed("/touchline.v1.SquadService/DeleteEverything", role));
  }
  EXPECT_FALSE(access::IsAllowed("/touchline.v1.SquadService/ListSquads", common::Role::kNone));
}

TEST_F(AccessApiTest, WalkEveryRpcWithEveryRoleAndWithoutToken) {
  const int64_t unchecked_before = api::UncheckedCallCount();
  for (const auto* m : AllApiMethods()) {
    const std::string method = FullName(m);
    {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      EXPECT_EQ(CallRaw(channel_, method, "", &ctx).status.error_code(),
                grpc::StatusCode::UNAUTHENTICATED)
          << method << " without a token";
      auto bad = WithAuthorization("Bearer tl_not-a-token");
      EXPECT_EQ(CallRaw(channel_, method, "", bad.get()).status.error_code(),
                grpc::StatusCode::UNAUTHENTICATED)
          << method << " with an unknown token";
    }
    for (common::Role role : kRoles) {
      auto ctx = As(role);
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      const RawResult r = CallRaw(channel_, method, "", ctx.get());
      if (access::IsAllowed(method, role)) {
        EXPECT_NE(r.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << method << " as " << access::RoleName(role) << ": " << r.status.error_message();
        EXPECT_NE(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method;
      } else {
        EXPECT_EQ(r.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << method << " as " << access::RoleName(role);
        EXPECT_TRUE(r.response.empty()) << method;
      }
    }
  }
  EXPECT_EQ(api::UncheckedCallCount(), unchecked_before)
      << "a handler ran without asking CallerFrom (see server/api/services.cc, Serve)";
}

TEST_F(AccessApiTest, RolesAsDesigned) {
  using access::IsAllowed;
  EXPECT_FALSE(IsAllowed("/touchline.v1.ComplaintService/ListComplaints", common::Role::kCoach));
  EXPECT_FALSE(IsAllowed("/touchline.v1.ComplaintService/GetComplaint", common::Role::kCoach));
  EXPECT_FALSE(IsAllowed("/touchline.v1.FlagService/ListFlags", common::Role::kCoach));
  EXPECT_TRUE(IsAllowed("/touchline.v1.ReadinessService/GetSquadReadiness", common::Role::kCoach));
  EXPECT_FALSE(IsAllowed("/touchline.v1.ComplaintService/CreateComplaint", common::Role::kAnalyst));
  EXPECT_FALSE(IsAllowed("/touchline.v1.ComplaintService/ListAmendments", common::Role::kAnalyst));
  EXPECT_FALSE(IsAllowed("/touchline.v1.PlayerService/GetPlayer", common::Role::kAnalyst));
  EXPECT_TRUE(IsAllowed("/touchline.v1.AuditService/ListAuditEvents", common::Role::kAdmin));
  EXPECT_FALSE(IsAllowed("/touchline.v1.AuditService/ListAuditEvents", common::Role::kPhysio));
}

// ---------------------------------------------------------------------------------------------
// Authentication

TEST_F(AccessApiTest, HealthNeedsNoToken) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(AccessApiTest, MalformedAndUnknownTokensAreUnauthenticated) {
  const std::string good = TokenFor("physio.anna");
  for (const std::string& value :
       {std::string("Basic ") + good, good, std::string("Bearer"), std::string("Bearer "),
        std::string("Bearer ' OR 1=1 --"), std::string("Bearer ") + good + "x",
        std::string("Bearer ") + std::string(10000, 'a')}) {
    auto ctx = WithAuthorization(value);
    v1::ListSquadsResponse resp;
    EXPECT_EQ(squads_->ListSquads(ctx.get(), {}, &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << value.substr(0, 40);
  }
  auto ctx = WithAuthorization("bearer " + good);  // the scheme is case-insensitive
  v1::ListSquadsResponse resp;
  EXPECT_TRUE(squads_->ListSquads(ctx.get(), {}, &resp).ok());
  // Two authorization headers are ambiguous: refused.
  auto twice = WithAuthorization("Bearer " + good);
  twice->AddMetadata("authorization", "Bearer " + TokenFor("admin.user", common::Role::kAdmin));
  EXPECT_EQ(squads_->ListSquads(twice.get(), {}, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AccessApiTest, TokensAreStoredOnlyAsHashes) {
  const std::string token = TokenFor("physio.anna");
  bool found = false;
  for (const std::string& row : StoreRows("SELECT token_sha256, user_name, role FROM access_tokens")) {
    EXPECT_EQ(row.find(token), std::string::npos);
    if (row == absl::StrCat(access::Sha256Hex(token), " physio.anna ",
                            static_cast<int>(common::Role::kPhysio))) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(AccessApiTest, TheIdentityComesFromTheTokenNotFromMetadata) {
  auto ctx = As(common::Role::kPhysio);
  ctx->AddMetadata("touchline-user", "someone.else");
  v1::CreateSquadRequest req;
  req.mutable_squad()->set_name("A XV");
  v1::CreateSquadResponse resp;
  ASSERT_TRUE(squads_->CreateSquad(ctx.get(), req, &resp).ok());
  const int64_t player = MakePlayer(resp.squad().id(), "P");
  auto physio = As(common::Role::kPhysio);
  v1::CreateComplaintRequest c;
  c.mutable_complaint()->set_player_id(player);
  c.mutable_complaint()->set_side(v1::SIDE_LEFT);
  *c.mutable_complaint()->mutable_onset_time() = Ts(Day(2026, 10, 30));
  c.mutable_complaint()->set_onset_kind(v1::ONSET_KIND_GRADUAL);
  physio->AddMetadata("touchline-user", "someone.else");
  v1::CreateComplaintResponse created;
  ASSERT_TRUE(complaints_->CreateComplaint(physio.get(), c, &created).ok());
  EXPECT_EQ(created.complaint().created_by(), "physio.user");
}

// ---------------------------------------------------------------------------------------------
// Minimisation

// A squad's board is kept and served as bytes in each role's form (issue 24): every call still gets
// its own session_time, each role's form is exactly the full answer minimised for that role, and a
// write is seen by every role's next answer.
TEST_F(AccessApiTest, AKeptBoardIsServedInEachRolesFormWithEachCallsSessionTime) {
  MakeClinicalRecord();
  auto board_as = [&](common::Role role, absl::Time at) {
    v1::GetSquadReadinessRequest req;
    req.set_squad_id(squad_);
    *req.mutable_session_time() = Ts(at);
    v1::GetSquadReadinessResponse resp;
    const grpc::Status status = readiness_->GetSquadReadiness(As(role).get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp;
  };
  auto without_time = [](v1::GetSquadReadinessResponse r) {
    r.clear_session_time();
    return r.SerializeAsString();
  };
  const absl::Time t1 = Start() + absl::Minutes(1);
  const absl::Time t2 = Start() + absl::Minutes(2);
  const v1::GetSquadReadinessResponse full = board_as(common::Role::kPhysio, t1);
  ASSERT_EQ(full.players_size(), 2);
  for (common::Role role : {common::Role::kPhysio, common::Role::kCoach, common::Role::kAnalyst}) {
    SCOPED_TRACE(static_cast<int>(role));
    const v1::GetSquadReadinessResponse first = board_as(role, t1);
    const v1::GetSquadReadinessResponse second = board_as(role, t2);  // the same kept board
    EXPECT_EQ(service::FromProto(first.session_time()), t1);
    EXPECT_EQ(service::FromProto(second.session_time()), t2);
    EXPECT_EQ(without_time(first), without_time(second));
    // What the role receives is the full answer minimised for it, field for field (pseudonyms
    // aside: their key is the server's).
    v1::GetSquadReadinessResponse expected = full;
    access::Minimise(expected, role, access::Pseudonymizer("a test key"));
    v1::GetSquadReadinessResponse got = first;
    for (auto* answer : {&expected, &got}) {
      for (auto& p : *answer->mutable_players()) {
        if (role == common::Role::kAnalyst) {
          EXPECT_EQ(p.player_pseudonym().size(), 25u);
          EXPECT_EQ(p.player_id(), 0);
          EXPECT_TRUE(p.player_name().empty());
        }
        p.clear_player_pseudonym();
        if (p.has_override()) p.mutable_override()->clear_player_pseudonym();
      }
    }
    EXPECT_EQ(expected.SerializeAsString(), got.SerializeAsString());
  }
  // A write about Ann (her complaint resolved) reaches every role's next answer.
  v1::ResolveComplaintRequest resolve;
  resolve.set_complaint_id(complaint_);
  *resolve.mutable_resolve_time() = Ts(Start());
  v1::ResolveComplaintResponse resolved;
  ASSERT_TRUE(complaints_->ResolveComplaint(Ctx().get(), resolve, &resolved).ok());
  for (common::Role role : {common::Role::kPhysio, common::Role::kCoach, common::Role::kAnalyst}) {
    SCOPED_TRACE(static_cast<int>(role));
    const v1::GetSquadReadinessResponse after = board_as(role, t2);
    ASSERT_EQ(after.players_size(), 2);
    EXPECT_EQ(after.players(0).availability(), v1::AVAILABILITY_AVAILABLE);  // Ann, by name
    EXPECT_EQ(after.available_count(), 1);
  }
}

TEST_F(AccessApiTest, CoachesSeeAvailabilityWithoutClinicalDetail) {
  MakeClinicalRecord();
  v1::GetSquadReadinessRequest req;
  req.set_squad_id(squad_);
  std::string wire_req;
  req.SerializeToString(&wire_req);
  auto ctx = As(common::Role::kCoach);
  const RawResult raw =
      CallRaw(channel_, "/touchline.v1.ReadinessService/GetSquadReadiness", wire_req, ctx.get());
  ASSERT_TRUE(raw.status.ok()) << raw.status.error_message();
  EXPECT_EQ(raw.response.find("XYZZY"), std::string::npos);
  EXPECT_EQ(raw.response.find("acute"), std::string::npos);
  EXPECT_EQ(raw.response.find("left"), std::string::npos);
  v1::GetSquadReadinessResponse resp;
  ASSERT_TRUE(resp.ParseFromString(raw.response));
  ASSERT_EQ(resp.players_size(), 2);
  EXPECT_EQ(resp.unavailable_count(), 1);
  for (const auto& p : resp.players()) {
    EXPECT_FALSE(p.player_name().empty());  // coaches know their players
    EXPECT_GT(p.player_id(), 0);
    EXPECT_TRUE(p.player_pseudonym().empty());
    ASSERT_GE(p.reasons_size(), 1) << p.player_name();
    for (const auto& r : p.reasons()) {
      EXPECT_TRUE(r.code() == v1::READINESS_REASON_CODE_MEDICAL ||
                  r.code() == v1::READINESS_REASON_CODE_OVERRIDE)
          << r.code();
      EXPECT_EQ(r.complaint_id(), 0);
      EXPECT_EQ(r.flag_kind(), v1::FLAG_KIND_UNSPECIFIED);
    }
    if (p.has_override()) {
      EXPECT_TRUE(p.override().reason().empty());
    }
  }
  // A physio sees the clinical reasons.
  v1::GetSquadReadinessResponse full;
  ASSERT_TRUE(readiness_->GetSquadReadiness(Ctx().get(), req, &full).ok());
  EXPECT_EQ(full.players(0).reasons(0).code(), v1::READINESS_REASON_CODE_OPEN_ACUTE_COMPLAINT);

  v1::ListComplaintsRequest list;
  list.set_squad_id(squad_);
  v1::ListComplaintsResponse complaints;
  EXPECT_EQ(complaints_->ListComplaints(As(common::Role::kCoach).get(), list, &complaints).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListFlagsRequest flags;
  flags.set_squad_id(squad_);
  v1::ListFlagsResponse flagged;
  EXPECT_EQ(flags_->ListFlags(As(common::Role::kCoach).get(), flags, &flagged).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListReadinessOverridesRequest ov;
  ov.set_player_id(bob_);
  v1::ListReadinessOverridesResponse overrides;
  ASSERT_TRUE(readiness_->ListReadinessOverrides(As(common::Role::kCoach).get(), ov, &overrides).ok());
  ASSERT_EQ(overrides.readiness_overrides_size(), 1);
  EXPECT_TRUE(overrides.readiness_overrides(0).reason().empty());
}

TEST_F(AccessApiTest, AnalystsGetPseudonymsAndNoNamesOrFreeText) {
  MakeClinicalRecord();
  v1::ListComplaintsRequest req;
  req.set_squad_id(squad_);
  std::string wire_req;
  req.SerializeToString(&wire_req);
  auto ctx = As(common::Role::kAnalyst);
  const RawResult raw =
      CallRaw(channel_, "/touchline.v1.ComplaintService/ListComplaints", wire_req, ctx.get());
  ASSERT_TRUE(raw.status.ok()) << raw.status.error_message();
  EXPECT_EQ(raw.response.find("XYZZY"), std::string::npos);
  EXPECT_EQ(raw.response.find("physio.anna"), std::string::npos);
  v1::ListComplaintsResponse resp;
  ASSERT_TRUE(resp.ParseFromString(raw.response));
  ASSERT_EQ(resp.complaints_size(), 2);
  std::set<std::string> pseudonyms;
  for (const auto& c : resp.complaints()) {
    EXPECT_EQ(c.player_id(), 0);
    EXPECT_EQ(c.player_pseudonym().size(), 25u) << c.player_pseudonym();
    pseudonyms.insert(c.player_pseudonym());
    EXPECT_TRUE(c.created_by().empty());
    EXPECT_TRUE(c.history().notes().empty());
    EXPECT_TRUE(c.findings().notes().empty());
  }
  EXPECT_EQ(pseudonyms.size(), 2u);
  // Patterns survive: structured clinical fields are kept.
  EXPECT_EQ(resp.complaints(0).symptoms().pain(), 7);
  EXPECT_TRUE(resp.complaints(0).findings().piriformis_spasm());

  // The same player has the same pseudonym everywhere; names are gone.
  v1::GetSquadReadinessRequest rr;
  rr.set_squad_id(squad_);
  v1::GetSquadReadinessResponse readiness;
  ASSERT_TRUE(readiness_->GetSquadReadiness(As(common::Role::kAnalyst).get(), rr, &readiness).ok());
  for (const auto& p : readiness.players()) {
    EXPECT_TRUE(p.player_name().empty());
    EXPECT_EQ(p.player_id(), 0);
    EXPECT_TRUE(pseudonyms.count(p.player_pseudonym())) << p.player_pseudonym();
    for (const auto& r : p.reasons()) EXPECT_TRUE(r.text().empty());
  }
  v1::ListPlayersRequest lp;
  lp.set_squad_id(squad_);
  v1::ListPlayersResponse players;
  ASSERT_TRUE(players_->ListPlayers(As(common::Role::kAnalyst).get(), lp, &players).ok());
  ASSERT_EQ(players.players_size(), 2);
  for (const auto& p : players.players()) {
    EXPECT_TRUE(p.name().empty());
    EXPECT_EQ(p.id(), 0);
    EXPECT_TRUE(pseudonyms.count(p.player_pseudonym()));
  }

  // Selecting a player by identifier would undo the pseudonyms: refused.
  v1::ListComplaintsRequest by_player;
  by_player.set_player_id(ann_);
  v1::ListComplaintsResponse none;
  EXPECT_EQ(complaints_->ListComplaints(As(common::Role::kAnalyst).get(), by_player, &none).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// ---------------------------------------------------------------------------------------------
// Audit

TEST_F(AccessApiTest, MedicalReadsAndWritesAreAuditedAndAdminsQueryThem) {
  MakeClinicalRecord();
  clock_.Set(Start() + absl::Minutes(5));
  v1::GetComplaintRequest get;
  get.set_id(complaint_);
  v1::GetComplaintResponse got;
  ASSERT_TRUE(complaints_->GetComplaint(Ctx("physio.ben").get(), get, &got).ok());
  v1::ListComplaintsRequest list;
  list.set_player_id(ann_);
  v1::ListComplaintsResponse listed;
  ASSERT_EQ(complaints_->ListComplaints(As(common::Role::kCoach).get(), list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext anonymous;
  ASSERT_EQ(complaints_->GetComplaint(&anonymous, get, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  v1::ListAuditEventsRequest req;
  req.set_player_id(ann_);
  v1::ListAuditEventsResponse resp;
  ASSERT_TRUE(audit_->ListAuditEvents(As(common::Role::kAdmin).get(), req, &resp).ok());
  // Newest first: the coach's refused attempt, the physio's read, then the creation.
  ASSERT_EQ(resp.audit_events_size(), 3);
  const auto& denied = resp.audit_events(0);
  EXPECT_EQ(denied.user(), "coach.user");
  EXPECT_EQ(denied.role(), v1::ROLE_COACH);
  EXPECT_EQ(denied.method(), "/touchline.v1.ComplaintService/ListComplaints");
  EXPECT_EQ(denied.outcome(), "PERMISSION_DENIED");
  EXPECT_THAT(denied.player_ids(), ::testing::ElementsAre(ann_));
  const auto& read = resp.audit_events(1);
  EXPECT_EQ(read.user(), "physio.ben");
  EXPECT_EQ(read.role(), v1::ROLE_PHYSIO);
  EXPECT_EQ(read.method(), "/touchline.v1.ComplaintService/GetComplaint");
  EXPECT_EQ(read.outcome(), "OK");
  EXPECT_EQ(service::FromProto(read.event_time()), Start() + absl::Minutes(5));
  EXPECT_EQ(resp.audit_events(2).method(), "/touchline.v1.ComplaintService/CreateComplaint");
  EXPECT_EQ(resp.audit_events(2).user(), "physio.anna");

  // A squad-wide read names every player it returned.
  v1::GetSquadReadinessRequest rr;
  rr.set_squad_id(squad_);
  v1::GetSquadReadinessResponse readiness;
  ASSERT_TRUE(readiness_->GetSquadReadiness(As(common::Role::kAnalyst).get(), rr, &readiness).ok());
  v1::ListAuditEventsRequest by_user;
  by_user.set_user("analyst.user");
  ASSERT_TRUE(audit_->ListAuditEvents(As(common::Role::kAdmin).get(), by_user, &resp).ok());
  ASSERT_EQ(resp.audit_events_size(), 1);
  EXPECT_THAT(resp.audit_events(0).player_ids(), ::testing::UnorderedElementsAre(ann_, bob_));
  EXPECT_EQ(resp.audit_events(0).squad_id(), squad_);

  // Paging and filters.
  v1::ListAuditEventsRequest page;
  page.set_page_size(2);
  page.set_outcome("OK");
  std::set<int64_t> ids;
  for (int pages = 0; pages < 50; ++pages) {
    v1::ListAuditEventsResponse p;
    ASSERT_TRUE(audit_->ListAuditEvents(As(common::Role::kAdmin).get(), page, &p).ok());
    for (const auto& e : p.audit_events()) {
      EXPECT_EQ(e.outcome(), "OK");
      EXPECT_TRUE(ids.insert(e.id()).second);
    }
    if (p.next_page_token().empty()) break;
    page.set_page_token(p.next_page_token());
  }
  EXPECT_GE(ids.size(), 5u);

  // Only admins read it.
  EXPECT_EQ(audit_->ListAuditEvents(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AccessApiTest, AWholeSquadsBoardIsOneAuditEventFoundByEachOfItsPlayers) {
  // More players than get an audit row each: their ids are packed into the event itself.
  const int64_t squad = MakeSquad("Academy");
  std::vector<int64_t> players;
  for (int i = 0; i < 12; ++i) players.push_back(MakePlayer(squad, absl::StrCat("Academy ", i)));
  const int64_t elsewhere = MakePlayer(MakeSquad("Sevens"), "Not on the board");
  v1::GetSquadReadinessRequest rr;
  rr.set_squad_id(squad);
  v1::GetSquadReadinessResponse board;
  ASSERT_TRUE(readiness_->GetSquadReadiness(As(common::Role::kCoach).get(), rr, &board).ok());
  ASSERT_EQ(board.players_size(), 12);

  v1::ListAuditEventsRequest by_method;
  by_method.set_method("/touchline.v1.ReadinessService/GetSquadReadiness");
  v1::ListAuditEventsResponse events;
  ASSERT_TRUE(audit_->ListAuditEvents(As(common::Role::kAdmin).get(), by_method, &events).ok());
  ASSERT_EQ(events.audit_events_size(), 1);
  EXPECT_THAT(events.audit_events(0).player_ids(),
              ::testing::UnorderedElementsAreArray(players));
  const int64_t event_id = events.audit_events(0).id();
  for (int64_t p : {players.front(), players[5], players.back()}) {
    v1::ListAuditEventsRequest by_player = by_method;
    by_player.set_player_id(p);
    ASSERT_TRUE(audit_->ListAuditEvents(As(common::Role::kAdmin).get(), by_player, &events).ok());
    ASSERT_EQ(events.audit_events_size(), 1) << p;
    EXPECT_EQ(events.audit_events(0).id(), event_id);
  }
  v1::ListAuditEventsRequest other = by_method;
  other.set_player_id(elsewhere);
  ASSERT_TRUE(audit_->ListAuditEvents(As(common::Role::kAdmin).get(), other, &events).ok());
  EXPECT_EQ(events.audit_events_size(), 0);
  // One row, not one per player.
  EXPECT_EQ(StoreInt(absl::StrCat("SELECT count(*) FROM audit_event_players WHERE event_id = ",
                                  event_id),
                     storage::StoreKind::kAuditLog),
            0);
}

TEST_F(AccessApiTest, TheAuditLogRefusesUpdateAndDelete) {
  MakeClinicalRecord();
  const storage::StoreKind log = storage::StoreKind::kAuditLog;
  EXPECT_GT(StoreInt("SELECT COUNT(*) FROM audit_events", log), 0);
  EXPECT_GT(StoreInt("SELECT COUNT(*) FROM audit_event_players", log), 0);
  for (const char* sql : {"UPDATE audit_events SET user_name = 'nobody'", "DELETE FROM audit_events",
                          "UPDATE audit_event_players SET player_id = 0",
                          "DELETE FROM audit_event_players",
                          "UPDATE audit_log_owner SET store_id = 'other'",
                          "DELETE FROM audit_log_owner"}) {
    const absl::Status refused = StoreExecute(sql, log);
    EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << sql << ": " << refused;
  }
  EXPECT_GT(StoreInt("SELECT COUNT(*) FROM audit_events", log), 0);
}

TEST_F(AccessApiTest, TheDatabaseKeepsNoAuditEventsOnceTheAuditLogHasItsOwnFile) {
  MakeClinicalRecord();
  EXPECT_EQ(StoreInt("SELECT COUNT(*) FROM audit_events"), 0);
  // The old tables refuse anything appended to them by mistake.
  EXPECT_FALSE(StoreExecute("INSERT INTO audit_events (occurred_at, user_name, role, method, outcome) "
                            "VALUES (0, 'x', 1, 'm', 'OK')")
                   .ok());
  EXPECT_FALSE(StoreExecute("UPDATE store_identity SET audit_log_moved_at = NULL").ok());
  EXPECT_EQ(StoreInt("SELECT COUNT(*) FROM audit_events"), 0);
}

// ---------------------------------------------------------------------------------------------
// Hostile input

TEST_F(AccessApiTest, SqlMetacharactersAreStoredVerbatim) {
  const std::string name = "Robert'); DROP TABLE squads;-- \" OR 1=1 %_\\";
  const int64_t squad = MakeSquad(name);
  v1::GetSquadRequest req;
  req.set_id(squad);
  v1::GetSquadResponse resp;
  ASSERT_TRUE(squads_->GetSquad(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.squad().name(), name);
  v1::ListAuditEventsRequest audit;
  audit.set_user("x' OR '1'='1");
  v1::ListAuditEventsResponse events;
  ASSERT_TRUE(audit_->ListAuditEvents(As(common::Role::kAdmin).get(), audit, &events).ok());
  EXPECT_EQ(events.audit_events_size(), 0);
}

TEST_F(AccessApiTest, OverlongInvalidAndHugeInputIsRefusedCleanly) {
  v1::CreateSquadRequest req;
  req.mutable_squad()->set_name(std::string(100000, 'x'));
  v1::CreateSquadResponse resp;
  EXPECT_EQ(squads_->CreateSquad(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Larger than the message limit.
  req.mutable_squad()->set_name(std::string(5 * 1024 * 1024, 'x'));
  EXPECT_EQ(squads_->CreateSquad(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Invalid UTF-8 in a string field (hand-encoded: the C++ client would refuse to send it).
  const std::string bad_utf8 = std::string("\x0a\x06\x12\x04\xff\xfe\xc0\x80", 8);
  auto ctx = Ctx();
  EXPECT_NE(CallRaw(channel_, "/touchline.v1.SquadService/CreateSquad", bad_utf8, ctx.get())
                .status.error_code(),
            grpc::StatusCode::OK);
  // Deeply nested (unknown) messages: 100000 levels of field 99.
  std::string nested;
  for (int i = 0; i < 100000; ++i) {
    std::string outer = "\x9a\x06";  // field 99, length-delimited
    std::string len;
    size_t n = nested.size();
    do {
      char byte = static_cast<char>(n & 0x7f);
      n >>= 7;
      if (n) byte |= static_cast<char>(0x80);
      len.push_back(byte);
    } while (n);
    nested = outer + len + nested;
    if (nested.size() > 3 * 1024 * 1024) break;
  }
  auto ctx2 = Ctx();
  const RawResult deep =
      CallRaw(channel_, "/touchline.v1.SquadService/ListSquads", nested, ctx2.get());
  // Unknown fields are skipped or refused; either way the server answers and lives on.
  EXPECT_TRUE(deep.status.ok() || deep.status.error_code() == grpc::StatusCode::INTERNAL ||
              deep.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
      << deep.status.error_message();
  v1::ListSquadsResponse listed;
  EXPECT_TRUE(squads_->ListSquads(Ctx().get(), {}, &listed).ok());
  EXPECT_EQ(listed.squads_size(), 0);
}

TEST_F(AccessApiTest, MetadataFloodsAreRefusedAndTheServerLivesOn) {
  auto ctx = Ctx();
  for (int i = 0; i < 2000; ++i) ctx->AddMetadata(absl::StrCat("x-flood-", i), std::string(100, 'v'));
  v1::ListSquadsResponse resp;
  EXPECT_FALSE(squads_->ListSquads(ctx.get(), {}, &resp).ok());
  auto big = Ctx();
  big->AddMetadata("x-big", std::string(64 * 1024, 'v'));
  EXPECT_FALSE(squads_->ListSquads(big.get(), {}, &resp).ok());
  // The refused calls may have cost their connection (gRPC closes it); a new one is served.
  grpc::ChannelArguments own_connection;
  own_connection.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto fresh = v1::SquadService::NewStub(grpc::CreateCustomChannel(
      server_->address(), grpc::InsecureChannelCredentials(), own_connection));
  auto after = Ctx();
  after->set_wait_for_ready(true);
  const grpc::Status status = fresh->ListSquads(after.get(), {}, &resp);
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
}

// ---------------------------------------------------------------------------------------------
// Listening, TLS and mutual TLS, first-start token

TEST(ListenAddress, LoopbackOnly) {
  EXPECT_TRUE(api::IsLoopbackAddress("127.0.0.1:50051"));
  EXPECT_TRUE(api::IsLoopbackAddress("127.1.2.3:1"));
  EXPECT_TRUE(api::IsLoopbackAddress("localhost:50051"));
  EXPECT_TRUE(api::IsLoopbackAddress("[::1]:50051"));
  EXPECT_TRUE(api::IsLoopbackAddress("unix:/tmp/touchline.sock"));
  EXPECT_FALSE(api::IsLoopbackAddress("0.0.0.0:50051"));
  EXPECT_FALSE(api::IsLoopbackAddress("[::]:50051"));
  EXPECT_FALSE(api::IsLoopbackAddress("10.0.0.5:50051"));
  EXPECT_FALSE(api::IsLoopbackAddress(":50051"));
}

class ServerOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = absl::StrCat(::testing::TempDir(), "/touchline_access_", getpid(), "_", counter++);
    ASSERT_EQ(std::system(absl::StrCat("rm -rf '", dir_, "' && mkdir -p '", dir_, "'").c_str()), 0);
    options_.listen_address = "127.0.0.1:0";
    options_.database.path = dir_ + "/touchline.db";
    options_.database.synchronous_full = false;
  }
  void TearDown() override {
    server_.reset();
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }
  void MakeCerts() {
    const std::string cmd = absl::StrCat(TOUCHLINE_SOURCE_DIR, "/deploy/certs.sh '", dir_,
                                         "/certs' >/dev/null");
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::shared_ptr<grpc::ChannelCredentials> Tls(bool client_cert) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Read(dir_ + "/certs/ca.crt");
    if (client_cert) {
      ssl.pem_cert_chain = Read(dir_ + "/certs/client.crt");
      ssl.pem_private_key = Read(dir_ + "/certs/client.key");
    }
    return grpc::SslCredentials(ssl);
  }
  grpc::Status ListSquads(const std::shared_ptr<grpc::ChannelCredentials>& creds,
                          const std::string& token) {
    auto channel = grpc::CreateChannel(absl::StrCat("localhost:", server_->port()), creds);
    auto stub = v1::SquadService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::ListSquadsResponse resp;
    return stub->ListSquads(&ctx, {}, &resp);
  }
  void StartServer() {
    auto server = api::TouchlineServer::Start(options_, clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  domain::ManualClock clock_{Day(2026, 11, 1)};
  std::string dir_;
  api::ServerOptions options_;
  std::unique_ptr<api::TouchlineServer> server_;
};

TEST_F(ServerOptionsTest, PlaintextOnANonLoopbackAddressIsRefusedUnlessAllowed) {
  options_.listen_address = "0.0.0.0:0";
  auto refused = api::TouchlineServer::Start(options_, clock_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  options_.insecure_allow_remote = true;
  StartServer();
}

TEST_F(ServerOptionsTest, TlsServesTlsClientsOnly) {
  MakeCerts();
  options_.listen_address = "0.0.0.0:0";  // TLS makes a non-loopback address acceptable
  options_.tls.cert_file = dir_ + "/certs/server.crt";
  options_.tls.key_file = dir_ + "/certs/server.key";
  StartServer();
  auto token = server_->IssueToken("physio.tls", common::Role::kPhysio);
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(ListSquads(Tls(false), *token).ok());
  EXPECT_EQ(ListSquads(Tls(false), "wrong").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(ListSquads(grpc::InsecureChannelCredentials(), *token).ok());
}

TEST_F(ServerOptionsTest, MutualTlsRequiresAClientCertificate) {
  MakeCerts();
  options_.tls.cert_file = dir_ + "/certs/server.crt";
  options_.tls.key_file = dir_ + "/certs/server.key";
  options_.tls.client_ca_file = dir_ + "/certs/ca.crt";
  StartServer();
  auto token = server_->IssueToken("physio.mtls", common::Role::kPhysio);
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(ListSquads(Tls(true), *token).ok());
  EXPECT_EQ(ListSquads(Tls(false), *token).error_code(), grpc::StatusCode::UNAVAILABLE);
}

// The HTTP listener (Connect, the web app) follows the same TLS flags: HTTPS with the gRPC
// listener's certificate, client certificates when those are required, no plaintext.
TEST_F(ServerOptionsTest, TheHttpListenerServesHttpsWithTheSameCertificates) {
  MakeCerts();
  options_.http_listen_address = "0.0.0.0:0";  // TLS makes a non-loopback address acceptable
  options_.tls.cert_file = dir_ + "/certs/server.crt";
  options_.tls.key_file = dir_ + "/certs/server.key";
  options_.tls.client_ca_file = dir_ + "/certs/ca.crt";
  StartServer();
  auto token = server_->IssueToken("physio.https", common::Role::kPhysio);
  ASSERT_TRUE(token.ok());
  const httplib::Headers headers = {{"Authorization", "Bearer " + *token}};
  httplib::SSLClient with_certificate("localhost", server_->http_port(),
                                      dir_ + "/certs/client.crt", dir_ + "/certs/client.key");
  with_certificate.set_ca_cert_path((dir_ + "/certs/ca.crt").c_str());
  with_certificate.enable_server_certificate_verification(true);
  auto answer = with_certificate.Post("/touchline.v1.SquadService/ListSquads", headers, "{}",
                                      "application/json");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200);
  httplib::SSLClient without_certificate("localhost", server_->http_port());
  without_certificate.set_ca_cert_path((dir_ + "/certs/ca.crt").c_str());
  without_certificate.enable_server_certificate_verification(true);
  auto refused = without_certificate.Post("/touchline.v1.SquadService/ListSquads", headers, "{}",
                                          "application/json");
  EXPECT_FALSE(refused && refused->status == 200) << "no client certificate, no answer";
  httplib::Client plaintext("localhost", server_->http_port());
  plaintext.set_read_timeout(std::chrono::seconds(5));
  auto cleartext = plaintext.Post("/touchline.v1.SquadService/ListSquads", headers, "{}",
                                  "application/json");
  EXPECT_FALSE(cleartext && cleartext->status == 200) << "plaintext at an HTTPS listener";
}

TEST_F(ServerOptionsTest, FirstStartWritesAnAdminTokenFileOnce) {
  options_.bootstrap_token_file = dir_ + "/touchline.db.token";
  options_.pseudonym_key_file = dir_ + "/touchline.db.pseudonym-key";
  StartServer();
  EXPECT_TRUE(server_->bootstrapped_token());
  struct stat st {};
  ASSERT_EQ(stat(options_.bootstrap_token_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(options_.pseudonym_key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string token = Read(options_.bootstrap_token_file);
  while (!token.empty() && token.back() == '\n') token.pop_back();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                     grpc::InsecureChannelCredentials());
  auto audit = v1::AuditService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  v1::ListAuditEventsResponse resp;
  EXPECT_TRUE(audit->ListAuditEvents(&ctx, {}, &resp).ok());  // an admin token
  const std::string key = Read(options_.pseudonym_key_file);
  server_.reset();
  StartServer();
  EXPECT_FALSE(server_->bootstrapped_token());
  EXPECT_EQ(Read(options_.bootstrap_token_file), token + "\n");
  EXPECT_EQ(Read(options_.pseudonym_key_file), key);
}

}  // namespace
}  // namespace touchline::testing
