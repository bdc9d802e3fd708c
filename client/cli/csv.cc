#include "client/cli/csv.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/cli/args.h"
#include "client/cli/enums.h"
#include "client/cli/timeparse.h"
#include "google/protobuf/stubs/common.h"

namespace touchline::cli {
namespace {

// The check protobuf's parser applies to string fields: a cell that passes it cannot make the
// server's parser refuse the whole message (which would end the import at that message).
// ASCII (nearly every cell) is valid UTF-8 and is told apart first: protobuf's check costs more
// than the rest of a cell's reading.
bool IsUtf8(absl::string_view s) {
  unsigned char any = 0;
  for (const char c : s) any |= static_cast<unsigned char>(c);
  if (any < 0x80) return true;
  return google::protobuf::internal::IsStructurallyValidUTF8(s.data(), static_cast<int>(s.size()));
}

}  // namespace

bool CsvRecords::Next(std::vector<absl::string_view>* cells) {
  for (;;) {
    if (pos_ >= end_ && (eof_ || !Refill())) return false;
    const size_t start = pos_;
    Got got = ReadPlain(cells);
    if (got == Got::kMore) {
      // Not a plain line: read again from its start, a character at a time.
      pos_ = start;
      spans_.clear();
      scratch_.clear();
      got = ReadQuoted();
      if (got == Got::kRecord) {
        cells->clear();
        for (const Cell& c : spans_) {
          cells->push_back(c.in_scratch ? absl::string_view(scratch_).substr(c.offset, c.size)
                                        : absl::string_view(data_ + c.offset, c.size));
        }
      }
    }
    if (got == Got::kMore) {
      // The record may go on past what was read: read more, then the record again.
      pos_ = start;
      if (!Refill()) return false;  // a read error (at the end of the file, eof_ is now set)
      continue;
    }
    if (got == Got::kBlank) continue;
    ++record_;
    return true;
  }
}

CsvRecords::Got CsvRecords::ReadPlain(std::vector<absl::string_view>* cells) {
  // Most lines are plain: no quotes, no lone CR. They are split on commas where they lie.
  const char* const t = data_;
  const void* lf = std::memchr(t + pos_, '\n', end_ - pos_);
  if (lf == nullptr && !eof_) return Got::kMore;  // the line goes on past what was read
  const size_t line_end = lf != nullptr ? static_cast<size_t>(static_cast<const char*>(lf) - t) : end_;
  size_t end = line_end;
  if (end > pos_ && t[end - 1] == '\r') --end;  // CRLF (or a last line ending in CR)
  if (std::memchr(t + pos_, '"', end - pos_) != nullptr ||
      std::memchr(t + pos_, '\r', end - pos_) != nullptr) {
    return Got::kMore;  // for ReadQuoted
  }
  cells->clear();
  size_t start = pos_;
  for (size_t i = pos_; i < end; ++i) {
    if (t[i] == ',') {
      cells->emplace_back(t + start, i - start);
      start = i + 1;
    }
  }
  cells->emplace_back(t + start, end - start);
  pos_ = lf != nullptr ? line_end + 1 : end_;
  return cells->size() == 1 && cells->front().empty() ? Got::kBlank : Got::kRecord;
}

CsvRecords::Got CsvRecords::ReadQuoted() {
  const char* const t = data_;
  const size_t n = end_;
  // Whether the text may go on past what was read when a decision needs the byte at `at`.
  auto more = [&](size_t at) { return at >= n && !eof_; };
  for (;;) {  // one cell a turn
    const size_t start = pos_;
    while (pos_ < n) {
      const char c = t[pos_];
      if (c == ',' || c == '\n' || c == '\r' || c == '"') break;
      ++pos_;
    }
    if (more(pos_)) return Got::kMore;
    if (pos_ < n && t[pos_] == '"') {
      // A cell with quotes is unquoted into scratch_: "" is a quote, quoted commas and line
      // ends are text, and text before, between and after quoted parts belongs to the cell.
      const size_t offset = scratch_.size();
      scratch_.append(t + start, pos_ - start);
      bool in_quotes = false;
      for (;;) {
        if (more(pos_)) return Got::kMore;
        if (pos_ >= n) break;
        const char c = t[pos_];
        if (in_quotes) {
          if (c == '"') {
            if (more(pos_ + 1)) return Got::kMore;
            if (pos_ + 1 < n && t[pos_ + 1] == '"') {
              scratch_ += '"';
              pos_ += 2;
              continue;
            }
            in_quotes = false;
          } else {
            scratch_ += c;
          }
          ++pos_;
          continue;
        }
        if (c == ',' || c == '\n' || c == '\r') break;
        if (c == '"') {
          in_quotes = true;
        } else {
          scratch_ += c;
        }
        ++pos_;
      }
      if (in_quotes) unterminated_ = true;
      spans_.push_back({true, offset, scratch_.size() - offset});
    } else {
      spans_.push_back({false, start, pos_ - start});
    }
    if (pos_ >= n) break;  // the end of the text ends the record
    if (t[pos_] == ',') {
      ++pos_;
      continue;
    }
    // A line end: LF, CRLF or a lone CR.
    if (t[pos_] == '\r') {
      if (more(pos_ + 1)) return Got::kMore;
      if (pos_ + 1 < n && t[pos_ + 1] == '\n') ++pos_;
    }
    ++pos_;
    break;
  }
  return spans_.size() == 1 && spans_[0].size == 0 ? Got::kBlank : Got::kRecord;
}

bool CsvRecords::Refill() {
  if (eof_ || fd_ < 0) {
    eof_ = true;
    return false;
  }
  // The unread part moves to the front; a record longer than the buffer grows it.
  const size_t kept = end_ - pos_;
  if (buffer_.empty()) buffer_.resize(std::max<size_t>(block_, 1));
  if (kept > 0 && pos_ > 0) std::memmove(buffer_.data(), buffer_.data() + pos_, kept);
  if (kept == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  pos_ = 0;
  end_ = kept;
  data_ = buffer_.data();
  for (;;) {
    const ssize_t got = ::pread(fd_, buffer_.data() + end_, buffer_.size() - end_, file_pos_);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      read_error_ = errno;
      eof_ = true;
      return false;
    }
    if (got == 0) eof_ = true;
    end_ += static_cast<size_t>(got);
    file_pos_ += got;
    return true;
  }
}

size_t CountQuotes(absl::string_view text) {
  size_t quotes = 0;
  for (const char *p = text.data(), *end = p + text.size();
       (p = static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end - p)))) != nullptr;
       ++p) {
    ++quotes;
  }
  return quotes;
}

