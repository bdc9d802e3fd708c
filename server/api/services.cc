#include "server/api/services.h"

#include <cstdlib>
#include <string>

#include "google/protobuf/descriptor.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
#include "server/access/minimiser.h"
#include "server/api/call_context.h"
#include "server/api/grpc_status.h"
#include "server/common/caller.h"

namespace touchline::api {
namespace {

template <typename Response>
grpc::Status Respond(absl::StatusOr<Response> result, Response* out) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *out = *std::move(result);
  return grpc::Status::OK;
}

// Every handler goes through here: the call is refused unless the access interceptor authenticated
// the caller and the method table allows their role (call_context.h).
template <typename Response, typename Work>
grpc::Status Serve(grpc::ServerContext* context, Response* out, Work&& work) {
  absl::StatusOr<common::Caller> caller = CallerFrom(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Respond(work(*caller), out);
}

}  // namespace

grpc::Status SquadServiceImpl::CreateSquad(grpc::ServerContext* context, const v1::CreateSquadRequest* request,
    v1::CreateSquadResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return registry_.CreateSquad(caller, *request); });
}

grpc::Status SquadServiceImpl::GetSquad(grpc::ServerContext* context, const v1::GetSquadRequest* request,
    v1::GetSquadResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return registry_.GetSquad(caller, *request); });
}

grpc::Status SquadServiceImpl::ListSquads(grpc::ServerContext* context, const v1::ListSquadsRequest* request,
    v1::ListSquadsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return registry_.ListSquads(caller, *request); });
}

grpc::Status SquadServiceImpl::UpdateSquad(grpc::ServerContext* context, const v1::UpdateSquadRequest* request,
    v1::UpdateSquadResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return registry_.UpdateSquad(caller, *request); });
}

grpc::Status PlayerServiceImpl::CreatePlayer(grpc::ServerContext* context, const v1::CreatePlayerRequest* request,
    v1::CreatePlayerResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return registry_.CreatePlayer(caller, *request); });
}

grpc::Status PlayerServiceImpl::GetPlayer(grpc::ServerContext* context, const v1::GetPlayerRequest* request,
    v1::GetPlayerResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return registry_.GetPlayer(caller, *request); });
}

grpc::Status PlayerServiceImpl::ListPlayers(grpc::ServerContext* context, const v1::ListPlayersRequest* request,
    v1::ListPlayersResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return registry_.ListPlayers(caller, *request); });
}

grpc::Status PlayerServiceImpl::UpdatePlayer(grpc::ServerContext* context, const v1::UpdatePlayerRequest* request,
    v1::UpdatePlayerResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return registry_.UpdatePlayer(caller, *request); });
}

grpc::Status PlayerServiceImpl::ArchivePlayer(grpc::ServerContext* context, const v1::ArchivePlayerRequest* request,
    v1::ArchivePlayerResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return registry_.ArchivePlayer(caller, *request); });
}

grpc::Status ContactEventServiceImpl::CreateContactEvent(grpc::ServerContext* context, const v1::CreateContactEventRequest* request,
    v1::CreateContactEventResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return log_.CreateContactEvent(caller, *request); });
}

grpc::Status ContactEventServiceImpl::GetContactEvent(grpc::ServerContext* context, const v1::GetContactEventRequest* request,
    v1::GetContactEventResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return log_.GetContactEvent(caller, *request); });
}

grpc::Status ContactEventServiceImpl::ListContactEvents(grpc::ServerContext* context, const v1::ListContactEventsRequest* request,
    v1::ListContactEventsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return log_.ListContactEvents(caller, *request); });
}

grpc::Status ComplaintServiceImpl::CreateComplaint(grpc::ServerContext* context, const v1::CreateComplaintRequest* request,
    v1::CreateComplaintResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return records_.CreateComplaint(caller, *request); });
}

grpc::Status ComplaintServiceImpl::GetComplaint(grpc::ServerContext* context, const v1::GetComplaintRequest* request,
    v1::GetComplaintResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return records_.GetComplaint(caller, *request); });
}

grpc::Status ComplaintServiceImpl::ListComplaints(grpc::ServerContext* context, const v1::ListComplaintsRequest* request,
    v1::ListComplaintsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return records_.ListComplaints(caller, *request); });
}

grpc::Status ComplaintServiceImpl::UpdateComplaint(grpc::ServerContext* context, const v1::UpdateComplaintRequest* request,
    v1::UpdateComplaintResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return records_.UpdateComplaint(caller, *request); });
}

grpc::Status ComplaintServiceImpl::CreateCheckIn(grpc::ServerContext* context, const v1::CreateCheckInRequest* request,
    v1::CreateCheckInResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return records_.CreateCheckIn(caller, *request); });
}

