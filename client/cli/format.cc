#include "client/cli/format.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "client/cli/enums.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

std::string TimeText(const google::protobuf::Timestamp& ts, bool has) {
  if (!has) return "";
  return FormatTimeShort(FromTimestamp(ts));
}

void PrintFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t w = 0;
  for (const auto& [k, v] : fields) w = std::max(w, DisplayWidth(k) + 1);
  for (const auto& [k, v] : fields) {
    if (v.empty()) continue;
    out << k << ":" << std::string(w - DisplayWidth(k) - 1 + 2, ' ') << v << "\n";
  }
}

std::string IdList(const google::protobuf::RepeatedField<int64_t>& ids) { return absl::StrJoin(ids, ", "); }

PlayerNames::PlayerNames(Ctx& ctx) : ctx_(ctx), stub_(v1::PlayerService::NewStub(ctx.channel())) {}

void PlayerNames::LoadSquad(int64_t squad_id) {
  v1::ListPlayersRequest req;
  req.set_squad_id(squad_id);
  req.set_include_archived(true);
  req.set_page_size(1000);
  for (int guard = 0; guard < 1000; ++guard) {
    grpc::ClientContext c;
    ctx_.Prepare(&c);
    v1::ListPlayersResponse resp;
    if (!stub_->ListPlayers(&c, req, &resp).ok()) return;
    for (const auto& p : resp.players()) names_[p.id()] = p.name();
    if (resp.next_page_token().empty()) return;
    req.set_page_token(resp.next_page_token());
  }
}

std::string PlayerNames::Name(int64_t id) {
  auto it = names_.find(id);
  if (it == names_.end()) {
    grpc::ClientContext c;
    ctx_.Prepare(&c);
    v1::GetPlayerRequest req;
    req.set_id(id);
    v1::GetPlayerResponse resp;
    std::string name = stub_->GetPlayer(&c, req, &resp).ok() ? resp.player().name() : "";
    it = names_.emplace(id, name).first;
  }
  return it->second.empty() ? absl::StrCat("#", id) : absl::StrCat(it->second, " (", id, ")");
}

std::string FlagKindText(const v1::Flag& f) {
  std::string k = Short(f.kind());
  std::vector<std::string> extra;
  if (f.recurrence_timing() != v1::RECURRENCE_TIMING_UNSPECIFIED) extra.push_back(Short(f.recurrence_timing()));
  if (f.episode() > 0) extra.push_back(absl::StrCat("episode ", f.episode()));
  if (!extra.empty()) absl::StrAppend(&k, " (", absl::StrJoin(extra, ", "), ")");
  return k;
}

std::string AckText(const v1::Flag& f) {
  if (!f.has_acknowledgement()) return "";
  const auto& a = f.acknowledgement();
  std::string text = absl::StrCat(" [acknowledged by ", a.acknowledged_by(), " ",
                                  FormatTimeShort(FromTimestamp(a.acknowledge_time())));
  if (!a.note().empty()) absl::StrAppend(&text, ": ", a.note());
  return text + "]";
}

}  // namespace touchline::cli
