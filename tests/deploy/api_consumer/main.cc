// squad_names ADDRESS TOKEN: asks the server's health, then prints every squad's name, one a line.
// Exit 0 only if both calls are OK. Uses nothing of Touchline but the installed API package.
#include <grpcpp/grpcpp.h>

#include <iostream>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"
#include "touchline/v1/squad.grpc.pb.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: squad_names ADDRESS TOKEN\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());
  {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status s = grpc::health::v1::Health::NewStub(channel)->Check(&ctx, req, &resp);
    if (!s.ok() || resp.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      std::cerr << "health: " << s.error_message() << " " << resp.status() << "\n";
      return 1;
    }
  }
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", std::string("Bearer ") + argv[2]);
  touchline::v1::ListSquadsRequest req;
  touchline::v1::ListSquadsResponse resp;
  grpc::Status s = touchline::v1::SquadService::NewStub(channel)->ListSquads(&ctx, req, &resp);
  if (!s.ok()) {
    std::cerr << "ListSquads: " << s.error_code() << " " << s.error_message() << "\n";
    return 1;
  }
  for (const auto& squad : resp.squads()) std::cout << squad.name() << "\n";
  return 0;
}
