// Formatting shared by the commands: times, "Label: value" blocks, id lists, players as people
// read them (PlayerNames, Who), flags.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "client/cli/context.h"
#include "client/cli/table.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "touchline/v1/flag.pb.h"
#include "touchline/v1/squad.grpc.pb.h"

namespace touchline::cli {

// "2026-11-21 15:10" (UTC), or "" when the field is unset.
std::string TimeText(const google::protobuf::Timestamp& ts, bool has);
#define TL_TIME(msg, field) ::touchline::cli::TimeText((msg).field(), (msg).has_##field())

template <typename T>
std::vector<T> One(const T& x) {
  return {x};
}

inline std::string YesNo(bool b) { return b ? "yes" : "no"; }

// Prints "Label:  value" lines aligned; empty values are skipped.
void PrintFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

// "12, 4".
std::string IdList(const google::protobuf::RepeatedField<int64_t>& ids);

// Long text summarised for a table cell (the full text is in --json): a parenthesised list of
// more than three items becomes its latest item ("122 awkward contact events, latest lineout
// landing 2026-11-28"), then advice after a "; " is dropped, then the text is cut at a word before
// `width` display columns with "...". Text that fits is unchanged.
inline constexpr size_t kSummaryWidth = 150;
std::string Summary(absl::string_view text, size_t width = kSummaryWidth);
// "12, 4", or for more than `max` ids the first `max` and how many more: "3, 5, 9 (+119 more)".
std::string IdSummary(const google::protobuf::RepeatedField<int64_t>& ids, int max = 5);

// Summary, or the full text with -o wide.
inline std::string Brief(const Ctx& ctx, absl::string_view text, size_t width = kSummaryWidth) {
  return ctx.wide() ? std::string(text) : Summary(text, width);
}
inline std::string IdBrief(const Ctx& ctx, const google::protobuf::RepeatedField<int64_t>& ids) {
  return ctx.wide() ? IdList(ids) : IdSummary(ids);
}

// Prints the table, or "no THINGS" (`empty`) on stdout when it has no row.
void PrintTable(Ctx& ctx, const Table& table, absl::string_view empty);

// Player id -> name, looked up lazily (squad-wide when a squad is known).
class PlayerNames {
 public:
  explicit PlayerNames(Ctx& ctx);
  void LoadSquad(int64_t squad_id);
  // "Marcus Smith (1)", or "#1" when the name is not known.
  std::string Name(int64_t id);

 private:
  Ctx& ctx_;
  std::unique_ptr<touchline::v1::PlayerService::Stub> stub_;
  std::map<int64_t, std::string> names_;
};

// A player as a person reads it: the name for staff, the pseudonym for analysts (id 0); without
// names (nullptr) the id.
template <typename Msg>
std::string Who(PlayerNames* names, const Msg& m) {
  if (m.player_id() == 0 && !m.player_pseudonym().empty()) return m.player_pseudonym();
  return names != nullptr ? names->Name(m.player_id()) : absl::StrCat(m.player_id());
}
template <typename Msg>
std::string Who(PlayerNames& names, const Msg& m) {
  return Who(&names, m);
}

// "recurrent (early, episode 2)".
std::string FlagKindText(const touchline::v1::Flag& f);
// " [acknowledged by jo 2026-11-21 15:10: note]", or "" while unacknowledged.
std::string AckText(const touchline::v1::Flag& f);

}  // namespace touchline::cli
