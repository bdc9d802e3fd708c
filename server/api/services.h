// The gRPC services: thin final classes that read the caller, call the service layer and map the
// status. No logic lives here. Unary calls run on the sync server's thread pool; the streams run
// on the callback API (stream_reactors.h), so a held stream holds no thread.
#pragma once

#include "server/access/audit_trail.h"
#include "server/access/credentials.h"
#include "server/api/stream_reactors.h"
#include "server/service/assessment_desk.h"
#include "server/service/complaint_records.h"
#include "server/service/contact_log.h"
#include "server/service/exposure_desk.h"
#include "server/service/outcome_desk.h"
#include "server/service/flag_board.h"
#include "server/service/protocol_desk.h"
#include "server/service/flag_watch.h"
#include "server/service/readiness_board.h"
#include "server/service/readiness_watch.h"
#include "server/service/record_export.h"
#include "server/service/return_to_play_desk.h"
#include "server/service/squad_registry.h"
#include "touchline/v1/access.grpc.pb.h"
#include "touchline/v1/assessment.grpc.pb.h"
#include "touchline/v1/audit.grpc.pb.h"
#include "touchline/v1/complaint.grpc.pb.h"
#include "touchline/v1/contact_event.grpc.pb.h"
#include "touchline/v1/export.grpc.pb.h"
#include "touchline/v1/exposure.grpc.pb.h"
#include "touchline/v1/outcome.grpc.pb.h"
#include "touchline/v1/flag.grpc.pb.h"
#include "touchline/v1/protocol.grpc.pb.h"
#include "touchline/v1/readiness.grpc.pb.h"
#include "touchline/v1/return_to_play.grpc.pb.h"
#include "touchline/v1/squad.grpc.pb.h"

namespace touchline::api {

class SquadServiceImpl final : public v1::SquadService::Service {
 public:
  explicit SquadServiceImpl(service::SquadRegistry& registry) : registry_(registry) {}
  grpc::Status CreateSquad(grpc::ServerContext*, const v1::CreateSquadRequest*,
                           v1::CreateSquadResponse*) override;
  grpc::Status GetSquad(grpc::ServerContext*, const v1::GetSquadRequest*,
                        v1::GetSquadResponse*) override;
  grpc::Status ListSquads(grpc::ServerContext*, const v1::ListSquadsRequest*,
                          v1::ListSquadsResponse*) override;
  grpc::Status UpdateSquad(grpc::ServerContext*, const v1::UpdateSquadRequest*,
                           v1::UpdateSquadResponse*) override;

 private:
  service::SquadRegistry& registry_;
};

class PlayerServiceImpl final : public v1::PlayerService::Service {
 public:
  explicit PlayerServiceImpl(service::SquadRegistry& registry) : registry_(registry) {}
  grpc::Status CreatePlayer(grpc::ServerContext*, const v1::CreatePlayerRequest*,
                            v1::CreatePlayerResponse*) override;
  grpc::Status GetPlayer(grpc::ServerContext*, const v1::GetPlayerRequest*,
                         v1::GetPlayerResponse*) override;
  grpc::Status ListPlayers(grpc::ServerContext*, const v1::ListPlayersRequest*,
                           v1::ListPlayersResponse*) override;
  grpc::Status UpdatePlayer(grpc::ServerContext*, const v1::UpdatePlayerRequest*,
                            v1::UpdatePlayerResponse*) override;
  grpc::Status ArchivePlayer(grpc::ServerContext*, const v1::ArchivePlayerRequest*,
                             v1::ArchivePlayerResponse*) override;

