// Unit tests of the touchline CLI: argument and time parsing, tables, enums, CSV, errors, requests.
#include <sys/mman.h>
#include <unistd.h>

#include <map>
#include <random>
#include <set>
#include <sstream>

#include "client/cli/app.h"
#include "client/cli/args.h"
#include "client/cli/context.h"
#include "client/cli/csv.h"
#include "client/cli/enums.h"
#include "client/cli/errors.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "touchline/v1/readiness.pb.h"

namespace touchline::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace v1 = touchline::v1;

Environment NoEnv() { return Environment{}; }

absl::Time T(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

// ---- Args ----

TEST(ParseArgs, DefaultsWithoutEnvironment) {
  auto a = ParseArgs({"squads", "list"}, NoEnv());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->global.server, "127.0.0.1:50051");
  EXPECT_EQ(a->global.user, "cli");
  EXPECT_FALSE(a->global.json);
  EXPECT_EQ(a->global.timeout_seconds, 30);
  EXPECT_THAT(a->positional, ElementsAre("squads", "list"));
}

TEST(ParseArgs, EnvironmentDefaults) {
  Environment env;
  env.server = "db:7000";
  env.login = "sam";
  auto a = ParseArgs({"health"}, env);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->global.server, "db:7000");
  EXPECT_EQ(a->global.user, "sam");
  env.user = "physio-jo";
  a = ParseArgs({"health"}, env);
  EXPECT_EQ(a->global.user, "physio-jo");
  a = ParseArgs({"health", "--user=coach"}, env);
  EXPECT_EQ(a->global.user, "coach");
}

TEST(ParseArgs, GlobalOptionsBeforeAndAfterCommand) {
  auto a = ParseArgs({"--server", "h:1", "--json", "squads", "get", "--id", "7", "--timeout=2.5", "--user", "amy"},
                     NoEnv());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->global.server, "h:1");
  EXPECT_TRUE(a->global.json);
  EXPECT_EQ(a->global.timeout_seconds, 2.5);
  EXPECT_EQ(a->global.user, "amy");
  EXPECT_THAT(a->positional, ElementsAre("squads", "get"));
  EXPECT_EQ(a->Get("id"), "7");
  EXPECT_FALSE(a->Has("server"));
  EXPECT_FALSE(a->Has("json"));
}

TEST(ParseArgs, KeyEqualsValueAndSeparateValue) {
  auto a = ParseArgs({"players", "create", "--name=Tom Ashcombe", "--position", "openside flanker", "--squad", "1",
                      "--note="},
                     NoEnv());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Get("name"), "Tom Ashcombe");
  EXPECT_EQ(a->Get("position"), "openside flanker");
  EXPECT_EQ(*a->RequireInt("squad"), 1);
  EXPECT_EQ(a->Get("note"), "");
}

TEST(ParseArgs, BooleanOptionsDoNotTakeTheNextWord) {
  auto a = ParseArgs({"events", "--awkward", "record", "--ache=false", "--json=false"}, NoEnv());
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->positional, ElementsAre("events", "record"));
  EXPECT_EQ(**a->GetBool("awkward"), true);
  EXPECT_EQ(**a->GetBool("ache"), false);
  EXPECT_FALSE(a->GetBool("spasm")->has_value());
  EXPECT_FALSE(a->global.json);
}

TEST(ParseArgs, NegativeRelativeTimeIsAValue) {
  auto a = ParseArgs({"events", "list", "--from", "-3d", "--file", "-"}, NoEnv());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Get("from"), "-3d");
  EXPECT_EQ(a->Get("file"), "-");
}

TEST(ParseArgs, Errors) {
  EXPECT_FALSE(ParseArgs({"squads", "get", "--id"}, NoEnv()).ok());
  EXPECT_FALSE(ParseArgs({"squads", "get", "--id", "--json"}, NoEnv()).ok());
  EXPECT_FALSE(ParseArgs({"--timeout=0", "health"}, NoEnv()).ok());
  EXPECT_FALSE(ParseArgs({"--timeout=soon", "health"}, NoEnv()).ok());
  EXPECT_FALSE(ParseArgs({"--json=maybe", "health"}, NoEnv()).ok());
  EXPECT_FALSE(ParseArgs({"--server=", "health"}, NoEnv()).ok());
}

TEST(ParseArgs, HelpDashDashAndUnderscores) {
  auto a = ParseArgs({"flags", "-h", "--page_size=5", "--", "--not-an-option"}, NoEnv());
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->global.help);
  EXPECT_EQ(a->Get("page-size"), "5");
  EXPECT_THAT(a->positional, ElementsAre("flags", "--not-an-option"));
}

TEST(ParseArgs, ListsAndTypedGetters) {
  auto a = ParseArgs({"x", "--kind=scrum, fall", "--kind", "ruck", "--id=abc", "--awkward=perhaps"}, NoEnv());
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->GetList("kind"), ElementsAre("scrum", "fall", "ruck"));
  EXPECT_FALSE(a->GetInt("id").ok());
  EXPECT_FALSE(a->GetBool("awkward").ok());
  EXPECT_FALSE(a->RequireInt("missing").ok());
  EXPECT_THAT(std::string(a->Require("missing").status().message()), HasSubstr("--missing"));
  EXPECT_THAT(a->UnknownOptions({"kind", "id"}), ElementsAre("awkward"));
}

// ---- Time ----