grpc::Status ComplaintServiceImpl::ResolveComplaint(grpc::ServerContext* context, const v1::ResolveComplaintRequest* request,
    v1::ResolveComplaintResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return records_.ResolveComplaint(caller, *request); });
}

grpc::Status ComplaintServiceImpl::ReopenComplaint(grpc::ServerContext* context, const v1::ReopenComplaintRequest* request,
    v1::ReopenComplaintResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return records_.ReopenComplaint(caller, *request); });
}

grpc::Status ComplaintServiceImpl::ListAmendments(grpc::ServerContext* context, const v1::ListAmendmentsRequest* request,
    v1::ListAmendmentsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return records_.ListAmendments(caller, *request); });
}

grpc::Status FlagServiceImpl::ListFlags(grpc::ServerContext* context, const v1::ListFlagsRequest* request,
    v1::ListFlagsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return board_.ListFlags(caller, *request); });
}

grpc::ServerWriteReactor<v1::WatchFlagsResponse>* FlagServiceImpl::WatchFlags(
    grpc::CallbackServerContext* context, const v1::WatchFlagsRequest* request) {
  return new FeedStreamReactor<v1::WatchFlagsResponse>(
      streams_, context,
      [this, request = *request](const common::Caller& caller, std::function<void()> ready)
          -> absl::StatusOr<std::unique_ptr<service::MessageFeed<v1::WatchFlagsResponse>>> {
        auto feed = watch_.OpenFeed(caller, request, std::move(ready));
        if (!feed.ok()) return feed.status();
        return std::unique_ptr<service::MessageFeed<v1::WatchFlagsResponse>>(*std::move(feed));
      });
}

grpc::Status FlagServiceImpl::ListClosingWindows(grpc::ServerContext* context, const v1::ListClosingWindowsRequest* request,
    v1::ListClosingWindowsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return board_.ListClosingWindows(caller, *request); });
}

grpc::Status FlagServiceImpl::AcknowledgeFlag(grpc::ServerContext* context, const v1::AcknowledgeFlagRequest* request,
    v1::AcknowledgeFlagResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return watch_.AcknowledgeFlag(caller, *request); });
}

namespace {

int MethodIndex(const google::protobuf::ServiceDescriptor* service, const std::string& method) {
  const google::protobuf::MethodDescriptor* m =
      service != nullptr ? service->FindMethodByName(method) : nullptr;
  if (m == nullptr) std::abort();  // the generated code and the descriptor disagree: a build error
  return m->index();
}

}  // namespace

ReadinessServiceImpl::ReadinessServiceImpl(service::ReadinessBoard& board,
                                           const access::Pseudonymizer& pseudonyms,
                                           StreamWorkers& workers,
                                           service::ReadinessWatch& watch,
                                           const StreamEnvironment& streams)
    : board_(board), pseudonyms_(pseudonyms), workers_(workers), watch_(watch), streams_(streams) {
  MarkMethodCallback(
      MethodIndex(v1::GetSquadReadinessRequest::descriptor()->file()->FindServiceByName(
                      "ReadinessService"),
                  "GetSquadReadiness"),
      new grpc::internal::CallbackUnaryHandler<v1::GetSquadReadinessRequest, grpc::ByteBuffer>(
          [this](grpc::CallbackServerContext* context, const v1::GetSquadReadinessRequest* request,
                 grpc::ByteBuffer* answer) { return ServeBoard(context, request, answer); }));
}

grpc::ServerUnaryReactor* ReadinessServiceImpl::ServeBoard(
    grpc::CallbackServerContext* context, const v1::GetSquadReadinessRequest* request,
    grpc::ByteBuffer* answer) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<common::Caller> caller = CallerFrom(*context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  if (auto kept = board_.ServeKeptSquadReadiness(*caller, *request)) {
    reactor->Finish(Answer(*context, *caller, *std::move(kept), *answer));
    return reactor;
  }
  workers_.Post([this, context, request, answer, reactor, caller = *caller] {
    reactor->Finish(
        Answer(*context, caller, board_.ServeSquadReadiness(caller, *request), *answer));
  });
  return reactor;
}

