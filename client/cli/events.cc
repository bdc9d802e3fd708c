// touchline events ...: record one, import a CSV file (one stream), get, list.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include "absl/strings/str_cat.h"
#include "client/cli/calls.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "client/cli/csv.h"
#include "touchline/v1/contact_event.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

namespace {

template <typename Range>
void PrintEvents(Ctx& ctx, const Range& events, PlayerNames* names) {
  Table t({"ID", "PLAYER", "TIME", "KIND", "AWKWARD", "SOURCE", "SESSION", "NOTE"});
  for (const auto& e : events) {
    t.AddRow({absl::StrCat(e.id()), Who(names, e), TL_TIME(e, occur_time), Short(e.kind()),
              e.awkward() ? "awkward" : "", Short(e.source()), e.session_label(), Brief(ctx, e.note())});
  }
  PrintTable(ctx, t, "no contact events");
}

}  // namespace

int EventsRecord(Ctx& ctx) {
  TL_ARG(int64_t player, ctx.args.RequireInt("player"));
  TL_ARG(std::string kind_text, ctx.args.Require("kind"));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  TL_ARG(auto awkward, ctx.args.GetBool("awkward"));
  v1::CreateContactEventRequest req;
  auto* e = req.mutable_contact_event();
  e->set_player_id(player);
  auto kind = ParseEnum<v1::ContactKind>(kind_text);
  if (!kind.ok()) return ctx.Usage(absl::StrCat("--kind: ", kind.status().message()));
  e->set_kind(*kind);
  *e->mutable_occur_time() = ToTimestamp(at.value_or(ctx.now));
  e->set_awkward(awkward.value_or(false));
  if (auto src = ctx.args.Get("source")) {
    auto s = ParseEnum<v1::ContactSource>(*src);
    if (!s.ok()) return ctx.Usage(absl::StrCat("--source: ", s.status().message()));
    e->set_source(*s);
  } else {
    e->set_source(v1::CONTACT_SOURCE_MANUAL);
  }
  e->set_session_label(ctx.args.Get("session").value_or(""));
  e->set_note(ctx.args.Get("note").value_or(""));
  e->set_idempotency_key(ctx.args.Get("key").value_or(RandomKey()));
  TL_STUB(ContactEventService);
  v1::CreateContactEventResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateContactEvent), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    PrintEvents(ctx, One(resp.contact_event()), nullptr);
    if (resp.replayed()) ctx.out << "(already recorded under key " << resp.contact_event().idempotency_key() << ")\n";
  }
  return kExitOk;
}

namespace {

// What is left to read of `fd`, into `text`.
bool ReadRest(int fd, std::string* text) {
  size_t size = 0;
  for (;;) {
    if (text->size() < size + 1) text->resize(std::max<size_t>(size_t{1} << 20, text->size() * 2));
    const ssize_t got = ::read(fd, text->data() + size, text->size() - size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      text->resize(size);
      return got == 0;
    }
    size += static_cast<size_t>(got);
  }
}

// The quotes in the file `fd`, read a block at a time from its start.
bool CountFileQuotes(int fd, size_t* quotes) {
  std::string block(size_t{1} << 20, '\0');
  for (off_t at = 0;;) {
    const ssize_t got = ::pread(fd, block.data(), block.size(), at);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return got == 0;
    at += got;
    *quotes += CountQuotes(absl::string_view(block.data(), static_cast<size_t>(got)));
  }
}

// The file to import, or standard input for "-"; -1 (errno set) when it cannot be opened.
int OpenInput(const std::string& file) {
  return file == "-" ? 0 : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
}

struct ClosesFd {
  int fd;
  ~ClosesFd() {
    if (fd > 0) ::close(fd);
  }
};

}  // namespace

