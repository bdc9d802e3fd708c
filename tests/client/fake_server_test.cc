// The CLI against an in-process fake server: metadata, error details, JSON, paging, seed re-runs.
#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/cli/app.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "touchline/v1/assessment.grpc.pb.h"
#include "touchline/v1/return_to_play.grpc.pb.h"
#include "touchline/v1/complaint.grpc.pb.h"
#include "touchline/v1/contact_event.grpc.pb.h"
#include "touchline/v1/exposure.grpc.pb.h"
#include "touchline/v1/flag.grpc.pb.h"
#include "touchline/v1/outcome.grpc.pb.h"
#include "touchline/v1/protocol.grpc.pb.h"
#include "touchline/v1/readiness.grpc.pb.h"
#include "touchline/v1/squad.grpc.pb.h"

namespace touchline::cli {
namespace {

using ::testing::HasSubstr;
namespace v1 = touchline::v1;

// Everything the fake stores, behind one lock.
struct State {
  std::mutex mu;
  std::map<int64_t, v1::Squad> squads;
  std::map<int64_t, v1::Player> players;
  std::map<std::string, v1::ContactEvent> events_by_key;
  std::map<int64_t, v1::Complaint> complaints;
  std::map<std::string, v1::Session> sessions_by_key;
  std::vector<v1::Assessment> assessments;
  std::vector<std::string> users;  // touchline-user of every call
  int64_t next_id = 1;

  void Saw(grpc::ServerContext* ctx) {
    auto it = ctx->client_metadata().find("touchline-user");
    users.push_back(it == ctx->client_metadata().end() ? "" : std::string(it->second.data(), it->second.size()));
  }
};

grpc::Status BadRequest(const std::string& field, const std::string& description) {
  google::rpc::Status s;
  s.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  s.set_message("invalid request");
  google::rpc::BadRequest br;
  auto* v = br.add_field_violations();
  v->set_field(field);
  v->set_description(description);
  s.add_details()->PackFrom(br);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "invalid request", s.SerializeAsString());
}

// Pages of 2 to exercise page tokens.
template <typename Item, typename Resp, typename Add>
void Page(const std::vector<Item>& all, const std::string& token, Resp* resp, Add add) {
  size_t start = token.empty() ? 0 : std::stoul(token);
  for (size_t i = start; i < all.size() && i < start + 2; ++i) add(resp, all[i]);
  if (start + 2 < all.size()) resp->set_next_page_token(std::to_string(start + 2));
}

class Squads final : public v1::SquadService::Service {
 public:
  explicit Squads(State& s) : s_(s) {}
  grpc::Status CreateSquad(grpc::ServerContext* ctx, const v1::CreateSquadRequest* req,
                           v1::CreateSquadResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    if (req->squad().name().empty()) return BadRequest("squad.name", "must not be empty");
    for (const auto& [id, sq] : s_.squads) {
      if (sq.name() == req->squad().name()) return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "name taken");
    }
    v1::Squad sq = req->squad();
    sq.set_id(s_.next_id++);
    s_.squads[sq.id()] = sq;
    *resp->mutable_squad() = sq;
    return grpc::Status::OK;
  }
  grpc::Status ListSquads(grpc::ServerContext* ctx, const v1::ListSquadsRequest* req,
                          v1::ListSquadsResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    std::vector<v1::Squad> all;
    for (const auto& [id, sq] : s_.squads) all.push_back(sq);
    Page(all, req->page_token(), resp, [](auto* r, const auto& x) { *r->add_squads() = x; });
    return grpc::Status::OK;
  }

 private:
  State& s_;
};