TEST(ParseTimeArg, Rfc3339) {
  absl::Time now = T("2026-11-21T12:00:00Z");
  EXPECT_EQ(*ParseTimeArg("2026-11-21T15:10:00Z", now), T("2026-11-21T15:10:00Z"));
  EXPECT_EQ(*ParseTimeArg("2026-11-21T15:10:00+01:00", now), T("2026-11-21T14:10:00Z"));
  EXPECT_EQ(*ParseTimeArg("2026-11-21T15:10:00.250Z", now), T("2026-11-21T15:10:00Z") + absl::Milliseconds(250));
  EXPECT_EQ(*ParseTimeArg("2026-11-21 15:10:00Z", now), T("2026-11-21T15:10:00Z"));
  EXPECT_EQ(*ParseTimeArg("2026-11-21t15:10:00z", now), T("2026-11-21T15:10:00Z"));
}

TEST(ParseTimeArg, DateIsMidnightUtc) {
  absl::Time now = T("2026-11-21T12:00:00Z");
  EXPECT_EQ(*ParseTimeArg("2026-03-01", now), T("2026-03-01T00:00:00Z"));
  EXPECT_EQ(*ParseTimeArg("today", now), T("2026-11-21T00:00:00Z"));
}

TEST(ParseTimeArg, Relative) {
  absl::Time now = T("2026-11-21T12:00:00Z");
  EXPECT_EQ(*ParseTimeArg("now", now), now);
  EXPECT_EQ(*ParseTimeArg("NOW", now), now);
  EXPECT_EQ(*ParseTimeArg("-3d", now), T("2026-11-18T12:00:00Z"));
  EXPECT_EQ(*ParseTimeArg("+2h", now), T("2026-11-21T14:00:00Z"));
  EXPECT_EQ(*ParseTimeArg("-90m", now), T("2026-11-21T10:30:00Z"));
  EXPECT_EQ(*ParseTimeArg("-30s", now), T("2026-11-21T11:59:30Z"));
  EXPECT_EQ(*ParseTimeArg("+1w", now), T("2026-11-28T12:00:00Z"));
}

TEST(ParseTimeArg, Rejects) {
  absl::Time now = absl::Now();
  for (const char* bad : {"", "yesterday", "-3", "-d", "3d", "+2y", "-1.5h", "- 3d", "2026-13-01", "2026-11-21T25:00:00Z",
                          "21/11/2026", "2026-11-21T15:10:00"}) {
    EXPECT_FALSE(ParseTimeArg(bad, now).ok()) << bad;
  }
}

TEST(FormatTime, Utc) {
  absl::Time t = T("2026-11-21T15:10:00+01:00");
  EXPECT_EQ(Rfc3339(t), "2026-11-21T14:10:00Z");
  EXPECT_EQ(FormatTimeShort(t), "2026-11-21 14:10");
  EXPECT_EQ(FormatDate(t), "2026-11-21");
}

// ---- Table ----

TEST(Table, AlignsColumnsWithoutTrailingSpaces) {
  Table t({"NAME", "GROUP", "AVAILABILITY", "REASONS"});
  t.AddRow({"Tom Ashcombe", "forward", "available", ""});
  t.AddRow({"Al Bo", "back", "unavailable", "open acute complaint"});
  EXPECT_EQ(t.ToString(),
            "NAME          GROUP    AVAILABILITY  REASONS\n"
            "Tom Ashcombe  forward  available\n"
            "Al Bo         back     unavailable   open acute complaint\n");
}

TEST(Table, Utf8AndControlCharacters) {
  Table t({"A", "B"});
  t.AddRow({"Sé", "x"});
  t.AddRow({"Seán", "line1\nline2"});
  EXPECT_EQ(t.ToString(),
            "A     B\n"
            "Sé    x\n"
            "Seán  line1 line2\n");
  EXPECT_EQ(DisplayWidth("Seán"), 4u);
}

TEST(Table, RaggedRowsAndEmpty) {
  Table t({"ID", "NAME"});
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.ToString(), "ID  NAME\n");
  t.AddRow({"1"});
  t.AddRow({"2", "b", "extra"});
  EXPECT_EQ(t.ToString(), "ID  NAME\n1\n2   b     extra\n");
}

// ---- Enums ----

TEST(Enums, ShortNames) {
  EXPECT_EQ(Short(v1::CONTACT_KIND_TACKLE_MADE), "tackle-made");
  EXPECT_EQ(Short(v1::AVAILABILITY_UNAVAILABLE), "unavailable");
  EXPECT_EQ(Short(v1::FLAG_KIND_SUSPECTED_PELVIC_ORIGIN), "suspected-pelvic-origin");
  EXPECT_EQ(Short(v1::READINESS_REASON_CODE_OPEN_ACUTE_COMPLAINT), "open-acute-complaint");
  EXPECT_EQ(Short(v1::POSITION_GROUP_FORWARD), "forward");
  EXPECT_EQ(Short(static_cast<v1::Side>(42)), "42");
  EXPECT_EQ(EnumPrefix(v1::ReadinessReasonCode_descriptor()), "READINESS_REASON_CODE_");
}

TEST(Enums, Parse) {
  EXPECT_EQ(*ParseEnum<v1::ContactKind>("tackle-made"), v1::CONTACT_KIND_TACKLE_MADE);
  EXPECT_EQ(*ParseEnum<v1::ContactKind>("LINEOUT_LANDING"), v1::CONTACT_KIND_LINEOUT_LANDING);
  EXPECT_EQ(*ParseEnum<v1::ContactKind>("CONTACT_KIND_SCRUM"), v1::CONTACT_KIND_SCRUM);
  EXPECT_EQ(*ParseEnum<v1::Side>(" Left "), v1::SIDE_LEFT);
  EXPECT_EQ(*ParseEnum<v1::FlagKind>("suspected pelvic origin"), v1::FLAG_KIND_SUSPECTED_PELVIC_ORIGIN);
  EXPECT_FALSE(ParseEnum<v1::Side>("unspecified").ok());
  EXPECT_FALSE(ParseEnum<v1::Side>("").ok());
  auto bad = ParseEnum<v1::Availability>("fit");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("available, modified, unavailable"));
}

