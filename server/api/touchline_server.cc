#include "server/api/touchline_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/access/credentials.h"
#include "server/access/minimiser.h"
#include "server/api/access_interceptor.h"
#include "server/api/connect_gateway.h"
#include "server/api/http_listener.h"
#include "server/api/server_checks.h"
#include "server/api/services.h"
#include "server/common/caller.h"
#include "server/service/protocol_refresh.h"
#include "server/storage/audit_log_store.h"

namespace touchline::api {

// The protocol plugins and what serves them (loaded before the server listens).
struct ProtocolParts {
  ProtocolParts(storage::Database& db, const domain::Clock& clock, const ServerOptions& options,
                service::FlagChangeHub& hub)
      : planner(plugins::ProtocolPlanner::Create(options.plugins)),
        desk(db, clock, options.service, *planner),
        refresher(db, clock, desk, hub),
        service(desk) {}
  std::unique_ptr<plugins::ProtocolPlanner> planner;
  service::ProtocolDesk desk;
  service::ProtocolRefresher refresher;  // keeps the board's protocols current after changes
  ProtocolServiceImpl service;
};

struct TouchlineServer::Parts {
  Parts(std::unique_ptr<storage::Database> database, std::unique_ptr<storage::Database> audit_log,
        const domain::Clock& clock, const ServerOptions& opts, std::string pseudonym_key)
      : options(opts),
        clock(clock),
        db(std::move(database)),
        audit_db(std::move(audit_log)),
        squads(*db, clock, options.service),
        contacts(*db, clock, options.service),
        complaints(*db, clock, options.service),
        flags(*db, clock, options.service),
        readiness(*db, clock, options.service),
        exposure(*db, clock, options.service),
        assessments(*db, clock, options.service),
        outcomes(*db, clock, options.service),
        return_to_play(*db, clock, options.service),
        flag_hub(options.service.flag_watch_buffer),
        flag_monitor(*db, clock, options.service, flag_hub),
        flag_watch(*db, flag_monitor, flag_hub, options.service),
        // Export cursors are sealed with a key derived from the pseudonym key: a new key changes
        // every pseudonym, and then refuses analysts' old cursors instead of mixing the two.
        exports(*db, options.service, access::DeriveKey(pseudonym_key, "touchline-export-cursor")),
        stream_workers(options.stream_worker_threads, "tl-stream"),
        import_commits(1, "tl-import-commit"),
        streams{stream_workers, import_commits, open_streams},
        squad_service(squads),
        player_service(squads),
        contact_service(contacts, streams),
        complaint_service(complaints),
        flag_service(flags, flag_watch, streams),
        readiness_watch(readiness, *db, clock),
        readiness_service(readiness, pseudonyms,  // a reference: constructed below, used later
                          stream_workers, readiness_watch, streams),
        export_service(exports, streams),
        exposure_service(exposure),
        assessment_service(assessments),
        outcome_service(outcomes),
        return_to_play_service(return_to_play),
        pseudonyms(std::move(pseudonym_key)),
        audit(*audit_db),
        audit_service(audit) {}