absl::Status CheckCsvQuotes(size_t quotes) {
  // Outside quotes a '"' opens them; inside, '""' is a quote (two, no change) and '"' closes
  // them: the text ends inside quotes exactly when it holds an odd number of '"'.
  if (quotes % 2 != 0) return absl::InvalidArgumentError("CSV: unterminated quoted field");
  return absl::OkStatus();
}

absl::Status CheckCsvQuotes(absl::string_view text) { return CheckCsvQuotes(CountQuotes(text)); }

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(absl::string_view text) {
  std::vector<std::vector<std::string>> rows;
  CsvRecords records(text);
  std::vector<absl::string_view> cells;
  while (records.Next(&cells)) rows.emplace_back(cells.begin(), cells.end());
  if (records.unterminated()) return absl::InvalidArgumentError("CSV: unterminated quoted field");
  return rows;
}

const std::vector<std::string>& ContactCsvColumns() {
  static const auto* cols = new std::vector<std::string>{
      "player_id", "kind", "occurred_at", "awkward", "source", "session_label", "idempotency_key", "note"};
  return *cols;
}

namespace {

constexpr uint64_t kFnvOffset = 1469598103934665603ULL;

uint64_t Fnv1a(absl::string_view s, uint64_t h = kFnvOffset) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// As StrFormat("%016x", h) writes it, for a fraction of its cost (one per keyless CSV row).
void AppendHex16(uint64_t h, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[16];
  for (int i = 15; i >= 0; --i, h >>= 4) buf[i] = kHex[h & 0xf];
  out->append(buf, sizeof buf);
}

}  // namespace

std::string StableHashHex(absl::string_view s) {
  std::string out;
  AppendHex16(Fnv1a(s), &out);
  return out;
}

