#include "server/access/access_policy.h"

#include <array>


namespace touchline::access {
namespace {

// THE table: which role may call which RPC. A method missing here is denied to every role (the
// api test walks every method of every touchline.v1 service in the descriptor pool, so a new RPC
// without an entry fails it). Coaches and analysts additionally receive minimised responses
// (server/access/minimiser.cc, driven by the (touchline.v1.privacy) field options).
constexpr std::array kRules = {
    // Squads and players: names are not medical data; analysts see pseudonyms only.
    MethodRule{"/touchline.v1.SquadService/CreateSquad", kMedical, false},
    MethodRule{"/touchline.v1.SquadService/GetSquad", kEveryRole, false},
    MethodRule{"/touchline.v1.SquadService/ListSquads", kEveryRole, false},
    MethodRule{"/touchline.v1.SquadService/UpdateSquad", kMedical, false},
    MethodRule{"/touchline.v1.PlayerService/CreatePlayer", kMedical, false},
    MethodRule{"/touchline.v1.PlayerService/GetPlayer", kMedical | kCoach, false},
    MethodRule{"/touchline.v1.PlayerService/ListPlayers", kEveryRole, false},
    MethodRule{"/touchline.v1.PlayerService/UpdatePlayer", kMedical, false},
    MethodRule{"/touchline.v1.PlayerService/ArchivePlayer", kMedical, false},
    // Contact events feed the pelvic-origin rule: part of the medical record, so audited.
    // Coaches code them from video; analysts read them pseudonymised.
    MethodRule{"/touchline.v1.ContactEventService/CreateContactEvent", kMedical | kCoach, true},
    MethodRule{"/touchline.v1.ContactEventService/GetContactEvent", kEveryRole, true},
    MethodRule{"/touchline.v1.ContactEventService/ListContactEvents", kEveryRole, true},
    MethodRule{"/touchline.v1.ContactEventService/ImportContactEvents", kMedical | kCoach, true},
    // Complaints: clinical. Analysts read them pseudonymised and without free text.
    MethodRule{"/touchline.v1.ComplaintService/CreateComplaint", kMedical, true},
    MethodRule{"/touchline.v1.ComplaintService/GetComplaint", kMedical | kAnalyst, true},
    MethodRule{"/touchline.v1.ComplaintService/ListComplaints", kMedical | kAnalyst, true},
    MethodRule{"/touchline.v1.ComplaintService/UpdateComplaint", kMedical, true},
    MethodRule{"/touchline.v1.ComplaintService/CreateCheckIn", kMedical, true},
    MethodRule{"/touchline.v1.ComplaintService/ResolveComplaint", kMedical, true},
    MethodRule{"/touchline.v1.ComplaintService/ReopenComplaint", kMedical, true},
    MethodRule{"/touchline.v1.ComplaintService/ListAmendments", kMedical, true},
    // Flags are clinical (persistence, recurrence, suspected origin): not for coaches.
    MethodRule{"/touchline.v1.FlagService/ListFlags", kMedical | kAnalyst, true},
    MethodRule{"/touchline.v1.FlagService/WatchFlags", kMedical | kAnalyst, true},
    MethodRule{"/touchline.v1.FlagService/AcknowledgeFlag", kMedical, true},
    // The six-week queue is the WINDOW_CLOSING flags' worklist: read like flags.
    MethodRule{"/touchline.v1.FlagService/ListClosingWindows", kMedical | kAnalyst, true},
    // Readiness: coaches see availability with non-clinical reasons.
    MethodRule{"/touchline.v1.ReadinessService/GetSquadReadiness", kEveryRole, true},
    MethodRule{"/touchline.v1.ReadinessService/WatchSquadReadiness", kEveryRole, true},
    MethodRule{"/touchline.v1.ReadinessService/CreateReadinessOverride", kMedical, true},
    MethodRule{"/touchline.v1.ReadinessService/ListReadinessOverrides", kMedical | kCoach, true},
    MethodRule{"/touchline.v1.ReadinessService/ClearReadinessOverride", kMedical, true},
    // Bulk export for analytics pipelines, audited once per call with every player streamed.
    // Analysts (the main consumer) get pseudonyms and no free text, like their other reads;
    // coaches only the contact events they may list anyway (the service refuses them complaints).
    MethodRule{"/touchline.v1.ExportService/ExportRecords", kEveryRole, true},
    // Exposure (issue 8). Coaches run training, so they record sessions with the medical staff;
    // minutes and contact drills are not clinical, so coaches read sessions and weekly load too.
    // Analysts read everything here pseudonymised (player ids carry PRIVACY_PLAYER_ID) and cannot
    // ask for one player by id. Injury rates are squad aggregates without player ids, so every
    // role may read them (small cells can still hint who was hurt: the squad's own staff only).
    // All audited: sessions and load name players' exposure, and rates are computed from the
    // complaints (who asked for the squad's injury figures is worth knowing too).
    MethodRule{"/touchline.v1.ExposureService/RecordSession", kMedical | kCoach, true},
    MethodRule{"/touchline.v1.ExposureService/GetSession", kEveryRole, true},
    MethodRule{"/touchline.v1.ExposureService/ListSessions", kEveryRole, true},
    MethodRule{"/touchline.v1.ExposureService/GetInjuryRates", kEveryRole, true},
    MethodRule{"/touchline.v1.ExposureService/GetWeeklyContactLoad", kEveryRole, true},
    // Objective assessments (issue 19): clinical. Physios and admins record and correct them;
    // coaches get nothing clinical, so none of them; analysts read them pseudonymised (numbers and
    // findings, no notes or names) and cannot ask for one player by id.
    MethodRule{"/touchline.v1.AssessmentService/CreateAssessment", kMedical, true},
    MethodRule{"/touchline.v1.AssessmentService/AmendAssessment", kMedical, true},
    MethodRule{"/touchline.v1.AssessmentService/GetAssessment", kMedical | kAnalyst, true},
    MethodRule{"/touchline.v1.AssessmentService/ListAssessments", kMedical | kAnalyst, true},
    // Pelvic screening tasks are the physio's worklist (who still owes a screen after which
    // contact): the medical staff only.
    MethodRule{"/touchline.v1.AssessmentService/ListScreeningTasks", kMedical, true},
    // Outcomes by protocol (issue 19 item 8): squad aggregates computed from complaints and
    // protocol records. Medical staff see the complaint ids behind each cell; analysts get it
    // pseudonymised (no ids, small cells suppressed: service/outcome_desk.h); coaches get nothing
    // clinical. Audited: who asked for the squad's outcome figures is worth knowing.
    MethodRule{"/touchline.v1.OutcomeService/GetProtocolOutcomes", kMedical | kAnalyst, true},
    // Return to play (issue 19 item 5): clinical (criteria, evidence, assessments cited). Physios
    // and admins make and move plans; coaches are refused every method and see a plan only as
    // its effect on the readiness board (the stage, no side or criterion); analysts read a plan
    // pseudonymised, without free text or names (criteria descriptions and evidence are free
    // text), like complaints.
    MethodRule{"/touchline.v1.ReturnToPlayService/CreateReturnToPlayPlan", kMedical, true},
    MethodRule{"/touchline.v1.ReturnToPlayService/GetReturnToPlayPlan", kMedical | kAnalyst, true},
    MethodRule{"/touchline.v1.ReturnToPlayService/SetPlannedDate", kMedical, true},
    MethodRule{"/touchline.v1.ReturnToPlayService/AddCriterion", kMedical, true},
    MethodRule{"/touchline.v1.ReturnToPlayService/AmendCriterion", kMedical, true},
    MethodRule{"/touchline.v1.ReturnToPlayService/MarkCriterion", kMedical, true},
    MethodRule{"/touchline.v1.ReturnToPlayService/ReachStage", kMedical, true},
    // The audit log: administrators only; there is no RPC that alters it.
    MethodRule{"/touchline.v1.AuditService/ListAuditEvents", kAdmin, false},
    // Who the caller is (their own name and role): no player's data, so not audited.
    MethodRule{"/touchline.v1.AccessService/GetCaller", kEveryRole, false},
    // Coaches see each player's PRE/POST protocols on the readiness board (exercise names only);
    // full prescriptions carry clinical reasons (the plugin contract cannot be annotated without an
    // import cycle), so assignments stay with the medical staff. Analysts do not see them.
    MethodRule{"/touchline.v1.ProtocolService/AssignProtocols", kMedical, true},
    MethodRule{"/touchline.v1.ProtocolService/ListAssignments", kMedical, true},
    MethodRule{"/touchline.v1.ProtocolService/RecordAdherence", kMedical, true},
    MethodRule{"/touchline.v1.ProtocolService/ListPlugins", kMedical | kCoach, false},
};

}  // namespace

std::span<const MethodRule> MethodRules() { return kRules; }

const MethodRule* FindMethodRule(std::string_view full_method) {
  for (const MethodRule& rule : kRules) {
    if (rule.method == full_method) return &rule;
  }
  return nullptr;
}

bool IsPublicMethod(std::string_view full_method) {
  // Health: load balancers and probes hold no token. Reflection: serves only the API schema (the
  // .proto files, public in the repository), never data, so `buf curl` and grpcurl can discover
  // methods; every data-bearing method it reveals still needs a token.
  return full_method.starts_with("/grpc.health.v1.Health/") ||
         full_method.starts_with("/grpc.reflection.v1alpha.ServerReflection/") ||
         full_method.starts_with("/grpc.reflection.v1.ServerReflection/");
}

bool IsAllowed(std::string_view full_method, common::Role role) {
  const MethodRule* rule = FindMethodRule(full_method);
  return rule != nullptr && role != common::Role::kNone && (rule->roles & RoleBit(role)) != 0;
}

const char* RoleName(common::Role role) {
  switch (role) {
    case common::Role::kAdmin: return "admin";
    case common::Role::kPhysio: return "physio";
    case common::Role::kCoach: return "coach";
    case common::Role::kAnalyst: return "analyst";
    case common::Role::kNone: break;
  }
  return "none";
}

std::optional<common::Role> ParseRole(std::string_view name) {
  for (common::Role r : {common::Role::kAdmin, common::Role::kPhysio, common::Role::kCoach, common::Role::kAnalyst}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

}  // namespace touchline::access