 private:
  service::SquadRegistry& registry_;
};

class ContactEventServiceImpl final
    : public v1::ContactEventService::WithRawCallbackMethod_ImportContactEvents<
          v1::ContactEventService::Service> {
 public:
  ContactEventServiceImpl(service::ContactLog& log, const StreamEnvironment& streams)
      : log_(log), streams_(streams) {}
  grpc::Status CreateContactEvent(grpc::ServerContext*, const v1::CreateContactEventRequest*,
                                  v1::CreateContactEventResponse*) override;
  grpc::Status GetContactEvent(grpc::ServerContext*, const v1::GetContactEventRequest*,
                               v1::GetContactEventResponse*) override;
  grpc::Status ListContactEvents(grpc::ServerContext*, const v1::ListContactEventsRequest*,
                                 v1::ListContactEventsResponse*) override;
  grpc::ServerReadReactor<grpc::ByteBuffer>* ImportContactEvents(grpc::CallbackServerContext*,
                                                                grpc::ByteBuffer*) override;

 private:
  service::ContactLog& log_;
  const StreamEnvironment streams_;
};

class ComplaintServiceImpl final : public v1::ComplaintService::Service {
 public:
  explicit ComplaintServiceImpl(service::ComplaintRecords& records) : records_(records) {}
  grpc::Status CreateComplaint(grpc::ServerContext*, const v1::CreateComplaintRequest*,
                               v1::CreateComplaintResponse*) override;
  grpc::Status GetComplaint(grpc::ServerContext*, const v1::GetComplaintRequest*,
                            v1::GetComplaintResponse*) override;
  grpc::Status ListComplaints(grpc::ServerContext*, const v1::ListComplaintsRequest*,
                              v1::ListComplaintsResponse*) override;
  grpc::Status UpdateComplaint(grpc::ServerContext*, const v1::UpdateComplaintRequest*,
                               v1::UpdateComplaintResponse*) override;
  grpc::Status CreateCheckIn(grpc::ServerContext*, const v1::CreateCheckInRequest*,
                             v1::CreateCheckInResponse*) override;
  grpc::Status ResolveComplaint(grpc::ServerContext*, const v1::ResolveComplaintRequest*,
                                v1::ResolveComplaintResponse*) override;
  grpc::Status ReopenComplaint(grpc::ServerContext*, const v1::ReopenComplaintRequest*,
                               v1::ReopenComplaintResponse*) override;
  grpc::Status ListAmendments(grpc::ServerContext*, const v1::ListAmendmentsRequest*,
                              v1::ListAmendmentsResponse*) override;