class Players final : public v1::PlayerService::Service {
 public:
  explicit Players(State& s) : s_(s) {}
  grpc::Status CreatePlayer(grpc::ServerContext* ctx, const v1::CreatePlayerRequest* req,
                            v1::CreatePlayerResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    v1::Player p = req->player();
    p.set_id(s_.next_id++);
    s_.players[p.id()] = p;
    *resp->mutable_player() = p;
    return grpc::Status::OK;
  }
  grpc::Status ListPlayers(grpc::ServerContext* ctx, const v1::ListPlayersRequest* req,
                           v1::ListPlayersResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    std::vector<v1::Player> all;
    for (const auto& [id, p] : s_.players) {
      if (req->squad_id() == 0 || p.squad_id() == req->squad_id()) all.push_back(p);
    }
    Page(all, req->page_token(), resp, [](auto* r, const auto& x) { *r->add_players() = x; });
    return grpc::Status::OK;
  }
  grpc::Status GetPlayer(grpc::ServerContext*, const v1::GetPlayerRequest* req, v1::GetPlayerResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    auto it = s_.players.find(req->id());
    if (it == s_.players.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such player");
    *resp->mutable_player() = it->second;
    return grpc::Status::OK;
  }

 private:
  State& s_;
};

class Events final : public v1::ContactEventService::Service {
 public:
  explicit Events(State& s) : s_(s) {}
  grpc::Status CreateContactEvent(grpc::ServerContext* ctx, const v1::CreateContactEventRequest* req,
                                  v1::CreateContactEventResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    const auto& e = req->contact_event();
    auto it = s_.events_by_key.find(e.idempotency_key());
    if (it != s_.events_by_key.end()) {
      *resp->mutable_contact_event() = it->second;
      resp->set_replayed(true);
      return grpc::Status::OK;
    }
    v1::ContactEvent stored = e;
    stored.set_id(s_.next_id++);
    s_.events_by_key[e.idempotency_key()] = stored;
    *resp->mutable_contact_event() = stored;
    return grpc::Status::OK;
  }
  // Squad 77 is read as an analyst: player id 0 and a pseudonym.
  grpc::Status ListContactEvents(grpc::ServerContext*, const v1::ListContactEventsRequest* req,
                                 v1::ListContactEventsResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    if (req->squad_id() == 77) {
      auto* e = resp->add_contact_events();
      e->set_id(501);
      e->set_player_pseudonym("p-ab12cd");
      e->set_kind(v1::CONTACT_KIND_SCRUM);
      e->mutable_occur_time()->set_seconds(1795000000);
      return grpc::Status::OK;
    }
    for (const auto& [key, e] : s_.events_by_key) {
      if (e.player_id() == req->player_id()) *resp->add_contact_events() = e;
    }
    return grpc::Status::OK;
  }
  grpc::Status ImportContactEvents(grpc::ServerContext* ctx, grpc::ServerReader<v1::ImportContactEventsRequest>* reader,
                                   v1::ImportContactEventsResponse* resp) override {
    v1::ImportContactEventsRequest req;
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    int64_t index = 0;
    while (reader->Read(&req)) {
      // As the real server: the message's contact_event, if set, then its contact_events.
      std::vector<v1::ContactEvent> events;
      if (req.has_contact_event()) events.push_back(req.contact_event());
      events.insert(events.end(), req.contact_events().begin(), req.contact_events().end());
      for (const auto& e : events) {
        resp->set_received_count(resp->received_count() + 1);
        if (e.player_id() <= 0 || e.kind() == v1::CONTACT_KIND_UNSPECIFIED) {
          resp->set_rejected_count(resp->rejected_count() + 1);
          auto* r = resp->add_rejections();
          r->set_index(index);
          r->set_idempotency_key(e.idempotency_key());
          r->set_reason("invalid");
        } else if (s_.events_by_key.count(e.idempotency_key())) {
          resp->set_duplicate_count(resp->duplicate_count() + 1);
        } else {
          v1::ContactEvent stored = e;
          stored.set_id(s_.next_id++);
          s_.events_by_key[e.idempotency_key()] = stored;
          resp->set_stored_count(resp->stored_count() + 1);
        }
        ++index;
      }
    }
    return grpc::Status::OK;
  }

 private:
  State& s_;
};

class Complaints final : public v1::ComplaintService::Service {
 public:
  explicit Complaints(State& s) : s_(s) {}
  grpc::Status CreateComplaint(grpc::ServerContext* ctx, const v1::CreateComplaintRequest* req,
                               v1::CreateComplaintResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    v1::Complaint c = req->complaint();
    if (c.side() == v1::SIDE_UNSPECIFIED) return BadRequest("complaint.side", "must be set");
    c.set_id(s_.next_id++);
    c.set_open(true);
    s_.complaints[c.id()] = c;
    *resp->mutable_complaint() = c;
    return grpc::Status::OK;
  }
  grpc::Status GetComplaint(grpc::ServerContext*, const v1::GetComplaintRequest* req,
                            v1::GetComplaintResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    auto it = s_.complaints.find(req->id());
    if (it == s_.complaints.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such complaint");
    *resp->mutable_complaint() = it->second;
    return grpc::Status::OK;
  }
  grpc::Status UpdateComplaint(grpc::ServerContext* ctx, const v1::UpdateComplaintRequest* req,
                               v1::UpdateComplaintResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    last_update = *req;
    *resp->mutable_complaint() = req->complaint();
    return grpc::Status::OK;
  }
  grpc::Status CreateCheckIn(grpc::ServerContext* ctx, const v1::CreateCheckInRequest* req,
                             v1::CreateCheckInResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    auto& c = s_.complaints[req->complaint_id()];
    *c.add_check_ins() = req->check_in();
    *resp->mutable_complaint() = c;
    return grpc::Status::OK;
  }
  grpc::Status ResolveComplaint(grpc::ServerContext* ctx, const v1::ResolveComplaintRequest* req,
                                v1::ResolveComplaintResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    auto& c = s_.complaints[req->complaint_id()];
    if (!c.open()) return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "already resolved");
    c.set_open(false);
    *c.mutable_resolve_time() = req->resolve_time();
    *resp->mutable_complaint() = c;
    return grpc::Status::OK;
  }
  grpc::Status ListComplaints(grpc::ServerContext* ctx, const v1::ListComplaintsRequest* req,
                              v1::ListComplaintsResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    std::vector<v1::Complaint> all;
    if (req->squad_id() == 77) {  // as an analyst reads it
      v1::Complaint c;
      c.set_id(601);
      c.set_player_pseudonym("p-ab12cd");
      c.set_side(v1::SIDE_LEFT);
      c.set_open(true);
      all.push_back(c);
    }
    for (const auto& [id, c] : s_.complaints) {
      auto p = s_.players.find(c.player_id());
      if (c.player_id() == req->player_id() || (p != s_.players.end() && p->second.squad_id() == req->squad_id())) {
        all.push_back(c);
      }
    }
    Page(all, req->page_token(), resp, [](auto* r, const auto& x) { *r->add_complaints() = x; });
    return grpc::Status::OK;
  }
  v1::UpdateComplaintRequest last_update;

