#include "client/cli/csv.h"

#include <cstdint>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
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
  // As StrFormat("%016x", h) writes it, for a fraction of its cost (one per keyless CSV row).
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[i] = kHex[h & 0xf];
  return out;
}

namespace {

// The key's time as absl::FormatTime("%Y%m%dT%H%M%E*SZ") writes it, without its cost for the
// common case (whole seconds, a four-digit year): a keyless row's key used to cost more than the
// rest of its reading. Anything else goes to FormatTime itself, so every key stays what earlier
// versions derived and a file imported before is recognised again.
std::string KeyTime(absl::Time at) {
  const absl::CivilSecond c = absl::ToCivilSecond(at, absl::UTCTimeZone());
  if (absl::FromCivil(c, absl::UTCTimeZone()) != at || c.year() < 1000 || c.year() > 9999) {
    return absl::FormatTime("%Y%m%dT%H%M%E*SZ", at, absl::UTCTimeZone());
  }
  char out[16];  // YYYYMMDDTHHMMSSZ
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const int year = static_cast<int>(c.year());
  two(out, year / 100);
  two(out + 2, year % 100);
  two(out + 4, c.month());
  two(out + 6, c.day());
  out[8] = 'T';
  two(out + 9, c.hour());
  two(out + 11, c.minute());
  two(out + 13, c.second());
  out[15] = 'Z';
  return std::string(out, sizeof out);
}

// "YYYY-MM-DDTHH:MM:SSZ", the form exports write, read without absl::ParseTime's cost; nullopt
// for anything else (ParseTimeArg then reads it, or says why not), including a field out of range.
std::optional<absl::Time> FastRfc3339(absl::string_view s) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return std::nullopt;
  }
  int f[6];
  const int at[6] = {0, 5, 8, 11, 14, 17};
  const int width[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    int v = 0;
    for (int k = 0; k < width[i]; ++k) {
      const char ch = s[at[i] + k];
      if (ch < '0' || ch > '9') return std::nullopt;
      v = v * 10 + (ch - '0');
    }
    f[i] = v;
  }
  if (f[3] > 23 || f[4] > 59 || f[5] > 59) return std::nullopt;
  const absl::CivilSecond c(f[0], f[1], f[2], f[3], f[4], f[5]);
  // CivilSecond normalises (February 30th becomes March 2nd); ParseTime refuses such a date.
  if (c.year() != f[0] || c.month() != f[1] || c.day() != f[2]) return std::nullopt;
  return absl::FromCivil(c, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<ContactCsvReader> ContactCsvReader::Start(
    const std::vector<std::vector<std::string>>& rows, absl::Time now) {
  ContactCsvReader reader(rows, now);
  std::map<std::string, size_t> col;
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
    reader.next_ = 1;
  } else {
    for (size_t i = 0; i < ContactCsvColumns().size(); ++i) col[ContactCsvColumns()[i]] = i;
  }
  for (size_t c = 0; c < ContactCsvColumns().size(); ++c) {
    auto it = col.find(ContactCsvColumns()[c]);
    reader.column_[c] = it == col.end() ? kNoColumn : it->second;
  }
  return reader;
}

