// Runs a SeedPlan through the RPCs.
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/requests.h"
#include "client/cli/seed.h"
#include "client/cli/timeparse.h"
#include "touchline/v1/assessment.grpc.pb.h"
#include "touchline/v1/return_to_play.grpc.pb.h"
#include "touchline/v1/complaint.grpc.pb.h"
#include "touchline/v1/contact_event.grpc.pb.h"
#include "touchline/v1/exposure.grpc.pb.h"
#include "touchline/v1/flag.grpc.pb.h"
#include "touchline/v1/protocol.grpc.pb.h"
#include "touchline/v1/readiness.grpc.pb.h"
#include "touchline/v1/squad.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

namespace {

int SeedFailure(Ctx& ctx, absl::string_view step, const grpc::Status& st) {
  ctx.err << "touchline seed: failed while " << step << "\n";
  return ctx.RpcError(st);
}

}  // namespace

int RunSeed(Ctx& ctx) {
  TL_ARG(auto players, ctx.args.GetInt("players"));
  TL_ARG(auto seed, ctx.args.GetInt("seed"));
  TL_ARG(auto now, ctx.args.GetTime("now", ctx.now));
  SeedOptions opt;
  opt.players = static_cast<int>(players.value_or(50));
  if (players.value_or(50) < 12 || players.value_or(50) > 1000) return ctx.Usage("--players: expected 12 to 1000");
  if (seed.value_or(42) < 0) return ctx.Usage("--seed: expected a non-negative integer");
  opt.seed = static_cast<uint64_t>(seed.value_or(42));
  opt.now = now.value_or(ctx.now);
  opt.squad_name = ctx.args.Get("name").value_or("First XV");
  if (opt.squad_name.empty()) return ctx.Usage("--name: must not be empty");
  const absl::Time started = absl::Now();
  SeedPlan plan = BuildSeedPlan(opt);

  auto squads = v1::SquadService::NewStub(ctx.channel());
  auto players_stub = v1::PlayerService::NewStub(ctx.channel());
  auto events = v1::ContactEventService::NewStub(ctx.channel());
  auto complaints = v1::ComplaintService::NewStub(ctx.channel());

  // 1. The squad: reuse one this seed created before, else create a new name.
  std::map<std::string, int64_t> squad_ids;
  {
    v1::ListSquadsRequest req;
    req.set_page_size(1000);
    for (;;) {
      grpc::ClientContext c;
      ctx.Prepare(&c);
      v1::ListSquadsResponse resp;
      auto st = squads->ListSquads(&c, req, &resp);
      if (!st.ok()) return SeedFailure(ctx, "listing squads", st);
      for (const auto& s : resp.squads()) squad_ids[s.name()] = s.id();
      if (resp.next_page_token().empty() || resp.next_page_token() == req.page_token()) break;
      req.set_page_token(resp.next_page_token());
    }
  }
  auto list_players = [&](int64_t squad_id, std::map<std::string, int64_t>* by_external,
                          int* others) -> grpc::Status {
    v1::ListPlayersRequest req;
    req.set_squad_id(squad_id);
    req.set_include_archived(true);
    req.set_page_size(1000);
    for (;;) {
      grpc::ClientContext c;
      ctx.Prepare(&c);
      v1::ListPlayersResponse resp;
      auto st = players_stub->ListPlayers(&c, req, &resp);
      if (!st.ok()) return st;
      for (const auto& p : resp.players()) {
        if (absl::StartsWith(p.external_id(), plan.external_id_prefix)) {
          (*by_external)[p.external_id()] = p.id();
        } else {
          ++*others;
        }
      }
      if (resp.next_page_token().empty() || resp.next_page_token() == req.page_token()) return grpc::Status::OK;
      req.set_page_token(resp.next_page_token());
    }
  };
  int64_t squad_id = 0;
  std::string squad_name;
  bool reused = false;
  std::map<std::string, int64_t> existing;
  for (int k = 1; k <= 50 && squad_id == 0; ++k) {
    std::string name = k == 1 ? opt.squad_name : absl::StrCat(opt.squad_name, " (", k, ")");
    auto it = squad_ids.find(name);
    if (it != squad_ids.end()) {
      std::map<std::string, int64_t> found;
      int others = 0;
      auto st = list_players(it->second, &found, &others);
      if (!st.ok()) return SeedFailure(ctx, "listing players", st);
      // This seed's squad (even if players were added to it since): reused, never duplicated.
      if (others == 0 || !found.empty()) {
        squad_id = it->second;
        squad_name = name;
        reused = true;
        existing = std::move(found);
      }
      continue;
    }
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::CreateSquadRequest req;
    req.mutable_squad()->set_name(name);
    v1::CreateSquadResponse resp;
    auto st = squads->CreateSquad(&c, req, &resp);
    if (st.error_code() == grpc::StatusCode::ALREADY_EXISTS) continue;
    if (!st.ok()) return SeedFailure(ctx, "creating the squad", st);
    squad_id = resp.squad().id();
    squad_name = resp.squad().name();
  }
  if (squad_id == 0) {
    ctx.err << "touchline seed: no free squad name (tried \"" << opt.squad_name << "\" to \"" << opt.squad_name
            << " (50)\")\n";
    return kExitServerError;
  }
  ctx.out << (reused ? "Reusing squad " : "Created squad ") << squad_id << " \"" << squad_name << "\"\n";

  // 2. Players.
  std::vector<int64_t> player_ids;
  int players_created = 0;
  for (const SeedPlayer& p : plan.players) {
    auto it = existing.find(p.external_id);
    if (it != existing.end()) {
      player_ids.push_back(it->second);
      continue;
    }
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::CreatePlayerRequest req;
    auto* pl = req.mutable_player();
    pl->set_squad_id(squad_id);
    pl->set_name(p.name);
    pl->set_position_group(p.group);
    pl->set_position_name(p.position);
    pl->set_external_id(p.external_id);
    v1::CreatePlayerResponse resp;
    auto st = players_stub->CreatePlayer(&c, req, &resp);
    if (!st.ok()) return SeedFailure(ctx, absl::StrCat("creating player ", p.name), st);
    player_ids.push_back(resp.player().id());
    ++players_created;
  }

  // 3. The explicitly recorded awkward event(s).
  std::vector<int64_t> explicit_ids;
  for (const SeedEvent& e : plan.explicit_events) {
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::CreateContactEventRequest req;
    *req.mutable_contact_event() = e.event;
    req.mutable_contact_event()->set_player_id(player_ids[e.player]);
    v1::CreateContactEventResponse resp;
    auto st = events->CreateContactEvent(&c, req, &resp);
    if (!st.ok()) return SeedFailure(ctx, "recording the awkward lineout landing", st);
    explicit_ids.push_back(resp.contact_event().id());
  }

  // 4. The season, in one import stream.
  v1::ImportContactEventsResponse imported;
  {
    grpc::ClientContext c;
    ctx.Prepare(&c);
    // A season is tens of thousands of events: allow more than the default per-call timeout.
    c.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::seconds(static_cast<int64_t>(std::max(ctx.args.global.timeout_seconds, 300.0))));
    auto writer = events->ImportContactEvents(&c, &imported);
    v1::ImportContactEventsRequest req;
    for (const SeedEvent& e : plan.events) {
      *req.mutable_contact_event() = e.event;
      req.mutable_contact_event()->set_player_id(player_ids[e.player]);
      if (!writer->Write(req)) break;
    }
    writer->WritesDone();
    auto st = writer->Finish();
    if (!st.ok()) return SeedFailure(ctx, "importing contact events", st);
  }

  // 4a. Events recorded after the season (the awkward tackle whose pelvic screen is overdue).
  for (const SeedEvent& e : plan.late_events) {
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::CreateContactEventRequest req;
    *req.mutable_contact_event() = e.event;
    req.mutable_contact_event()->set_player_id(player_ids[e.player]);
    v1::CreateContactEventResponse resp;
    auto st = events->CreateContactEvent(&c, req, &resp);
    if (!st.ok()) return SeedFailure(ctx, "recording the awkward tackle", st);
    explicit_ids.push_back(resp.contact_event().id());
  }

  // 4b. Exposure sessions (idempotent by key, so a re-run records nothing twice).
  int sessions_recorded = 0, sessions_replayed = 0;
  int64_t player_minutes = 0;
  {
    auto exposure = v1::ExposureService::NewStub(ctx.channel());
    for (const SeedSession& ss : plan.sessions) {
      v1::RecordSessionRequest req;
      *req.mutable_session() = ss.session;
      req.mutable_session()->set_squad_id(squad_id);
      for (size_t i = 0; i < ss.players.size(); ++i) {
        req.mutable_session()->mutable_participations(static_cast<int>(i))->set_player_id(player_ids[ss.players[i]]);
        player_minutes += ss.session.participations(static_cast<int>(i)).minutes();
      }
      grpc::ClientContext c;
      ctx.Prepare(&c);
      v1::RecordSessionResponse resp;
      auto st = exposure->RecordSession(&c, req, &resp);
      if (!st.ok()) return SeedFailure(ctx, absl::StrCat("recording session ", ss.session.title()), st);
      (resp.replayed() ? sessions_replayed : sessions_recorded)++;
    }
  }

  // 5. Complaints, unless this squad already has some (a re-run).
  int complaints_created = 0, check_ins = 0, resolved = 0, existing_complaints = 0;
  if (reused) {
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::ListComplaintsRequest req;
    req.set_squad_id(squad_id);
    req.set_page_size(1);
    v1::ListComplaintsResponse resp;
    auto st = complaints->ListComplaints(&c, req, &resp);
    if (!st.ok()) return SeedFailure(ctx, "listing complaints", st);
    existing_complaints = resp.complaints_size();
  }
  std::vector<std::pair<std::string, int64_t>> scenario_ids;
  std::vector<int64_t> complaint_ids(plan.complaints.size(), 0);  // by plan index, when created
  if (existing_complaints == 0) {
    for (const SeedComplaint& sc : plan.complaints) {
      v1::CreateComplaintRequest req;
      *req.mutable_complaint() = sc.complaint;
      req.mutable_complaint()->set_player_id(player_ids[sc.player]);
      v1::CreateComplaintResponse resp;
      {
        grpc::ClientContext c;
        ctx.Prepare(&c);
        auto st = complaints->CreateComplaint(&c, req, &resp);
        if (!st.ok()) return SeedFailure(ctx, absl::StrCat("creating a complaint (", sc.scenario, ")"), st);
      }
      ++complaints_created;
      int64_t id = resp.complaint().id();
      scenario_ids.push_back({sc.scenario, id});
      complaint_ids[&sc - plan.complaints.data()] = id;
      for (const v1::CheckIn& ci : sc.check_ins) {
        if (FromTimestamp(ci.check_time()) > opt.now) continue;
        grpc::ClientContext c;
        ctx.Prepare(&c);
        v1::CreateCheckInRequest creq;
        creq.set_complaint_id(id);
        *creq.mutable_check_in() = ci;
        v1::CreateCheckInResponse cresp;
        auto st = complaints->CreateCheckIn(&c, creq, &cresp);
        if (!st.ok()) return SeedFailure(ctx, "adding a check-in", st);
        ++check_ins;
      }
      if (sc.resolve_time.has_value()) {
        grpc::ClientContext c;
        ctx.Prepare(&c);
        v1::ResolveComplaintRequest rreq;
        rreq.set_complaint_id(id);
        *rreq.mutable_resolve_time() = ToTimestamp(*sc.resolve_time);
        rreq.set_reason(sc.resolve_reason);
        v1::ResolveComplaintResponse rresp;
        auto st = complaints->ResolveComplaint(&c, rreq, &rresp);
        if (!st.ok()) return SeedFailure(ctx, "resolving a complaint", st);
        ++resolved;
      }
    }
  }

  // 5b. Objective assessments (issue 19), unless this squad already has some (a re-run).
  int assessments_created = 0, baselines = 0, deficits = 0, neural = 0;
  bool existing_assessments = false, no_assessment_service = false;
  {
    auto assessments = v1::AssessmentService::NewStub(ctx.channel());
    {
      grpc::ClientContext c;
      ctx.Prepare(&c);
      v1::ListAssessmentsRequest req;
      req.set_squad_id(squad_id);
      req.set_page_size(1);
      v1::ListAssessmentsResponse resp;
      auto st = assessments->ListAssessments(&c, req, &resp);
      // A server from before assessments: the rest of the demo still stands.
      no_assessment_service = st.error_code() == grpc::StatusCode::UNIMPLEMENTED;
      if (!st.ok() && !no_assessment_service) return SeedFailure(ctx, "listing assessments", st);
      existing_assessments = resp.assessments_size() > 0;
    }
    const bool record = !existing_assessments && !no_assessment_service;
    for (const SeedAssessment& sa : record ? plan.assessments : std::vector<SeedAssessment>{}) {
      if (FromTimestamp(sa.assessment.assess_time()) > opt.now) continue;
      grpc::ClientContext c;
      ctx.Prepare(&c);
      v1::CreateAssessmentRequest req;
      *req.mutable_assessment() = sa.assessment;
      req.mutable_assessment()->set_player_id(player_ids[sa.player]);
      if (sa.complaint >= 0) req.mutable_assessment()->set_complaint_id(complaint_ids[sa.complaint]);
      v1::CreateAssessmentResponse resp;
      auto st = assessments->CreateAssessment(&c, req, &resp);
      if (!st.ok()) return SeedFailure(ctx, absl::StrCat("recording an assessment (", sa.scenario, ")"), st);
      ++assessments_created;
      baselines += resp.assessment().baseline();
      deficits += resp.assessment().analysis().strength_deficit();
      neural += resp.assessment().analysis().neural_tension();
    }
  }

  // 5b. Return-to-play plans, for complaints made by this run (a re-run adds none).
  int plans_created = 0;
  for (const SeedReturnToPlay& sr : plan.return_to_play) {
    if (complaint_ids[sr.complaint] == 0) continue;
    auto rtp = v1::ReturnToPlayService::NewStub(ctx.channel());
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::CreateReturnToPlayPlanRequest req = sr.request;
    req.set_complaint_id(complaint_ids[sr.complaint]);
    v1::CreateReturnToPlayPlanResponse resp;
    auto st = rtp->CreateReturnToPlayPlan(&c, req, &resp);
    if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED) break;  // a server from before plans
    if (!st.ok()) return SeedFailure(ctx, "making a return-to-play plan", st);
    ++plans_created;
  }

  // 6. Summary.
  int forwards = 0;
  for (const auto& p : plan.players) forwards += p.group == v1::POSITION_GROUP_FORWARD;
  ctx.out << "Players:    " << plan.players.size() << " (" << forwards << " forwards, " << plan.players.size() - forwards
          << " backs); " << players_created << " created, " << plan.players.size() - players_created
          << " already there\n";
  ctx.out << "Sessions:   " << plan.matches << " matches, " << plan.training_sessions << " contact training sessions ("
          << FormatDate(opt.now - absl::Hours(24 * 270)) << " to " << FormatDate(opt.now) << ")\n";
  ctx.out << "Exposure:   " << plan.sessions.size() << " sessions (matches and training days) with "
          << player_minutes / 60 << " player-hours; " << sessions_recorded << " recorded, " << sessions_replayed
          << " already there\n";
  int awkward = 0;
  for (const auto& e : plan.events) awkward += e.event.awkward();
  ctx.out << "Events:     " << imported.received_count() << " sent (" << awkward << " awkward), "
          << imported.stored_count() << " stored, " << imported.duplicate_count() << " duplicates, "
          << imported.rejected_count() << " rejected; " << explicit_ids.size()
          << " recorded individually (awkward lineout landing, awkward tackle)\n";
  for (const auto& r : imported.rejections()) {
    ctx.err << "  rejected #" << r.index() << " " << r.idempotency_key() << ": " << r.reason() << "\n";
  }
  if (existing_complaints > 0) {
    ctx.out << "Complaints: squad already has complaints; none added\n";
  } else {
    ctx.out << "Complaints: " << complaints_created << " created (" << resolved << " resolved), " << check_ins
            << " check-ins\n";
    for (const auto& [scenario, id] : scenario_ids) ctx.out << "  #" << id << "  " << scenario << "\n";
  }
  if (no_assessment_service) {
    ctx.out << "Assessments: not recorded (the server has no AssessmentService)\n";
  } else if (existing_assessments) {
    ctx.out << "Assessments: squad already has assessments; none added\n";
  } else {
    ctx.out << "Assessments: " << assessments_created << " recorded (" << baselines << " baselines); findings: "
            << deficits << " strength deficit, " << neural << " neural tension\n";
  }
  if (plans_created > 0) {
    ctx.out << "Return to play: " << plans_created << " plan (the acute tear: stages planned, criteria set)\n";
  }
  if (!no_assessment_service) {  // the pelvic screens owed after awkward contact
    auto assessments = v1::AssessmentService::NewStub(ctx.channel());
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::ListScreeningTasksRequest req;
    req.set_squad_id(squad_id);
    req.set_page_size(1000);
    *req.mutable_as_of() = ToTimestamp(opt.now);
    v1::ListScreeningTasksResponse resp;
    if (assessments->ListScreeningTasks(&c, req, &resp).ok()) {
      int overdue = 0;
      for (const auto& t : resp.tasks()) overdue += t.state() == v1::SCREENING_TASK_STATE_OVERDUE;
      ctx.out << "Screening:  " << resp.tasks_size() << " pelvic screens owed after awkward contact ("
              << overdue << " overdue)\n";
    }
  }
  {
    auto flags = v1::FlagService::NewStub(ctx.channel());
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::ListFlagsRequest req;
    req.set_squad_id(squad_id);
    req.set_page_size(1000);
    *req.mutable_as_of() = ToTimestamp(opt.now);
    v1::ListFlagsResponse resp;
    if (flags->ListFlags(&c, req, &resp).ok()) {
      std::map<std::string, int> by_kind;
      for (const auto& f : resp.flags()) ++by_kind[Short(f.kind())];
      ctx.out << "Flags now:  " << resp.flags_size();
      for (const auto& [k, n] : by_kind) ctx.out << (k == by_kind.begin()->first ? " (" : ", ") << k << " " << n;
      ctx.out << (by_kind.empty() ? "" : ")") << "\n";
    }
  }
  {  // Protocols for today's session, so readiness shows them; a server without plugins is fine.
    auto protocols = v1::ProtocolService::NewStub(ctx.channel());
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::AssignProtocolsRequest req;
    req.set_squad_id(squad_id);
    req.set_session_label("Training");
    req.set_session_kind(v1::SESSION_KIND_TRAINING);
    *req.mutable_session_time() = ToTimestamp(opt.now);
    v1::AssignProtocolsResponse resp;
    if (auto st = protocols->AssignProtocols(&c, req, &resp); st.ok()) {
      ctx.out << "Protocols:  " << resp.assignments_size() - resp.without_protocol_count()
              << " players with PRE/POST protocols for today's training (" << resp.failure_count()
              << " plugin failures)\n";
    } else {
      ctx.out << "Protocols:  not assigned (" << st.error_message() << ")\n";
    }
  }
  {
    auto readiness = v1::ReadinessService::NewStub(ctx.channel());
    grpc::ClientContext c;
    ctx.Prepare(&c);
    v1::GetSquadReadinessRequest req;
    req.set_squad_id(squad_id);
    *req.mutable_session_time() = ToTimestamp(opt.now);
    v1::GetSquadReadinessResponse resp;
    if (readiness->GetSquadReadiness(&c, req, &resp).ok()) {
      ctx.out << "Readiness:  " << resp.available_count() << " available, " << resp.modified_count() << " modified, "
              << resp.unavailable_count() << " unavailable\n";
    }
  }
  ctx.out << "Done in " << absl::FormatDuration(absl::Trunc(absl::Now() - started, absl::Milliseconds(10)))
          << ". Try: touchline readiness get --squad=" << squad_id << "   touchline flags list --squad=" << squad_id
          << "\n";
  return kExitOk;
}

}  // namespace touchline::cli