namespace {

// Days since 1970-01-01 of a date of the proleptic Gregorian calendar, and back (H. Hinnant's
// days_from_civil and civil_from_days): what absl's civil time computes, without its time zone
// machinery, once or twice a CSV row.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// The key's time as absl::FormatTime("%Y%m%dT%H%M%E*SZ") writes it, without its cost for the
// common case (whole seconds, a four-digit year): a keyless row's key used to cost more than the
// rest of its reading. Anything else goes to FormatTime itself, so every key stays what earlier
// versions derived and a file imported before is recognised again.
void AppendKeyTime(absl::Time at, std::string* to) {
  const int64_t secs = absl::ToUnixSeconds(at);  // rounded down
  int64_t days = secs / 86400, of_day = secs % 86400;
  if (of_day < 0) {
    of_day += 86400;
    --days;
  }
  int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  if (absl::FromUnixSeconds(secs) != at || year < 1000 || year > 9999) {
    to->append(absl::FormatTime("%Y%m%dT%H%M%E*SZ", at, absl::UTCTimeZone()));
    return;
  }
  char out[16];  // YYYYMMDDTHHMMSSZ
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const int y = static_cast<int>(year), s = static_cast<int>(of_day);
  two(out, y / 100);
  two(out + 2, y % 100);
  two(out + 4, static_cast<int>(month));
  two(out + 6, static_cast<int>(day));
  out[8] = 'T';
  two(out + 9, s / 3600);
  two(out + 11, s / 60 % 60);
  two(out + 13, s % 60);
  out[15] = 'Z';
  to->append(out, sizeof out);
}

// "YYYY-MM-DDTHH:MM:SSZ", the form exports write, read without absl::ParseTime's cost; nullopt
// for anything else (ParseTimeArg then reads it, or says why not), including a field out of range
// (ParseTime refuses February 30th rather than making it March 2nd).
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
  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[3] > 23 || f[4] > 59 || f[5] > 59) return std::nullopt;
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = f[0] % 4 == 0 && (f[0] % 100 != 0 || f[0] % 400 == 0);
  if (f[2] > kDays[f[1] - 1] || (f[1] == 2 && f[2] == 29 && !leap)) return std::nullopt;
  const int64_t days = DaysFromCivil(f[0], static_cast<unsigned>(f[1]), static_cast<unsigned>(f[2]));
  return absl::FromUnixSeconds(days * 86400 + f[3] * 3600 + f[4] * 60 + f[5]);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ContactCsvReader>> ContactCsvReader::Start(absl::string_view text,
                                                                          absl::Time now) {
  std::unique_ptr<ContactCsvReader> reader(new ContactCsvReader(text, now));
  if (auto mapped = reader->MapColumns(); !mapped.ok()) return mapped;
  return reader;
}

absl::StatusOr<std::unique_ptr<ContactCsvReader>> ContactCsvReader::Start(int fd, absl::Time now,
                                                                          size_t block) {
  std::unique_ptr<ContactCsvReader> reader(new ContactCsvReader(fd, now, block));
  if (auto mapped = reader->MapColumns(); !mapped.ok()) return mapped;
  return reader;
}

absl::Status ContactCsvReader::MapColumns() {
  pending_ = records_.Next(&cells_);
  std::map<std::string, size_t> col;
  bool header = false;
  if (pending_) {
    for (const auto& cell : cells_) header = header || absl::AsciiStrToLower(absl::StripAsciiWhitespace(cell)) == "player_id";
  }
  if (header) {
    for (size_t i = 0; i < cells_.size(); ++i) {
      std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(cells_[i]));
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
    pending_ = false;  // the header is not data
    first_data_record_ = 2;
  } else {
    for (size_t i = 0; i < ContactCsvColumns().size(); ++i) col[ContactCsvColumns()[i]] = i;
  }
  for (size_t c = 0; c < ContactCsvColumns().size(); ++c) {
    auto it = col.find(ContactCsvColumns()[c]);
    column_[c] = it == col.end() ? kNoColumn : it->second;
  }
  return absl::OkStatus();
}