grpc::Status ReadinessServiceImpl::Answer(
    grpc::CallbackServerContext& context, const common::Caller& caller,
    absl::StatusOr<service::ReadinessBoard::ServedBoard> served, grpc::ByteBuffer& answer) {
  if (!served.ok()) return ToGrpcStatus(served.status());
  // One form per role: a physio's and an admin's are the full answer, a coach's and an
  // analyst's minimised (and pseudonymised) by the same access::Minimise every answer goes through.
  auto* bytes = new std::string(served->Serialized(
      static_cast<int>(caller.role), [&](v1::GetSquadReadinessResponse& full) {
        access::Minimise(full, caller.role, pseudonyms_);
      }));
  ReportPreparedAnswer(context, served->player_ids());
  grpc::Slice slice(bytes->data(), bytes->size(),
                    [](void* p) { delete static_cast<std::string*>(p); }, bytes);
  answer = grpc::ByteBuffer(&slice, 1);
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<v1::WatchSquadReadinessResponse>* ReadinessServiceImpl::WatchSquadReadiness(
    grpc::CallbackServerContext* context, const v1::WatchSquadReadinessRequest* request) {
  return new FeedStreamReactor<v1::WatchSquadReadinessResponse>(
      streams_, context,
      [this, request = *request](const common::Caller& caller, std::function<void()> ready)
          -> absl::StatusOr<std::unique_ptr<service::MessageFeed<v1::WatchSquadReadinessResponse>>> {
        auto feed = watch_.OpenFeed(caller, request, std::move(ready));
        if (!feed.ok()) return feed.status();
        return std::unique_ptr<service::MessageFeed<v1::WatchSquadReadinessResponse>>(
            *std::move(feed));
      });
}

grpc::Status ReadinessServiceImpl::CreateReadinessOverride(grpc::ServerContext* context, const v1::CreateReadinessOverrideRequest* request,
    v1::CreateReadinessOverrideResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return board_.CreateReadinessOverride(caller, *request); });
}

grpc::Status ReadinessServiceImpl::ListReadinessOverrides(grpc::ServerContext* context, const v1::ListReadinessOverridesRequest* request,
    v1::ListReadinessOverridesResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return board_.ListReadinessOverrides(caller, *request); });
}

grpc::Status ReadinessServiceImpl::ClearReadinessOverride(grpc::ServerContext* context, const v1::ClearReadinessOverrideRequest* request,
    v1::ClearReadinessOverrideResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return board_.ClearReadinessOverride(caller, *request); });
}

grpc::ServerReadReactor<grpc::ByteBuffer>* ContactEventServiceImpl::ImportContactEvents(
    grpc::CallbackServerContext* context, grpc::ByteBuffer* response) {
  return new ImportReactor(streams_, context, log_, response);
}

grpc::Status AccessServiceImpl::GetCaller(grpc::ServerContext* context, const v1::GetCallerRequest*,
    v1::GetCallerResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) -> absl::StatusOr<v1::GetCallerResponse> {
    v1::GetCallerResponse answer;
    answer.set_user(caller.user);
    answer.set_role(static_cast<v1::Role>(caller.role));  // common::Role mirrors v1::Role's numbers
    return answer;
  });
}

grpc::Status AuditServiceImpl::ListAuditEvents(grpc::ServerContext* context, const v1::ListAuditEventsRequest* request,
    v1::ListAuditEventsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return trail_.ListAuditEvents(caller, *request); });
}

grpc::Status ProtocolServiceImpl::AssignProtocols(grpc::ServerContext* context, const v1::AssignProtocolsRequest* request,
    v1::AssignProtocolsResponse* response) {
  // The client's deadline and cancellation go to the desk: it stops asking the plugins in time to
  // answer, and stores nothing for a caller who has gone. No deadline is gpr_inf_future.
  const gpr_timespec raw_deadline = context->raw_deadline();
  const absl::Time client_deadline =
      gpr_time_cmp(raw_deadline, gpr_inf_future(raw_deadline.clock_type)) == 0
          ? absl::InfiniteFuture()
          : absl::FromChrono(context->deadline());
  return Serve(context, response, [&](const common::Caller& caller) {
    return desk_.AssignProtocols(caller, *request, client_deadline,
                                 [context] { return context->IsCancelled(); });
  });
}

grpc::Status ProtocolServiceImpl::ListAssignments(grpc::ServerContext* context, const v1::ListAssignmentsRequest* request,
    v1::ListAssignmentsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.ListAssignments(caller, *request); });
}

grpc::Status ProtocolServiceImpl::RecordAdherence(grpc::ServerContext* context, const v1::RecordAdherenceRequest* request,
    v1::RecordAdherenceResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.RecordAdherence(caller, *request); });
}

grpc::Status ProtocolServiceImpl::ListPlugins(grpc::ServerContext* context, const v1::ListPluginsRequest* request,
    v1::ListPluginsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.ListPlugins(caller, *request); });
}

grpc::ServerWriteReactor<v1::ExportRecordsResponse>* ExportServiceImpl::ExportRecords(
    grpc::CallbackServerContext* context, const v1::ExportRecordsRequest* request) {
  // The access interceptor minimises each message for the caller's role and writes one audit
  // event for the whole export when it ends.
  return new FeedStreamReactor<v1::ExportRecordsResponse>(
      streams_, context,
      [this, request = *request](const common::Caller& caller, std::function<void()>)
          -> absl::StatusOr<std::unique_ptr<service::MessageFeed<v1::ExportRecordsResponse>>> {
        auto feed = exports_.OpenFeed(caller, request);
        if (!feed.ok()) return feed.status();
        return std::unique_ptr<service::MessageFeed<v1::ExportRecordsResponse>>(*std::move(feed));
      });
}

