#include "tests/replicas/replica_cluster.h"

#include <grpcpp/grpcpp.h>
#include <google/protobuf/util/time_util.h>
#include <stdlib.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "touchline/v1/complaint.grpc.pb.h"
#include "touchline/v1/squad.grpc.pb.h"

#ifndef TOUCHLINE_SERVER_BINARY
#error "TOUCHLINE_SERVER_BINARY: the touchline-server the tests run (set by CMake)"
#endif

namespace touchline::testing {
namespace {

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

std::shared_ptr<grpc::Channel> ChannelTo(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

}  // namespace

ReplicaCluster::ReplicaCluster(std::string store) : store_(std::move(store)) {
  char folder[] = "/tmp/touchline_replicas_XXXXXX";
  if (mkdtemp(folder) != nullptr) folder_ = folder;
}

ReplicaCluster::~ReplicaCluster() {
  replicas_.clear();  // killed
  if (!folder_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
}

std::vector<std::string> ReplicaCluster::StoreFlags() const {
  return {"--store=" + store_, "--store_schema=club", "--token_file=" + folder_ + "/club.token",
          "--pseudonym_key_file=" + folder_ + "/club.pseudonym-key", "--plugin_path=none"};
}

absl::StatusOr<ServerProcess*> ReplicaCluster::StartReplica(const std::string& name) {
  absl::StatusOr<std::unique_ptr<ServerProcess>> replica = ServerProcess::Start(
      TOUCHLINE_SERVER_BINARY, StoreFlags(), absl::StrCat(folder_, "/", name, ".log"));
  if (!replica.ok()) return replica.status();
  replicas_.push_back(*std::move(replica));
  return replicas_.back().get();
}

absl::StatusOr<ReplicaCluster::Pair> ReplicaCluster::StartPair() {
  Pair pair;
  absl::StatusOr<ServerProcess*> first = StartReplica("first");
  if (!first.ok()) return first.status();
  pair.first = *first;
  if (!pair.first->WaitForLog("holds the store's lease", absl::Seconds(10))) {
    return absl::DeadlineExceededError(
        absl::StrCat("the first replica never held the lease:\n", pair.first->Log()));
  }
  absl::StatusOr<ServerProcess*> second = StartReplica("second");
  if (!second.ok()) return second.status();
  pair.second = *second;
  absl::StatusOr<std::string> token = IssueToken("physio.tess", "physio");
  if (!token.ok()) return token.status();
  pair.physio_token = *std::move(token);
  return pair;
}

absl::StatusOr<std::string> ReplicaCluster::IssueToken(const std::string& user,
                                                       const std::string& role) {
  std::vector<std::string> args = StoreFlags();
  args.push_back("--add_token_user=" + user);
  args.push_back("--add_token_role=" + role);
  return RunForOutput(TOUCHLINE_SERVER_BINARY, args);
}

int64_t ReplicaCluster::CreateSquad(const std::string& address, const std::string& token) {
  auto squads = v1::SquadService::NewStub(ChannelTo(address));
  v1::CreateSquadRequest request;
  request.mutable_squad()->set_name("First XV");
  v1::CreateSquadResponse response;
  return squads->CreateSquad(Ctx(token).get(), request, &response).ok() ? response.squad().id()
                                                                         : 0;
}

int64_t ReplicaCluster::CreatePlayer(const std::string& address, const std::string& token,
                                     int64_t squad_id, const std::string& name) {
  auto players = v1::PlayerService::NewStub(ChannelTo(address));
  v1::CreatePlayerRequest request;
  request.mutable_player()->set_squad_id(squad_id);
  request.mutable_player()->set_name(name);
  request.mutable_player()->set_position_group(v1::POSITION_GROUP_BACK);
  request.mutable_player()->set_position_name("wing");
  v1::CreatePlayerResponse response;
  return players->CreatePlayer(Ctx(token).get(), request, &response).ok()
             ? response.player().id()
             : 0;
}

int64_t ReplicaCluster::CreateComplaint(const std::string& address, const std::string& token,
                                        int64_t player_id, absl::Time onset) {
  auto complaints = v1::ComplaintService::NewStub(ChannelTo(address));
  v1::CreateComplaintRequest request;
  auto* c = request.mutable_complaint();
  c->set_player_id(player_id);
  c->set_side(v1::SIDE_LEFT);
  *c->mutable_onset_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(onset));
  c->set_onset_kind(v1::ONSET_KIND_GRADUAL);
  c->set_mechanism(v1::MECHANISM_UNKNOWN);
  c->mutable_symptoms()->set_pain(3);
  c->mutable_symptoms()->set_tightness(true);
  v1::CreateComplaintResponse response;
  return complaints->CreateComplaint(Ctx(token).get(), request, &response).ok()
             ? response.complaint().id()
             : 0;
}

}  // namespace touchline::testing
