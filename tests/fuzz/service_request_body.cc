// Fuzz body: request validation and the service handlers behind it (see fuzz_bodies.h).
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/assessment_desk.h"
#include "server/service/complaint_records.h"
#include "server/service/contact_log.h"
#include "server/service/exposure_desk.h"
#include "server/service/flag_board.h"
#include "server/service/outcome_desk.h"
#include "server/service/readiness_board.h"
#include "server/service/return_to_play_desk.h"
#include "server/service/service_options.h"
#include "server/service/squad_registry.h"
#include "server/storage/database.h"
#include "tests/fuzz/fuzz_bodies.h"

namespace touchline::fuzz {
namespace {

namespace v1 = touchline::v1;
using common::Caller;
using common::Role;

absl::Time Now() { return absl::FromCivil(absl::CivilSecond(2026, 3, 1, 12, 0, 0), absl::UTCTimeZone()); }

struct World {
  std::string dir;
  std::unique_ptr<storage::Database> db;
  domain::ManualClock clock{Now()};
  service::ServiceOptions options;
  std::unique_ptr<service::SquadRegistry> squads;
  std::unique_ptr<service::ContactLog> events;
  std::unique_ptr<service::ComplaintRecords> complaints;
  std::unique_ptr<service::FlagBoard> flags;
  std::unique_ptr<service::ReadinessBoard> readiness;
  std::unique_ptr<service::ExposureDesk> exposure;
  std::unique_ptr<service::AssessmentDesk> assessments;
  std::unique_ptr<service::OutcomeDesk> outcomes;
  std::unique_ptr<service::ReturnToPlayDesk> return_to_play;
  common::Caller physio{"fuzz.physio", common::Role::kPhysio};
  int calls = 0;

  World() {
    char tmpl[] = "/tmp/touchline-fuzz-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    if (made == nullptr) std::abort();
    dir = made;
    Reset();
  }
  ~World() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  // A fresh database with a small, known record (the seed inputs refer to ids 1 and 2).
  void Reset() {
    return_to_play.reset();
    assessments.reset();
    exposure.reset();
    readiness.reset();
    flags.reset();
    complaints.reset();
    events.reset();
    squads.reset();
    db.reset();
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(dir + "/fuzz.db" + suffix, ignored);
    }
    storage::DatabaseOptions db_options;
    db_options.path = dir + "/fuzz.db";
    db_options.synchronous_full = false;
    db_options.reader_connections = 1;
    auto opened = storage::Database::Open(db_options);
    if (!opened.ok()) std::abort();
    db = std::move(*opened);
    squads = std::make_unique<service::SquadRegistry>(*db, clock, options);
    events = std::make_unique<service::ContactLog>(*db, clock, options);
    complaints = std::make_unique<service::ComplaintRecords>(*db, clock, options);
    flags = std::make_unique<service::FlagBoard>(*db, clock, options);
    readiness = std::make_unique<service::ReadinessBoard>(*db, clock, options);
    exposure = std::make_unique<service::ExposureDesk>(*db, clock, options);
    assessments = std::make_unique<service::AssessmentDesk>(*db, clock, options);
    outcomes = std::make_unique<service::OutcomeDesk>(*db, clock, options);
    return_to_play = std::make_unique<service::ReturnToPlayDesk>(*db, clock, options);

    v1::CreateSquadRequest squad;
    squad.mutable_squad()->set_name("Fuzz XV");
    if (!squads->CreateSquad(physio, squad).ok()) std::abort();
    for (const char* name : {"Fuzz One", "Fuzz Two"}) {
      v1::CreatePlayerRequest player;
      player.mutable_player()->set_squad_id(1);
      player.mutable_player()->set_name(name);
      player.mutable_player()->set_position_group(v1::POSITION_GROUP_BACK);
      auto created = squads->CreatePlayer(physio, player);
      if (!created.ok()) std::abort();
    }
    v1::CreateComplaintRequest complaint;
    v1::Complaint* c = complaint.mutable_complaint();
    c->set_player_id(1);
    c->set_side(v1::SIDE_LEFT);
    c->mutable_onset_time()->set_seconds(absl::ToUnixSeconds(Now() - absl::Hours(24 * 50)));
    c->set_onset_kind(v1::ONSET_KIND_GRADUAL);
    if (!complaints->CreateComplaint(physio, complaint).ok()) std::abort();
    v1::CreateContactEventRequest event;
    v1::ContactEvent* e = event.mutable_contact_event();
    e->set_player_id(2);
    e->set_kind(v1::CONTACT_KIND_SCRUM);
    e->mutable_occur_time()->set_seconds(absl::ToUnixSeconds(Now() - absl::Hours(24 * 20)));
    e->set_idempotency_key("seed-1");
    if (!events->CreateContactEvent(physio, event).ok()) std::abort();
    calls = 0;
  }
};

World& TheWorld() {
  static World* world = new World();  // never destroyed: libFuzzer exits without unwinding
  return *world;
}

template <typename Request>
bool Parse(const uint8_t* data, size_t size, Request* request) {
  return request->ParseFromArray(data, static_cast<int>(size));
}

}  // namespace