int EventsImport(Ctx& ctx) {
  TL_ARG(std::string file, ctx.args.Require("file"));
  const ClosesFd in{OpenInput(file)};
  const bool from_stdin = in.fd == 0;
  auto cannot_read = [&] {
    return ctx.Usage(absl::StrCat("cannot read ", file, ": ", std::strerror(errno)));
  };
  if (in.fd < 0) return cannot_read();
  // Refused before anything is sent: a quote that is never closed (it would swallow every row
  // after it), a header that cannot be mapped. A file is read a block at a time: for its quotes,
  // then for its records, as the messages are sent (the file is never held whole: a copy of a
  // large file cost more than reading its rows); standard input is read whole first.
  struct stat file_stat {};
  std::string text;
  absl::StatusOr<std::unique_ptr<ContactCsvReader>> reader;
  if (!from_stdin && ::fstat(in.fd, &file_stat) == 0 && S_ISREG(file_stat.st_mode)) {
    size_t quotes = 0;
    if (!CountFileQuotes(in.fd, &quotes)) return cannot_read();
    if (auto checked = CheckCsvQuotes(quotes); !checked.ok()) return ctx.Usage(checked);
    reader = ContactCsvReader::Start(in.fd, ctx.now);
  } else {
    if (!ReadRest(in.fd, &text)) return cannot_read();
    if (auto checked = CheckCsvQuotes(text); !checked.ok()) return ctx.Usage(checked);
    reader = ContactCsvReader::Start(text, ctx.now);
  }
  if (!reader.ok()) return ctx.Usage(reader.status());
  if (const int e = (*reader)->read_error(); e != 0) {
    errno = e;
    return cannot_read();
  }
  TL_STUB(ContactEventService);
  grpc::ClientContext c;
  ctx.Prepare(&c);
  v1::ImportContactEventsResponse resp;
  auto writer = stub->ImportContactEvents(&c, &resp);
  // Every record is sent, in file order, several hundred to a message (one each costs far more per
  // event): the server's rejection index i is data record i. Records are read a message at a
  // time, straight into the message (its events reused from one message to the next), so the
  // next message is read while the server stores the last; nothing of the file is kept but the
  // records that could not be read.
  constexpr int kEventsPerMessage = 500;
  std::vector<CsvProblem> problems;
  v1::ImportContactEventsRequest req;
  bool open = true;
  while (open && (*reader)->Next(kEventsPerMessage, req.mutable_contact_events(), &problems)) {
    open = writer->Write(req);  // false: the server ended the call, and its status says why
    req.Clear();
  }
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  if (!st.ok()) {
    ctx.err << "touchline: the import ended after " << resp.stored_count()
            << " events were stored; running the same command again is safe (stored events come back "
               "as duplicates)\n";
    return ctx.RpcError(st);
  }
  if (const int e = (*reader)->read_error(); e != 0) {
    // What was read was sent and is answered below; what follows in the file was not.
    ctx.err << "touchline: reading " << file << " failed after its row "
            << (*reader)->RecordOf((*reader)->read()) - 1 << ": " << std::strerror(e)
            << "; the rows before it were imported, none after; running the same command again is "
               "safe (stored events come back as duplicates)\n";
  }
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    ctx.out << "received " << resp.received_count() << ", stored " << resp.stored_count() << ", duplicates "
            << resp.duplicate_count() << ", rejected " << resp.rejected_count() << "\n";
    // ROW: the record's number in the file (a header is row 1); INDEX: the server's position of
    // the event in the stream. Records the CLI could not read are given with the CLI's reason.
    std::map<int64_t, std::pair<std::string, std::string>> rejected;  // index -> key, reason
    for (const auto& r : resp.rejections()) rejected[r.index()] = {r.idempotency_key(), r.reason()};
    for (const CsvProblem& p : problems) {
      rejected[static_cast<int64_t>(p.index)] = {p.idempotency_key, p.reason};
    }
    if (!rejected.empty()) {
      Table t({"ROW", "INDEX", "KEY", "REASON"});
      for (const auto& [index, what] : rejected) {
        const std::string row = index >= 0 && static_cast<size_t>(index) < (*reader)->read()
                                    ? absl::StrCat((*reader)->RecordOf(static_cast<size_t>(index)))
                                    : "?";
        t.AddRow({row, absl::StrCat(index), what.first, what.second});
      }
      t.Print(ctx.out);
      if (resp.rejected_count() > static_cast<int64_t>(rejected.size())) {
        ctx.out << "(the server lists its first " << resp.rejections_size() << " rejections of "
                << resp.rejected_count() << ")\n";
      }
    }
  }
  if ((*reader)->read_error() != 0) return kExitServerError;
  return resp.rejected_count() > 0 ? kExitServerError : kExitOk;
}

int EventsGet(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_STUB(ContactEventService);
  v1::GetContactEventRequest req;
  req.set_id(id);
  v1::GetContactEventResponse resp;
  auto st = Unary(ctx, TL_RPC(GetContactEvent), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  const auto& e = resp.contact_event();
  PlayerNames names(ctx);
  PrintFields(ctx.out, {{"Event", absl::StrCat(e.id())},
                        {"Player", Who(names, e)},
                        {"Kind", Short(e.kind())},
                        {"Time", TL_TIME(e, occur_time)},
                        {"Awkward", YesNo(e.awkward())},
                        {"Source", Short(e.source())},
                        {"Session", e.session_label()},
                        {"Note", e.note()},
                        {"Key", e.idempotency_key()},
                        {"Recorded", absl::StrCat(TL_TIME(e, record_time), " by ", e.recorded_by())}});
  return kExitOk;
}

int EventsList(Ctx& ctx) {
  int64_t player = 0, squad = 0;
  if (auto s = PlayerOrSquad(ctx.args, &player, &squad); !s.ok()) return ctx.Usage(s);
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListContactEventsRequest req;
  req.set_player_id(player);
  req.set_squad_id(squad);
  if (from) *req.mutable_start_time() = ToTimestamp(*from);
  if (to) *req.mutable_end_time() = ToTimestamp(*to);
  for (const auto& k : ctx.args.GetList("kind")) {
    auto kind = ParseEnum<v1::ContactKind>(k);
    if (!kind.ok()) return ctx.Usage(absl::StrCat("--kind: ", kind.status().message()));
    req.add_kinds(*kind);
  }
  TL_STUB(ContactEventService);
  v1::ListContactEventsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListContactEvents), req, &resp, page_size.value_or(1000));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    PlayerNames names(ctx);
    if (squad) names.LoadSquad(squad);
    PrintEvents(ctx, resp.contact_events(), &names);
    PrintNextPage(ctx, resp);
  }
  return kExitOk;
}

}  // namespace touchline::cli