// ---- CSV ----

TEST(Csv, QuotesNewlinesAndBlankLines) {
  auto rows = ParseCsv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\n1,\"two\nlines\",\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[0], ElementsAre("a", "b,c", "say \"hi\""));
  EXPECT_THAT((*rows)[1], ElementsAre("1", "two\nlines", ""));
  EXPECT_FALSE(ParseCsv("a,\"open").ok());
  EXPECT_TRUE(ParseCsv("")->empty());
}

// The record-at-a-time reader against the reader it replaced (every record at once, a character
// at a time; kept here as the reference): the same records and cells for any mix of quotes,
// commas and line ends, and CheckCsvQuotes refuses exactly the texts that one refused.
absl::StatusOr<std::vector<std::vector<std::string>>> ReferenceCsv(absl::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false, field_started = false;
  auto end_row = [&]() {
    row.push_back(std::move(field));
    field.clear();
    if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
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
      in_quotes = field_started = true;
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

// A file holding `text` (in memory: memfd), open for reading.
int FileHolding(const std::string& text) {
  const int fd = memfd_create("csv", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  return fd;
}

// Every record of `text` read from a file, `block` bytes at a time.
std::vector<std::vector<std::string>> CsvThroughFile(const std::string& text, size_t block) {
  const int fd = FileHolding(text);
  std::vector<std::vector<std::string>> rows;
  CsvRecords records(fd, block);
  std::vector<absl::string_view> cells;
  while (records.Next(&cells)) rows.emplace_back(cells.begin(), cells.end());
  EXPECT_EQ(records.read_error(), 0);
  close(fd);
  return rows;
}

TEST(Csv, RecordAtATimeReadsWhatTheWholeFileReaderRead) {
  std::mt19937 rng(24);
  const char alphabet[] = {'a', 'b', ',', '"', '\n', '\r', ' '};
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int size = static_cast<int>(rng() % 24);
    for (int i = 0; i < size; ++i) text += alphabet[rng() % sizeof alphabet];
    auto want = ReferenceCsv(text);
    EXPECT_EQ(CheckCsvQuotes(text).ok(), want.ok()) << absl::CEscape(text);
    auto got = ParseCsv(text);
    ASSERT_EQ(got.ok(), want.ok()) << absl::CEscape(text);
    if (want.ok()) {
      EXPECT_EQ(*got, *want) << absl::CEscape(text);
      // From a file a block at a time: records across the blocks' edges, longer than a block.
      const size_t block = 1 + rng() % 6;
      EXPECT_EQ(CsvThroughFile(text, block), *want) << absl::CEscape(text) << " block " << block;
    }
  }
  // Record numbers count records, not lines (a quoted line end, blank lines).
  CsvRecords records("a\n\n\"b\nc\",d\r\ne");
  std::vector<absl::string_view> cells;
  ASSERT_TRUE(records.Next(&cells));
  EXPECT_EQ(records.record(), 1u);
  ASSERT_TRUE(records.Next(&cells));
  EXPECT_THAT(cells, ElementsAre("b\nc", "d"));
  EXPECT_EQ(records.record(), 2u);
  ASSERT_TRUE(records.Next(&cells));
  EXPECT_THAT(cells, ElementsAre("e"));
  EXPECT_FALSE(records.Next(&cells));
}

// An import reads a file a block at a time: the events, derived keys, problems and row numbers
// are those of the same text read whole, however the blocks cut it.
TEST(Csv, FileReadInBlocksGivesTheEventsOfTheWholeText) {
  const absl::Time now = T("2026-11-21T12:00:00Z");
  std::string text = "note,player_id,kind,occurred_at,awkward,source\r\n";
  for (int i = 0; i < 300; ++i) {
    absl::StrAppend(&text, i % 7 == 0 ? "\"first line\nsecond, \"\"quoted\"\"\"" : "plain", ",",
                    i == 150 ? "x" : absl::StrCat(1 + i % 5), ",", i % 3 ? "scrum" : "ruck", ",",
                    absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now - absl::Minutes(300 - i / 2),
                                     absl::UTCTimeZone()),
                    ",false,video", i % 2 ? "\r\n" : "\n", i % 50 == 0 ? "\n" : "");
  }
  auto whole = ContactRowsFromCsv(text, now);
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_EQ(whole->size(), 300u);
  for (size_t block : {1, 5, 64, 4096}) {
    const int fd = FileHolding(text);
    auto reader = ContactCsvReader::Start(fd, now, block);
    ASSERT_TRUE(reader.ok()) << reader.status();
    google::protobuf::RepeatedPtrField<v1::ContactEvent> events;
    std::vector<CsvProblem> problems;
    while ((*reader)->Next(7, &events, &problems)) {
    }
    close(fd);
    ASSERT_EQ(events.size(), 300) << block;
    for (int i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].SerializeAsString(), (*whole)[i].event.SerializeAsString())
          << "block " << block << " event " << i;
      EXPECT_EQ((*reader)->RecordOf(i), (*whole)[i].record);
    }
    ASSERT_EQ(problems.size(), 1u) << block;
    EXPECT_EQ(problems[0].index, 150u);
    EXPECT_EQ(problems[0].record, 152u);
    EXPECT_EQ((*whole)[150].problem, problems[0].reason);
  }
}