  ServerOptions options;
  const domain::Clock& clock;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<storage::Database> audit_db;  // the audit log's own file
  service::SquadRegistry squads;
  service::ContactLog contacts;
  service::ComplaintRecords complaints;
  service::FlagBoard flags;
  service::ReadinessBoard readiness;
  service::ExposureDesk exposure;
  service::AssessmentDesk assessments;
  service::OutcomeDesk outcomes;
  service::ReturnToPlayDesk return_to_play;
  service::FlagChangeHub flag_hub;
  service::PlayerRecordObservers record_observers;  // the flag monitor, the protocol refresher
  service::FlagMonitor flag_monitor;  // stopped before the database closes (declared after it)
  service::FlagWatch flag_watch;
  service::RecordExport exports;
  OpenStreams open_streams;
  StreamWorkers stream_workers;  // outlive every stream: the server has stopped before they go
  StreamWorkers import_commits;
  StreamEnvironment streams;
  SquadServiceImpl squad_service;
  PlayerServiceImpl player_service;
  ContactEventServiceImpl contact_service;
  ComplaintServiceImpl complaint_service;
  FlagServiceImpl flag_service;
  service::ReadinessWatch readiness_watch;  // its pulse stops before the board and database go
  ReadinessServiceImpl readiness_service;
  AccessServiceImpl access_service;
  ExportServiceImpl export_service;
  ExposureServiceImpl exposure_service;
  AssessmentServiceImpl assessment_service;
  OutcomeServiceImpl outcome_service;
  ReturnToPlayServiceImpl return_to_play_service;
  std::unique_ptr<ProtocolParts> protocols;
  access::Pseudonymizer pseudonyms;
  access::TokenCache tokens{*db};  // call token checks from memory (server_checks.h refreshes it)
  access::AuditTrail audit;
  AuditServiceImpl audit_service;
  CallLimits limits{options.limits};
  std::unique_ptr<grpc::Server> server;
  // Stopped first (declared last), before the server they look at.
  std::unique_ptr<HealthReporter> health;
  std::unique_ptr<PeriodicCheck> health_check;
  std::unique_ptr<PeriodicCheck> revocation_check;
  // The Connect listener (--http_listen): stopped before the gRPC server it calls in-process.
  std::unique_ptr<ConnectGateway> connect;
  std::unique_ptr<HttpListener> http;
};

namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in || buffer.str().empty()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", what, " ", path));
  }
  return buffer.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerOptions& options) {
  const auto& tls = options.tls;
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both a certificate and its key");
  }
  if (tls.cert_file.empty()) {
    if (!tls.client_ca_file.empty()) {
      return absl::InvalidArgumentError("a client CA (mutual TLS) needs a server certificate");
    }
    if (!options.insecure_allow_remote && !IsLoopbackAddress(options.listen_address)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to serve health data in plaintext on ", options.listen_address,
          ": give a TLS certificate and key, listen on loopback, or allow it explicitly "
          "(insecure_allow_remote)"));
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions ssl(
      tls.client_ca_file.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                 : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  auto key = ReadPem(tls.key_file, "TLS key");
  if (!key.ok()) return key.status();
  auto cert = ReadPem(tls.cert_file, "TLS certificate");
  if (!cert.ok()) return cert.status();
  pair.private_key = *key;
  pair.cert_chain = *cert;
  ssl.pem_key_cert_pairs.push_back(pair);
  if (!tls.client_ca_file.empty()) {
    auto ca = ReadPem(tls.client_ca_file, "client CA");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
  }
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

bool IsLoopbackAddress(const std::string& listen_address) {
  std::string_view a = listen_address;
  if (a.starts_with("unix:") || a.starts_with("unix-abstract:")) return true;
  if (a.starts_with("ipv4:") || a.starts_with("ipv6:")) a.remove_prefix(5);
  std::string_view host;
  if (a.starts_with("[")) {
    const size_t close = a.find(']');
    if (close == std::string_view::npos) return false;
    host = a.substr(1, close - 1);
  } else {
    const size_t colon = a.rfind(':');
    host = colon == std::string_view::npos ? a : a.substr(0, colon);
  }
  if (host.empty()) return false;  // every interface
  // What the name resolves to decides, not its spelling ("127.attacker.test" is a name a DNS
  // server may point anywhere): every address it resolves to must be loopback.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(std::string(host).c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return false;
  }
  bool loopback = true;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
      loopback = loopback && (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    } else if (ai->ai_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
      loopback = loopback && IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
    } else {
      loopback = false;
    }
  }
  freeaddrinfo(found);
  return loopback;
}