int ServiceRequestOne(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  QuietProtobufLogs();
  World& w = TheWorld();
  // Keep the database small and the run reproducible enough: start afresh every 500 calls.
  if (++w.calls > 500) w.Reset();
  const uint8_t selector = data[0] % 18;
  ++data;
  --size;
  const common::Caller& caller = w.physio;
  switch (selector) {
    case 0: {
      v1::CreateComplaintRequest r;
      if (Parse(data, size, &r)) (void)w.complaints->CreateComplaint(caller, r);
      break;
    }
    case 1: {
      v1::UpdateComplaintRequest r;
      if (Parse(data, size, &r)) (void)w.complaints->UpdateComplaint(caller, r);
      break;
    }
    case 2: {
      // The stream: the input is one request message, sent up to three times (duplicates by key).
      v1::ImportContactEventsRequest r;
      if (!Parse(data, size, &r)) break;
      auto import = w.events->StartImport(caller);
      for (int sent = 0; sent < 3; ++sent) {
        import->Add(r);
        if (auto batch = import->TakeBatch(/*final=*/false)) (void)import->Commit(*batch);
      }
      if (auto batch = import->TakeBatch(/*final=*/true)) (void)import->Commit(*batch);
      (void)import->Result();
      break;
    }
    case 3: {
      v1::ListFlagsRequest r;
      if (Parse(data, size, &r)) (void)w.flags->ListFlags(caller, r);
      break;
    }
    case 4: {
      v1::CreateContactEventRequest r;
      if (Parse(data, size, &r)) (void)w.events->CreateContactEvent(caller, r);
      break;
    }
    case 5: {
      v1::CreateCheckInRequest r;
      if (Parse(data, size, &r)) (void)w.complaints->CreateCheckIn(caller, r);
      break;
    }
    case 6: {
      v1::ResolveComplaintRequest r;
      if (Parse(data, size, &r)) (void)w.complaints->ResolveComplaint(caller, r);
      break;
    }
    case 7: {
      v1::GetSquadReadinessRequest r;
      if (Parse(data, size, &r)) (void)w.readiness->GetSquadReadiness(caller, r);
      break;
    }
    case 8: {
      v1::RecordSessionRequest r;
      if (Parse(data, size, &r)) (void)w.exposure->RecordSession(caller, r);
      break;
    }
    case 9: {
      v1::GetInjuryRatesRequest r;
      if (Parse(data, size, &r)) (void)w.exposure->GetInjuryRates(caller, r);
      break;
    }
    case 10: {
      v1::GetWeeklyContactLoadRequest r;
      if (Parse(data, size, &r)) (void)w.exposure->GetWeeklyContactLoad(caller, r);
      break;
    }
    case 11: {
      v1::CreateAssessmentRequest r;
      if (Parse(data, size, &r)) (void)w.assessments->CreateAssessment(caller, r);
      break;
    }
    case 12: {
      v1::ListAssessmentsRequest r;
      if (Parse(data, size, &r)) (void)w.assessments->ListAssessments(caller, r);
      break;
    }
    case 13: {
      v1::ListScreeningTasksRequest r;
      if (Parse(data, size, &r)) (void)w.assessments->ListScreeningTasks(caller, r);
      break;
    }
    case 14: {
      v1::GetProtocolOutcomesRequest r;
      if (Parse(data, size, &r)) (void)w.outcomes->GetProtocolOutcomes(caller, r);
      break;
    }
    case 15: {
      v1::CreateReturnToPlayPlanRequest r;
      if (Parse(data, size, &r)) (void)w.return_to_play->CreateReturnToPlayPlan(caller, r);
      break;
    }
    case 16: {
      v1::MarkCriterionRequest r;
      if (Parse(data, size, &r)) (void)w.return_to_play->MarkCriterion(caller, r);
      break;
    }
    case 17: {
      v1::ReachStageRequest r;
      if (Parse(data, size, &r)) (void)w.return_to_play->ReachStage(caller, r);
      break;
    }
  }
  return 0;
}

}  // namespace touchline::fuzz