TEST(Csv, EventsWithHeaderInAnyOrder) {
  absl::Time now = T("2026-11-21T12:00:00Z");
  const std::string rows =
      "kind,player_id,occurred_at,awkward,note\nscrum,3,2026-11-21T10:00:00Z,yes,\"first, scrum\"\n";
  auto events = ContactRowsFromCsv(rows, now);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].record, 2u);
  EXPECT_EQ((*events)[0].problem, "");
  const auto& e = (*events)[0].event;
  EXPECT_EQ(e.player_id(), 3);
  EXPECT_EQ(e.kind(), v1::CONTACT_KIND_SCRUM);
  EXPECT_TRUE(e.awkward());
  EXPECT_EQ(e.note(), "first, scrum");
  EXPECT_EQ(FromTimestamp(e.occur_time()), T("2026-11-21T10:00:00Z"));
  EXPECT_THAT(e.idempotency_key(), testing::StartsWith("csv-"));
  // The derived key is stable.
  EXPECT_EQ(ContactRowsFromCsv(rows, now + absl::Hours(1))->at(0).event.idempotency_key(), e.idempotency_key());
}

TEST(Csv, EventsInDefaultColumnOrder) {
  absl::Time now = T("2026-11-21T12:00:00Z");
  const std::string rows =
      "7,tackle-made,-1d,false,video,2026-11-20 v Kingsmead,k-1,\n"
      "8,lineout_landing,2026-11-20,true,wearable,,k-2,landed badly\n";
  auto rows_read = ContactRowsFromCsv(rows, now);
  ASSERT_TRUE(rows_read.ok()) << rows_read.status();
  ASSERT_EQ(rows_read->size(), 2u);
  std::vector<v1::ContactEvent> events;
  for (const auto& r : *rows_read) events.push_back(r.event);
  EXPECT_EQ(events[0].source(), v1::CONTACT_SOURCE_VIDEO);
  EXPECT_EQ(events[0].session_label(), "2026-11-20 v Kingsmead");
  EXPECT_EQ(events[0].idempotency_key(), "k-1");
  EXPECT_EQ(FromTimestamp(events[0].occur_time()), T("2026-11-20T12:00:00Z"));
  EXPECT_EQ(events[1].kind(), v1::CONTACT_KIND_LINEOUT_LANDING);
  EXPECT_EQ(events[1].note(), "landed badly");
}

// Derived keys: time first (they sort as the events do); every field counts; identical rows of one
// file are distinct events (the n-th gets "-n"); the same file read again gives the same keys.
TEST(Csv, DerivedKeysSortByTimeAndNeverMergeTwoRows) {
  absl::Time now = T("2026-11-21T12:00:00Z");
  const std::string text =
      "player_id,kind,occurred_at,awkward,source\n"
      "3,tackle-made,2026-11-21T10:00:00Z,false,wearable\n"
      "3,tackle-made,2026-11-21T10:00:00Z,false,wearable\n"   // a second tackle, same minute
      "3,tackle-made,2026-11-21T10:00:00Z,true,wearable\n"    // differs only in awkward
      "3,tackle-made,2026-11-21T10:00:00Z,false,video\n"      // differs only in source
      "3,tackle-made,2026-11-21T09:59:00Z,false,wearable\n";  // a minute earlier
  auto read = ContactRowsFromCsv(text, now);
  ASSERT_TRUE(read.ok()) << read.status();
  std::set<std::string> keys;
  for (const auto& r : *read) {
    EXPECT_THAT(r.event.idempotency_key(), testing::StartsWith("csv-20261121T"));
    keys.insert(r.event.idempotency_key());
  }
  EXPECT_EQ(keys.size(), read->size()) << "two rows merged under one key";
  EXPECT_EQ((*read)[1].event.idempotency_key(), (*read)[0].event.idempotency_key() + "-2");
  EXPECT_LT((*read)[4].event.idempotency_key(), (*read)[0].event.idempotency_key());
  auto again = ContactRowsFromCsv(text, now + absl::Hours(5));
  for (size_t i = 0; i < read->size(); ++i) {
    EXPECT_EQ((*again)[i].event.idempotency_key(), (*read)[i].event.idempotency_key());
  }
}