 private:
  service::ComplaintRecords& records_;
};

class FlagServiceImpl final
    : public v1::FlagService::WithCallbackMethod_WatchFlags<v1::FlagService::Service> {
 public:
  FlagServiceImpl(service::FlagBoard& board, service::FlagWatch& watch,
                  const StreamEnvironment& streams)
      : board_(board), watch_(watch), streams_(streams) {}
  grpc::Status ListFlags(grpc::ServerContext*, const v1::ListFlagsRequest*,
                         v1::ListFlagsResponse*) override;
  grpc::ServerWriteReactor<v1::WatchFlagsResponse>* WatchFlags(
      grpc::CallbackServerContext*, const v1::WatchFlagsRequest*) override;
  grpc::Status AcknowledgeFlag(grpc::ServerContext*, const v1::AcknowledgeFlagRequest*,
                               v1::AcknowledgeFlagResponse*) override;
  grpc::Status ListClosingWindows(grpc::ServerContext*, const v1::ListClosingWindowsRequest*,
                                  v1::ListClosingWindowsResponse*) override;

 private:
  service::FlagBoard& board_;
  service::FlagWatch& watch_;
  const StreamEnvironment streams_;
};

// GetSquadReadiness answers with a kept board's bytes in the caller's form (minimised once per
// kept board and role), never a copy of the message: registered as a streamed unary method whose
// response type is grpc::ByteBuffer, on the same sync threads as every other unary call.
class ReadinessServiceImpl final
    : public v1::ReadinessService::WithCallbackMethod_WatchSquadReadiness<
          v1::ReadinessService::Service> {
 public:
  // `pseudonyms` may be constructed after this service (only used once calls arrive).
  // GetSquadReadiness is served through the callback API: a kept board is answered on the event
  // thread from memory; a board to compute goes to `workers` (SQLite never runs on an event
  // thread); either way no thread waits while the call's audit record is committed.
  ReadinessServiceImpl(service::ReadinessBoard& board, const access::Pseudonymizer& pseudonyms,
                       StreamWorkers& workers, service::ReadinessWatch& watch,
                       const StreamEnvironment& streams);
  grpc::ServerWriteReactor<v1::WatchSquadReadinessResponse>* WatchSquadReadiness(
      grpc::CallbackServerContext*, const v1::WatchSquadReadinessRequest*) override;
  grpc::Status CreateReadinessOverride(grpc::ServerContext*,
                                       const v1::CreateReadinessOverrideRequest*,
                                       v1::CreateReadinessOverrideResponse*) override;
  grpc::Status ListReadinessOverrides(grpc::ServerContext*,
                                      const v1::ListReadinessOverridesRequest*,
                                      v1::ListReadinessOverridesResponse*) override;
  grpc::Status ClearReadinessOverride(grpc::ServerContext*,
                                      const v1::ClearReadinessOverrideRequest*,
                                      v1::ClearReadinessOverrideResponse*) override;

 private:
  grpc::ServerUnaryReactor* ServeBoard(grpc::CallbackServerContext* context,
                                       const v1::GetSquadReadinessRequest* request,
                                       grpc::ByteBuffer* answer);
  // Fills `answer` with the caller's form of the served board (or says why not).
  grpc::Status Answer(grpc::CallbackServerContext& context, const common::Caller& caller,
                      absl::StatusOr<service::ReadinessBoard::ServedBoard> served,
                      grpc::ByteBuffer& answer);

  service::ReadinessBoard& board_;
  const access::Pseudonymizer& pseudonyms_;
  StreamWorkers& workers_;
  service::ReadinessWatch& watch_;
  const StreamEnvironment& streams_;
};

class ProtocolServiceImpl final : public v1::ProtocolService::Service {
 public:
  explicit ProtocolServiceImpl(service::ProtocolDesk& desk) : desk_(desk) {}
  grpc::Status AssignProtocols(grpc::ServerContext*, const v1::AssignProtocolsRequest*,
                               v1::AssignProtocolsResponse*) override;
  grpc::Status ListAssignments(grpc::ServerContext*, const v1::ListAssignmentsRequest*,
                               v1::ListAssignmentsResponse*) override;
  grpc::Status RecordAdherence(grpc::ServerContext*, const v1::RecordAdherenceRequest*,
                               v1::RecordAdherenceResponse*) override;
  grpc::Status ListPlugins(grpc::ServerContext*, const v1::ListPluginsRequest*,
                           v1::ListPluginsResponse*) override;

 private:
  service::ProtocolDesk& desk_;
};

class ExposureServiceImpl final : public v1::ExposureService::Service {
 public:
  explicit ExposureServiceImpl(service::ExposureDesk& desk) : desk_(desk) {}
  grpc::Status RecordSession(grpc::ServerContext*, const v1::RecordSessionRequest*,
                             v1::RecordSessionResponse*) override;
  grpc::Status GetSession(grpc::ServerContext*, const v1::GetSessionRequest*,
                          v1::GetSessionResponse*) override;
  grpc::Status ListSessions(grpc::ServerContext*, const v1::ListSessionsRequest*,
                            v1::ListSessionsResponse*) override;
  grpc::Status GetInjuryRates(grpc::ServerContext*, const v1::GetInjuryRatesRequest*,
                              v1::GetInjuryRatesResponse*) override;
  grpc::Status GetWeeklyContactLoad(grpc::ServerContext*, const v1::GetWeeklyContactLoadRequest*,
                                    v1::GetWeeklyContactLoadResponse*) override;

