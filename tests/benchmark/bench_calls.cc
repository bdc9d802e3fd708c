#include "tests/benchmark/bench_calls.h"

#include <random>

#include "touchline/v1/complaint.grpc.pb.h"
#include "touchline/v1/protocol.grpc.pb.h"
#include "touchline/v1/squad.grpc.pb.h"

namespace touchline::bench {

using touchline::service::ToProto;

int64_t CreateSquad(grpc::Channel& ch, const std::string& name, const std::string& token) {
  auto squads = v1::SquadService::NewStub(std::shared_ptr<grpc::Channel>(&ch, [](auto*) {}));
  v1::CreateSquadRequest cs;
  cs.mutable_squad()->set_name(name);
  v1::CreateSquadResponse csr;
  CountError(squads->CreateSquad(Ctx(token).get(), cs, &csr), "CreateSquad");
  return csr.squad().id();
}

std::vector<int64_t> CreatePlayers(grpc::Channel& ch, int64_t squad_id, int players,
                                   const std::string& token) {
  auto people = v1::PlayerService::NewStub(std::shared_ptr<grpc::Channel>(&ch, [](auto*) {}));
  std::vector<int64_t> ids;
  for (int i = 0; i < players; ++i) {
    v1::CreatePlayerRequest cp;
    cp.mutable_player()->set_squad_id(squad_id);
    cp.mutable_player()->set_name(absl::StrCat("Player ", i));
    cp.mutable_player()->set_position_group(i % 2 ? v1::POSITION_GROUP_BACK
                                                  : v1::POSITION_GROUP_FORWARD);
    v1::CreatePlayerResponse cpr;
    CountError(people->CreatePlayer(Ctx(token).get(), cp, &cpr), "CreatePlayer");
    ids.push_back(cpr.player().id());
  }
  return ids;
}

Squad MakeSquad(grpc::Channel& ch, const std::string& name, int players, absl::Time now,
                const std::string& token) {
  auto complaints =
      v1::ComplaintService::NewStub(std::shared_ptr<grpc::Channel>(&ch, [](auto*) {}));
  Squad s;
  s.id = CreateSquad(ch, name, token);
  s.players = CreatePlayers(ch, s.id, players, token);
  // Five seasons of complaints: about one a season per player, a few still open.
  std::mt19937 rng(7);
  for (size_t i = 0; i < s.players.size(); ++i) {
    for (int season = 0; season < 5; ++season) {
      const absl::Time onset = now - absl::Hours(24 * (365 * season + 20 + rng() % 300));
      v1::CreateComplaintRequest cc;
      auto* c = cc.mutable_complaint();
      c->set_player_id(s.players[i]);
      c->set_side(rng() % 2 ? v1::SIDE_LEFT : v1::SIDE_RIGHT);
      ToProto(onset, c->mutable_onset_time());
      c->set_onset_kind(rng() % 5 == 0 ? v1::ONSET_KIND_ACUTE : v1::ONSET_KIND_GRADUAL);
      c->mutable_symptoms()->set_pain(1 + rng() % 6);
      v1::CreateComplaintResponse ccr;
      CountError(complaints->CreateComplaint(Ctx(token).get(), cc, &ccr), "CreateComplaint");
      if (season > 0 || i % 6 != 0) {  // every sixth player has a current open complaint
        v1::ResolveComplaintRequest rr;
        rr.set_complaint_id(ccr.complaint().id());
        ToProto(onset + absl::Hours(24 * (5 + rng() % 25)), rr.mutable_resolve_time());
        v1::ResolveComplaintResponse rresp;
        CountError(complaints->ResolveComplaint(Ctx(token).get(), rr, &rresp), "ResolveComplaint");
      }
    }
  }
  // Today's session: every player's PRE and POST protocols through the loaded plugins, as the
  // readiness board shows them.
  auto protocols =
      v1::ProtocolService::NewStub(std::shared_ptr<grpc::Channel>(&ch, [](auto*) {}));
  v1::AssignProtocolsRequest ap;
  ap.set_squad_id(s.id);
  ap.set_session_label("training");
  ToProto(now, ap.mutable_session_time());
  v1::AssignProtocolsResponse apr;
  CountError(protocols->AssignProtocols(Ctx(token).get(), ap, &apr), "AssignProtocols");
  return s;
}

touchline::domain::ContactEvent SyntheticEvent(int64_t player, int64_t n, absl::Time now,
                                               const std::string& key_prefix) {
  touchline::domain::ContactEvent e;
  e.player_id = player;
  e.kind = static_cast<touchline::domain::ContactKind>(1 + n % 10);
  // Newest first at a realistic squad rate (domain.md section 4: about 2,700 contacts per player
  // a season, 135,000 for 50 players: one every ~233 s). A larger history is more seasons behind
  // the same recent weeks, not the same weeks 100 times denser.
  e.occurred_at = now - absl::Seconds(n * 233);
  e.awkward = n % 97 == 0;
  e.source = touchline::domain::ContactSource::kWearable;
  e.session_label = "match";
  e.idempotency_key = absl::StrCat(key_prefix, n);
  e.recorded_at = now;
  e.recorded_by = "bench";
  return e;
}

void ToProtoEvent(const touchline::domain::ContactEvent& e, v1::ContactEvent* out) {
  out->set_player_id(e.player_id);
  out->set_kind(static_cast<v1::ContactKind>(e.kind));
  ToProto(e.occurred_at, out->mutable_occur_time());
  out->set_awkward(e.awkward);
  out->set_source(v1::CONTACT_SOURCE_WEARABLE);
  out->set_session_label(e.session_label);
  out->set_idempotency_key(e.idempotency_key);
}

IngestResult IngestThroughGrpc(const ServerProcess& server, const Squad& squad, int count,
                               int per_message, absl::Time now, const std::string& prefix,
                               int first) {
  auto stub = v1::ContactEventService::NewStub(server.Channel(100));
  // Build the messages first so the measurement is the server's work, not the client's.
  std::vector<v1::ImportContactEventsRequest> messages;
  for (int n = first; n < first + count;) {
    v1::ImportContactEventsRequest m;
    for (int k = 0; k < per_message && n < first + count; ++k, ++n) {
      ToProtoEvent(SyntheticEvent(squad.players[n % squad.players.size()], n, now, prefix),
                   m.add_contact_events());
    }
    messages.push_back(std::move(m));
  }
  const auto [per_second, server_us] = TimedImport(server, *stub, messages, count, server.token);
  return {per_second, server_us};
}
}  // namespace touchline::bench
