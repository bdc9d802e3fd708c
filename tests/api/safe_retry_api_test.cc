// Safe retries (issue 16, AIP-155) and complete audit records, through a real server: every
// creating or state-changing method takes a request_id; a retry with it answers the first result
// and writes nothing again, another request under it is ALREADY_EXISTS, and ids are per user.
// Also: the audit log names the players of the protocol and amendment methods.
#include <set>

#include "gmock/gmock.h"
#include "server/common/caller.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace pv1 = touchline::plugin::v1;

class SafeRetryApiTest : public ServerTest {
 protected:
  void ConfigureServer(api::ServerOptions& options) override {
    options.plugins.plugin_paths = {TOUCHLINE_BUILTIN_DIR};
    options.plugins.host_executable = TOUCHLINE_HOST_PATH;
    options.plugins.deadline = absl::Milliseconds(2000);
    options.plugins.on_refused = [](const pv1::RefusedPlugin&) {};
  }

  v1::CreateComplaintRequest ComplaintRequest(int64_t player, const std::string& request_id,
                                              int pain = 4) {
    v1::CreateComplaintRequest req;
    req.set_request_id(request_id);
    auto* c = req.mutable_complaint();
    c->set_player_id(player);
    c->set_side(v1::SIDE_LEFT);
    *c->mutable_onset_time() = Ts(Start() - absl::Hours(48));
    c->set_onset_kind(v1::ONSET_KIND_GRADUAL);
    c->set_mechanism(v1::MECHANISM_UNKNOWN);
    c->mutable_symptoms()->set_pain(pain);
    return req;
  }

  int ComplaintsOf(int64_t player) {
    v1::ListComplaintsRequest req;
    req.set_player_id(player);
    v1::ListComplaintsResponse resp;
    EXPECT_TRUE(complaints_->ListComplaints(Ctx().get(), req, &resp).ok());
    return resp.complaints_size();
  }

  // Player ids named by the newest audit record of `method`.
  std::set<int64_t> AuditedPlayers(const std::string& method) {
    v1::ListAuditEventsRequest req;
    req.set_method(method);
    req.set_page_size(1);
    v1::ListAuditEventsResponse resp;
    EXPECT_TRUE(audit_->ListAuditEvents(CtxAs("admin", common::Role::kAdmin).get(), req, &resp)
                    .ok());
    if (resp.audit_events_size() == 0) return {};
    const auto& ids = resp.audit_events(0).player_ids();
    return {ids.begin(), ids.end()};
  }
};

TEST_F(SafeRetryApiTest, ARetriedCreateAnswersTheFirstResultAndStoresOneRecord) {
  const int64_t player = MakePlayer(MakeSquad(), "Ava");
  const auto req = ComplaintRequest(player, "2b7c1d1e-5b8a-4f0e-9d43-0c6e1f0d9a11");
  v1::CreateComplaintResponse first, second;
  ASSERT_TRUE(complaints_->CreateComplaint(Ctx().get(), req, &first).ok());
  clock_.Advance(absl::Minutes(3));  // the retry comes later: still the first result
  ASSERT_TRUE(complaints_->CreateComplaint(Ctx().get(), req, &second).ok());
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(ComplaintsOf(player), 1);

  // Another request under the same id: refused, nothing written.
  v1::CreateComplaintResponse other;
  const auto status = complaints_->CreateComplaint(
      Ctx().get(), ComplaintRequest(player, req.request_id(), /*pain=*/7), &other);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr(req.request_id()));
  EXPECT_EQ(ComplaintsOf(player), 1);

  // Ids are per user: another physio's same id is a request of its own (and never hands over
  // the first physio's result).
  v1::CreateComplaintResponse theirs;
  ASSERT_TRUE(complaints_->CreateComplaint(Ctx("physio.ben").get(), req, &theirs).ok());
  EXPECT_NE(theirs.complaint().id(), first.complaint().id());
  EXPECT_EQ(ComplaintsOf(player), 2);

  // Without a request_id nothing is deduplicated (as before).
  v1::CreateComplaintRequest plain = ComplaintRequest(player, "");
  ASSERT_TRUE(complaints_->CreateComplaint(Ctx().get(), plain, &other).ok());
  ASSERT_TRUE(complaints_->CreateComplaint(Ctx().get(), plain, &other).ok());
  EXPECT_EQ(ComplaintsOf(player), 4);
}