 private:
  service::ExposureDesk& desk_;
};

class OutcomeServiceImpl final : public v1::OutcomeService::Service {
 public:
  explicit OutcomeServiceImpl(service::OutcomeDesk& desk) : desk_(desk) {}
  grpc::Status GetProtocolOutcomes(grpc::ServerContext*, const v1::GetProtocolOutcomesRequest*,
                                   v1::GetProtocolOutcomesResponse*) override;

 private:
  service::OutcomeDesk& desk_;
};

class AssessmentServiceImpl final : public v1::AssessmentService::Service {
 public:
  explicit AssessmentServiceImpl(service::AssessmentDesk& desk) : desk_(desk) {}
  grpc::Status CreateAssessment(grpc::ServerContext*, const v1::CreateAssessmentRequest*,
                                v1::CreateAssessmentResponse*) override;
  grpc::Status AmendAssessment(grpc::ServerContext*, const v1::AmendAssessmentRequest*,
                               v1::AmendAssessmentResponse*) override;
  grpc::Status GetAssessment(grpc::ServerContext*, const v1::GetAssessmentRequest*,
                             v1::GetAssessmentResponse*) override;
  grpc::Status ListAssessments(grpc::ServerContext*, const v1::ListAssessmentsRequest*,
                               v1::ListAssessmentsResponse*) override;
  grpc::Status ListScreeningTasks(grpc::ServerContext*, const v1::ListScreeningTasksRequest*,
                                  v1::ListScreeningTasksResponse*) override;

 private:
  service::AssessmentDesk& desk_;
};

class ReturnToPlayServiceImpl final : public v1::ReturnToPlayService::Service {
 public:
  explicit ReturnToPlayServiceImpl(service::ReturnToPlayDesk& desk) : desk_(desk) {}
  grpc::Status CreateReturnToPlayPlan(grpc::ServerContext*, const v1::CreateReturnToPlayPlanRequest*,
                                      v1::CreateReturnToPlayPlanResponse*) override;
  grpc::Status GetReturnToPlayPlan(grpc::ServerContext*, const v1::GetReturnToPlayPlanRequest*,
                                   v1::GetReturnToPlayPlanResponse*) override;
  grpc::Status SetPlannedDate(grpc::ServerContext*, const v1::SetPlannedDateRequest*,
                              v1::SetPlannedDateResponse*) override;
  grpc::Status AddCriterion(grpc::ServerContext*, const v1::AddCriterionRequest*,
                            v1::AddCriterionResponse*) override;
  grpc::Status AmendCriterion(grpc::ServerContext*, const v1::AmendCriterionRequest*,
                              v1::AmendCriterionResponse*) override;
  grpc::Status MarkCriterion(grpc::ServerContext*, const v1::MarkCriterionRequest*,
                             v1::MarkCriterionResponse*) override;
  grpc::Status ReachStage(grpc::ServerContext*, const v1::ReachStageRequest*,
                          v1::ReachStageResponse*) override;

 private:
  service::ReturnToPlayDesk& desk_;
};

class AccessServiceImpl final : public v1::AccessService::Service {
 public:
  grpc::Status GetCaller(grpc::ServerContext*, const v1::GetCallerRequest*,
                         v1::GetCallerResponse*) override;
};

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  explicit AuditServiceImpl(access::AuditTrail& trail) : trail_(trail) {}
  grpc::Status ListAuditEvents(grpc::ServerContext*, const v1::ListAuditEventsRequest*,
                               v1::ListAuditEventsResponse*) override;

 private:
  access::AuditTrail& trail_;
};

class ExportServiceImpl final
    : public v1::ExportService::WithCallbackMethod_ExportRecords<v1::ExportService::Service> {
 public:
  ExportServiceImpl(service::RecordExport& exports, const StreamEnvironment& streams)
      : exports_(exports), streams_(streams) {}
  grpc::ServerWriteReactor<v1::ExportRecordsResponse>* ExportRecords(
      grpc::CallbackServerContext*, const v1::ExportRecordsRequest*) override;

 private:
  service::RecordExport& exports_;
  const StreamEnvironment streams_;
};

}  // namespace touchline::api