grpc::Status ExposureServiceImpl::RecordSession(grpc::ServerContext* context, const v1::RecordSessionRequest* request,
    v1::RecordSessionResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.RecordSession(caller, *request); });
}

grpc::Status ExposureServiceImpl::GetSession(grpc::ServerContext* context, const v1::GetSessionRequest* request,
    v1::GetSessionResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.GetSession(caller, *request); });
}

grpc::Status ExposureServiceImpl::ListSessions(grpc::ServerContext* context, const v1::ListSessionsRequest* request,
    v1::ListSessionsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.ListSessions(caller, *request); });
}

grpc::Status ExposureServiceImpl::GetInjuryRates(grpc::ServerContext* context, const v1::GetInjuryRatesRequest* request,
    v1::GetInjuryRatesResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.GetInjuryRates(caller, *request); });
}

grpc::Status ExposureServiceImpl::GetWeeklyContactLoad(grpc::ServerContext* context, const v1::GetWeeklyContactLoadRequest* request,
    v1::GetWeeklyContactLoadResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.GetWeeklyContactLoad(caller, *request); });
}

grpc::Status OutcomeServiceImpl::GetProtocolOutcomes(grpc::ServerContext* context, const v1::GetProtocolOutcomesRequest* request,
    v1::GetProtocolOutcomesResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.GetProtocolOutcomes(caller, *request); });
}

grpc::Status AssessmentServiceImpl::CreateAssessment(grpc::ServerContext* context, const v1::CreateAssessmentRequest* request,
    v1::CreateAssessmentResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.CreateAssessment(caller, *request); });
}

grpc::Status AssessmentServiceImpl::AmendAssessment(grpc::ServerContext* context, const v1::AmendAssessmentRequest* request,
    v1::AmendAssessmentResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.AmendAssessment(caller, *request); });
}

grpc::Status AssessmentServiceImpl::GetAssessment(grpc::ServerContext* context, const v1::GetAssessmentRequest* request,
    v1::GetAssessmentResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.GetAssessment(caller, *request); });
}

grpc::Status AssessmentServiceImpl::ListAssessments(grpc::ServerContext* context, const v1::ListAssessmentsRequest* request,
    v1::ListAssessmentsResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.ListAssessments(caller, *request); });
}

grpc::Status AssessmentServiceImpl::ListScreeningTasks(grpc::ServerContext* context, const v1::ListScreeningTasksRequest* request,
    v1::ListScreeningTasksResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.ListScreeningTasks(caller, *request); });
}

grpc::Status ReturnToPlayServiceImpl::CreateReturnToPlayPlan(grpc::ServerContext* context, const v1::CreateReturnToPlayPlanRequest* request,
    v1::CreateReturnToPlayPlanResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.CreateReturnToPlayPlan(caller, *request); });
}

grpc::Status ReturnToPlayServiceImpl::GetReturnToPlayPlan(grpc::ServerContext* context, const v1::GetReturnToPlayPlanRequest* request,
    v1::GetReturnToPlayPlanResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.GetReturnToPlayPlan(caller, *request); });
}

grpc::Status ReturnToPlayServiceImpl::SetPlannedDate(grpc::ServerContext* context, const v1::SetPlannedDateRequest* request,
    v1::SetPlannedDateResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.SetPlannedDate(caller, *request); });
}

grpc::Status ReturnToPlayServiceImpl::AddCriterion(grpc::ServerContext* context, const v1::AddCriterionRequest* request,
    v1::AddCriterionResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.AddCriterion(caller, *request); });
}

grpc::Status ReturnToPlayServiceImpl::AmendCriterion(grpc::ServerContext* context, const v1::AmendCriterionRequest* request,
    v1::AmendCriterionResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.AmendCriterion(caller, *request); });
}

grpc::Status ReturnToPlayServiceImpl::MarkCriterion(grpc::ServerContext* context, const v1::MarkCriterionRequest* request,
    v1::MarkCriterionResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.MarkCriterion(caller, *request); });
}

grpc::Status ReturnToPlayServiceImpl::ReachStage(grpc::ServerContext* context, const v1::ReachStageRequest* request,
    v1::ReachStageResponse* response) {
  return Serve(context, response, [&](const common::Caller& caller) { return desk_.ReachStage(caller, *request); });
}

}  // namespace touchline::api
