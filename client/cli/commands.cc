// The touchline subcommands: one per RPC.
#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/numbers.h"
#include "client/cli/app.h"
#include "client/cli/context.h"
#include "client/cli/csv.h"
#include "client/cli/enums.h"
#include "client/cli/errors.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "client/cli/writes.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "touchline/v1/audit.grpc.pb.h"
#include "touchline/v1/complaint.grpc.pb.h"
#include "touchline/v1/contact_event.grpc.pb.h"
#include "touchline/v1/exposure.grpc.pb.h"
#include "touchline/v1/flag.grpc.pb.h"
#include "touchline/v1/readiness.grpc.pb.h"
#include "touchline/v1/squad.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

// ---------------------------------------------------------------------------------------------
// Ctx

namespace {

// The first line of a file, without surrounding whitespace; nullopt if unreadable.
std::optional<std::string> FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return std::string(absl::StripAsciiWhitespace(line));
}

}  // namespace

std::shared_ptr<grpc::Channel> Ctx::channel() {
  if (!channel_) channel_ = NewChannel(grpc::ChannelArguments());
  return channel_;
}

std::shared_ptr<grpc::Channel> Ctx::NewChannel(const grpc::ChannelArguments& channel_args) const {
  const GlobalOptions& g = args.global;
  if (g.tls_ca.empty() && g.tls_cert.empty() && g.tls_key.empty()) {
    return grpc::CreateCustomChannel(g.server, grpc::InsecureChannelCredentials(), channel_args);
  }
  grpc::SslCredentialsOptions ssl;  // without --tls-ca: the system's trusted CAs
  std::optional<std::string> ca, cert, key;
  auto read = [&](const std::string& path, const char* what, std::string* out) {
    if (path.empty()) return;
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in || buffer.str().empty()) err << "touchline: cannot read " << what << " " << path << "\n";
    *out = buffer.str();
  };
  read(g.tls_ca, "--tls-ca", &ssl.pem_root_certs);
  read(g.tls_cert, "--tls-cert", &ssl.pem_cert_chain);
  read(g.tls_key, "--tls-key", &ssl.pem_private_key);
  return grpc::CreateCustomChannel(g.server, grpc::SslCredentials(ssl), channel_args);
}

const std::string& Ctx::Token() const {
  if (!token_) {
    token_ = args.global.token;
    if (token_->empty()) token_ = FirstLine(args.global.token_file).value_or("");
  }
  return *token_;
}

void Ctx::Prepare(grpc::ClientContext* context) const {
  if (!Token().empty()) context->AddMetadata("authorization", "Bearer " + Token());
  context->AddMetadata("touchline-user", args.global.user);
  auto micros = static_cast<int64_t>(args.global.timeout_seconds * 1e6);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::microseconds(micros));
}

int Ctx::Usage(const absl::Status& status) const { return Usage(status.message()); }

int Ctx::Usage(absl::string_view message) const {
  err << "touchline: " << message << "\n";
  if (command != nullptr) {
    err << "Run 'touchline " << command->resource << (command->verb.empty() ? "" : " ") << command->verb
        << " --help' for usage.\n";
  } else {
    err << "Run 'touchline help' for usage.\n";
  }
  return kExitUsage;
}

int Ctx::RpcError(const grpc::Status& status) const {
  err << "touchline: " << FormatRpcError(status);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    err << "(is touchline-server running at " << args.global.server << "? set --server or TOUCHLINE_SERVER)\n";
  }
  if (!write_request_id.empty() && (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                                    status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                                    status.error_code() == grpc::StatusCode::CANCELLED)) {
    err << "(the write may or may not have been stored: repeat the same command with --request-id="
        << write_request_id << " and it is stored at most once)\n";
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    err << "(give a token: --token, TOUCHLINE_TOKEN, or the token file " << args.global.token_file
        << " that touchline-server writes beside its database on first start)\n";
  }
  return kExitServerError;
}

void Ctx::PrintJson(const google::protobuf::Message& message) const {
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  std::string json;
  auto st = google::protobuf::util::MessageToJsonString(message, &json, opts);
  if (!st.ok()) {
    err << "touchline: cannot print JSON: " << st.ToString() << "\n";
    return;
  }
  out << json;
  if (json.empty() || json.back() != '\n') out << "\n";
}

namespace {

// ---------------------------------------------------------------------------------------------
// Formatting helpers

std::string TimeText(const google::protobuf::Timestamp& ts, bool has) {
  if (!has) return "";
  return FormatTimeShort(FromTimestamp(ts));
}
#define TL_TIME(msg, field) TimeText((msg).field(), (msg).has_##field())

template <typename T>
std::vector<T> One(const T& x) {
  return {x};
}

std::string YesNo(bool b) { return b ? "yes" : "no"; }

// Prints "Label:  value" lines aligned; empty values are skipped.
void PrintFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t w = 0;
  for (const auto& [k, v] : fields) w = std::max(w, DisplayWidth(k) + 1);
  for (const auto& [k, v] : fields) {
    if (v.empty()) continue;
    out << k << ":" << std::string(w - DisplayWidth(k) - 1 + 2, ' ') << v << "\n";
  }
}

std::string SymptomsText(const v1::Symptoms& s) {
  std::vector<std::string> parts;
  parts.push_back(absl::StrCat("pain ", s.pain(), "/10"));
  if (s.ache()) parts.push_back("ache");
  if (s.tightness()) parts.push_back("tightness");
  if (s.spasm()) parts.push_back("spasm");
  if (s.sleep_disturbance()) parts.push_back("sleep disturbance");
  if (s.inflexibility()) parts.push_back("inflexibility");
  if (s.weakness_against_quadriceps()) parts.push_back("weakness");
  return absl::StrJoin(parts, ", ");
}

std::string FindingsText(const v1::Findings& f) {
  std::vector<std::string> parts;
  if (f.pelvic_rotation()) parts.push_back("pelvic rotation");
  if (f.piriformis_spasm()) parts.push_back("piriformis spasm");
  if (f.lumbar_stiffness()) parts.push_back("lumbar stiffness");
  if (f.thoracic_stiffness()) parts.push_back("thoracic stiffness");
  if (f.sciatic_nerve_tension()) parts.push_back("sciatic nerve tension");
  std::string text = absl::StrJoin(parts, ", ");
  if (!f.notes().empty()) text = text.empty() ? f.notes() : absl::StrCat(text, "; ", f.notes());
  return text;
}

std::string HistoryText(const v1::History& h) {
  std::string text = h.lumbar_disc_herniation() ? "lumbar disc herniation" : "";
  if (!h.notes().empty()) text = text.empty() ? h.notes() : absl::StrCat(text, "; ", h.notes());
  return text;
}

std::string IdList(const google::protobuf::RepeatedField<int64_t>& ids) {
  return absl::StrJoin(ids, ", ");
}

