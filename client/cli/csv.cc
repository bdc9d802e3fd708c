#include "client/cli/csv.h"

#include <cstdint>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "client/cli/args.h"
#include "client/cli/enums.h"
#include "client/cli/timeparse.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/util/time_util.h"

namespace touchline::cli {
namespace {

// The check protobuf's parser applies to string fields: a cell that passes it cannot make the
// server's parser refuse the whole message (which would end the import at that message).
bool IsUtf8(const std::string& s) {
  return google::protobuf::internal::IsStructurallyValidUTF8(s.data(), static_cast<int>(s.size()));
}

}  // namespace

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(absl::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false;
  bool field_started = false;  // anything seen for the current row
  auto end_row = [&]() {
    row.push_back(std::move(field));
    field.clear();
    bool blank = row.size() == 1 && row[0].empty();
    if (!blank) rows.push_back(std::move(row));
    row.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      in_quotes = true;
      field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = true;
    } else if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      end_row();
    } else if (c == '\n') {
      end_row();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (in_quotes) return absl::InvalidArgumentError("CSV: unterminated quoted field");
  if (field_started || !field.empty() || !row.empty()) end_row();
  return rows;
}

const std::vector<std::string>& ContactCsvColumns() {
  static const auto* cols = new std::vector<std::string>{
      "player_id", "kind", "occurred_at", "awkward", "source", "session_label", "idempotency_key", "note"};
  return *cols;
}

std::string StableHashHex(absl::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return absl::StrFormat("%016x", h);
}

absl::StatusOr<std::vector<CsvContactRow>> ContactRowsFromCsv(
    const std::vector<std::vector<std::string>>& rows, absl::Time now) {
  std::vector<CsvContactRow> out;
  std::map<std::string, size_t> col;
  size_t first = 0;
  bool header = false;
  if (!rows.empty()) {
    for (const auto& cell : rows[0]) header = header || absl::AsciiStrToLower(absl::StripAsciiWhitespace(cell)) == "player_id";
  }
  if (header) {
    for (size_t i = 0; i < rows[0].size(); ++i) {
      std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(rows[0][i]));
      bool known = false;
      for (const auto& c : ContactCsvColumns()) known = known || c == name;
      if (!known) return absl::InvalidArgumentError(absl::StrCat("CSV header: unknown column \"", name, "\""));
      col[name] = i;
    }
    for (const char* required : {"player_id", "kind", "occurred_at"}) {
      if (!col.count(required)) {
        return absl::InvalidArgumentError(absl::StrCat("CSV header: missing column \"", required, "\""));
      }
    }
    first = 1;
  } else {
    for (size_t i = 0; i < ContactCsvColumns().size(); ++i) col[ContactCsvColumns()[i]] = i;
  }
  std::map<std::string, int> identical_rows;  // derived key -> rows of the file with that content
  for (size_t r = first; r < rows.size(); ++r) {
    const auto& row = rows[r];
    auto cell = [&](const std::string& name) -> std::string {
      auto it = col.find(name);
      if (it == col.end() || it->second >= row.size()) return "";
      return std::string(absl::StripAsciiWhitespace(row[it->second]));
    };
    CsvContactRow out_row;
    out_row.record = r + 1;
    // The record as far as it can be read; the first problem ends the reading.
    auto read = [&](touchline::v1::ContactEvent& e) -> std::string {
      for (const auto& c : row) {
        if (!IsUtf8(c)) return "a cell is not valid UTF-8 (save the file as UTF-8)";
      }
      int64_t player = 0;
      if (!absl::SimpleAtoi(cell("player_id"), &player) || player <= 0) {
        return absl::StrCat("bad player_id \"", cell("player_id"), "\"");
      }
      e.set_player_id(player);
      auto kind = ParseEnum<touchline::v1::ContactKind>(cell("kind"));
      if (!kind.ok()) return absl::StrCat("kind: ", kind.status().message());
      e.set_kind(*kind);
      auto at = ParseTimeArg(cell("occurred_at"), now);
      if (!at.ok()) return absl::StrCat("occurred_at: ", at.status().message());
      *e.mutable_occur_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(*at));
      if (std::string a = cell("awkward"); !a.empty()) {
        auto b = ParseBoolWord(a);
        if (!b.has_value()) return absl::StrCat("awkward: expected true or false, got \"", a, "\"");
        e.set_awkward(*b);
      }
      if (std::string s = cell("source"); !s.empty()) {
        auto src = ParseEnum<touchline::v1::ContactSource>(s);
        if (!src.ok()) return absl::StrCat("source: ", src.status().message());
        e.set_source(*src);
      }
      e.set_session_label(cell("session_label"));
      e.set_note(cell("note"));
      std::string key = cell("idempotency_key");
      if (key.empty()) {
        // Derived from the content, so a re-import finds the same keys. Time first, so that keys
        // sort as the events do and a file's rows land at the end of the key index (random-looking
        // keys cost 2.8x in the B-tree); every field in, so events that differ anywhere differ;
        // and the n-th identical row of the file gets "-n": two identical tackles in one minute
        // are two events, while the same file imported again is the same events.
        const std::string base = absl::StrCat(
            "csv-", absl::FormatTime("%Y%m%dT%H%M%E*SZ", *at, absl::UTCTimeZone()), "-", player, "-",
            StableHashHex(absl::StrCat(e.kind(), "|", e.awkward(), "|", e.source(), "|",
                                       e.session_label(), "|", e.note())));
        const int seen = ++identical_rows[base];
        key = seen == 1 ? base : absl::StrCat(base, "-", seen);
      }
      e.set_idempotency_key(key);
      return "";
    };
    out_row.problem = read(out_row.event);
    if (!out_row.problem.empty()) {
      // Sent anyway, keeping its place, as an event the server refuses (no player, kind or time).
      out_row.event.Clear();
      out_row.event.set_idempotency_key(absl::StrCat("csv-record-", out_row.record));
    }
    out.push_back(std::move(out_row));
  }
  return out;
}

}  // namespace touchline::cli