 private:
  State& s_;
};

constexpr char kPelvicReason[] =
    "left hamstring complaint began 2026-11-30 within 14 days of 7 awkward contact events (lineout landing "
    "2026-11-20, tackle received 2026-11-21, fall 2026-11-22, lineout landing 2026-11-28, scrum 2026-11-23, "
    "ruck 2026-11-24, maul 2026-11-25): suspected pelvic origin; assess pelvis and piriformis before "
    "treating the hamstring";

class Flags final : public v1::FlagService::Service {
 public:
  grpc::Status ListFlags(grpc::ServerContext*, const v1::ListFlagsRequest* req, v1::ListFlagsResponse* resp) override {
    if (req->squad_id() == 5) return grpc::Status::OK;  // no flags
    if (req->squad_id() == 77) {  // as an analyst reads it: a pseudonym, no reason
      auto* f = resp->add_flags();
      f->set_kind(v1::FLAG_KIND_PERSISTENT);
      f->set_player_pseudonym("p-ab12cd");
      return grpc::Status::OK;
    }
    if (req->squad_id() == 8) {  // a long reason, 7 events cited, acknowledged
      auto* f = resp->add_flags();
      f->set_kind(v1::FLAG_KIND_SUSPECTED_PELVIC_ORIGIN);
      f->set_player_id(req->squad_id() * 100);
      f->set_reason(kPelvicReason);
      for (int i = 1; i <= 7; ++i) f->add_contact_event_ids(i * 10);
      f->add_complaint_ids(4);
      f->mutable_acknowledgement()->set_acknowledged_by("physio-jo");
      f->mutable_acknowledgement()->mutable_acknowledge_time()->set_seconds(1795100000);
      return grpc::Status::OK;
    }
    auto* f = resp->add_flags();
    f->set_kind(v1::FLAG_KIND_RECURRENT);
    f->set_player_id(req->player_id() ? req->player_id() : 999);
    f->set_recurrence_timing(v1::RECURRENCE_TIMING_EARLY);
    f->set_episode(2);
    f->set_reason("left complaint 25 days after return");
    f->mutable_begin_time()->set_seconds(1795000000);
    f->add_complaint_ids(12);
    f->add_complaint_ids(4);
    return grpc::Status::OK;
  }
};

class Readiness final : public v1::ReadinessService::Service {
 public:
  grpc::Status GetSquadReadiness(grpc::ServerContext*, const v1::GetSquadReadinessRequest* req,
                                 v1::GetSquadReadinessResponse* resp) override {
    resp->set_squad_id(req->squad_id());
    auto* p = resp->add_players();
    if (req->squad_id() == 77) {  // as an analyst reads it
      p->set_player_pseudonym("p-ab12cd");
      p->set_position_group("back");
      p->set_availability(v1::AVAILABILITY_AVAILABLE);
      return grpc::Status::OK;
    }
    p->set_player_id(12);
    p->set_player_name("Tom Ashcombe");
    p->set_position_group("forward");
    p->set_availability(v1::AVAILABILITY_UNAVAILABLE);
    auto* r = p->add_reasons();
    r->set_code(v1::READINESS_REASON_CODE_OPEN_ACUTE_COMPLAINT);
    r->set_text("open acute complaint #4");
    r = p->add_reasons();
    r->set_code(v1::READINESS_REASON_CODE_ACTIVE_FLAG);
    r->set_flag_kind(v1::FLAG_KIND_PERSISTENT);
    p = resp->add_players();
    p->set_player_id(13);
    p->set_player_name("Al Bo");
    p->set_position_group("back");
    p->set_availability(v1::AVAILABILITY_AVAILABLE);
    resp->set_available_count(1);
    resp->set_unavailable_count(1);
    return grpc::Status::OK;
  }
};

class Exposure final : public v1::ExposureService::Service {
 public:
  explicit Exposure(State& s) : s_(s) {}
  grpc::Status RecordSession(grpc::ServerContext* ctx, const v1::RecordSessionRequest* req,
                             v1::RecordSessionResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    const auto& in = req->session();
    for (const auto& p : in.participations()) {
      if (p.minutes() <= 0 || p.minutes() > in.duration_minutes() || !s_.players.count(p.player_id())) {
        return BadRequest("session.participations", "bad participation");
      }
    }
    auto it = s_.sessions_by_key.find(in.idempotency_key());
    if (it != s_.sessions_by_key.end()) {
      *resp->mutable_session() = it->second;
      resp->set_replayed(true);
      return grpc::Status::OK;
    }
    v1::Session stored = in;
    stored.set_id(s_.next_id++);
    s_.sessions_by_key[in.idempotency_key()] = stored;
    *resp->mutable_session() = stored;
    return grpc::Status::OK;
  }