namespace {

// Column numbers in ContactCsvColumns() order.
enum { kPlayer, kKind, kOccurred, kAwkward, kSource, kSession, kKey, kNote };

// absl::StripAsciiWhitespace, inline (several cells a row).
absl::string_view Strip(absl::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "true"/"false" as written by exports and spreadsheets, else every word ParseBoolWord knows.
std::optional<bool> BoolCell(absl::string_view a) {
  if (a == "false") return false;
  if (a == "true") return true;
  return ParseBoolWord(std::string(a));
}

}  // namespace

std::string ContactCsvReader::Read(const std::vector<absl::string_view>& cells,
                                   touchline::v1::ContactEvent& e) {
  auto cell = [&](int name) -> absl::string_view {
    const size_t i = column_[name];
    if (i == kNoColumn || i >= cells.size()) return "";
    return Strip(cells[i]);
  };
  for (const auto& c : cells) {
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
  // As TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(at)), set in place.
  const int64_t nanos = absl::ToUnixNanos(at);
  int64_t seconds = nanos / 1000000000, rest = nanos % 1000000000;
  if (rest < 0) {
    rest += 1000000000;
    --seconds;
  }
  google::protobuf::Timestamp* ts = e.mutable_occur_time();
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(rest));
  if (absl::string_view a = cell(kAwkward); !a.empty()) {
    auto b = BoolCell(a);
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
  const absl::string_view session = cell(kSession), note = cell(kNote), key = cell(kKey);
  e.mutable_session_label()->assign(session.data(), session.size());
  e.mutable_note()->assign(note.data(), note.size());
  if (key.empty()) {
    DeriveKey(at, e);
  } else {
    e.mutable_idempotency_key()->assign(key.data(), key.size());
  }
  return "";
}

void ContactCsvReader::DeriveKey(absl::Time at, touchline::v1::ContactEvent& e) {
  // Derived from the content, so a re-import finds the same keys. Time first, so that keys sort
  // as the events do and a file's rows land at the end of the key index (random-looking keys
  // cost 2.8x in the B-tree); every field in, so events that differ anywhere differ; and the
  // n-th identical row of the file gets "-n": two identical tackles in one minute are two events,
  // while the same file imported again is the same events. The hash covers
  // StrCat(kind, "|", awkward, "|", source, "|", session_label, "|", note), as it always has.
  char buf[64];  // StrCat(kind, "|", awkward, "|", source, "|") as it writes them
  char* p = std::to_chars(buf, buf + 20, static_cast<int>(e.kind())).ptr;
  *p++ = '|';
  *p++ = e.awkward() ? '1' : '0';
  *p++ = '|';
  p = std::to_chars(p, p + 20, static_cast<int>(e.source())).ptr;
  *p++ = '|';
  uint64_t h = Fnv1a(absl::string_view(buf, static_cast<size_t>(p - buf)));
  h = Fnv1a(e.session_label(), h);
  h = Fnv1a("|", h);
  h = Fnv1a(e.note(), h);
  const Base base{at, e.player_id(), h};
  if (recounting_) {
    ++identical_rows_[base];
    return;
  }
  if (in_time_order_) {
    if (!any_derived_ || at > latest_) {
      identical_rows_.clear();  // no later row can be identical to those before
      latest_ = at;
      any_derived_ = true;
    } else if (at < latest_) {
      in_time_order_ = false;
      CountEarlierRows();
    }
  }
  const int seen = ++identical_rows_[base];
  std::string& key = *e.mutable_idempotency_key();
  key.clear();
  key.append("csv-");
  AppendKeyTime(at, &key);
  p = buf;
  *p++ = '-';
  p = std::to_chars(p, p + 24, e.player_id()).ptr;
  *p++ = '-';
  key.append(buf, static_cast<size_t>(p - buf));
  AppendHex16(h, &key);
  if (seen > 1) absl::StrAppend(&key, "-", seen);
}

void ContactCsvReader::CountEarlierRows() {
  // The data records before this one (read_ of them), read as they were, their keys' bases
  // counted: Read derives exactly what it derived the first time.
  identical_rows_.clear();
  std::unique_ptr<CsvRecords> again = fd_ >= 0 ? std::make_unique<CsvRecords>(fd_, block_)
                                               : std::make_unique<CsvRecords>(text_);
  std::vector<absl::string_view> cells;
  if (first_data_record_ == 2) again->Next(&cells);  // the header
  touchline::v1::ContactEvent scratch;
  recounting_ = true;
  for (size_t i = 0; i < read_ && again->Next(&cells); ++i) {
    scratch.Clear();
    (void)Read(cells, scratch);
  }
  recounting_ = false;
  recount_error_ = again->read_error();
}

bool ContactCsvReader::Next(size_t max,
                            google::protobuf::RepeatedPtrField<touchline::v1::ContactEvent>* events,
                            std::vector<CsvProblem>* problems) {
  size_t taken = 0;
  auto next_record = [&] {
    if (pending_) {
      pending_ = false;  // the first data record, read by MapColumns
      return true;
    }
    return records_.Next(&cells_);
  };
  for (; taken < max && next_record(); ++taken, ++read_) {
    touchline::v1::ContactEvent& e = *events->Add();
    std::string problem = Read(cells_, e);
    if (!problem.empty()) {
      // Sent anyway, keeping its place, as an event the server refuses (no player, kind or time).
      CsvProblem p;
      p.index = read_;
      p.record = RecordOf(read_);
      p.idempotency_key = absl::StrCat("csv-record-", p.record);
      p.reason = std::move(problem);
      e.Clear();
      e.set_idempotency_key(p.idempotency_key);
      problems->push_back(std::move(p));
    }
  }
  return taken > 0;
}

absl::StatusOr<std::vector<CsvContactRow>> ContactRowsFromCsv(absl::string_view text,
                                                              absl::Time now) {
  if (auto quotes = CheckCsvQuotes(text); !quotes.ok()) return quotes;
  auto reader = ContactCsvReader::Start(text, now);
  if (!reader.ok()) return reader.status();
  google::protobuf::RepeatedPtrField<touchline::v1::ContactEvent> events;
  std::vector<CsvProblem> problems;
  while ((*reader)->Next(1000, &events, &problems)) {
  }
  std::vector<CsvContactRow> out(static_cast<size_t>(events.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].record = (*reader)->RecordOf(i);
    out[i].event = std::move(events[static_cast<int>(i)]);
  }
  for (CsvProblem& p : problems) out[p.index].problem = std::move(p.reason);
  return out;
}

}  // namespace touchline::cli
