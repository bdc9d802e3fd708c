// touchline export: the server's resumable export as JSON lines on stdout, one record per line.
// The cursor after the last record written is kept in --cursor-file (replaced atomically after the
// records it covers are flushed) and printed on stderr at the end, so a pipeline that stops for
// any reason resumes where it stopped; a dropped connection is resumed here, from that cursor.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/errors.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/timeparse.h"
#include "google/protobuf/util/json_util.h"
#include "touchline/v1/export.grpc.pb.h"

namespace touchline::cli {
namespace {

namespace v1 = touchline::v1;

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(500);
constexpr absl::Duration kMaxBackoff = absl::Seconds(30);

std::string ReadCursorFile(const std::string& path) {
  std::ifstream in(path);
  std::string cursor;
  std::getline(in, cursor);
  return std::string(absl::StripAsciiWhitespace(cursor));
}

// Write-then-rename: the file always holds a whole cursor, the old one or the new one.
bool WriteCursorFile(const std::string& path, const std::string& cursor) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << cursor << "\n";
    out.flush();
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Errors a reconnect cannot fix.
bool IsTransient(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

}  // namespace

int ExportRecords(Ctx& ctx) {
  TL_ARG(auto squad, ctx.args.GetInt("squad"));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  TL_ARG(auto batch_size, ctx.args.GetInt("batch-size"));
  TL_ARG(auto retries, ctx.args.GetInt("retries"));
  if (squad.value_or(0) < 0) return ctx.Usage("--squad must not be negative (0: every squad)");
  if (retries.value_or(0) < 0) return ctx.Usage("--retries must not be negative");
  v1::ExportRecordsRequest req;
  req.set_squad_id(squad.value_or(0));
  if (from) *req.mutable_start_time() = ToTimestamp(*from);
  if (to) *req.mutable_end_time() = ToTimestamp(*to);
  req.set_batch_size(static_cast<int32_t>(batch_size.value_or(0)));
  for (const auto& k : ctx.args.GetList("kinds")) {
    auto kind = ParseEnum<v1::RecordKind>(k);
    if (!kind.ok()) return ctx.Usage(absl::StrCat("--kinds: ", kind.status().message()));
    req.add_kinds(*kind);
  }
  TL_ARG(auto resume, ctx.args.GetBool("resume"));
  TL_ARG(auto force, ctx.args.GetBool("force"));
  const std::string cursor_file = ctx.args.Get("cursor-file").value_or("");
  std::string cursor = ctx.args.Get("cursor").value_or("");
  // --file: the records go to a file, which is never overwritten by accident: an existing one is
  // appended to with --resume (from the cursor of the run that wrote it) or replaced with --force.
  const std::string path = ctx.args.Get("file").value_or("");
  if (resume.value_or(false) && force.value_or(false)) return ctx.Usage("give --resume or --force, not both");
  if ((resume || force) && path.empty()) return ctx.Usage("--resume and --force are for --file");
  std::ofstream file;
  if (!path.empty()) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0;
    if (exists && !resume.value_or(false) && !force.value_or(false)) {
      return ctx.Usage(absl::StrCat(path, " exists: give --resume to add what is new since --cursor-file (or "
                                          "--cursor), or --force to overwrite it"));
    }
    if (exists && resume.value_or(false) && cursor.empty() && ReadCursorFile(cursor_file).empty()) {
      return ctx.Usage(absl::StrCat("--resume: no cursor to resume ", path, " from: give --cursor-file or --cursor"));
    }
    file.open(path, resume.value_or(false) ? std::ios::app : std::ios::trunc);
    if (!file) return ctx.Usage(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  // --force starts over: the cursor file of the run being replaced is not read.
  if (cursor.empty() && !cursor_file.empty() && !force.value_or(false)) cursor = ReadCursorFile(cursor_file);
  std::ostream& out = path.empty() ? ctx.out : file;

  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  auto stub = v1::ExportService::NewStub(ctx.channel());
  int64_t written = 0;
  int failures = 0;
  absl::Duration backoff = kFirstBackoff;
  for (;;) {
    grpc::ClientContext call;  // no deadline: a season's export may take a while
    if (!ctx.Token().empty()) call.AddMetadata("authorization", "Bearer " + ctx.Token());
    call.AddMetadata("touchline-user", ctx.args.global.user);
    req.set_cursor(cursor);
    auto reader = stub->ExportRecords(&call, req);
    v1::ExportRecordsResponse message;
    while (reader->Read(&message)) {
      for (const auto& record : message.records()) {
        std::string line;
        if (!google::protobuf::util::MessageToJsonString(record, &line, json).ok()) {
          call.TryCancel();
          reader->Finish();
          ctx.err << "touchline: cannot print a record as JSON\n";
          return kExitServerError;
        }
        out << line << "\n";
        ++written;
      }
      out.flush();
      if (!out) {
        call.TryCancel();
        reader->Finish();
        ctx.err << "touchline: cannot write " << (path.empty() ? "stdout" : path) << "\n";
        return kExitServerError;
      }
      // Only once its records are out is the cursor after them kept.
      cursor = message.cursor();
      if (!cursor_file.empty() && !WriteCursorFile(cursor_file, cursor)) {
        call.TryCancel();
        reader->Finish();
        ctx.err << "touchline: cannot write the cursor to " << cursor_file << "\n";
        return kExitServerError;
      }
      failures = 0;
      backoff = kFirstBackoff;
    }
    const grpc::Status status = reader->Finish();
    if (status.ok()) break;
    if (!IsTransient(status.error_code()) || failures >= retries.value_or(5)) {
      if (!cursor.empty()) ctx.err << "touchline: resume with --cursor=" << cursor << "\n";
      return ctx.RpcError(status);
    }
    ++failures;
    ctx.err << "touchline: export interrupted (" << StatusCodeName(status.error_code()) << ": "
            << status.error_message() << "); resuming in " << absl::FormatDuration(backoff)
            << "\n";
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  ctx.err << "touchline: exported " << written << " records; next time, --cursor="
          << (cursor.empty() ? "\"\"" : cursor) << " fetches only what is stored since\n";
  return kExitOk;
}

}  // namespace touchline::cli