TEST_F(SafeRetryApiTest, AMalformedRequestIdIsRefusedWithItsField) {
  const int64_t player = MakePlayer(MakeSquad(), "Ava");
  v1::CreateComplaintResponse resp;
  for (const std::string& bad : {std::string("has space"), std::string(129, 'a'),
                                std::string("caf\xc3\xa9")}) {
    const auto status =
        complaints_->CreateComplaint(Ctx().get(), ComplaintRequest(player, bad), &resp);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_THAT(ViolatedFields(status), ElementsAre("request_id"));
  }
  EXPECT_EQ(ComplaintsOf(player), 0);
}

// Each state change once: a retried check-in, resolution, reopening, amendment, override, squad,
// player, archive, flag acknowledgement, assignment and adherence report answers its first
// result and changes nothing more.
TEST_F(SafeRetryApiTest, EveryStateChangeIsOncePerRequestId) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Ava");
  // An awkward tackle before the complaint: suspected pelvic origin, so plugins prescribe.
  MakeEvent(player, v1::CONTACT_KIND_TACKLE_RECEIVED, Start() - absl::Hours(24 * 5), true);
  const v1::Complaint complaint = MakeComplaint(player, v1::SIDE_LEFT, Start() - absl::Hours(72));

  auto twice = [&](auto call) {
    const auto [status1, first] = call();
    const auto [status2, second] = call();
    EXPECT_TRUE(status1.ok()) << status1.error_message();
    EXPECT_TRUE(status2.ok()) << status2.error_message();
    EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
    return first;
  };

  // Check-in: one check-in after two calls.
  v1::CreateCheckInRequest check_in;
  check_in.set_request_id("check-in-1");
  check_in.set_complaint_id(complaint.id());
  *check_in.mutable_check_in()->mutable_check_time() = Ts(Start() - absl::Hours(24));
  check_in.mutable_check_in()->mutable_symptoms()->set_pain(2);
  const auto checked = twice([&] {
    v1::CreateCheckInResponse r;
    auto s = complaints_->CreateCheckIn(Ctx().get(), check_in, &r);
    return std::make_pair(s, r);
  });
  EXPECT_EQ(checked.complaint().check_ins_size(), 1);

  // Amendment: one amendment entry.
  v1::UpdateComplaintRequest update;
  update.set_request_id("amend-1");
  update.mutable_complaint()->set_id(complaint.id());
  update.mutable_complaint()->set_osiics_code("TMHX");
  update.mutable_update_mask()->add_paths("osiics_code");
  twice([&] {
    v1::UpdateComplaintResponse r;
    auto s = complaints_->UpdateComplaint(Ctx().get(), update, &r);
    return std::make_pair(s, r);
  });

  // Resolve, then reopen: each once (a second resolve without the id would be refused).
  v1::ResolveComplaintRequest resolve;
  resolve.set_request_id("resolve-1");
  resolve.set_complaint_id(complaint.id());
  *resolve.mutable_resolve_time() = Ts(Start() - absl::Hours(1));
  twice([&] {
    v1::ResolveComplaintResponse r;
    auto s = complaints_->ResolveComplaint(Ctx().get(), resolve, &r);
    return std::make_pair(s, r);
  });
  v1::ReopenComplaintRequest reopen;
  reopen.set_request_id("reopen-1");
  reopen.set_complaint_id(complaint.id());
  reopen.set_reason("pain back at sprint");
  twice([&] {
    v1::ReopenComplaintResponse r;
    auto s = complaints_->ReopenComplaint(Ctx().get(), reopen, &r);
    return std::make_pair(s, r);
  });
  v1::ListAmendmentsRequest amendments_req;
  amendments_req.set_complaint_id(complaint.id());
  v1::ListAmendmentsResponse amendments;
  ASSERT_TRUE(complaints_->ListAmendments(Ctx().get(), amendments_req, &amendments).ok());
  // create, check-in, update, resolve, reopen: one each.
  EXPECT_EQ(amendments.amendments_size(), 5);

  // Readiness override, created and cleared once.
  v1::CreateReadinessOverrideRequest override_req;
  override_req.set_request_id("override-1");
  auto* o = override_req.mutable_readiness_override();
  o->set_player_id(player);
  o->set_availability(v1::AVAILABILITY_MODIFIED);
  o->set_reason("return-to-run block");
  *o->mutable_start_time() = Ts(Start());
  *o->mutable_expire_time() = Ts(Start() + absl::Hours(48));
  const auto created = twice([&] {
    v1::CreateReadinessOverrideResponse r;
    auto s = readiness_->CreateReadinessOverride(Ctx().get(), override_req, &r);
    return std::make_pair(s, r);
  });
  v1::ClearReadinessOverrideRequest clear;
  clear.set_request_id("clear-1");
  clear.set_id(created.readiness_override().id());
  twice([&] {
    v1::ClearReadinessOverrideResponse r;
    auto s = readiness_->ClearReadinessOverride(Ctx().get(), clear, &r);
    return std::make_pair(s, r);
  });
  v1::ListReadinessOverridesRequest overrides_req;
  overrides_req.set_player_id(player);
  v1::ListReadinessOverridesResponse overrides;
  ASSERT_TRUE(readiness_->ListReadinessOverrides(Ctx().get(), overrides_req, &overrides).ok());
  EXPECT_EQ(overrides.readiness_overrides_size(), 1);

  // Squads and players.
  v1::CreateSquadRequest squad_req;
  squad_req.set_request_id("squad-1");
  squad_req.mutable_squad()->set_name("Academy");
  twice([&] {
    v1::CreateSquadResponse r;
    auto s = squads_->CreateSquad(Ctx().get(), squad_req, &r);
    return std::make_pair(s, r);
  });
  v1::CreatePlayerRequest player_req;
  player_req.set_request_id("player-1");
  player_req.mutable_player()->set_squad_id(squad);
  player_req.mutable_player()->set_name("Bea");
  player_req.mutable_player()->set_position_group(v1::POSITION_GROUP_FORWARD);
  const auto bea = twice([&] {
    v1::CreatePlayerResponse r;
    auto s = players_->CreatePlayer(Ctx().get(), player_req, &r);
    return std::make_pair(s, r);
  });
  v1::ArchivePlayerRequest archive;
  archive.set_request_id("archive-1");
  archive.set_id(bea.player().id());
  twice([&] {
    v1::ArchivePlayerResponse r;
    auto s = players_->ArchivePlayer(Ctx().get(), archive, &r);
    return std::make_pair(s, r);
  });
  v1::ListSquadsResponse squads;
  ASSERT_TRUE(squads_->ListSquads(Ctx().get(), v1::ListSquadsRequest(), &squads).ok());
  EXPECT_EQ(squads.squads_size(), 2);
  v1::ListPlayersRequest players_req;
  players_req.set_squad_id(squad);
  players_req.set_include_archived(true);
  v1::ListPlayersResponse players;
  ASSERT_TRUE(players_->ListPlayers(Ctx().get(), players_req, &players).ok());
  EXPECT_EQ(players.players_size(), 2);

  // A protocol assignment (the plugins are not asked again) and its adherence report.
  v1::AssignProtocolsRequest assign;
  assign.set_request_id("assign-1");
  assign.set_player_id(player);
  assign.set_session_label("Tuesday training");
  assign.set_session_kind(v1::SESSION_KIND_TRAINING);
  const auto assigned = twice([&] {
    v1::AssignProtocolsResponse r;
    auto s = protocols_->AssignProtocols(Ctx().get(), assign, &r);
    return std::make_pair(s, r);
  });
  v1::ListAssignmentsRequest list_req;
  list_req.set_player_id(player);
  v1::ListAssignmentsResponse listed;
  ASSERT_TRUE(protocols_->ListAssignments(Ctx().get(), list_req, &listed).ok());
  EXPECT_EQ(listed.assignments_size(), 1);
  ASSERT_EQ(assigned.assignments_size(), 1);
  const auto& a = assigned.assignments(0);
  ASSERT_GT(a.pre_size() + a.post_size(), 0) << "nothing prescribed: " << a.ShortDebugString();
  {
    v1::RecordAdherenceRequest adhere;
    adhere.set_request_id("adhere-1");
    adhere.set_assignment_id(a.id());
    adhere.set_adherence(pv1::ADHERENCE_DONE);
    const auto adhered = twice([&] {
      v1::RecordAdherenceResponse r;
      auto s = protocols_->RecordAdherence(Ctx().get(), adhere, &r);
      return std::make_pair(s, r);
    });
    EXPECT_EQ(adhered.adherence_records_size(), a.pre_size() + a.post_size());
  }
}

