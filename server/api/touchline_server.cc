#include "server/api/touchline_server.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/resource_quota.h"
#include "server/api/services.h"

namespace touchline::api {

// The protocol plugins and what serves them (loaded before the server listens).
struct ProtocolParts {
  ProtocolParts(storage::Database& db, const domain::Clock& clock, const ServerOptions& options)
      : planner(plugins::ProtocolPlanner::Create(options.plugins)),
        desk(db, clock, options.service, *planner),
        service(desk) {}
  std::unique_ptr<plugins::ProtocolPlanner> planner;
  service::ProtocolDesk desk;
  ProtocolServiceImpl service;
};

struct TouchlineServer::Parts {
  Parts(std::unique_ptr<storage::Database> database, const domain::Clock& clock,
        const ServerOptions& opts)
      : options(opts),
        db(std::move(database)),
        squads(*db, clock, options.service),
        contacts(*db, clock, options.service),
        complaints(*db, clock, options.service),
        flags(*db, clock, options.service),
        readiness(*db, clock, options.service),
        flag_hub(options.service.flag_watch_buffer),
        flag_monitor(*db, clock, options.service, flag_hub),
        flag_watch(*db, flag_monitor, flag_hub, options.service),
        squad_service(squads),
        player_service(squads),
        contact_service(contacts),
        complaint_service(complaints),
        flag_service(flags, flag_watch),
        readiness_service(readiness) {}

  ServerOptions options;
  std::unique_ptr<storage::Database> db;
  service::SquadRegistry squads;
  service::ContactLog contacts;
  service::ComplaintRecords complaints;
  service::FlagBoard flags;
  service::ReadinessBoard readiness;
  service::FlagChangeHub flag_hub;
  service::FlagMonitor flag_monitor;  // stopped before the database closes (declared after it)
  service::FlagWatch flag_watch;
  SquadServiceImpl squad_service;
  PlayerServiceImpl player_service;
  ContactEventServiceImpl contact_service;
  ComplaintServiceImpl complaint_service;
  FlagServiceImpl flag_service;
  ReadinessServiceImpl readiness_service;
  std::unique_ptr<ProtocolParts> protocols;
  std::unique_ptr<grpc::Server> server;
};

absl::StatusOr<std::unique_ptr<TouchlineServer>> TouchlineServer::Start(
    const ServerOptions& options, const domain::Clock& clock) {
  auto db = storage::Database::Open(options.database);
  if (!db.ok()) return db.status();

  std::unique_ptr<TouchlineServer> server(new TouchlineServer());
  server->parts_ = std::make_unique<Parts>(*std::move(db), clock, options);
  Parts& p = *server->parts_;
  p.protocols = std::make_unique<ProtocolParts>(*p.db, clock, p.options);
  p.complaints.set_observer(&p.flag_monitor);
  p.contacts.set_observer(&p.flag_monitor);
  p.flag_monitor.Start();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  grpc::ResourceQuota quota("touchline");
  quota.SetMaxThreads(options.max_sync_threads);
  builder.SetResourceQuota(quota);
  builder.RegisterService(&p.squad_service);
  builder.RegisterService(&p.player_service);
  builder.RegisterService(&p.contact_service);
  builder.RegisterService(&p.complaint_service);
  builder.RegisterService(&p.flag_service);
  builder.RegisterService(&p.readiness_service);
  builder.RegisterService(&p.protocols->service);
  p.server = builder.BuildAndStart();
  if (!p.server || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address, " (address in use or invalid)"));
  }
  p.server->GetHealthCheckService()->SetServingStatus(true);
  return server;
}

TouchlineServer::~TouchlineServer() { Shutdown(absl::ZeroDuration()); }

std::string TouchlineServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::string TouchlineServer::plugin_summary() const {
  if (!parts_) return "";
  const auto listing = parts_->protocols->planner->Listing();
  std::vector<std::string> names;
  for (const auto& l : listing.loaded()) names.push_back(absl::StrCat(l.name(), " ", l.version()));
  return absl::StrCat(listing.loaded_size(), " loaded (", absl::StrJoin(names, ", "), "), ",
                      listing.refused_size(), " refused");
}

void TouchlineServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || !parts_) return;
  shut_down_ = true;
  parts_->flag_hub.Close();  // ends WatchFlags streams (UNAVAILABLE) so shutdown need not wait
  parts_->server->GetHealthCheckService()->SetServingStatus(false);
  parts_->server->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  parts_->server->Wait();
  parts_->flag_monitor.Stop();
  parts_.reset();  // closes the database after the last call has finished
}

}  // namespace touchline::api