// Player id -> name, looked up lazily (squad-wide when a squad is known).
class PlayerNames {
 public:
  explicit PlayerNames(Ctx& ctx) : ctx_(ctx), stub_(v1::PlayerService::NewStub(ctx.channel())) {}
  void LoadSquad(int64_t squad_id) {
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
  std::string Name(int64_t id) {
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

 private:
  Ctx& ctx_;
  std::unique_ptr<v1::PlayerService::Stub> stub_;
  std::map<int64_t, std::string> names_;
};

// ---------------------------------------------------------------------------------------------
// Calls

template <typename Req, typename Resp>
using Rpc = std::function<grpc::Status(grpc::ClientContext*, const Req&, Resp*)>;

// One unary call; prints the error and returns false on failure.
template <typename Req, typename Resp>
grpc::Status Call(Ctx& ctx, const Rpc<Req, Resp>& rpc, const Req& req, Resp* resp) {
  grpc::ClientContext c;
  ctx.Prepare(&c);
  return rpc(&c, req, resp);
}

// Lists every page into *all (repeated fields appended), unless --page-token asks for one page.
template <typename Req, typename Resp>
grpc::Status ListPages(Ctx& ctx, Req req, const Rpc<Req, Resp>& rpc, Resp* all, int64_t page_size) {
  if (page_size > 0) req.set_page_size(static_cast<int32_t>(page_size));
  auto token = ctx.args.Get("page-token");
  if (token.has_value()) {
    req.set_page_token(*token);
    return Call(ctx, rpc, req, all);
  }
  for (;;) {
    Resp page;
    grpc::Status st = Call(ctx, rpc, req, &page);
    if (!st.ok()) return st;
    all->MergeFrom(page);
    if (page.next_page_token().empty() || page.next_page_token() == req.page_token()) break;
    req.set_page_token(page.next_page_token());
  }
  all->clear_next_page_token();
  return grpc::Status::OK;
}

template <typename Resp>
void PrintNextPage(Ctx& ctx, const Resp& resp) {
  if (!resp.next_page_token().empty() && !ctx.json()) {
    ctx.err << "next page: --page-token=" << resp.next_page_token() << "\n";
  }
}

#define TL_STUB(Service) auto stub = v1::Service::NewStub(ctx.channel())
#define TL_RPC(Method) \
  [&](grpc::ClientContext* c, const auto& rq, auto* rs) { return stub->Method(c, rq, rs); }

// One unary call; a write (a request with a request_id) goes through SendWrite (writes.h).
template <typename Req, typename Resp, typename F>
grpc::Status Unary(Ctx& ctx, F f, const Req& req, Resp* resp) {
  if constexpr (CarriesRequestId<Req>) {
    return SendWrite<Req, Resp>(ctx, req, resp, Rpc<Req, Resp>(f));
  } else {
    return Call<Req, Resp>(ctx, Rpc<Req, Resp>(f), req, resp);
  }
}
template <typename Req, typename Resp, typename F>
grpc::Status Paged(Ctx& ctx, F f, const Req& req, Resp* resp, int64_t page_size) {
  return ListPages<Req, Resp>(ctx, req, Rpc<Req, Resp>(f), resp, page_size);
}

std::string RandomKey() {
  std::random_device rd;
  return absl::StrFormat("cli-%08x%08x%08x%08x", rd(), rd(), rd(), rd());
}

// ---------------------------------------------------------------------------------------------
// Squads

template <typename Range>
void PrintSquads(Ctx& ctx, const Range& squads) {
  Table t({"ID", "NAME", "CREATED", "UPDATED"});
  for (const auto& s : squads) {
    t.AddRow({absl::StrCat(s.id()), s.name(), TL_TIME(s, create_time), TL_TIME(s, update_time)});
  }
  t.Print(ctx.out);
}

int SquadsCreate(Ctx& ctx) {
  TL_ARG(std::string name, ctx.args.Require("name"));
  TL_STUB(SquadService);
  v1::CreateSquadRequest req;
  req.mutable_squad()->set_name(name);
  v1::CreateSquadResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateSquad), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintSquads(ctx, One(resp.squad()));
  return kExitOk;
}

int SquadsGet(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_STUB(SquadService);
  v1::GetSquadRequest req;
  req.set_id(id);
  v1::GetSquadResponse resp;
  auto st = Unary(ctx, TL_RPC(GetSquad), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintSquads(ctx, One(resp.squad()));
  return kExitOk;
}

int SquadsList(Ctx& ctx) {
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  TL_STUB(SquadService);
  v1::ListSquadsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListSquads), v1::ListSquadsRequest(), &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintSquads(ctx, resp.squads());
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int SquadsUpdate(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_ARG(std::string name, ctx.args.Require("name"));
  TL_STUB(SquadService);
  v1::UpdateSquadRequest req;
  req.mutable_squad()->set_id(id);
  req.mutable_squad()->set_name(name);
  req.mutable_update_mask()->add_paths("name");
  v1::UpdateSquadResponse resp;
  auto st = Unary(ctx, TL_RPC(UpdateSquad), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintSquads(ctx, One(resp.squad()));
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Players

template <typename Range>
void PrintPlayers(Ctx& ctx, const Range& players) {
  Table t({"ID", "SQUAD", "NAME", "GROUP", "POSITION", "EXTERNAL ID", "STATUS"});
  for (const auto& p : players) {
    t.AddRow({absl::StrCat(p.id()), absl::StrCat(p.squad_id()), p.name(), Short(p.position_group()), p.position_name(),
              p.external_id(), p.archived() ? absl::StrCat("archived ", TL_TIME(p, archive_time)) : "active"});
  }
  t.Print(ctx.out);
}

int PlayersCreate(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(std::string name, ctx.args.Require("name"));
  TL_ARG(std::string group, ctx.args.Require("group"));
  (void)name;
  (void)group;
  v1::CreatePlayerRequest req;
  req.mutable_player()->set_squad_id(squad);
  std::vector<std::string> mask;
  if (auto s = ApplyPlayerOptions(ctx.args, req.mutable_player(), &mask); !s.ok()) return ctx.Usage(s);
  TL_STUB(PlayerService);
  v1::CreatePlayerResponse resp;
  auto st = Unary(ctx, TL_RPC(CreatePlayer), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintPlayers(ctx, One(resp.player()));
  return kExitOk;
}

int PlayersGet(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_STUB(PlayerService);
  v1::GetPlayerRequest req;
  req.set_id(id);
  v1::GetPlayerResponse resp;
  auto st = Unary(ctx, TL_RPC(GetPlayer), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintPlayers(ctx, One(resp.player()));
  return kExitOk;
}

int PlayersList(Ctx& ctx) {
  TL_ARG(auto squad, ctx.args.GetInt("squad"));
  TL_ARG(auto archived, ctx.args.GetBool("include-archived"));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListPlayersRequest req;
  req.set_squad_id(squad.value_or(0));
  req.set_include_archived(archived.value_or(false));
  TL_STUB(PlayerService);
  v1::ListPlayersResponse resp;
  auto st = Paged(ctx, TL_RPC(ListPlayers), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintPlayers(ctx, resp.players());
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int PlayersUpdate(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  v1::UpdatePlayerRequest req;
  req.mutable_player()->set_id(id);
  std::vector<std::string> mask;
  if (auto s = ApplyPlayerOptions(ctx.args, req.mutable_player(), &mask); !s.ok()) return ctx.Usage(s);
  if (mask.empty()) return ctx.Usage("nothing to update: give --name, --group, --position or --external-id");
  for (const auto& m : mask) req.mutable_update_mask()->add_paths(m);
  TL_STUB(PlayerService);
  v1::UpdatePlayerResponse resp;
  auto st = Unary(ctx, TL_RPC(UpdatePlayer), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintPlayers(ctx, One(resp.player()));
  return kExitOk;
}

int PlayersArchive(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_STUB(PlayerService);
  v1::ArchivePlayerRequest req;
  req.set_id(id);
  v1::ArchivePlayerResponse resp;
  auto st = Unary(ctx, TL_RPC(ArchivePlayer), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintPlayers(ctx, One(resp.player()));
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Contact events

template <typename Range>
void PrintEvents(Ctx& ctx, const Range& events, PlayerNames* names) {
  Table t({"ID", "PLAYER", "TIME", "KIND", "AWKWARD", "SOURCE", "SESSION", "NOTE"});
  for (const auto& e : events) {
    t.AddRow({absl::StrCat(e.id()), names ? names->Name(e.player_id()) : absl::StrCat(e.player_id()),
              TL_TIME(e, occur_time), Short(e.kind()), e.awkward() ? "awkward" : "", Short(e.source()),
              e.session_label(), e.note()});
  }
  t.Print(ctx.out);
}

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
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    PrintEvents(ctx, One(resp.contact_event()), nullptr);
    if (resp.replayed()) ctx.out << "(already recorded under key " << resp.contact_event().idempotency_key() << ")\n";
  }
  return kExitOk;
}

int EventsImport(Ctx& ctx) {
  TL_ARG(std::string file, ctx.args.Require("file"));
  std::string text;
  if (file == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return ctx.Usage(absl::StrCat("cannot read ", file));
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  auto rows = ParseCsv(text);
  if (!rows.ok()) return ctx.Usage(rows.status());
  auto csv_rows = ContactRowsFromCsv(*rows, ctx.now);
  if (!csv_rows.ok()) return ctx.Usage(csv_rows.status());
  TL_STUB(ContactEventService);
  grpc::ClientContext c;
  ctx.Prepare(&c);
  v1::ImportContactEventsResponse resp;
  auto writer = stub->ImportContactEvents(&c, &resp);
  // Every record is sent, in file order, several hundred to a message (one each costs far more per
  // event): the server's rejection index i is data record i.
  constexpr int kEventsPerMessage = 500;
  v1::ImportContactEventsRequest req;
  bool open = true;
  for (const auto& row : *csv_rows) {
    *req.add_contact_events() = row.event;
    if (req.contact_events_size() == kEventsPerMessage) {
      open = writer->Write(req);  // false: the server ended the call, and its status says why
      if (!open) break;
      req.Clear();
    }
  }
  if (open && req.contact_events_size() > 0) writer->Write(req);
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  if (!st.ok()) {
    ctx.err << "touchline: the import ended after " << resp.stored_count()
            << " events were stored; running the same command again is safe (stored events come back "
               "as duplicates)\n";
    return ctx.RpcError(st);
  }
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    ctx.out << "received " << resp.received_count() << ", stored " << resp.stored_count() << ", duplicates "
            << resp.duplicate_count() << ", rejected " << resp.rejected_count() << "\n";
    // ROW: the record's number in the file (a header is row 1); INDEX: the server's position of
    // the event in the stream. Records the CLI could not read are given with the CLI's reason.
    std::map<int64_t, std::pair<std::string, std::string>> rejected;  // index -> key, reason
    for (const auto& r : resp.rejections()) rejected[r.index()] = {r.idempotency_key(), r.reason()};
    for (size_t i = 0; i < csv_rows->size(); ++i) {
      const auto& row = (*csv_rows)[i];
      if (!row.problem.empty()) rejected[static_cast<int64_t>(i)] = {row.event.idempotency_key(), row.problem};
    }
    if (!rejected.empty()) {
      Table t({"ROW", "INDEX", "KEY", "REASON"});
      for (const auto& [index, what] : rejected) {
        const std::string row = index >= 0 && static_cast<size_t>(index) < csv_rows->size()
                                    ? absl::StrCat((*csv_rows)[static_cast<size_t>(index)].record)
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
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  const auto& e = resp.contact_event();
  PlayerNames names(ctx);
  PrintFields(ctx.out, {{"Event", absl::StrCat(e.id())},
                        {"Player", names.Name(e.player_id())},
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

// --player or --squad, exactly one.
absl::Status PlayerOrSquad(const Args& args, int64_t* player, int64_t* squad) {
  auto p = args.GetInt("player");
  if (!p.ok()) return p.status();
  auto s = args.GetInt("squad");
  if (!s.ok()) return s.status();
  if (p->has_value() == s->has_value()) return absl::InvalidArgumentError("give exactly one of --player or --squad");
  *player = p->value_or(0);
  *squad = s->value_or(0);
  return absl::OkStatus();
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
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    PlayerNames names(ctx);
    if (squad) names.LoadSquad(squad);
    PrintEvents(ctx, resp.contact_events(), &names);
    PrintNextPage(ctx, resp);
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Complaints

std::string ComplaintStatus(const v1::Complaint& c) {
  if (c.open()) return "open";
  return absl::StrCat("resolved ", TL_TIME(c, resolve_time));
}

void PrintComplaint(Ctx& ctx, const v1::Complaint& c) {
  PlayerNames names(ctx);
  std::vector<std::pair<std::string, std::string>> f = {
      {"Complaint", absl::StrCat(c.id())},
      {"Player", names.Name(c.player_id())},
      {"Status", ComplaintStatus(c)},
      {"Side", Short(c.side())},
      {"Onset", absl::StrCat(TL_TIME(c, onset_time), " (", Short(c.onset_kind()), ", ", Short(c.mechanism()), ")")},
      {"OSIICS", c.osiics_code()},
      {"Symptoms", SymptomsText(c.symptoms())},
      {"History", HistoryText(c.history())},
      {"Findings", FindingsText(c.findings())},
      {"Pelvic origin", c.suspected_pelvic_origin()
                            ? absl::StrCat("suspected (contact events ", IdList(c.pelvic_origin_event_ids()), ")")
                            : ""},
      {"Recorded", absl::StrCat(TL_TIME(c, create_time), " by ", c.created_by())},
  };
  if (c.has_update_time()) f.push_back({"Amended", absl::StrCat(TL_TIME(c, update_time), " by ", c.updated_by())});
  PrintFields(ctx.out, f);
  if (c.check_ins_size() > 0) {
    ctx.out << "\nCheck-ins:\n";
    Table t({"ID", "TIME", "SYMPTOMS", "BY", "NOTE"});
    for (const auto& ci : c.check_ins()) {
      t.AddRow({absl::StrCat(ci.id()), TL_TIME(ci, check_time), SymptomsText(ci.symptoms()), ci.recorded_by(),
                ci.note()});
    }
    t.Print(ctx.out);
  }
}

int PrintComplaintResponse(Ctx& ctx, const google::protobuf::Message& resp, const v1::Complaint& c) {
  if (ctx.json()) ctx.PrintJson(resp); else PrintComplaint(ctx, c);
  return kExitOk;
}

int ComplaintsCreate(Ctx& ctx) {
  TL_ARG(int64_t player, ctx.args.RequireInt("player"));
  for (const char* required : {"side", "onset", "onset-kind"}) {
    if (!ctx.args.Has(required)) return ctx.Usage(absl::StrCat("missing required option --", required));
  }
  v1::CreateComplaintRequest req;
  req.mutable_complaint()->set_player_id(player);
  std::vector<std::string> mask;
  if (auto s = ApplyComplaintOptions(ctx.args, ctx.now, req.mutable_complaint(), &mask); !s.ok()) return ctx.Usage(s);
  TL_STUB(ComplaintService);
  v1::CreateComplaintResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

absl::StatusOr<int64_t> ComplaintId(const Args& args) {
  if (args.Has("complaint")) return args.RequireInt("complaint");
  if (args.Has("id")) return args.RequireInt("id");
  return absl::InvalidArgumentError("missing required option --complaint (or --id)");
}

int ComplaintsGet(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_STUB(ComplaintService);
  v1::GetComplaintRequest req;
  req.set_id(id);
  v1::GetComplaintResponse resp;
  auto st = Unary(ctx, TL_RPC(GetComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsList(Ctx& ctx) {
  int64_t player = 0, squad = 0;
  if (auto s = PlayerOrSquad(ctx.args, &player, &squad); !s.ok()) return ctx.Usage(s);
  TL_ARG(auto open_only, ctx.args.GetBool("open-only"));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListComplaintsRequest req;
  req.set_player_id(player);
  req.set_squad_id(squad);
  req.set_open_only(open_only.value_or(false));
  TL_STUB(ComplaintService);
  v1::ListComplaintsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListComplaints), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  PlayerNames names(ctx);
  if (squad) names.LoadSquad(squad);
  Table t({"ID", "PLAYER", "SIDE", "ONSET", "KIND", "MECHANISM", "PAIN", "OSIICS", "STATUS", "NOTES"});
  for (const auto& c : resp.complaints()) {
    int pain = c.check_ins_size() > 0 ? c.check_ins(c.check_ins_size() - 1).symptoms().pain() : c.symptoms().pain();
    t.AddRow({absl::StrCat(c.id()), names.Name(c.player_id()), Short(c.side()), TL_TIME(c, onset_time),
              Short(c.onset_kind()), Short(c.mechanism()), absl::StrCat(pain), c.osiics_code(), ComplaintStatus(c),
              c.suspected_pelvic_origin() ? "suspected pelvic origin" : ""});
  }
  t.Print(ctx.out);
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int ComplaintsUpdate(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_STUB(ComplaintService);
  // Read-modify-write so that e.g. --pain=2 keeps the other symptoms.
  v1::GetComplaintRequest get;
  get.set_id(id);
  v1::GetComplaintResponse current;
  auto st = Unary(ctx, TL_RPC(GetComplaint), get, &current);
  if (!st.ok()) return ctx.RpcError(st);
  v1::UpdateComplaintRequest req;
  *req.mutable_complaint() = current.complaint();
  std::vector<std::string> mask;
  if (auto s = ApplyComplaintOptions(ctx.args, ctx.now, req.mutable_complaint(), &mask); !s.ok()) return ctx.Usage(s);
  if (mask.empty()) return ctx.Usage("nothing to update: give the fields to amend (see --help)");
  for (const auto& m : mask) req.mutable_update_mask()->add_paths(m);
  req.set_reason(ctx.args.Get("reason").value_or(""));
  v1::UpdateComplaintResponse resp;
  st = Unary(ctx, TL_RPC(UpdateComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsCheckIn(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  v1::CreateCheckInRequest req;
  req.set_complaint_id(id);
  *req.mutable_check_in()->mutable_check_time() = ToTimestamp(at.value_or(ctx.now));
  req.mutable_check_in()->set_note(ctx.args.Get("note").value_or(""));
  auto sym = ApplySymptomOptions(ctx.args, req.mutable_check_in()->mutable_symptoms());
  if (!sym.ok()) return ctx.Usage(sym.status());
  if (!ctx.args.Has("pain")) return ctx.Usage("missing required option --pain");
  TL_STUB(ComplaintService);
  v1::CreateCheckInResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateCheckIn), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsResolve(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  v1::ResolveComplaintRequest req;
  req.set_complaint_id(id);
  *req.mutable_resolve_time() = ToTimestamp(at.value_or(ctx.now));
  req.set_reason(ctx.args.Get("reason").value_or(""));
  TL_STUB(ComplaintService);
  v1::ResolveComplaintResponse resp;
  auto st = Unary(ctx, TL_RPC(ResolveComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsReopen(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_ARG(std::string reason, ctx.args.Require("reason"));
  v1::ReopenComplaintRequest req;
  req.set_complaint_id(id);
  req.set_reason(reason);
  TL_STUB(ComplaintService);
  v1::ReopenComplaintResponse resp;
  auto st = Unary(ctx, TL_RPC(ReopenComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsHistory(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListAmendmentsRequest req;
  req.set_complaint_id(id);
  TL_STUB(ComplaintService);
  v1::ListAmendmentsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListAmendments), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({"ID", "TIME", "BY", "ACTION", "CHANGES", "REASON"});
  for (const auto& a : resp.amendments()) {
    std::vector<std::string> changes;
    for (const auto& ch : a.changes()) {
      changes.push_back(absl::StrCat(ch.field(), ": ", ch.old_value().empty() ? "(unset)" : ch.old_value(), " -> ",
                                     ch.new_value()));
    }
    t.AddRow({absl::StrCat(a.id()), TL_TIME(a, amend_time), a.amended_by(), Short(a.action()),
              absl::StrJoin(changes, "; "), a.reason()});
  }
  t.Print(ctx.out);
  PrintNextPage(ctx, resp);
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Flags

std::string FlagKindText(const v1::Flag& f) {
  std::string k = Short(f.kind());
  std::vector<std::string> extra;
  if (f.recurrence_timing() != v1::RECURRENCE_TIMING_UNSPECIFIED) extra.push_back(Short(f.recurrence_timing()));
  if (f.episode() > 0) extra.push_back(absl::StrCat("episode ", f.episode()));
  if (!extra.empty()) absl::StrAppend(&k, " (", absl::StrJoin(extra, ", "), ")");
  return k;
}

int FlagsList(Ctx& ctx) {
  int64_t player = 0, squad = 0;
  if (auto s = PlayerOrSquad(ctx.args, &player, &squad); !s.ok()) return ctx.Usage(s);
  TL_ARG(auto as_of, ctx.args.GetTime("as-of", ctx.now));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListFlagsRequest req;
  req.set_player_id(player);
  req.set_squad_id(squad);
  if (as_of) *req.mutable_as_of() = ToTimestamp(*as_of);
  for (const auto& k : ctx.args.GetList("kind")) {
    auto kind = ParseEnum<v1::FlagKind>(k);
    if (!kind.ok()) return ctx.Usage(absl::StrCat("--kind: ", kind.status().message()));
    req.add_kinds(*kind);
  }
  TL_STUB(FlagService);
  v1::ListFlagsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListFlags), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  PlayerNames names(ctx);
  if (squad) names.LoadSquad(squad);
  Table t({"PLAYER", "KIND", "SINCE", "REASON", "COMPLAINTS", "EVENTS"});
  for (const auto& f : resp.flags()) {
    t.AddRow({names.Name(f.player_id()), FlagKindText(f), TL_TIME(f, begin_time), f.reason(), IdList(f.complaint_ids()),
              IdList(f.contact_event_ids())});
  }
  if (t.empty()) {
    ctx.out << "no flags as of " << TL_TIME(resp, as_of) << "\n";
  } else {
    t.Print(ctx.out);
  }
  PrintNextPage(ctx, resp);
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Readiness

std::string OverrideStatus(const v1::ReadinessOverride& o, absl::Time now) {
  if (o.has_clear_time()) return absl::StrCat("cleared ", TL_TIME(o, clear_time), " by ", o.cleared_by());
  if (o.has_expire_time() && FromTimestamp(o.expire_time()) <= now) return "expired";
  if (o.has_start_time() && FromTimestamp(o.start_time()) > now) return "scheduled";
  return "active";
}

template <typename Range>
void PrintOverrides(Ctx& ctx, const Range& list) {
  Table t({"ID", "PLAYER", "AVAILABILITY", "FROM", "UNTIL", "STATUS", "SET BY", "REASON"});
  for (const auto& o : list) {
    t.AddRow({absl::StrCat(o.id()), absl::StrCat(o.player_id()), Short(o.availability()), TL_TIME(o, start_time),
              TL_TIME(o, expire_time), OverrideStatus(o, ctx.now), o.set_by(), o.reason()});
  }
  t.Print(ctx.out);
}

int ReadinessGet(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  v1::GetSquadReadinessRequest req;
  req.set_squad_id(squad);
  if (at) *req.mutable_session_time() = ToTimestamp(*at);
  TL_STUB(ReadinessService);
  v1::GetSquadReadinessResponse resp;
  auto st = Unary(ctx, TL_RPC(GetSquadReadiness), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  // The PROTOCOLS column (each player's PRE/POST summary) appears once any player has one: the
  // full one for the medical staff, the coach-safe labels for a coach (who receives only those).
  auto protocols = [](const v1::PlayerReadiness& p) {
    return p.protocol_summary().empty() ? p.coach_protocol_summary() : p.protocol_summary();
  };
  const bool with_protocols = std::any_of(resp.players().begin(), resp.players().end(),
                                          [&](const auto& p) { return !protocols(p).empty(); });
  Table t(with_protocols ? std::vector<std::string>{"NAME", "GROUP", "AVAILABILITY", "REASONS", "PROTOCOLS"}
                         : std::vector<std::string>{"NAME", "GROUP", "AVAILABILITY", "REASONS"});
  for (const auto& p : resp.players()) {
    std::vector<std::string> reasons;
    for (const auto& r : p.reasons()) {
      std::string text = r.text().empty() ? Short(r.code()) : r.text();
      if (r.code() == v1::READINESS_REASON_CODE_ACTIVE_FLAG && r.text().empty()) {
        text = absl::StrCat("flag ", Short(r.flag_kind()));
      }
      reasons.push_back(text);
    }
    t.AddRow({p.player_name().empty() ? p.player_pseudonym() : p.player_name(), p.position_group(),
              Short(p.availability()), absl::StrJoin(reasons, "; "), protocols(p)});
  }
  t.Print(ctx.out);
  ctx.out << "\n"
          << resp.available_count() << " available, " << resp.modified_count() << " modified, "
          << resp.unavailable_count() << " unavailable (session " << TL_TIME(resp, session_time) << " UTC)\n";
  return kExitOk;
}

int ReadinessOverride(Ctx& ctx) {
  TL_ARG(int64_t player, ctx.args.RequireInt("player"));
  TL_ARG(std::string availability, ctx.args.Require("availability"));
  TL_ARG(std::string reason, ctx.args.Require("reason"));
  TL_ARG(absl::Time until, ctx.args.RequireTime("until", ctx.now));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  v1::CreateReadinessOverrideRequest req;
  auto* o = req.mutable_readiness_override();
  o->set_player_id(player);
  auto a = ParseEnum<v1::Availability>(availability);
  if (!a.ok()) return ctx.Usage(absl::StrCat("--availability: ", a.status().message()));
  o->set_availability(*a);
  o->set_reason(reason);
  *o->mutable_expire_time() = ToTimestamp(until);
  if (from) *o->mutable_start_time() = ToTimestamp(*from);
  TL_STUB(ReadinessService);
  v1::CreateReadinessOverrideResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateReadinessOverride), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintOverrides(ctx, One(resp.readiness_override()));
  return kExitOk;
}

int ReadinessOverrides(Ctx& ctx) {
  TL_ARG(int64_t player, ctx.args.RequireInt("player"));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListReadinessOverridesRequest req;
  req.set_player_id(player);
  TL_STUB(ReadinessService);
  v1::ListReadinessOverridesResponse resp;
  auto st = Paged(ctx, TL_RPC(ListReadinessOverrides), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintOverrides(ctx, resp.readiness_overrides());
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int ReadinessClear(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  v1::ClearReadinessOverrideRequest req;
  req.set_id(id);
  TL_STUB(ReadinessService);
  v1::ClearReadinessOverrideResponse resp;
  auto st = Unary(ctx, TL_RPC(ClearReadinessOverride), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintOverrides(ctx, One(resp.readiness_override()));
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Health

// ---------------------------------------------------------------------------------------------
// Audit (admins)

int AuditList(Ctx& ctx) {
  TL_ARG(auto player, ctx.args.GetInt("player"));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListAuditEventsRequest req;
  req.set_player_id(player.value_or(0));
  req.set_user(ctx.args.Get("by").value_or(""));
  req.set_method(ctx.args.Get("method").value_or(""));
  req.set_outcome(ctx.args.Get("outcome").value_or(""));
  if (from) *req.mutable_start_time() = ToTimestamp(*from);
  if (to) *req.mutable_end_time() = ToTimestamp(*to);
  TL_STUB(AuditService);
  v1::ListAuditEventsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListAuditEvents), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({"ID", "TIME", "USER", "ROLE", "METHOD", "PLAYERS", "SQUAD", "OUTCOME"});
  for (const auto& e : resp.audit_events()) {
    std::string role = v1::Role_Name(e.role());
    if (role.rfind("ROLE_", 0) == 0) role = absl::AsciiStrToLower(role.substr(5));
    t.AddRow({absl::StrCat(e.id()), TL_TIME(e, event_time), e.user(), role, e.method(),
              IdList(e.player_ids()), e.squad_id() ? absl::StrCat(e.squad_id()) : "", e.outcome()});
  }
  if (t.empty()) {
    ctx.out << "no audit events\n";
    return kExitOk;
  }
  t.Print(ctx.out);
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Exposure: sessions, injury rates, weekly contact load

// A player as a person reads it: the name for staff, the pseudonym for analysts (id 0).
template <typename Msg>
std::string Who(PlayerNames& names, const Msg& m) {
  return m.player_id() != 0 ? names.Name(m.player_id()) : m.player_pseudonym();
}

// "--players=7,8:60,9:90:10:20:15": PLAYER[:MINUTES[:FULL:CONTROLLED:SET_PIECE]]; minutes default
// to the session's duration, contact minutes to 0.
absl::Status ParseParticipations(const std::vector<std::string>& specs, int duration, v1::Session* s) {
  for (const std::string& spec : specs) {
    std::vector<std::string> parts = absl::StrSplit(spec, ':');
    if (parts.size() != 1 && parts.size() != 2 && parts.size() != 5) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--players: \"", spec, "\" is not PLAYER[:MINUTES[:FULL:CONTROLLED:SET_PIECE]]"));
    }
    std::vector<int64_t> n;
    for (const auto& part : parts) {
      int64_t v = 0;
      if (!absl::SimpleAtoi(part, &v)) {
        return absl::InvalidArgumentError(absl::StrCat("--players: \"", part, "\" in \"", spec, "\" is not a number"));
      }
      n.push_back(v);
    }
    auto* p = s->add_participations();
    p->set_player_id(n[0]);
    p->set_minutes(static_cast<int32_t>(n.size() > 1 ? n[1] : duration));
    if (n.size() == 5) {
      p->set_full_contact_minutes(static_cast<int32_t>(n[2]));
      p->set_controlled_contact_minutes(static_cast<int32_t>(n[3]));
      p->set_live_set_piece_minutes(static_cast<int32_t>(n[4]));
    }
  }
  return absl::OkStatus();
}

template <typename Range>
void PrintSessions(Ctx& ctx, const Range& sessions) {
  Table t({"ID", "KIND", "START", "MIN", "PLAYERS", "PLAYER-HOURS", "FULL", "CONTROLLED", "SET-PIECE", "TITLE"});
  for (const v1::Session& s : sessions) {
    int64_t minutes = 0, full = 0, controlled = 0, set_piece = 0;
    for (const auto& p : s.participations()) {
      minutes += p.minutes();
      full += p.full_contact_minutes();
      controlled += p.controlled_contact_minutes();
      set_piece += p.live_set_piece_minutes();
    }
    t.AddRow({absl::StrCat(s.id()), Short(s.kind()), TL_TIME(s, start_time), absl::StrCat(s.duration_minutes()),
              absl::StrCat(s.participations_size()), absl::StrFormat("%.1f", static_cast<double>(minutes) / 60.0),
              absl::StrCat(full), absl::StrCat(controlled), absl::StrCat(set_piece), s.title()});
  }
  t.Print(ctx.out);
}

void PrintSession(Ctx& ctx, const v1::Session& s) {
  PrintSessions(ctx, One(s));
  PlayerNames names(ctx);
  ctx.out << "\n";
  Table t({"PLAYER", "MINUTES", "FULL", "CONTROLLED", "SET-PIECE"});
  for (const auto& p : s.participations()) {
    t.AddRow({Who(names, p), absl::StrCat(p.minutes()), absl::StrCat(p.full_contact_minutes()),
              absl::StrCat(p.controlled_contact_minutes()), absl::StrCat(p.live_set_piece_minutes())});
  }
  t.Print(ctx.out);
  if (!s.recorded_by().empty()) ctx.out << "Recorded " << TL_TIME(s, record_time) << " by " << s.recorded_by() << "\n";
}

int SessionsRecord(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(std::string kind_text, ctx.args.Require("kind"));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  TL_ARG(auto duration, ctx.args.GetInt("duration"));
  v1::RecordSessionRequest req;
  v1::Session* s = req.mutable_session();
  s->set_squad_id(squad);
  auto kind = ParseEnum<v1::ExposureKind>(kind_text);
  if (!kind.ok()) return ctx.Usage(absl::StrCat("--kind: ", kind.status().message()));
  s->set_kind(*kind);
  *s->mutable_start_time() = ToTimestamp(at.value_or(ctx.now));
  const int minutes = static_cast<int>(duration.value_or(*kind == v1::EXPOSURE_KIND_MATCH ? 80 : 90));
  s->set_duration_minutes(minutes);
  s->set_title(ctx.args.Get("title").value_or(""));
  s->set_idempotency_key(ctx.args.Get("key").value_or(RandomKey()));
  const auto specs = ctx.args.GetList("players");
  if (specs.empty()) return ctx.Usage("--players is required (PLAYER[:MINUTES[:FULL:CONTROLLED:SET_PIECE]],...)");
  if (auto st = ParseParticipations(specs, minutes, s); !st.ok()) return ctx.Usage(st);
  TL_STUB(ExposureService);
  v1::RecordSessionResponse resp;
  auto st = Unary(ctx, TL_RPC(RecordSession), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    PrintSession(ctx, resp.session());
    if (resp.replayed()) ctx.out << "(already recorded under key " << resp.session().idempotency_key() << ")\n";
  }
  return kExitOk;
}

int SessionsGet(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  v1::GetSessionRequest req;
  req.set_id(id);
  TL_STUB(ExposureService);
  v1::GetSessionResponse resp;
  auto st = Unary(ctx, TL_RPC(GetSession), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) ctx.PrintJson(resp); else PrintSession(ctx, resp.session());
  return kExitOk;
}

int SessionsList(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListSessionsRequest req;
  req.set_squad_id(squad);
  if (from) *req.mutable_start_time() = ToTimestamp(*from);
  if (to) *req.mutable_end_time() = ToTimestamp(*to);
  if (auto kind = ctx.args.Get("kind")) {
    auto k = ParseEnum<v1::ExposureKind>(*kind);
    if (!k.ok()) return ctx.Usage(absl::StrCat("--kind: ", k.status().message()));
    req.set_kind(*k);
  }
  TL_STUB(ExposureService);
  v1::ListSessionsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListSessions), req, &resp, page_size.value_or(1000));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    PrintSessions(ctx, resp.sessions());
    PrintNextPage(ctx, resp);
  }
  return kExitOk;
}

std::string Rate(const v1::InjuryRateCell& c, bool burden) {
  if (burden ? !c.has_burden_per_1000h() : !c.has_incidence_per_1000h()) return "-";
  return absl::StrFormat("%.2f", burden ? c.burden_per_1000h() : c.incidence_per_1000h());
}

int InjuryRatesCommand(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(absl::Time from, ctx.args.RequireTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  v1::GetInjuryRatesRequest req;
  req.set_squad_id(squad);
  *req.mutable_start_time() = ToTimestamp(from);
  *req.mutable_end_time() = ToTimestamp(to.value_or(ctx.now));
  TL_STUB(ExposureService);
  v1::GetInjuryRatesResponse resp;
  auto st = Unary(ctx, TL_RPC(GetInjuryRates), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({"EXPOSURE", "GROUP", "HOURS", "COMPLAINTS", "DAYS-LOST", "PER-1000H", "BURDEN-PER-1000H"});
  for (const auto& [exposure, row] : {std::pair{"match", &resp.match()}, std::pair{"training", &resp.training()},
                                      std::pair{"total", &resp.total()}}) {
    for (const auto& [group, cell] : {std::pair{"forwards", &row->forwards()}, std::pair{"backs", &row->backs()},
                                      std::pair{"all", &row->total()}}) {
      t.AddRow({exposure, group, absl::StrFormat("%.1f", cell->exposure_hours()), absl::StrCat(cell->complaint_count()),
                absl::StrCat(cell->days_lost()), Rate(*cell, false), Rate(*cell, true)});
    }
  }
  t.Print(ctx.out);
  ctx.out << "Hamstring complaints with onset " << FormatDate(from) << " to " << FormatDate(to.value_or(ctx.now))
          << " per 1000 player-hours (IOC 2020); " << resp.open_complaint_count()
          << " still open (days lost counted to " << TL_TIME(resp, as_of_time) << ")\n";
  return kExitOk;
}

int ContactLoadCommand(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(auto player, ctx.args.GetInt("player"));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  v1::GetWeeklyContactLoadRequest req;
  req.set_squad_id(squad);
  req.set_player_id(player.value_or(0));
  *req.mutable_start_time() = ToTimestamp(from.value_or(ctx.now - absl::Hours(24 * 28)));
  *req.mutable_end_time() = ToTimestamp(to.value_or(ctx.now));
  TL_STUB(ExposureService);
  v1::GetWeeklyContactLoadResponse resp;
  auto st = Unary(ctx, TL_RPC(GetWeeklyContactLoad), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  PlayerNames names(ctx);
  names.LoadSquad(squad);
  // A value with "!" when over its limit, so a coach sees why a week is flagged.
  auto cell = [](const v1::WeeklyContactLoad& w, v1::GuidanceLimit limit) {
    for (const auto& c : w.checks()) {
      if (c.limit() == limit) {
        return absl::StrCat(c.actual(), c.status() == v1::GUIDANCE_STATUS_OVER ? "!" : "");
      }
    }
    return std::string("?");
  };
  Table t({"WEEK", "PLAYER", "MATCH-MIN", "TRAINING-MIN", "FULL<=15", "FULL-DAYS<=2", "CONTROLLED<=40",
           "SET-PIECE<=30", "GUIDANCE", "CONTACT-EVENTS"});
  int over = 0;
  for (const v1::WeeklyContactLoad& w : resp.weeks()) {
    std::vector<std::string> counts;
    for (const auto& c : w.contact_counts()) counts.push_back(absl::StrCat(Short(c.kind()), " ", c.count()));
    if (w.status() == v1::GUIDANCE_STATUS_OVER) ++over;
    t.AddRow({FormatDate(FromTimestamp(w.week_start_time())), Who(names, w), absl::StrCat(w.match_minutes()),
              absl::StrCat(w.training_minutes()), cell(w, v1::GUIDANCE_LIMIT_FULL_CONTACT_MINUTES),
              cell(w, v1::GUIDANCE_LIMIT_FULL_CONTACT_DAYS), cell(w, v1::GUIDANCE_LIMIT_CONTROLLED_CONTACT_MINUTES),
              cell(w, v1::GUIDANCE_LIMIT_LIVE_SET_PIECE_MINUTES), Short(w.status()),
              absl::StrCat(w.contact_event_count(), counts.empty() ? "" : " (" + absl::StrJoin(counts, ", ") + ")")});
  }
  if (t.empty()) {
    ctx.out << "no sessions or contact events\n";
    return kExitOk;
  }
  t.Print(ctx.out);
  ctx.out << resp.weeks_size() << " player-weeks from " << FormatDate(FromTimestamp(resp.start_time())) << " to "
          << FormatDate(FromTimestamp(resp.end_time())) << " (ISO weeks, Monday 00:00 UTC); " << over
          << " over the World Rugby training guidance (\"!\" marks the limit exceeded)\n";
  return kExitOk;
}

int Health(Ctx& ctx) {
  auto stub = grpc::health::v1::Health::NewStub(ctx.channel());
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(ctx.args.Get("service").value_or(""));
  grpc::health::v1::HealthCheckResponse resp;
  grpc::ClientContext c;
  ctx.Prepare(&c);
  auto st = stub->Check(&c, req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    ctx.out << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) << "\n";
  }
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk : kExitServerError;
}

int Help(Ctx& ctx) {
  const auto& pos = ctx.args.positional;
  ctx.out << UsageText(pos.size() > 1 ? pos[1] : "", pos.size() > 2 ? pos[2] : "");
  return kExitOk;
}

const std::vector<std::string> kPage = {"page-size", "page-token"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"squads", "create", "--name=NAME", "Create a squad.", {"name"}, SquadsCreate},
      {"squads", "get", "--id=ID", "Show a squad.", {"id"}, SquadsGet},
      {"squads", "list", "[--page-size=N --page-token=T]", "List squads.", kPage, SquadsList},
      {"squads", "update", "--id=ID --name=NAME", "Rename a squad.", {"id", "name"}, SquadsUpdate},

      {"players", "create",
       "--squad=ID --name=NAME --group=forward|back [--position=NAME] [--external-id=X]",
       "Add a player to a squad.", {"squad", "name", "group", "position", "external-id"}, PlayersCreate},
      {"players", "get", "--id=ID", "Show a player.", {"id"}, PlayersGet},
      {"players", "list", "[--squad=ID] [--include-archived] [--page-size=N --page-token=T]",
       "List players (active only unless --include-archived).", With({"squad", "include-archived"}, kPage),
       PlayersList},
      {"players", "update", "--id=ID [--name=NAME] [--group=forward|back] [--position=NAME] [--external-id=X]",
       "Change a player's details (only the fields given).", {"id", "name", "group", "position", "external-id"},
       PlayersUpdate},
      {"players", "archive", "--id=ID", "Archive a player who has left.", {"id"}, PlayersArchive},

      {"events", "record",
       "--player=ID --kind=KIND [--at=TIME] [--session=LABEL] [--awkward] [--source=manual|video|wearable] "
       "[--note=TEXT] [--key=IDEMPOTENCY-KEY]",
       "Record one contact event (a random idempotency key is generated unless --key is given; --at defaults "
       "to now). KIND: tackle-made, tackle-received, collision, ruck, maul, scrum, lineout-lift, "
       "lineout-landing, fall, carry, off-field-lifting.",
       {"player", "kind", "at", "session", "awkward", "source", "note", "key"}, EventsRecord},
      {"events", "import", "--file=PATH|-",
       "Import contact events from CSV (one stream). Columns: player_id,kind,occurred_at,awkward,source,"
       "session_label,idempotency_key,note (a header row is optional; missing keys are derived from the row). "
       "Every row is sent; the rows not stored are listed with their ROW in the file (a header is row 1), the "
       "server's INDEX of the event, and why (exit 1 if any). Running it again is safe: stored rows come back "
       "as duplicates.",
       {"file"}, EventsImport},
      {"events", "get", "--id=ID", "Show a contact event.", {"id"}, EventsGet},
      {"events", "list", "--player=ID|--squad=ID [--from=TIME] [--to=TIME] [--kind=KIND,...] [--page-size=N]",
       "List contact events, oldest first.", With({"player", "squad", "from", "to", "kind"}, kPage), EventsList},

      {"complaints", "create",
       "--player=ID --side=left|right|both --onset=TIME --onset-kind=gradual|acute "
       "[--mechanism=sprinting|kicking|contact|lifting|unknown] [--pain=0-10] [--ache] [--tightness] [--spasm] "
       "[--sleep-disturbance] [--inflexibility] [--weakness] [--osiics=CODE] [--disc-herniation] "
       "[--history=TEXT] [--pelvic-rotation] [--piriformis-spasm] [--lumbar-stiffness] [--thoracic-stiffness] "
       "[--nerve-tension] [--findings=TEXT]",
       "Record a hamstring complaint.", With({"player"}, ComplaintOptionNames()), ComplaintsCreate},
      {"complaints", "get", "--id=ID", "Show a complaint with its check-ins.", {"id", "complaint"}, ComplaintsGet},
      {"complaints", "list", "--player=ID|--squad=ID [--open-only] [--page-size=N]",
       "List complaints by onset.", With({"player", "squad", "open-only"}, kPage), ComplaintsList},
      {"complaints", "update", "--id=ID [any option of 'complaints create'; booleans as --ache=false] [--reason=TEXT]",
       "Amend a complaint; the update mask is built from the options given.",
       With({"id", "complaint", "reason"}, ComplaintOptionNames()), ComplaintsUpdate},
      {"complaints", "check-in",
       "--complaint=ID --pain=0-10 [--at=TIME] [--ache] [--tightness] [--spasm] [--sleep-disturbance] "
       "[--inflexibility] [--weakness] [--note=TEXT]",
       "Add a symptom check-in (--at defaults to now).",
       With({"complaint", "id", "at", "note"}, SymptomOptionNames()), ComplaintsCheckIn},
      {"complaints", "resolve", "--complaint=ID [--at=TIME] [--reason=TEXT]",
       "Record return to full participation (--at defaults to now).", {"complaint", "id", "at", "reason"},
       ComplaintsResolve},
      {"complaints", "reopen", "--complaint=ID --reason=TEXT", "Reopen a resolved complaint.",
       {"complaint", "id", "reason"}, ComplaintsReopen},
      {"complaints", "history", "--complaint=ID [--page-size=N]", "Show the amendment history of a complaint.",
       With({"complaint", "id"}, kPage), ComplaintsHistory},

      {"flags", "list",
       "--squad=ID|--player=ID [--as-of=TIME] [--kind=persistent,recurrent,exacerbation,suspected-pelvic-origin]",
       "List flags active at an instant (default now).", With({"squad", "player", "as-of", "kind"}, kPage),
       FlagsList},
      {"flags", "watch", "[--squad=ID] [--after=SEQUENCE] [--max-events=N]",
       "Print flag changes (raised, changed, cleared, acknowledged) as they happen, first those after "
       "--after; reconnects with backoff and resumes from the last sequence seen. Runs until stopped "
       "(or N changes).",
       {"squad", "after", "max-events"}, FlagsWatch},
      {"flags", "ack", "--player=ID --kind=KIND --complaint=ID [--note=TEXT]",
       "Acknowledge a flag holding now (who from --user, when from the server).",
       {"player", "kind", "complaint", "note"}, FlagsAck},

      {"readiness", "get", "--squad=ID [--at=TIME]", "Who can train at a session (default now).", {"squad", "at"},
       ReadinessGet},
      {"readiness", "override",
       "--player=ID --availability=available|modified|unavailable --reason=TEXT --until=TIME [--from=TIME]",
       "Override a player's availability until a time.", {"player", "availability", "reason", "until", "from"},
       ReadinessOverride},
      {"readiness", "overrides", "--player=ID [--page-size=N]", "List a player's overrides, newest first.",
       With({"player"}, kPage), ReadinessOverrides},
      {"readiness", "clear", "--id=ID", "End an override early.", {"id"}, ReadinessClear},

      {"sessions", "record",
       "--squad=ID --kind=match|training --players=PLAYER[:MIN[:FULL:CONTROLLED:SET_PIECE]],... [--at=TIME] "
       "[--duration=MIN] [--title=TEXT] [--key=KEY]",
       "Record a session and each player's minutes (default: the whole session; 80-min match, 90-min training). "
       "Training may give contact drill minutes by World Rugby category.",
       {"squad", "kind", "players", "at", "duration", "title", "key"}, SessionsRecord},
      {"sessions", "get", "--id=ID", "Show a session with each player's minutes.", {"id"}, SessionsGet},
      {"sessions", "list", "--squad=ID [--from=TIME] [--to=TIME] [--kind=match|training] [--page-size=N]",
       "List a squad's sessions by start time.", With({"squad", "from", "to", "kind"}, kPage), SessionsList},
      {"rates", "", "--squad=ID --from=TIME [--to=TIME]",
       "Hamstring complaint incidence and burden per 1000 player-hours, match/training x forwards/backs.",
       {"squad", "from", "to"}, InjuryRatesCommand},
      {"load", "", "--squad=ID [--player=ID] [--from=TIME] [--to=TIME]",
       "Contact load per player and ISO week (default the last 28 days) against the World Rugby guidance.",
       {"squad", "player", "from", "to"}, ContactLoadCommand},

      {"protocols", "assign", "--player=ID|--squad=ID [--session=LABEL] [--kind=training|match|recovery|gym] [--at=TIME]",
       "Assign PRE/POST protocols from the loaded plugins for a session (default now).",
       {"player", "squad", "session", "kind", "at"}, ProtocolsAssign},
      {"protocols", "list", "--player=ID [--page-size=N]", "List a player's assignments, newest first, with adherence.",
       With({"player"}, kPage), ProtocolsList},
      {"protocols", "adherence",
       "--assignment=ID|--prescription=ID --status=done|partly|not-done [--pain=0-10] [--note=TEXT]",
       "Record adherence (appended; the latest report counts).",
       {"assignment", "prescription", "status", "pain", "note"}, ProtocolsAdherence},
      {"protocols", "plugins", "", "List loaded and refused protocol plugins.", {}, ProtocolsPlugins},
      {"audit", "list",
       "[--player=ID] [--by=USER] [--method=/touchline.v1.S/M] [--outcome=CODE] [--from=TIME] [--to=TIME]",
       "List audit events (who read or wrote medical data), newest first; admins only.",
       With({"player", "by", "method", "outcome", "from", "to"}, kPage), AuditList},

      {"export", "",
       "[--squad=ID] [--from=TIME] [--to=TIME] [--kinds=contact-event,complaint,session] [--cursor=C] "
       "[--cursor-file=PATH] [--batch-size=N] [--retries=5]",
       "Export records for analysis as JSON lines on stdout, one record per line (contact events "
       "filtered on their time, complaints on their onset; every squad unless --squad). The cursor "
       "after the last record written is saved in --cursor-file (and read from it when --cursor is "
       "not given) and printed on stderr: run the same command again to get only what is new.",
       {"squad", "from", "to", "kinds", "cursor", "cursor-file", "batch-size", "retries"},
       ExportRecords},
      {"health", "", "[--service=NAME]", "Check the server's health (grpc.health.v1); prints SERVING.",
       {"service"}, Health},
      {"seed", "", "[--players=50] [--seed=42] [--now=TIME] [--name=\"First XV\"]",
       "Load a deterministic synthetic squad, a season of contact events and complaints.",
       {"players", "seed", "now", "name"}, RunSeed},
      {"help", "", "[RESOURCE [VERB]]", "Show usage.", {}, Help},
  };
  return *commands;
}

std::string UsageText(absl::string_view resource, absl::string_view verb) {
  std::string out;
  auto line = [&](const Command& c) {
    absl::StrAppend(&out, "  touchline ", c.resource, c.verb.empty() ? "" : " ", c.verb, " ", c.synopsis, "\n      ",
                    c.summary, "\n");
  };
  bool any = false;
  if (!resource.empty()) {
    for (const auto& c : Commands()) {
      if (c.resource == resource && (verb.empty() || c.verb == verb)) {
        if (!any) out += "Usage:\n";
        line(c);
        any = true;
      }
    }
  }
  if (!any) {
    out += "touchline: command-line client for the Touchline server.\n\nUsage: touchline [GLOBAL OPTIONS] "
           "RESOURCE VERB [--option=value ...]\n\nCommands:\n";
    for (const auto& c : Commands()) line(c);
  }
  out +=
      "\nGlobal options (before or after the command):\n"
      "  --server=HOST:PORT  server address (default $TOUCHLINE_SERVER, else 127.0.0.1:50051)\n"
      "  --user=NAME         informational; the server records the user of the token\n"
      "  --token=TOKEN       bearer token (default $TOUCHLINE_TOKEN, else the token file)\n"
      "  --token-file=PATH   default $TOUCHLINE_TOKEN_FILE, else ./touchline.db.token (written by the\n"
      "                      server on first start)\n"
      "  --tls-ca=PEM        connect with TLS, trusting this CA (deploy/certs.sh makes one)\n"
      "  --tls-cert=PEM --tls-key=PEM  client certificate for mutual TLS\n"
      "  --json              print responses in the protobuf JSON mapping\n"
      "  --timeout=SECONDS   call deadline (default 30)\n"
      "  --request-id=ID     the id a write is sent with (default: a fresh UUID, reused when the CLI\n"
      "                      retries an unreachable server); repeat a write whose outcome you did not\n"
      "                      learn with the id the error printed, and it is stored at most once\n"
      "  --help              show usage\n"
      "Options take --key=value or --key value. TIME is RFC 3339 (2026-11-21T15:10:00Z), a date\n"
      "(2026-11-21, midnight UTC), now, or relative to now (-3d, +2h, -90m). List commands print every\n"
      "page unless --page-token is given. Exit status: 0 ok, 1 server error, 2 usage error.\n";
  return out;
}

int RunCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, const Environment& env) {
  auto parsed = ParseArgs(argv, env);
  if (!parsed.ok()) {
    err << "touchline: " << parsed.status().message() << "\nRun 'touchline help' for usage.\n";
    return kExitUsage;
  }
  const Args& args = *parsed;
  Ctx ctx(args, out, err, absl::Now());
  const auto& pos = args.positional;
  if (pos.empty()) {
    if (args.global.help) {
      out << UsageText();
      return kExitOk;
    }
    err << UsageText();
    return kExitUsage;
  }
  const std::string& resource = pos[0];
  bool known_resource = false;
  for (const auto& c : Commands()) known_resource = known_resource || c.resource == resource;
  if (!known_resource) return ctx.Usage(absl::StrCat("unknown command \"", resource, "\""));
  const Command* cmd = nullptr;
  for (const auto& c : Commands()) {
    if (c.resource != resource) continue;
    if (c.verb.empty() || (pos.size() > 1 && c.verb == pos[1])) {
      cmd = &c;
      break;
    }
  }
  if (cmd == nullptr) {
    if (args.global.help) {
      out << UsageText(resource);
      return kExitOk;
    }
    err << "touchline: " << (pos.size() > 1 ? absl::StrCat("unknown verb \"", pos[1], "\" for ") : "missing verb for ")
        << resource << "\n"
        << UsageText(resource);
    return kExitUsage;
  }
  ctx.command = cmd;
  if (args.global.help) {
    out << UsageText(cmd->resource, cmd->verb);
    return kExitOk;
  }
  size_t used = cmd->verb.empty() ? 1 : 2;
  if (cmd->resource != "help" && pos.size() > used) {
    return ctx.Usage(absl::StrCat("unexpected argument \"", pos[used], "\""));
  }
  std::set<std::string, std::less<>> allowed(cmd->options.begin(), cmd->options.end());
  auto unknown = args.UnknownOptions(allowed);
  if (!unknown.empty()) return ctx.Usage(absl::StrCat("unknown option --", unknown[0]));
  return cmd->handler(ctx);
}

}  // namespace touchline::cli