// The derived key is what every earlier version derived (absl::FormatTime, StrFormat), whatever
// the time looks like: a file imported before must be recognised again, not stored twice. The
// fast paths (whole seconds, four-digit years, the plain RFC 3339 form) must agree with the slow.
TEST(Csv, DerivedKeysAreThoseEarlierVersionsDerived) {
  const absl::Time now = T("2026-11-21T12:00:00Z");
  std::vector<std::string> times = {
      "2026-11-21T10:00:00Z",     "2026-02-28T23:59:59Z",  "2024-02-29T00:00:00Z",
      "2026-11-21T10:00:00.25Z",  "2026-11-21T10:00:00.000000001Z", "2026-11-21T11:00:00+01:00",
      "2026-11-21t10:00:00z",     "2026-11-21 10:00:00Z",  "2026-11-20",
      "1999-12-31T23:59:59Z",     "-3d",                   "now"};
  std::string text = "player_id,kind,occurred_at,awkward,source,session_label,note\n";
  for (const auto& t : times) {
    absl::StrAppend(&text, "4,scrum,", t, ",true,video,v Kingsmead,left side\n");
  }
  // And times all over the calendar an event's Timestamp holds (nanoseconds since 1970 in 64
  // bits: 1678 to 2261), leap days and centuries among them.
  std::mt19937_64 rng(5);
  std::vector<std::string> spread;
  const int64_t first = absl::ToUnixSeconds(T("1678-01-01T00:00:00Z"));
  const int64_t last = absl::ToUnixSeconds(T("2261-12-31T23:59:59Z"));
  for (int i = 0; i < 3000; ++i) {
    const int64_t s = first + static_cast<int64_t>(rng() % static_cast<uint64_t>(last - first + 1));
    spread.push_back(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(s),
                                      absl::UTCTimeZone()));
  }
  for (const char* edge : {"2000-02-29T00:00:00Z", "1900-02-28T23:59:59Z", "2100-03-01T00:00:00Z",
                           "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1678-01-01T00:00:00Z",
                           "2261-12-31T23:59:59Z", "2096-02-29T12:00:00Z"}) {
    spread.push_back(edge);
  }
  times.insert(times.end(), spread.begin(), spread.end());
  for (const auto& t : spread) {
    absl::StrAppend(&text, "4,scrum,", t, ",true,video,v Kingsmead,left side\n");
  }
  absl::StrAppend(&text, "4,scrum,2026-11-21T10:00:00Z,true,video,v Kingsmead,left side\n");
  auto read = ContactRowsFromCsv(text, now);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), times.size() + 1);
  std::map<std::string, int> seen;
  for (size_t i = 0; i < read->size(); ++i) {
    const auto& r = (*read)[i];
    ASSERT_EQ(r.problem, "") << (i < times.size() ? times[i] : "repeat");
    const absl::Time at = absl::FromUnixNanos(
        google::protobuf::util::TimeUtil::TimestampToNanoseconds(r.event.occur_time()));
    if (i < times.size()) {
      EXPECT_EQ(at, *ParseTimeArg(times[i], now)) << times[i];
    }
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : absl::StrCat(r.event.kind(), "|", r.event.awkward(), "|",
                                        r.event.source(), "|", r.event.session_label(), "|",
                                        r.event.note())) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    const std::string base =
        absl::StrCat("csv-", absl::FormatTime("%Y%m%dT%H%M%E*SZ", at, absl::UTCTimeZone()),
                     "-4-", absl::StrFormat("%016x", h));
    const int n = ++seen[base];
    EXPECT_EQ(r.event.idempotency_key(), n == 1 ? base : absl::StrCat(base, "-", n))
        << (i < times.size() ? times[i] : "repeat");
  }
  // Out-of-range fields are refused as before, not normalised into another day.
  for (const char* bad : {"2026-02-30T10:00:00Z", "2026-11-21T24:00:00Z", "2026-13-01T00:00:00Z"}) {
    auto r = ContactRowsFromCsv(absl::StrCat("4,scrum,", bad, "\n"), now);
    ASSERT_TRUE(r.ok());
    EXPECT_THAT((*r)[0].problem, HasSubstr("occurred_at")) << bad;
  }
}

// Identical keyless rows get -2, -3... wherever they are in the file. While rows come in time order
// the reader keeps only those at the latest time; the first row out of order has it count every
// earlier row again (from the text, or from the file): the keys are those a map of every row gave.
TEST(Csv, IdenticalRowsAreCountedWhereverTheFileLeavesTimeOrder) {
  const absl::Time now = T("2026-11-21T12:00:00Z");
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string text = "player_id,kind,occurred_at,idempotency_key\n";
    std::vector<std::string> want;  // the key of each data record, as earlier versions derived it
    std::map<std::string, int> seen;
    const int rows = 1 + static_cast<int>(rng() % 40);
    const int in_order = static_cast<int>(rng() % (rows + 1));
    int minute = 0;
    for (int i = 0; i < rows; ++i) {
      minute = i < in_order ? minute + static_cast<int>(rng() % 2) : static_cast<int>(rng() % 6);
      const absl::Time at = T("2026-11-20T10:00:00Z") + absl::Minutes(minute);
      const int player = 1 + static_cast<int>(rng() % 2);
      const bool keyed = rng() % 8 == 0, bad = rng() % 16 == 0;
      absl::StrAppend(&text, bad ? "x" : absl::StrCat(player), ",scrum,",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", at, absl::UTCTimeZone()), ",",
                      keyed ? absl::StrCat("k", i) : "", "\n");
      if (bad) {
        want.push_back(absl::StrCat("csv-record-", i + 2));
      } else if (keyed) {
        want.push_back(absl::StrCat("k", i));
      } else {
        const std::string base = absl::StrCat(
            "csv-", absl::FormatTime("%Y%m%dT%H%M%E*SZ", at, absl::UTCTimeZone()), "-", player,
            "-", StableHashHex(absl::StrCat(v1::CONTACT_KIND_SCRUM, "|", false, "|", 0, "||")));
        const int n = ++seen[base];
        want.push_back(n == 1 ? base : absl::StrCat(base, "-", n));
      }
    }
    auto whole = ContactRowsFromCsv(text, now);
    ASSERT_TRUE(whole.ok()) << whole.status();
    ASSERT_EQ(whole->size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ((*whole)[i].event.idempotency_key(), want[i]) << text << " row " << i;
    }
    const int fd = FileHolding(text);
    auto reader = ContactCsvReader::Start(fd, now, 1 + rng() % 64);
    ASSERT_TRUE(reader.ok());
    google::protobuf::RepeatedPtrField<v1::ContactEvent> events;
    std::vector<CsvProblem> problems;
    while ((*reader)->Next(1 + rng() % 5, &events, &problems)) {
    }
    close(fd);
    ASSERT_EQ(events.size(), static_cast<int>(want.size()));
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(events[static_cast<int>(i)].idempotency_key(), want[i]) << text << " row " << i;
    }
  }
}