absl::StatusOr<std::unique_ptr<TouchlineServer>> TouchlineServer::Start(
    const ServerOptions& options, const domain::Clock& clock) {
  // gRPC takes a port beyond 65535 modulo 65536: a typo would listen somewhere unexpected.
  if (const std::string& a = options.listen_address; !absl::StartsWith(a, "unix")) {
    const size_t colon = a.rfind(':');
    int port = -1;
    if (colon == std::string::npos || !absl::SimpleAtoi(a.substr(colon + 1), &port) || port < 0 ||
        port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot listen on ", a, ": expected host:port with a port from 0 to 65535"));
    }
  }
  auto credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();
  auto key = access::LoadOrCreatePseudonymKey(options.pseudonym_key_file);
  if (!key.ok()) return key.status();
  auto db = storage::Database::Open(options.database);
  if (!db.ok()) return db.status();
  // Small: it is appended to and, rarely, listed by an administrator.
  storage::DatabaseOptions audit_options = options.database;
  audit_options.path = options.audit_log_path.empty()
                           ? storage::AuditLogPathFor(options.database.path)
                           : options.audit_log_path;
  audit_options.reader_connections = 1;
  audit_options.writer_cache_kib = 2000;
  // Its commits are small and on every audited call's path; SQLite's own checkpoint (inline, once
  // per 1000 pages, restarting the WAL) measured cheaper there than one beside it.
  audit_options.background_checkpoint_pages = 0;
  auto audit_log = storage::OpenAuditLog(**db, audit_options, clock.Now());
  if (!audit_log.ok()) return audit_log.status();

  std::unique_ptr<TouchlineServer> server(new TouchlineServer());
  server->parts_ = std::make_unique<Parts>(*std::move(db), *std::move(audit_log), clock, options,
                                           *std::move(key));
  Parts& p = *server->parts_;
  p.protocols = std::make_unique<ProtocolParts>(*p.db, clock, p.options, p.flag_hub);
  p.record_observers.Add(&p.flag_monitor);
  p.record_observers.Add(&p.protocols->refresher);
  p.complaints.set_observer(&p.record_observers);
  p.contacts.set_observer(&p.record_observers);
  p.protocols->desk.set_adherence_observer(&p.flag_monitor);
  p.flag_monitor.Start();
  // The server's own re-plans are audited like a caller's writes, before they commit.
  p.protocols->refresher.set_record_write([&p](const google::protobuf::Message& result) {
    storage::AuditRecord record;
    record.occurred_at = p.clock.Now();
    record.user = "touchline (the player's record changed)";
    record.method = "/touchline.v1.ProtocolService/AssignProtocols";
    record.outcome = "OK";
    std::set<int64_t> players;
    access::CollectPlayerIds(result, players);
    record.player_ids.assign(players.begin(), players.end());
    if (absl::Status appended = p.audit.Append(record); !appended.ok()) {
      return absl::UnavailableError(absl::StrCat("the audit log cannot be written (",
                                                 appended.message(), "); nothing was stored"));
    }
    return absl::OkStatus();
  });
  p.protocols->refresher.Start();
  if (!options.bootstrap_token_file.empty()) {
    auto wrote = access::BootstrapTokenFile(*p.db, options.bootstrap_token_file, clock.Now());
    if (!wrote.ok()) return wrote.status();
    server->bootstrapped_token_ = *wrote;
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, *credentials, &server->port_);
  // gRPC shares a port between servers by default (SO_REUSEPORT): a second server on a port in use
  // would start and take some of the calls, against another database. Refused instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, options.max_metadata_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  // Connections cost nothing lasting unless they carry calls: one that has not finished its
  // handshake in 10 s, or has carried no call for 5 minutes, is closed (a client reconnects by
  // itself when it next calls).
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, 5 * 60 * 1000);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(
      MakeAccessInterceptorFactory(AccessEnvironment{*p.db, clock, p.pseudonyms, p.tokens, p.audit, p.limits}));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  grpc::ResourceQuota quota("touchline");
  quota.SetMaxThreads(options.max_sync_threads);
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::max(2, options.sync_idle_threads));
  builder.RegisterService(&p.squad_service);
  builder.RegisterService(&p.player_service);
  builder.RegisterService(&p.contact_service);
  builder.RegisterService(&p.complaint_service);
  builder.RegisterService(&p.flag_service);
  builder.RegisterService(&p.readiness_service);
  builder.RegisterService(&p.export_service);
  builder.RegisterService(&p.exposure_service);
  builder.RegisterService(&p.assessment_service);
  builder.RegisterService(&p.outcome_service);
  builder.RegisterService(&p.return_to_play_service);
  builder.RegisterService(&p.protocols->service);
  builder.RegisterService(&p.audit_service);
  builder.RegisterService(&p.access_service);
  p.server = builder.BuildAndStart();
  if (!p.server || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address, " (address in use or invalid)"));
  }
  if (!options.http_listen_address.empty()) {
    if (options.tls.cert_file.empty() && !options.insecure_allow_remote &&
        !IsLoopbackAddress(options.http_listen_address)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to serve health data in plaintext on ", options.http_listen_address,
          ": give a TLS certificate and key, listen on loopback, or allow it explicitly "
          "(insecure_allow_remote)"));
    }
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(options.max_message_bytes);
    args.SetMaxSendMessageSize(options.max_message_bytes);
    p.connect = std::make_unique<ConnectGateway>(p.server->InProcessChannel(args),
                                                 static_cast<size_t>(options.max_message_bytes),
                                                 options.connect_streams);
    HttpListenerOptions http_options;
    http_options.address = options.http_listen_address;
    http_options.tls_cert_file = options.tls.cert_file;
    http_options.tls_key_file = options.tls.key_file;
    http_options.tls_client_ca_file = options.tls.client_ca_file;
    http_options.max_body_bytes = static_cast<size_t>(options.max_message_bytes);
    http_options.web_root = options.web_root;
    http_options.cors_origins = options.http_cors_origins;
    auto http = HttpListener::Start(http_options, *p.connect);
    if (!http.ok()) return http.status();
    p.http = std::move(*http);
    server->http_port_ = p.http->port();
  }
  p.server->GetHealthCheckService()->SetServingStatus(true);
  p.health = std::make_unique<HealthReporter>(*p.server, *p.db, *p.audit_db);
  p.health_check = std::make_unique<PeriodicCheck>(options.health_check_interval,
                                                   [&p] { p.health->Check(); });
  p.revocation_check = std::make_unique<PeriodicCheck>(
      options.revocation_check_interval,
      [&p] {
        // Tokens issued or revoked by another process: kept unary checks dropped, streams ended.
        (void)p.tokens.Refresh();  // storage trouble: the health check reports it; next time
        EndStreamsOfRevokedTokens(*p.db, p.open_streams);
      });
  return server;
}