bool ContactCsvReader::Next(size_t max, std::vector<CsvContactRow>* out) {
  if (next_ >= rows_->size()) return false;
  // Column numbers in ContactCsvColumns() order.
  enum { kPlayer, kKind, kOccurred, kAwkward, kSource, kSession, kKey, kNote };
  for (size_t taken = 0; taken < max && next_ < rows_->size(); ++taken, ++next_) {
    const size_t r = next_;
    const auto& row = (*rows_)[r];
    auto cell = [&](int name) -> absl::string_view {
      const size_t i = column_[name];
      if (i == kNoColumn || i >= row.size()) return "";
      return absl::StripAsciiWhitespace(row[i]);
    };
    CsvContactRow out_row;
    out_row.record = r + 1;
    // The record as far as it can be read; the first problem ends the reading.
    auto read = [&](touchline::v1::ContactEvent& e) -> std::string {
      for (const auto& c : row) {
        if (!IsUtf8(c)) return "a cell is not valid UTF-8 (save the file as UTF-8)";
      }
      int64_t player = 0;
      if (!absl::SimpleAtoi(cell(kPlayer), &player) || player <= 0) {
        return absl::StrCat("bad player_id \"", cell(kPlayer), "\"");
      }
      e.set_player_id(player);
      // A file names a handful of kinds and sources: each spelling is looked up once.
      const absl::string_view kind_cell = cell(kKind);
      auto known_kind = kinds_.find(kind_cell);
      if (known_kind == kinds_.end()) {
        auto kind = ParseEnum<touchline::v1::ContactKind>(kind_cell);
        if (!kind.ok()) return absl::StrCat("kind: ", kind.status().message());
        known_kind = kinds_.emplace(std::string(kind_cell), *kind).first;
      }
      e.set_kind(static_cast<touchline::v1::ContactKind>(known_kind->second));
      absl::Time at;
      if (auto fast = FastRfc3339(cell(kOccurred))) {
        at = *fast;
      } else {
        auto parsed = ParseTimeArg(cell(kOccurred), now_);
        if (!parsed.ok()) return absl::StrCat("occurred_at: ", parsed.status().message());
        at = *parsed;
      }
      *e.mutable_occur_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(at));
      if (absl::string_view a = cell(kAwkward); !a.empty()) {
        auto b = ParseBoolWord(std::string(a));
        if (!b.has_value()) return absl::StrCat("awkward: expected true or false, got \"", a, "\"");
        e.set_awkward(*b);
      }
      if (absl::string_view s = cell(kSource); !s.empty()) {
        auto known_source = sources_.find(s);
        if (known_source == sources_.end()) {
          auto src = ParseEnum<touchline::v1::ContactSource>(s);
          if (!src.ok()) return absl::StrCat("source: ", src.status().message());
          known_source = sources_.emplace(std::string(s), *src).first;
        }
        e.set_source(static_cast<touchline::v1::ContactSource>(known_source->second));
      }
      e.set_session_label(std::string(cell(kSession)));
      e.set_note(std::string(cell(kNote)));
      std::string key(cell(kKey));
      if (key.empty()) {
        // Derived from the content, so a re-import finds the same keys. Time first, so that keys
        // sort as the events do and a file's rows land at the end of the key index (random-looking
        // keys cost 2.8x in the B-tree); every field in, so events that differ anywhere differ;
        // and the n-th identical row of the file gets "-n": two identical tackles in one minute
        // are two events, while the same file imported again is the same events.
        std::string base = absl::StrCat(
            "csv-", KeyTime(at), "-", player, "-",
            StableHashHex(absl::StrCat(e.kind(), "|", e.awkward(), "|", e.source(), "|",
                                       e.session_label(), "|", e.note())));
        const int seen = ++identical_rows_[base];
        key = seen == 1 ? std::move(base) : absl::StrCat(base, "-", seen);
      }
      e.set_idempotency_key(std::move(key));
      return "";
    };
    out_row.problem = read(out_row.event);
    if (!out_row.problem.empty()) {
      // Sent anyway, keeping its place, as an event the server refuses (no player, kind or time).
      out_row.event.Clear();
      out_row.event.set_idempotency_key(absl::StrCat("csv-record-", out_row.record));
    }
    out->push_back(std::move(out_row));
  }
  return true;
}

absl::StatusOr<std::vector<CsvContactRow>> ContactRowsFromCsv(
    const std::vector<std::vector<std::string>>& rows, absl::Time now) {
  auto reader = ContactCsvReader::Start(rows, now);
  if (!reader.ok()) return reader.status();
  std::vector<CsvContactRow> out;
  out.reserve(rows.size());
  reader->Next(rows.size(), &out);
  return out;
}

}  // namespace touchline::cli