// A record that cannot be read keeps its place (the server's index of every later record stays
// its data-record position) as a key-only event the server refuses; only a header that cannot be
// mapped refuses the file.
TEST(Csv, UnreadableRecordsKeepTheirPlaceAndSayWhy) {
  absl::Time now = absl::Now();
  auto check = [&](const std::string& text, size_t bad, const char* want) {
    auto read = ContactRowsFromCsv(text, now);
    ASSERT_TRUE(read.ok()) << text;
    for (size_t i = 0; i < read->size(); ++i) {
      const auto& r = (*read)[i];
      if (i == bad) {
        EXPECT_THAT(r.problem, HasSubstr(want)) << text;
        EXPECT_EQ(r.event.player_id(), 0) << "sent so that the server refuses it";
        EXPECT_EQ(r.event.idempotency_key(), absl::StrCat("csv-record-", r.record));
      } else {
        EXPECT_EQ(r.problem, "") << text;
        EXPECT_GT(r.event.player_id(), 0);
      }
    }
  };
  check("player_id,kind,occurred_at\n1,scrum,2026-01-01\nx,scrum,2026-01-01\n1,ruck,2026-01-02\n", 1,
        "player_id");
  check("1,hug,2026-01-01\n", 0, "kind");
  check("1,scrum,someday\n", 0, "occurred_at");
  check("1,scrum,2026-01-01,sometimes\n", 0, "awkward");
  check("1,scrum,2026-01-01,true,telepathy\n", 0, "source");
  check("1,scrum,2026-01-01\n1,ruck,2026-01-01,false,video,,,caf\xe9\n", 1, "UTF-8");
  auto header = [&](const char* text, const char* want) {
    auto read = ContactRowsFromCsv(text, now);
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_THAT(std::string(read.status().message()), HasSubstr(want)) << text;
  };
  header("player_id,kind,when\n", "unknown column");
  header("player_id,kind\n", "occurred_at");
}

// ---- Errors ----

TEST(Errors, FormatsBadRequestViolations) {
  google::rpc::Status details;
  details.set_code(3);
  details.set_message("invalid complaint");
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("complaint.side");
  v->set_description("must be set");
  v = bad.add_field_violations();
  v->set_field("complaint.symptoms.pain");
  v->set_description("must be 0 to 10");
  details.add_details()->PackFrom(bad);
  grpc::Status st(grpc::StatusCode::INVALID_ARGUMENT, "invalid complaint", details.SerializeAsString());
  EXPECT_EQ(FormatRpcError(st),
            "INVALID_ARGUMENT: invalid complaint\n"
            "  complaint.side: must be set\n"
            "  complaint.symptoms.pain: must be 0 to 10\n");
  EXPECT_EQ(FormatRpcError(grpc::Status(grpc::StatusCode::NOT_FOUND, "no player 9")), "NOT_FOUND: no player 9\n");
  EXPECT_EQ(FormatRpcError(grpc::Status(grpc::StatusCode::NOT_FOUND, "x", "garbage\xff")), "NOT_FOUND: x\n");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::FAILED_PRECONDITION), "FAILED_PRECONDITION");
}

// ---- Requests ----

TEST(Requests, ComplaintOptionsBuildMask) {
  auto a = ParseArgs({"complaints", "update", "--side=right", "--pain=4", "--ache", "--nerve-tension",
                      "--onset=2026-11-01", "--disc-herniation=false"},
                     NoEnv());
  ASSERT_TRUE(a.ok());
  v1::Complaint c;
  c.mutable_symptoms()->set_tightness(true);  // kept: read-modify-write
  c.mutable_history()->set_lumbar_disc_herniation(true);
  std::vector<std::string> mask;
  ASSERT_TRUE(ApplyComplaintOptions(*a, absl::Now(), &c, &mask).ok());
  EXPECT_THAT(mask, ElementsAre("side", "onset_time", "symptoms", "history", "findings"));
  EXPECT_EQ(c.side(), v1::SIDE_RIGHT);
  EXPECT_EQ(c.symptoms().pain(), 4);
  EXPECT_TRUE(c.symptoms().ache());
  EXPECT_TRUE(c.symptoms().tightness());
  EXPECT_FALSE(c.history().lumbar_disc_herniation());
  EXPECT_TRUE(c.findings().sciatic_nerve_tension());
  EXPECT_EQ(FromTimestamp(c.onset_time()), T("2026-11-01T00:00:00Z"));
}

TEST(Requests, ComplaintOptionErrors) {
  for (std::vector<std::string> argv : std::vector<std::vector<std::string>>{
           {"--pain=11"}, {"--pain=-1"}, {"--side=middle"}, {"--onset=later"}, {"--spasm=sometimes"},
           {"--mechanism=dancing"}}) {
    auto a = ParseArgs(argv, NoEnv());
    ASSERT_TRUE(a.ok());
    v1::Complaint c;
    std::vector<std::string> mask;
    EXPECT_FALSE(ApplyComplaintOptions(*a, absl::Now(), &c, &mask).ok()) << argv[0];
  }
}

TEST(Requests, PlayerOptions) {
  auto a = ParseArgs({"--group=back", "--position", "full-back"}, NoEnv());
  v1::Player p;
  std::vector<std::string> mask;
  ASSERT_TRUE(ApplyPlayerOptions(*a, &p, &mask).ok());
  EXPECT_THAT(mask, ElementsAre("position_group", "position_name"));
  EXPECT_EQ(p.position_group(), v1::POSITION_GROUP_BACK);
}

// ---- RunCli without a server ----

struct Run {
  int code;
  std::string out, err;
};
Run RunArgs(std::vector<std::string> argv) {
  std::ostringstream out, err;
  int code = RunCli(argv, out, err, NoEnv());
  return {code, out.str(), err.str()};
}