absl::StatusOr<std::string> TouchlineServer::IssueToken(const std::string& user,
                                                        common::Role role) {
  return access::IssueToken(*parts_->db, user, role, parts_->clock.Now());
}

TouchlineServer::~TouchlineServer() { Shutdown(absl::ZeroDuration()); }

bool TouchlineServer::WaitForProtocolRefresh(absl::Duration timeout) {
  return parts_->protocols->refresher.WaitIdle(timeout);
}

size_t TouchlineServer::OpenStreamCount() const {
  return parts_ ? parts_->open_streams.size() : 0;
}

std::string TouchlineServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::string TouchlineServer::plugin_summary() const {
  if (!parts_) return "";
  const auto listing = parts_->protocols->planner->Listing();
  std::vector<std::string> names;
  for (const auto& l : listing.loaded()) names.push_back(absl::StrCat(l.name(), " ", l.version()));
  return absl::StrCat(listing.loaded_size(), " loaded (", absl::StrJoin(names, ", "), "), ",
                      listing.refused_size(), " refused");
}

int TouchlineServer::connect_streams_open() const {
  return parts_ && parts_->connect ? parts_->connect->open_streams() : 0;
}

void TouchlineServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || !parts_) return;
  shut_down_ = true;
  if (!parts_->server) {  // never listened (the address could not be bound): nothing to drain
    if (parts_->protocols) parts_->protocols->refresher.Stop();
    parts_->flag_monitor.Stop();
    parts_.reset();
    return;
  }
  // No new Connect calls; unary ones in progress finish, streams end (unavailable) at once.
  if (parts_->connect) parts_->connect->StopStreams();
  if (parts_->http) parts_->http->Stop();
  parts_->health_check.reset();  // draining: NOT_SERVING from here on, whatever storage says
  parts_->revocation_check.reset();
  parts_->server->GetHealthCheckService()->SetServingStatus(false);
  parts_->flag_hub.Close();  // ends WatchFlags streams (UNAVAILABLE) so shutdown need not wait
  parts_->readiness_watch.Close();  // and live boards
  parts_->server->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  parts_->server->Wait();
  parts_->protocols->refresher.Stop();
  parts_->flag_monitor.Stop();
  parts_.reset();  // closes the database after the last call has finished
}

}  // namespace touchline::api