 private:
  State& s_;
};

class Assessments final : public v1::AssessmentService::Service {
 public:
  explicit Assessments(State& s) : s_(s) {}
  grpc::Status CreateAssessment(grpc::ServerContext* ctx, const v1::CreateAssessmentRequest* req,
                                v1::CreateAssessmentResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    s_.Saw(ctx);
    if (!s_.players.count(req->assessment().player_id())) return BadRequest("assessment.player_id", "no such player");
    v1::Assessment stored = req->assessment();
    stored.set_id(s_.next_id++);
    s_.assessments.push_back(stored);
    *resp->mutable_assessment() = stored;
    return grpc::Status::OK;
  }
  grpc::Status ListAssessments(grpc::ServerContext*, const v1::ListAssessmentsRequest* req,
                               v1::ListAssessmentsResponse* resp) override {
    std::lock_guard<std::mutex> l(s_.mu);
    for (const auto& a : s_.assessments) {
      if (s_.players[a.player_id()].squad_id() == req->squad_id()) *resp->add_assessments() = a;
    }
    return grpc::Status::OK;
  }

 private:
  State& s_;
};

// Outcomes by protocol: one plugin, a shown cell and (for squad 77, as an analyst would get it) a
// suppressed one; the request is kept to check what the CLI sent.
class Outcomes final : public v1::OutcomeService::Service {
 public:
  grpc::Status GetProtocolOutcomes(grpc::ServerContext*, const v1::GetProtocolOutcomesRequest* req,
                                   v1::GetProtocolOutcomesResponse* resp) override {
    std::lock_guard<std::mutex> l(mu);
    last = *req;
    resp->set_squad_id(req->squad_id());
    auto* early = resp->add_outcomes();
    early->set_plugin_name("piriformis-4sign");
    early->set_plugin_version("1.0.0");
    early->set_anti_spasm_start(v1::ANTI_SPASM_START_BY_DAY_42);
    early->set_complaint_count(6);
    early->set_resolved_count(5);
    early->set_unresolved_count(1);
    early->set_recurrence_count(1);
    early->set_median_days_lost(17.5);
    auto* late = resp->add_outcomes();
    late->set_plugin_name("piriformis-4sign");
    late->set_plugin_version("1.0.0");
    late->set_anti_spasm_start(v1::ANTI_SPASM_START_AFTER_DAY_42);
    late->set_complaint_count(2);
    if (req->squad_id() == 77) {
      resp->set_min_cell_size(5);
      late->set_suppressed(true);
    } else {
      late->set_resolved_count(2);
      late->set_recurrence_count(1);
      late->set_median_days_lost(40);
    }
    return grpc::Status::OK;
  }
  std::mutex mu;
  v1::GetProtocolOutcomesRequest last;
};

// Keeps one plan and the requests that changed it, as the CLI sent them.
class ReturnToPlay final : public v1::ReturnToPlayService::Service {
 public:
  grpc::Status CreateReturnToPlayPlan(grpc::ServerContext*, const v1::CreateReturnToPlayPlanRequest* req,
                                      v1::CreateReturnToPlayPlanResponse* resp) override {
    std::lock_guard<std::mutex> l(mu);
    create = *req;
    plan.set_id(1);
    plan.set_complaint_id(req->complaint_id());
    plan.set_player_id(3);
    for (auto stage : {v1::RETURN_TO_PLAY_STAGE_PARTICIPATION, v1::RETURN_TO_PLAY_STAGE_SPORT,
                       v1::RETURN_TO_PLAY_STAGE_PERFORMANCE}) {
      plan.add_stages()->set_stage(stage);
    }
    for (const auto& d : req->planned_dates()) {
      *plan.mutable_stages(d.stage() - 1)->mutable_planned_time() = d.planned_time();
    }
    *resp->mutable_plan() = plan;
    return grpc::Status::OK;
  }
  grpc::Status AddCriterion(grpc::ServerContext*, const v1::AddCriterionRequest* req,
                            v1::AddCriterionResponse* resp) override {
    std::lock_guard<std::mutex> l(mu);
    add = *req;
    auto* c = plan.mutable_stages(req->criterion().stage() - 1)->add_criteria();
    c->set_id(7);
    c->set_stage(req->criterion().stage());
    c->set_description(req->criterion().description());
    c->set_check(req->criterion().check());
    c->set_threshold(req->criterion().threshold());
    plan.mutable_stages(req->criterion().stage() - 1)->add_unmet_criterion_ids(7);
    *resp->mutable_plan() = plan;
    return grpc::Status::OK;
  }
  grpc::Status MarkCriterion(grpc::ServerContext*, const v1::MarkCriterionRequest* req,
                             v1::MarkCriterionResponse* resp) override {
    std::lock_guard<std::mutex> l(mu);
    mark = *req;
    auto* c = plan.mutable_stages(1)->mutable_criteria(0);
    c->set_met(req->met());
    c->mutable_latest_mark()->set_evidence(req->evidence());
    c->mutable_latest_mark()->set_assessment_id(req->assessment_id());
    c->mutable_latest_mark()->set_finding("eccentric asymmetry 6.0%");
    plan.mutable_stages(1)->clear_unmet_criterion_ids();
    *resp->mutable_plan() = plan;
    return grpc::Status::OK;
  }
  grpc::Status ReachStage(grpc::ServerContext*, const v1::ReachStageRequest* req,
                          v1::ReachStageResponse*) override {
    std::lock_guard<std::mutex> l(mu);
    reach = *req;
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "return to sport comes after return to participation, which is not reached yet");
  }
  std::mutex mu;
  v1::ReturnToPlayPlan plan;
  v1::CreateReturnToPlayPlanRequest create;
  v1::AddCriterionRequest add;
  v1::MarkCriterionRequest mark;
  v1::ReachStageRequest reach;
};