TEST(RunCli, UsageErrorsExitTwo) {
  EXPECT_EQ(RunArgs({}).code, 2);
  auto r = RunArgs({"teams", "list"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command \"teams\""));
  r = RunArgs({"squads"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing verb"));
  r = RunArgs({"squads", "delete"});
  EXPECT_EQ(r.code, 2);
  r = RunArgs({"squads", "get", "--idd=1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option --idd"));
  r = RunArgs({"squads", "get"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing required option --id"));
  EXPECT_THAT(r.err, HasSubstr("touchline squads get --help"));
  EXPECT_EQ(RunArgs({"squads", "get", "--id=x"}).code, 2);
  EXPECT_EQ(RunArgs({"squads", "get", "--id=1", "extra"}).code, 2);
  EXPECT_EQ(RunArgs({"events", "list", "--player=1", "--squad=2"}).code, 2);
  EXPECT_EQ(RunArgs({"events", "record", "--player=1", "--kind=hug"}).code, 2);
  EXPECT_EQ(RunArgs({"readiness", "override", "--player=1", "--availability=fit", "--reason=x", "--until=+1d"}).code, 2);
  EXPECT_EQ(RunArgs({"complaints", "create", "--player=1", "--side=left"}).code, 2);
  EXPECT_EQ(RunArgs({"players", "update", "--id=1"}).code, 2);
  EXPECT_EQ(RunArgs({"seed", "--players=3"}).code, 2);
}

TEST(RunCli, Help) {
  auto r = RunArgs({"help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("touchline complaints check-in"));
  EXPECT_THAT(r.out, HasSubstr("touchline seed"));
  r = RunArgs({"readiness", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("touchline readiness override"));
  EXPECT_THAT(r.out, testing::Not(HasSubstr("touchline squads create")));
  r = RunArgs({"help", "events", "import"});
  EXPECT_THAT(r.out, HasSubstr("--file=PATH|-"));
  EXPECT_THAT(r.out, testing::Not(HasSubstr("events record")));
  EXPECT_EQ(RunArgs({"--help"}).code, 0);
  EXPECT_EQ(RunArgs({"complaints", "update", "-h"}).code, 0);
}

TEST(RunCli, EveryRpcHasACommand) {
  std::set<std::string> have;
  for (const auto& c : Commands()) have.insert(c.resource + " " + c.verb);
  for (const char* want :
       {"squads create", "squads get", "squads list", "squads update", "players create", "players get", "players list",
        "players update", "players archive", "events record", "events import", "events get", "events list",
        "complaints create", "complaints get", "complaints list", "complaints update", "complaints check-in",
        "complaints resolve", "complaints reopen", "complaints history", "flags list", "readiness get",
        "readiness override", "readiness overrides", "readiness clear", "readiness watch", "whoami ", "export ",
        "health ", "seed "}) {
    EXPECT_TRUE(have.count(want)) << want;
  }
}

TEST(RunCli, ExportRefusesBadOptionsBeforeCalling) {
  auto r = RunArgs({"export", "--kinds=contact-event,sessions"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("contact-event, complaint"));
  EXPECT_EQ(RunArgs({"export", "--squad=-1"}).code, 2);
  EXPECT_EQ(RunArgs({"export", "--from=yesterday-ish"}).code, 2);
  EXPECT_EQ(RunArgs({"export", "--retries=-1"}).code, 2);
  EXPECT_THAT(RunArgs({"help", "export"}).out, HasSubstr("--cursor-file=PATH"));
}

}  // namespace
}  // namespace touchline::cli

namespace touchline::cli {
namespace {

TEST(RunCli, ProtocolCommandsExistAndRefuseBadOptionsBeforeCalling) {
  std::set<std::string> have;
  for (const auto& c : Commands()) have.insert(c.resource + " " + c.verb);
  for (const char* want : {"protocols assign", "protocols list", "protocols adherence", "protocols plugins"}) {
    EXPECT_TRUE(have.count(want)) << want;
  }
  auto r = RunArgs({"protocols", "assign"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("exactly one of --player and --squad"));
  EXPECT_EQ(RunArgs({"protocols", "assign", "--player=1", "--squad=2"}).code, 2);
  EXPECT_EQ(RunArgs({"protocols", "assign", "--player=1", "--kind=picnic"}).code, 2);
  EXPECT_EQ(RunArgs({"protocols", "list"}).code, 2);
  r = RunArgs({"protocols", "adherence", "--assignment=1", "--status=maybe"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("done, partly, not-done"));
  EXPECT_EQ(RunArgs({"protocols", "adherence", "--status=done"}).code, 2);
  EXPECT_THAT(RunArgs({"help", "protocols"}).out, HasSubstr("touchline protocols adherence"));
}

}  // namespace
}  // namespace touchline::cli

namespace touchline::cli {
namespace {

TEST(RunCli, ExposureCommandsExistAndRefuseBadOptionsBeforeCalling) {
  std::set<std::string> have;
  for (const auto& c : Commands()) have.insert(c.resource + " " + c.verb);
  for (const char* want : {"sessions record", "sessions get", "sessions list", "rates ", "load "}) {
    EXPECT_TRUE(have.count(want)) << want;
  }
  // No server at this address: each of these must fail as a usage error (2) before any call.
  auto r = RunArgs({"sessions", "record", "--squad=1", "--kind=match"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--players is required"));
  r = RunArgs({"sessions", "record", "--squad=1", "--kind=picnic", "--players=1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("match, training"));
  r = RunArgs({"sessions", "record", "--squad=1", "--kind=training", "--players=1:90:10"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("PLAYER[:MINUTES[:FULL:CONTROLLED:SET_PIECE]]"));
  EXPECT_EQ(RunArgs({"sessions", "record", "--squad=1", "--kind=training", "--players=1:x"}).code, 2);
  EXPECT_EQ(RunArgs({"sessions", "list"}).code, 2);
  EXPECT_EQ(RunArgs({"sessions", "list", "--squad=1", "--kind=friendly"}).code, 2);
  r = RunArgs({"rates", "--squad=1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("from"));
  EXPECT_EQ(RunArgs({"load", "--from=-7d"}).code, 2);
  // Outcomes by protocol (issue 19 item 8): the squad and the start are required.
  have.count("outcomes ") ? void() : ADD_FAILURE() << "no outcomes command";
  r = RunArgs({"outcomes", "--from=2026-01-01"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("squad"));
  r = RunArgs({"outcomes", "--squad=1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("from"));
  EXPECT_THAT(RunArgs({"help", "outcomes"}).out, HasSubstr("anti-spasm"));
  // BAMIC on a complaint: grade 0-4 and a site letter, refused before any call otherwise.
  r = RunArgs({"complaints", "create", "--player=1", "--side=left", "--onset=2026-01-01",
               "--onset-kind=acute", "--bamic=5z"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--bamic"));
  EXPECT_THAT(RunArgs({"help", "load"}).out, HasSubstr("World Rugby guidance"));
}

}  // namespace
}  // namespace touchline::cli

namespace touchline::cli {
namespace {

TEST(RunCli, AssessmentCommandsExistAndRefuseBadOptionsBeforeCalling) {
  std::set<std::string> have;
  for (const auto& c : Commands()) have.insert(c.resource + " " + c.verb);
  for (const char* want : {"assessments record", "assessments amend", "assessments get", "assessments list"}) {
    EXPECT_TRUE(have.count(want)) << want;
  }
  // No server at this address: each of these must fail as a usage error (2) before any call.
  auto r = RunArgs({"assessments", "record", "--player=1", "--kind=hamstring-yoga"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("slump, straight-leg-raise, nordic"));
  r = RunArgs({"assessments", "record", "--player=1", "--kind=nordic", "--left=lots"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--left: expected a number"));
  r = RunArgs({"assessments", "record", "--player=1", "--kind=nordic", "--left=300/20"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("takes one value"));
  r = RunArgs({"assessments", "record", "--player=1", "--kind=slump", "--symptoms=both"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("left, right or left,right"));
  r = RunArgs({"assessments", "record", "--player=1", "--kind=pelvic-screen", "--rotation=sideways"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("none, left, right"));
  EXPECT_EQ(RunArgs({"assessments", "record", "--kind=nordic"}).code, 2);
  EXPECT_EQ(RunArgs({"assessments", "amend", "--id=1"}).code, 2);  // --reason is required
  EXPECT_EQ(RunArgs({"assessments", "list"}).code, 2);
  EXPECT_THAT(RunArgs({"help", "assessments", "record"}).out, HasSubstr("modified Schober"));
}

TEST(RunCli, FlagsWindowsNeedsASquadOrAPlayer) {
  std::set<std::string> have;
  for (const auto& c : Commands()) have.insert(c.resource + " " + c.verb);
  EXPECT_TRUE(have.count("flags windows"));
  auto r = RunArgs({"flags", "windows"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("exactly one of --player or --squad"));
  EXPECT_EQ(RunArgs({"flags", "windows", "--squad=1", "--as-of=yesterday-ish"}).code, 2);
  EXPECT_THAT(RunArgs({"help", "flags", "windows"}).out, HasSubstr("days left to day 42"));
  EXPECT_EQ(RunArgs({"flags", "list", "--squad=1", "--kind=window-closed"}).code, 2);
}

}  // namespace
}  // namespace touchline::cli

namespace touchline::cli {
namespace {

TEST(RunCli, ReturnToPlayCommandsExistAndRefuseBadOptionsBeforeCalling) {
  std::set<std::string> have;
  for (const auto& c : Commands()) have.insert(c.resource + " " + c.verb);
  for (const char* want : {"rtp create", "rtp get", "rtp date", "rtp add-criterion",
                           "rtp amend-criterion", "rtp mark", "rtp reach"}) {
    EXPECT_TRUE(have.count(want)) << want;
  }
  // No server at this address: each of these must fail as a usage error (2) before any call.
  auto r = RunArgs({"rtp", "reach", "--plan=1", "--stage=halfway"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("participation, sport, performance"));
  r = RunArgs({"rtp", "add-criterion", "--plan=1", "--stage=sport", "--text=x", "--check=vibes"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("eccentric-asymmetry"));
  r = RunArgs({"rtp", "add-criterion", "--plan=1", "--stage=sport", "--text=x", "--threshold=ten"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--threshold: expected a number"));
  EXPECT_EQ(RunArgs({"rtp", "get"}).code, 2);  // --plan or --complaint
  EXPECT_EQ(RunArgs({"rtp", "get", "--plan=1", "--complaint=2"}).code, 2);
  EXPECT_EQ(RunArgs({"rtp", "mark", "--criterion=1"}).code, 2);  // --evidence is required
  EXPECT_EQ(RunArgs({"rtp", "amend-criterion", "--id=1", "--reason=typo"}).code, 2);  // --stage, --text
  EXPECT_EQ(RunArgs({"rtp", "create", "--complaint=1", "--sport=someday"}).code, 2);
  EXPECT_THAT(RunArgs({"help", "rtp", "add-criterion"}).out, HasSubstr("Nordic asymmetry at most N%"));
}

}  // namespace
}  // namespace touchline::cli
