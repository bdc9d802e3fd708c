#include "server/api/call_context.h"

#include <mutex>
#include <unordered_map>
#include "server/common/caller.h"

namespace touchline::api {
namespace {

struct Registry {
  std::mutex mutex;
  std::unordered_map<const grpc::ServerContextBase*, std::shared_ptr<CallDecision>> decisions;
};

Registry& TheRegistry() {
  static auto* registry = new Registry();  // never destroyed: calls may end during exit
  return *registry;
}

}  // namespace

absl::StatusOr<common::Caller> CallerFrom(const grpc::ServerContextBase& context) {
  std::shared_ptr<CallDecision> decision;
  {
    Registry& r = TheRegistry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.decisions.find(&context);
    if (it != r.decisions.end()) decision = it->second;
  }
  if (!decision) return absl::UnauthenticatedError("call was not authenticated");
  {
    std::lock_guard lock(decision->complete_mutex);
    if (decision->complete) {
      decision->complete(*decision);
      decision->complete = nullptr;
    }
  }
  decision->checked = true;
  if (!decision->status.ok()) return decision->status;
  return decision->caller;
}

bool HasRawRequests(std::string_view method) {
  return method == "/touchline.v1.ContactEventService/ImportContactEvents";
}

bool HasRawResponses(std::string_view method) {
  return HasRawRequests(method) || method == "/touchline.v1.ReadinessService/GetSquadReadiness";
}

namespace {
std::shared_ptr<CallDecision> DecisionOf(const grpc::ServerContextBase& context) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.decisions.find(&context);
  return it != r.decisions.end() ? it->second : nullptr;
}
}  // namespace

void AddAuditedPlayers(const grpc::ServerContextBase& context, const std::set<int64_t>& players) {
  std::shared_ptr<CallDecision> decision = DecisionOf(context);
  if (!decision) return;
  std::lock_guard lock(decision->players_mutex);
  decision->players.insert(players.begin(), players.end());
}

void ReportPreparedAnswer(const grpc::ServerContextBase& context,
                          const std::vector<int64_t>& players) {
  std::shared_ptr<CallDecision> decision = DecisionOf(context);
  if (!decision) return;
  {
    std::lock_guard lock(decision->players_mutex);
    decision->prepared_players = players;
  }
  decision->answer_prepared = true;
}

void RegisterCallDecision(const grpc::ServerContextBase* context,
                          std::shared_ptr<CallDecision> decision) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.decisions[context] = std::move(decision);
}

void ForgetCallDecision(const grpc::ServerContextBase* context) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.decisions.erase(context);
}

}  // namespace touchline::api
