#include "server/api/services.h"

#include "server/api/call_context.h"
#include "server/api/grpc_status.h"

namespace touchline::api {
namespace {

template <typename Response>
grpc::Status Respond(absl::StatusOr<Response> result, Response* out) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *out = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status SquadServiceImpl::CreateSquad(grpc::ServerContext* context, const v1::CreateSquadRequest* request,
    v1::CreateSquadResponse* response) {
  return Respond(registry_.CreateSquad(CallerFrom(*context), *request), response);
}

grpc::Status SquadServiceImpl::GetSquad(grpc::ServerContext* context, const v1::GetSquadRequest* request,
    v1::GetSquadResponse* response) {
  return Respond(registry_.GetSquad(CallerFrom(*context), *request), response);
}

grpc::Status SquadServiceImpl::ListSquads(grpc::ServerContext* context, const v1::ListSquadsRequest* request,
    v1::ListSquadsResponse* response) {
  return Respond(registry_.ListSquads(CallerFrom(*context), *request), response);
}

grpc::Status SquadServiceImpl::UpdateSquad(grpc::ServerContext* context, const v1::UpdateSquadRequest* request,
    v1::UpdateSquadResponse* response) {
  return Respond(registry_.UpdateSquad(CallerFrom(*context), *request), response);
}

grpc::Status PlayerServiceImpl::CreatePlayer(grpc::ServerContext* context, const v1::CreatePlayerRequest* request,
    v1::CreatePlayerResponse* response) {
  return Respond(registry_.CreatePlayer(CallerFrom(*context), *request), response);
}

grpc::Status PlayerServiceImpl::GetPlayer(grpc::ServerContext* context, const v1::GetPlayerRequest* request,
    v1::GetPlayerResponse* response) {
  return Respond(registry_.GetPlayer(CallerFrom(*context), *request), response);
}

grpc::Status PlayerServiceImpl::ListPlayers(grpc::ServerContext* context, const v1::ListPlayersRequest* request,
    v1::ListPlayersResponse* response) {
  return Respond(registry_.ListPlayers(CallerFrom(*context), *request), response);
}

grpc::Status PlayerServiceImpl::UpdatePlayer(grpc::ServerContext* context, const v1::UpdatePlayerRequest* request,
    v1::UpdatePlayerResponse* response) {
  return Respond(registry_.UpdatePlayer(CallerFrom(*context), *request), response);
}

grpc::Status PlayerServiceImpl::ArchivePlayer(grpc::ServerContext* context, const v1::ArchivePlayerRequest* request,
    v1::ArchivePlayerResponse* response) {
  return Respond(registry_.ArchivePlayer(CallerFrom(*context), *request), response);
}

grpc::Status ContactEventServiceImpl::CreateContactEvent(grpc::ServerContext* context, const v1::CreateContactEventRequest* request,
    v1::CreateContactEventResponse* response) {
  return Respond(log_.CreateContactEvent(CallerFrom(*context), *request), response);
}

grpc::Status ContactEventServiceImpl::GetContactEvent(grpc::ServerContext* context, const v1::GetContactEventRequest* request,
    v1::GetContactEventResponse* response) {
  return Respond(log_.GetContactEvent(CallerFrom(*context), *request), response);
}

grpc::Status ContactEventServiceImpl::ListContactEvents(grpc::ServerContext* context, const v1::ListContactEventsRequest* request,
    v1::ListContactEventsResponse* response) {
  return Respond(log_.ListContactEvents(CallerFrom(*context), *request), response);
}

grpc::Status ComplaintServiceImpl::CreateComplaint(grpc::ServerContext* context, const v1::CreateComplaintRequest* request,
    v1::CreateComplaintResponse* response) {
  return Respond(records_.CreateComplaint(CallerFrom(*context), *request), response);
}

grpc::Status ComplaintServiceImpl::GetComplaint(grpc::ServerContext* context, const v1::GetComplaintRequest* request,
    v1::GetComplaintResponse* response) {
  return Respond(records_.GetComplaint(CallerFrom(*context), *request), response);
}

grpc::Status ComplaintServiceImpl::ListComplaints(grpc::ServerContext* context, const v1::ListComplaintsRequest* request,
    v1::ListComplaintsResponse* response) {
  return Respond(records_.ListComplaints(CallerFrom(*context), *request), response);
}

grpc::Status ComplaintServiceImpl::UpdateComplaint(grpc::ServerContext* context, const v1::UpdateComplaintRequest* request,
    v1::UpdateComplaintResponse* response) {
  return Respond(records_.UpdateComplaint(CallerFrom(*context), *request), response);
}

grpc::Status ComplaintServiceImpl::CreateCheckIn(grpc::ServerContext* context, const v1::CreateCheckInRequest* request,
    v1::CreateCheckInResponse* response) {
  return Respond(records_.CreateCheckIn(CallerFrom(*context), *request), response);
}

grpc::Status ComplaintServiceImpl::ResolveComplaint(grpc::ServerContext* context, const v1::ResolveComplaintRequest* request,
    v1::ResolveComplaintResponse* response) {
  return Respond(records_.ResolveComplaint(CallerFrom(*context), *request), response);
}

grpc::Status ComplaintServiceImpl::ReopenComplaint(grpc::ServerContext* context, const v1::ReopenComplaintRequest* request,
    v1::ReopenComplaintResponse* response) {
  return Respond(records_.ReopenComplaint(CallerFrom(*context), *request), response);
}

grpc::Status ComplaintServiceImpl::ListAmendments(grpc::ServerContext* context, const v1::ListAmendmentsRequest* request,
    v1::ListAmendmentsResponse* response) {
  return Respond(records_.ListAmendments(CallerFrom(*context), *request), response);
}

grpc::Status FlagServiceImpl::ListFlags(grpc::ServerContext* context, const v1::ListFlagsRequest* request,
    v1::ListFlagsResponse* response) {
  return Respond(board_.ListFlags(CallerFrom(*context), *request), response);
}

grpc::Status FlagServiceImpl::WatchFlags(grpc::ServerContext* context, const v1::WatchFlagsRequest* request,
    grpc::ServerWriter<v1::WatchFlagsResponse>* writer) {
  return ToGrpcStatus(watch_.WatchFlags(
      CallerFrom(*context), *request,
      [writer](const v1::WatchFlagsResponse& message) { return writer->Write(message); },
      [context] { return context->IsCancelled(); }));
}

grpc::Status FlagServiceImpl::AcknowledgeFlag(grpc::ServerContext* context, const v1::AcknowledgeFlagRequest* request,
    v1::AcknowledgeFlagResponse* response) {
  return Respond(watch_.AcknowledgeFlag(CallerFrom(*context), *request), response);
}

grpc::Status ReadinessServiceImpl::GetSquadReadiness(grpc::ServerContext* context, const v1::GetSquadReadinessRequest* request,
    v1::GetSquadReadinessResponse* response) {
  return Respond(board_.GetSquadReadiness(CallerFrom(*context), *request), response);
}

grpc::Status ReadinessServiceImpl::CreateReadinessOverride(grpc::ServerContext* context, const v1::CreateReadinessOverrideRequest* request,
    v1::CreateReadinessOverrideResponse* response) {
  return Respond(board_.CreateReadinessOverride(CallerFrom(*context), *request), response);
}

grpc::Status ReadinessServiceImpl::ListReadinessOverrides(grpc::ServerContext* context, const v1::ListReadinessOverridesRequest* request,
    v1::ListReadinessOverridesResponse* response) {
  return Respond(board_.ListReadinessOverrides(CallerFrom(*context), *request), response);
}

grpc::Status ReadinessServiceImpl::ClearReadinessOverride(grpc::ServerContext* context, const v1::ClearReadinessOverrideRequest* request,
    v1::ClearReadinessOverrideResponse* response) {
  return Respond(board_.ClearReadinessOverride(CallerFrom(*context), *request), response);
}

grpc::Status ContactEventServiceImpl::ImportContactEvents(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportContactEventsRequest>* reader,
    v1::ImportContactEventsResponse* response) {
  return Respond(log_.ImportContactEvents(CallerFrom(*context),
                                          [reader](v1::ImportContactEventsRequest* message) {
                                            return reader->Read(message);
                                          }),
                 response);
}

grpc::Status ProtocolServiceImpl::AssignProtocols(grpc::ServerContext* context, const v1::AssignProtocolsRequest* request,
    v1::AssignProtocolsResponse* response) {
  return Respond(desk_.AssignProtocols(CallerFrom(*context), *request), response);
}

grpc::Status ProtocolServiceImpl::ListAssignments(grpc::ServerContext* context, const v1::ListAssignmentsRequest* request,
    v1::ListAssignmentsResponse* response) {
  return Respond(desk_.ListAssignments(CallerFrom(*context), *request), response);
}

grpc::Status ProtocolServiceImpl::RecordAdherence(grpc::ServerContext* context, const v1::RecordAdherenceRequest* request,
    v1::RecordAdherenceResponse* response) {
  return Respond(desk_.RecordAdherence(CallerFrom(*context), *request), response);
}

grpc::Status ProtocolServiceImpl::ListPlugins(grpc::ServerContext* context, const v1::ListPluginsRequest* request,
    v1::ListPluginsResponse* response) {
  return Respond(desk_.ListPlugins(CallerFrom(*context), *request), response);
}

}  // namespace touchline::api