// The audit log names whose record was read or written, for the methods that only name an
// assignment, a complaint or a session in their request.
TEST_F(SafeRetryApiTest, AuditRecordsNameThePlayersOfProtocolAndAmendmentCalls) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Ava");
  // An awkward tackle before the complaint: suspected pelvic origin, so plugins prescribe.
  MakeEvent(player, v1::CONTACT_KIND_TACKLE_RECEIVED, Start() - absl::Hours(24 * 5), true);
  const v1::Complaint complaint = MakeComplaint(player, v1::SIDE_LEFT, Start() - absl::Hours(72));

  v1::ListAmendmentsRequest amendments_req;
  amendments_req.set_complaint_id(complaint.id());
  v1::ListAmendmentsResponse amendments;
  ASSERT_TRUE(complaints_->ListAmendments(Ctx().get(), amendments_req, &amendments).ok());
  EXPECT_EQ(amendments.player_id(), player);
  EXPECT_THAT(AuditedPlayers("/touchline.v1.ComplaintService/ListAmendments"),
              ElementsAre(player));

  v1::AssignProtocolsRequest assign;
  assign.set_squad_id(squad);
  assign.set_session_label("Tuesday training");
  assign.set_session_kind(v1::SESSION_KIND_TRAINING);
  v1::AssignProtocolsResponse assigned;
  ASSERT_TRUE(protocols_->AssignProtocols(Ctx().get(), assign, &assigned).ok());
  EXPECT_THAT(AuditedPlayers("/touchline.v1.ProtocolService/AssignProtocols"),
              ElementsAre(player));

  v1::ListAssignmentsRequest list_req;
  list_req.set_player_id(player);
  v1::ListAssignmentsResponse listed;
  ASSERT_TRUE(protocols_->ListAssignments(Ctx().get(), list_req, &listed).ok());
  EXPECT_THAT(AuditedPlayers("/touchline.v1.ProtocolService/ListAssignments"),
              ElementsAre(player));

  ASSERT_EQ(assigned.assignments_size(), 1);
  const auto& a = assigned.assignments(0);
  ASSERT_GT(a.pre_size() + a.post_size(), 0) << "nothing prescribed: " << a.ShortDebugString();
  v1::RecordAdherenceRequest adhere;
  adhere.set_assignment_id(a.id());
  adhere.set_adherence(pv1::ADHERENCE_PARTLY);
  v1::RecordAdherenceResponse adhered;
  ASSERT_TRUE(protocols_->RecordAdherence(Ctx().get(), adhere, &adhered).ok());
  EXPECT_THAT(AuditedPlayers("/touchline.v1.ProtocolService/RecordAdherence"),
              ElementsAre(player));
}

}  // namespace
}  // namespace touchline::testing