// A server whose page tokens go round in a circle: "" -> "a" -> "b" -> "a" -> ...
class Protocols final : public v1::ProtocolService::Service {
 public:
  grpc::Status ListAssignments(grpc::ServerContext*, const v1::ListAssignmentsRequest* req,
                               v1::ListAssignmentsResponse* resp) override {
    std::lock_guard<std::mutex> l(mu);
    ++calls;
    auto* a = resp->add_assignments();
    a->set_id(calls);
    a->set_player_id(req->player_id());
    a->set_player_name("Looping Larry");
    resp->set_next_page_token(req->page_token() == "a" ? "b" : "a");
    return grpc::Status::OK;
  }
  std::mutex mu;
  int calls = 0;
};

class FakeServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterService(&squads_);
    b.RegisterService(&players_);
    b.RegisterService(&events_);
    b.RegisterService(&complaints_);
    b.RegisterService(&flags_);
    b.RegisterService(&readiness_);
    b.RegisterService(&exposure_);
    b.RegisterService(&assessments_);
    b.RegisterService(&rtp_);
    b.RegisterService(&protocols_);
    b.RegisterService(&outcomes_);
    server_ = b.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { server_->Shutdown(); }

  struct Result {
    int code;
    std::string out, err;
  };
  Result Run(std::vector<std::string> argv) {
    argv.push_back(absl::StrCat("--server=127.0.0.1:", port_));
    Environment env;
    env.login = "physio-jo";
    std::ostringstream out, err;
    int code = RunCli(argv, out, err, env);
    return {code, out.str(), err.str()};
  }

  State state_;
  Squads squads_{state_};
  Players players_{state_};
  Events events_{state_};
  Complaints complaints_{state_};
  Flags flags_;
  Readiness readiness_;
  Exposure exposure_{state_};
  Assessments assessments_{state_};
  ReturnToPlay rtp_;
  Protocols protocols_;
  Outcomes outcomes_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(FakeServerTest, HealthAndUserMetadata) {
  auto r = Run({"health"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "SERVING\n");
  r = Run({"squads", "create", "--name", "First XV"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("First XV"));
  r = Run({"--user=coach-sam", "squads", "create", "--name=A XV"});
  ASSERT_EQ(state_.users.size(), 2u);
  EXPECT_EQ(state_.users[0], "physio-jo");
  EXPECT_EQ(state_.users[1], "coach-sam");
}

TEST_F(FakeServerTest, ServerErrorsExitOneWithViolations) {
  auto r = Run({"squads", "create", "--name="});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "touchline: INVALID_ARGUMENT: invalid request\n  squad.name: must not be empty\n");
  Run({"squads", "create", "--name=X"});
  r = Run({"squads", "create", "--name=X"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("ALREADY_EXISTS: name taken"));
}

TEST_F(FakeServerTest, ListFollowsPagesAndJson) {
  for (const char* n : {"A", "B", "C", "D", "E"}) ASSERT_EQ(Run({"squads", "create", "--name", n}).code, 0);
  auto r = Run({"squads", "list"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("ID  NAME"));
  for (const char* n : {"\n1   A\n", "\n3   C\n", "\n5   E\n"}) EXPECT_THAT(r.out, HasSubstr(n));
  r = Run({"squads", "list", "--page-token="});
  EXPECT_THAT(r.out, HasSubstr("\n2   B\n"));
  EXPECT_THAT(r.out, testing::Not(HasSubstr("\n3   C\n")));
  EXPECT_THAT(r.err, HasSubstr("--page-token=2"));
  r = Run({"squads", "list", "--json"});
  EXPECT_THAT(r.out, HasSubstr("\"name\": \"E\""));
  EXPECT_THAT(r.out, testing::Not(HasSubstr("next_page_token")));
}

// Every list pages through calls.h's ListPages, protocols included: a server that hands back a
// page token it gave before ends the listing instead of looping for ever.
TEST_F(FakeServerTest, PagingStopsAtARepeatedPageToken) {
  auto r = Run({"protocols", "list", "--player=7"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(protocols_.calls, 3);  // "", "a", "b" (whose next, "a", was seen)
  EXPECT_THAT(r.out, HasSubstr("Looping Larry (7)"));
  r = Run({"protocols", "list", "--player=7", "--page-token=b"});  // one page on request
  EXPECT_EQ(protocols_.calls, 4);
  EXPECT_THAT(r.err, HasSubstr("next page: --page-token=a"));
}

TEST_F(FakeServerTest, OutcomesTableAndSuppressedCells) {
  auto r = Run({"outcomes", "--squad=3", "--from=2026-01-01", "--to=2026-07-01"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(outcomes_.last.squad_id(), 3);
  EXPECT_EQ(outcomes_.last.start_time().seconds(), 1767225600);  // 2026-01-01T00:00:00Z
  EXPECT_EQ(outcomes_.last.end_time().seconds(), 1782864000);    // 2026-07-01T00:00:00Z
  EXPECT_THAT(r.out, HasSubstr("ANTI-SPASM-START"));
  EXPECT_THAT(r.out, HasSubstr("by day 42"));
  EXPECT_THAT(r.out, HasSubstr("17.5"));
  EXPECT_THAT(r.out, HasSubstr("40.0"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("withheld")));
  // As an analyst gets it: the small cell's figures are starred and explained.
  r = Run({"outcomes", "--squad=77", "--from=2026-01-01"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("after day 42"));
  EXPECT_THAT(r.out, HasSubstr("* withheld: fewer than 5 complaints"));
  // JSON on request.
  r = Run({"outcomes", "--squad=3", "--from=2026-01-01", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"median_days_lost\": 17.5"));
}

TEST_F(FakeServerTest, TablesForReadinessAndFlags) {
  auto r = Run({"readiness", "get", "--squad=1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ID  NAME          GROUP    AVAILABILITY  REASONS\n"
                               "12  Tom Ashcombe  forward  unavailable   open acute complaint #4; flag persistent\n"
                               "13  Al Bo         back     available\n"));
  EXPECT_THAT(r.out, HasSubstr("1 available, 0 modified, 1 unavailable"));
  r = Run({"flags", "list", "--player=999", "--kind=recurrent"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("PLAYER"));
  EXPECT_THAT(r.out, HasSubstr("recurrent (early, episode 2)"));
  EXPECT_THAT(r.out, HasSubstr("12, 4"));
}

// Issue 17 item 4: an analyst's tables show the pseudonym (never "#0"); the readiness board has an
// ID column; flags show who acknowledged them; long reasons are summarised (in full in --json);
// an empty list says so (and --json stays JSON).
TEST_F(FakeServerTest, AnalystTablesShowPseudonyms) {
  for (std::vector<std::string> cmd : {std::vector<std::string>{"events", "list", "--squad=77"},
                                       {"flags", "list", "--squad=77"},
                                       {"complaints", "list", "--squad=77"},
                                       {"readiness", "get", "--squad=77"}}) {
    auto r = Run(cmd);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("p-ab12cd")) << cmd[0];
    EXPECT_THAT(r.out, testing::Not(HasSubstr("#0"))) << cmd[0] << ":\n" << r.out;
  }
  auto r = Run({"readiness", "get", "--squad=77"});
  EXPECT_THAT(r.out, HasSubstr("ID  NAME      GROUP  AVAILABILITY  REASONS\n    p-ab12cd  back   available\n"));
}

TEST_F(FakeServerTest, FlagsShowAcknowledgementAndSummariseLongReasons) {
  auto r = Run({"flags", "list", "--squad=8"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ACK"));
  EXPECT_THAT(r.out, HasSubstr("physio-jo 2026-11-19 14:53"));
  EXPECT_THAT(r.out, HasSubstr("of 7 awkward contact events, latest lineout landing 2026-11-28: suspected pelvic"));
  EXPECT_THAT(r.out, testing::Not(HasSubstr("assess pelvis")));
  EXPECT_THAT(r.out, HasSubstr("10, 20, 30, 40, 50 (+2 more)"));
  r = Run({"flags", "list", "--player=999"});  // unacknowledged
  EXPECT_THAT(r.out, HasSubstr("  -  "));
  r = Run({"--json", "flags", "list", "--squad=8"});
  EXPECT_THAT(r.out, HasSubstr("assess pelvis and piriformis before treating the hamstring"));
  EXPECT_THAT(r.out, HasSubstr("\"acknowledged_by\": \"physio-jo\""));
}

TEST_F(FakeServerTest, EmptyListsSaySo) {
  auto r = Run({"events", "list", "--squad=5"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "no contact events\n");
  r = Run({"complaints", "list", "--squad=5"});
  EXPECT_EQ(r.out, "no complaints\n");
  r = Run({"flags", "list", "--squad=5"});
  EXPECT_THAT(r.out, testing::StartsWith("no flags"));
  r = Run({"squads", "list"});
  EXPECT_EQ(r.out, "no squads\n");
  r = Run({"--json", "events", "list", "--squad=5"});
  EXPECT_EQ(r.out, "{}\n");
}

TEST_F(FakeServerTest, RecordEventGeneratesKeyAndComplaintUpdateKeepsFields) {
  auto r = Run({"events", "record", "--player=3", "--kind=tackle-made", "--at=2026-11-21T15:10:00Z", "--awkward",
                "--source=video"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("tackle-made"));
  EXPECT_THAT(r.out, HasSubstr("awkward"));
  ASSERT_EQ(state_.events_by_key.size(), 1u);
  EXPECT_THAT(state_.events_by_key.begin()->first, testing::StartsWith("cli-"));

  r = Run({"complaints", "create", "--player=3", "--side=left", "--onset=-10d", "--onset-kind=gradual", "--pain=3",
           "--tightness", "--piriformis-spasm"});
  ASSERT_EQ(r.code, 0) << r.err;
  int64_t id = state_.complaints.begin()->first;
  r = Run({"complaints", "update", absl::StrCat("--id=", id), "--pain=5", "--reason", "worse after training"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto& u = complaints_.last_update;
  EXPECT_THAT(u.update_mask().paths(), testing::ElementsAre("symptoms"));
  EXPECT_EQ(u.complaint().symptoms().pain(), 5);
  EXPECT_TRUE(u.complaint().symptoms().tightness());
  EXPECT_EQ(u.reason(), "worse after training");
}

TEST_F(FakeServerTest, SeedTwiceNeverDoublesEvents) {
  auto r = Run({"seed", "--players=20", "--seed=5", "--now=2026-11-25T12:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("Created squad"));
  size_t events = state_.events_by_key.size();
  size_t complaints = state_.complaints.size();
  EXPECT_GT(events, 5000u);
  EXPECT_GE(complaints, 9u);
  EXPECT_EQ(state_.players.size(), 20u);
  const size_t sessions = state_.sessions_by_key.size();
  EXPECT_GT(sessions, 150u);  // ~39 weeks of 5 training days and most Saturdays
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("Exposure:   ", sessions, " sessions")));
  int open = 0;
  for (const auto& [id, c] : state_.complaints) open += c.open();
  EXPECT_EQ(open, 8);  // 2 persistent, recurrence, exacerbation, acute, pelvic, disc, window closing
  const size_t assessments = state_.assessments.size();
  EXPECT_GT(assessments, 20u);  // a pre-season Nordic for each of the 20, then the scenarios' tests
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("Assessments: ", assessments, " recorded (")));

  r = Run({"seed", "--players=20", "--seed=5", "--now=2026-11-25T12:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("Reusing squad"));
  EXPECT_THAT(r.out, HasSubstr(" 0 stored"));
  EXPECT_EQ(state_.events_by_key.size(), events);
  EXPECT_EQ(state_.complaints.size(), complaints);
  EXPECT_EQ(state_.players.size(), 20u);
  EXPECT_EQ(state_.sessions_by_key.size(), sessions);
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("0 recorded, ", sessions, " already there")));
  EXPECT_EQ(state_.assessments.size(), assessments);
  EXPECT_THAT(r.out, HasSubstr("squad already has assessments; none added"));

  // A squad of that name that the seed did not make: a new name.
  ASSERT_EQ(Run({"players", "create", "--squad=1", "--name=Someone", "--group=back"}).code, 0);
  r = Run({"seed", "--players=12", "--seed=5", "--now=2026-11-25T12:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"First XV (2)\""));
}

TEST_F(FakeServerTest, ImportCsvFromFile) {
  std::string path = ::testing::TempDir() + "/events.csv";
  {
    std::ofstream f(path);
    f << "player_id,kind,occurred_at,awkward,source,session_label,idempotency_key,note\n"
         "3,scrum,2026-11-21T15:10:00Z,false,video,v Kingsmead,k1,\n"
         "3,fall,2026-11-21T15:20:00Z,true,video,v Kingsmead,k2,\"landed, badly\"\n";
  }
  auto r = Run({"events", "import", "--file", path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "received 2, stored 2, duplicates 0, rejected 0\n");
  r = Run({"events", "import", "--file", path});
  EXPECT_EQ(r.out, "received 2, stored 0, duplicates 2, rejected 0\n");
  EXPECT_EQ(Run({"events", "import", "--file", path + ".missing"}).code, 2);
}

// A keyless file of several messages' worth of rows, as a wearable export gives them: every row
// is stored once, the keys the CLI derives are the same on every run (so running the import again
// stores nothing new, and a file with rows added stores only those), and a row the CLI cannot read
// is listed with its row in the file wherever in the stream it falls.
TEST_F(FakeServerTest, ImportKeylessCsvAcrossMessagesTwice) {
  std::string path = ::testing::TempDir() + "/keyless.csv";
  auto write = [&](int rows) {
    std::ofstream f(path);
    f << "player_id,kind,occurred_at,awkward,source,session_label\n";
    for (int i = 0; i < rows; ++i) {
      // Two identical tackles in each minute: two events, not one.
      const absl::Time at = absl::FromUnixSeconds(1795000000 + 60 * (i / 2));
      f << 3 << ',' << (i == 1234 ? "hug" : "tackle-made") << ','
        << absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", at, absl::UTCTimeZone()) << ",false,wearable,match\n";
    }
  };
  write(1300);
  auto r = Run({"events", "import", "--file", path});
  EXPECT_EQ(r.code, 1) << r.err;  // the unreadable row is refused
  EXPECT_THAT(r.out, HasSubstr("received 1300, stored 1299, duplicates 0, rejected 1\n"));
  // Data record 1234 is row 1236 of the file (the header is row 1) and the server's index 1234.
  EXPECT_THAT(r.out, testing::ContainsRegex("1236 +1234 +csv-record-1236 +kind: "));
  std::set<std::string> first;
  for (const auto& [key, e] : state_.events_by_key) first.insert(key);
  EXPECT_EQ(first.size(), 1299u);
  EXPECT_EQ(first.count("csv-record-1236"), 0u);

  r = Run({"events", "import", "--file", path});
  EXPECT_THAT(r.out, HasSubstr("received 1300, stored 0, duplicates 1299, rejected 1\n"));
  write(1310);  // ten rows added at the end
  r = Run({"events", "import", "--file", path});
  EXPECT_THAT(r.out, HasSubstr("received 1310, stored 10, duplicates 1299, rejected 1\n"));
  std::set<std::string> now;
  for (const auto& [key, e] : state_.events_by_key) now.insert(key);
  EXPECT_EQ(now.size(), 1309u);
  EXPECT_TRUE(std::includes(now.begin(), now.end(), first.begin(), first.end()));
}

}  // namespace
}  // namespace touchline::cli

namespace touchline::cli {
namespace {

TEST_F(FakeServerTest, ReturnToPlayPlanCriteriaMarksAndStages) {
  auto r = Run({"rtp", "create", "--complaint=5", "--sport=2026-12-01T09:00:00Z", "--note=grade 1b"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(rtp_.create.complaint_id(), 5);
  EXPECT_EQ(rtp_.create.note(), "grade 1b");
  ASSERT_EQ(rtp_.create.planned_dates_size(), 1);
  EXPECT_EQ(rtp_.create.planned_dates(0).stage(), v1::RETURN_TO_PLAY_STAGE_SPORT);
  EXPECT_FALSE(rtp_.create.request_id().empty());  // a write is retry-safe
  EXPECT_THAT(r.out, ::testing::HasSubstr("2026-12-01"));

  r = Run({"rtp", "add-criterion", "--plan=1", "--stage=sport", "--text=Nordic within 8%",
           "--check=eccentric-asymmetry", "--threshold=8"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(rtp_.add.criterion().check(), v1::CRITERION_CHECK_ECCENTRIC_ASYMMETRY);
  EXPECT_DOUBLE_EQ(rtp_.add.criterion().threshold(), 8);
  EXPECT_TRUE(rtp_.add.criterion().has_threshold());
  EXPECT_THAT(r.out, ::testing::HasSubstr("Nordic asymmetry <= 8%"));

  r = Run({"rtp", "mark", "--criterion=7", "--evidence=NordBord", "--assessment=9"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(rtp_.mark.met());
  EXPECT_EQ(rtp_.mark.assessment_id(), 9);
  EXPECT_THAT(r.out, ::testing::HasSubstr("NordBord [eccentric asymmetry 6.0%] (assessment 9)"));
  ASSERT_EQ(Run({"rtp", "mark", "--criterion=7", "--evidence=redone", "--retract"}).code, 0);
  EXPECT_FALSE(rtp_.mark.met());

  r = Run({"rtp", "reach", "--plan=1", "--stage=sport"});
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(rtp_.reach.stage(), v1::RETURN_TO_PLAY_STAGE_SPORT);
  EXPECT_FALSE(rtp_.reach.has_reach_time());  // the server's now
  EXPECT_THAT(r.err, ::testing::HasSubstr("not reached yet"));
}

}  // namespace
}  // namespace touchline::cli
