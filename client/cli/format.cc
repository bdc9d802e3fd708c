#include "client/cli/format.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

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

namespace {

// The trailing "YYYY-MM-DD" of an item such as "lineout landing 2026-11-28", or "".
std::string TrailingDate(absl::string_view item) {
  if (item.size() < 10) return "";
  absl::string_view d = item.substr(item.size() - 10);
  for (size_t i = 0; i < d.size(); ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? d[i] != '-' : !absl::ascii_isdigit(static_cast<unsigned char>(d[i]))) return "";
  }
  return std::string(d);
}

// "N things (a, b, c, d)" -> "N things, latest d" (latest by a trailing date, else the last).
std::string CollapseLists(absl::string_view text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find(" (", pos);
    if (open == absl::string_view::npos) break;
    const size_t close = text.find(')', open);
    if (close == absl::string_view::npos) break;
    const std::vector<absl::string_view> items = absl::StrSplit(text.substr(open + 2, close - open - 2), ", ");
    absl::StrAppend(&out, text.substr(pos, open - pos));
    if (items.size() > 3) {
      absl::string_view latest = items.back();
      for (absl::string_view item : items) {
        if (TrailingDate(item) > TrailingDate(latest)) latest = item;
      }
      absl::StrAppend(&out, ", latest ", latest);
    } else {
      absl::StrAppend(&out, text.substr(open, close + 1 - open));
    }
    pos = close + 1;
  }
  absl::StrAppend(&out, text.substr(pos));
  return out;
}

}  // namespace

std::string Summary(absl::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  std::string s = CollapseLists(text);
  if (DisplayWidth(s) > width) {
    const size_t semi = s.find("; ");
    if (semi != std::string::npos) s.resize(semi);
  }
  if (DisplayWidth(s) <= width) return s;
  // Cut at a space so that the text and "..." fit (UTF-8: never inside a code point).
  size_t cut = 0, cols = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (cols + 3 > width) break;
    if (s[i] == ' ') cut = i;
    ++cols;
  }
  if (cut == 0) cut = std::min(s.size(), width > 3 ? width - 3 : 0);
  s.resize(cut);
  while (!s.empty() && (s.back() == ',' || s.back() == ';' || s.back() == ':' || s.back() == ' ')) s.pop_back();
  return s + "...";
}

std::string IdSummary(const google::protobuf::RepeatedField<int64_t>& ids, int max) {
  if (ids.size() <= max) return IdList(ids);
  std::vector<int64_t> first(ids.begin(), ids.begin() + max);
  return absl::StrCat(absl::StrJoin(first, ", "), " (+", ids.size() - max, " more)");
}

void PrintTable(Ctx& ctx, const Table& table, absl::string_view empty) {
  if (table.empty()) {
    ctx.out << empty << "\n";
  } else {
    table.Print(ctx.out);
  }
}

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
  if (f.window_alert_day() > 0) extra.push_back(absl::StrCat("day ", f.window_alert_day()));
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
