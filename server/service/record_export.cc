#include "server/service/record_export.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "server/common/field_checks.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/service/complaint_records.h"
#include "server/service/exposure_desk.h"
#include "server/service/proto_mapping.h"
#include "server/storage/record_store.h"
#include "server/storage/session_store.h"

namespace touchline::service {
namespace {

constexpr int kDefaultBatchSize = 500;
constexpr int kMaxBatchSize = 1000;
// Messages are cut at about this size (a complaint with a long check-in history is large), well
// under the server's 4 MiB message limit.
constexpr size_t kMessageBytes = 1 << 20;

// One record read for export, with the id that orders it within its kind.
struct Numbered {
  domain::Id id = 0;
  v1::ExportRecord record;
};

using Reader = std::vector<Numbered> (*)(storage::Transaction&, const storage::ExportFilter&,
                                         domain::Id after_id, domain::Id up_to_id, int limit,
                                         const ServiceOptions&);

std::vector<Numbered> ReadContactEvents(storage::Transaction& conn,
                                        const storage::ExportFilter& filter, domain::Id after_id,
                                        domain::Id up_to_id, int limit, const ServiceOptions&) {
  std::vector<Numbered> out;
  for (const auto& row :
       storage::ListContactEventsForExport(conn, filter, after_id, up_to_id, limit)) {
    Numbered& n = out.emplace_back();
    n.id = row.record.id;
    ToProto(row.record, n.record.mutable_contact_event());
    n.record.set_squad_id(row.squad_id);
    n.record.set_revision(1);  // contact events are never changed once stored
  }
  return out;
}

std::vector<Numbered> ReadComplaints(storage::Transaction& conn, const storage::ExportFilter& filter,
                                     domain::Id after_id, domain::Id up_to_id, int limit,
                                     const ServiceOptions& options) {
  const auto rows = storage::ListComplaintsForExport(conn, filter, after_id, up_to_id, limit);
  std::vector<domain::Id> ids;
  for (const auto& row : rows) ids.push_back(row.record.id);
  const auto counts = storage::CountAmendments(conn, ids);
  const std::map<domain::Id, int64_t> revisions(counts.begin(), counts.end());
  std::vector<Numbered> out;
  for (const auto& row : rows) {
    Numbered& n = out.emplace_back();
    n.id = row.record.id;
    PresentComplaint(conn, row.record, options.thresholds, n.record.mutable_complaint());
    n.record.set_squad_id(row.squad_id);
    const auto it = revisions.find(row.record.id);
    n.record.set_revision(it == revisions.end() ? 1 : std::max<int64_t>(1, it->second));
  }
  return out;
}

std::vector<Numbered> ReadSessions(storage::Transaction& conn, const storage::ExportFilter& filter,
                                   domain::Id after_id, domain::Id up_to_id, int limit,
                                   const ServiceOptions&) {
  std::vector<Numbered> out;
  for (const auto& session :
       storage::ListSessionsForExport(conn, filter, after_id, up_to_id, limit)) {
    Numbered& n = out.emplace_back();
    n.id = session.id;
    ToProto(session, n.record.mutable_session());
    n.record.set_squad_id(session.squad_id);
    n.record.set_revision(1);  // sessions are records: never changed once stored
  }
  return out;
}

// The record kinds, in stream order. A new kind (e.g. training sessions) is one more row here and
// a reader like the two above.
struct KindSpec {
  v1::RecordKind kind;
  bool coach_may_export;  // coaches never see complaints (clinical); contact events they record
  domain::Id (*last_id)(storage::Transaction&);
  Reader read;
};
constexpr KindSpec kExportKinds[] = {
    {v1::RECORD_KIND_CONTACT_EVENT, true, storage::LastContactEventId, ReadContactEvents},
    {v1::RECORD_KIND_COMPLAINT, false, storage::LastComplaintId, ReadComplaints},
    // Coaches record and read sessions (minutes and contact drills are not clinical).
    {v1::RECORD_KIND_SESSION, true, storage::LastSessionId, ReadSessions},
};

const KindSpec* FindKind(int kind) {
  for (const KindSpec& spec : kExportKinds) {
    if (spec.kind == kind) return &spec;
  }
  return nullptr;
}

bool MayExport(common::Role role, const KindSpec& spec) {
  return role != common::Role::kCoach || spec.coach_may_export;
}

std::string KindName(v1::RecordKind kind) { return v1::RecordKind_Name(kind); }

}  // namespace

struct ExportFeed::State {
  storage::Database& db;
  const ServiceOptions& options;
  const ExportCursorSeal& seal;
  v1::ExportRecordsRequest request;
  storage::ExportFilter filter;
  int batch_size = kDefaultBatchSize;
  std::vector<const KindSpec*> kinds;  // in stream order
  size_t kind_at = 0;                  // the kind being sent
  ExportPositions positions;           // the last id handed out, per kind
  std::map<int, domain::Id> last_ids;  // where this stream stops, per kind
  std::vector<Numbered> batch;         // read and not handed out yet
  size_t batch_at = 0;
  bool kind_exhausted = false;         // the last read of this kind was short
};

ExportFeed::ExportFeed(std::unique_ptr<State> state) : state_(std::move(state)) {}
ExportFeed::~ExportFeed() = default;

FeedStep<v1::ExportRecordsResponse> ExportFeed::Next() {
  using Step = FeedStep<v1::ExportRecordsResponse>;
  State& s = *state_;
  v1::ExportRecordsResponse message;
  size_t message_bytes = 0;
  // One message: records until about kMessageBytes, reading batches as needed; a message never
  // waits for a second read once it holds records (it goes out, the next step reads on).
  while (s.kind_at < s.kinds.size()) {
    const KindSpec& spec = *s.kinds[s.kind_at];
    if (s.batch_at == s.batch.size()) {
      if (s.kind_exhausted) {
        ++s.kind_at;
        s.kind_exhausted = false;
        continue;
      }
      if (!message.records().empty()) break;
      const domain::Id after = s.positions[spec.kind];
      s.batch.clear();
      s.batch_at = 0;
      absl::Status read = s.db.Read([&](storage::Transaction& conn) -> absl::Status {
        s.batch = spec.read(conn, s.filter, after, s.last_ids[spec.kind], s.batch_size, s.options);
        return absl::OkStatus();
      });
      if (!read.ok()) return Step::End(read);
      s.kind_exhausted = static_cast<int>(s.batch.size()) < s.batch_size;
      continue;
    }
    Numbered& n = s.batch[s.batch_at];
    const size_t bytes = n.record.ByteSizeLong() + 8;  // + tag and length prefix
    if (!message.records().empty() && message_bytes + bytes > kMessageBytes) break;
    *message.add_records() = std::move(n.record);
    message_bytes += bytes;
    s.positions[spec.kind] = n.id;
    ++s.batch_at;
  }
  if (message.records().empty()) return Step::End(absl::OkStatus());
  message.set_cursor(s.seal.Encode(s.request, s.positions));
  return Step::Send(std::move(message));
}

absl::StatusOr<std::unique_ptr<ExportFeed>> RecordExport::OpenFeed(
    const common::Caller& caller, const v1::ExportRecordsRequest& request) {
  common::FieldViolations v;
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative (0 exports every squad)");
  common::CheckOptionalTimeRange(v, request);
  for (int i = 0; i < request.kinds_size(); ++i) {
    if (FindKind(request.kinds(i)) == nullptr) {
      v.Add(absl::StrCat("kinds[", i, "]"), "must be a RECORD_KIND_* value");
    }
  }
  if (request.batch_size() < 0) v.Add("batch_size", "must not be negative");
  TL_RETURN_IF_ERROR(v.ToStatus());
  auto state = std::unique_ptr<ExportFeed::State>(
      new ExportFeed::State{.db = db_, .options = options_, .seal = seal_, .request = request});
  ExportFeed::State& s = *state;
  // The cursor is sealed over the fields above, so it is checked once they are known to be good.
  TL_ASSIGN_OR_RETURN(s.positions, seal_.Decode(request));
  s.batch_size = request.batch_size() == 0 ? kDefaultBatchSize
                                           : std::min(request.batch_size(), kMaxBatchSize);

  // The kinds to send, in stream order: those asked for, or every kind the role may export.
  for (const KindSpec& spec : kExportKinds) {
    const bool asked = std::find(request.kinds().begin(), request.kinds().end(), spec.kind) !=
                       request.kinds().end();
    if (!asked && !request.kinds().empty()) continue;
    if (!MayExport(caller.role, spec)) {
      if (asked) {
        return absl::PermissionDeniedError(absl::StrCat(
            "coaches may not export ", KindName(spec.kind), "; they export contact events and sessions"));
      }
      continue;
    }
    s.kinds.push_back(&spec);
  }

  s.filter.squad_id = request.squad_id();
  if (request.has_start_time()) s.filter.start = FromProto(request.start_time());
  if (request.has_end_time()) s.filter.end = FromProto(request.end_time());

  // Where this stream stops: the last record of each kind stored now.
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    if (s.filter.squad_id != 0) {
      TL_RETURN_IF_ERROR(storage::FindSquad(conn, s.filter.squad_id).status());
    }
    for (const KindSpec* spec : s.kinds) {
      const domain::Id last = spec->last_id(conn);
      const auto at = s.positions.find(spec->kind);
      if (at != s.positions.end() && at->second > last) {
        return absl::OutOfRangeError(absl::StrCat(
            "the cursor is past the last ", KindName(spec->kind), " stored (", at->second, " > ",
            last, "); was the database replaced? export again with an empty cursor"));
      }
      s.last_ids[spec->kind] = last;
    }
    return absl::OkStatus();
  }));
  return std::unique_ptr<ExportFeed>(new ExportFeed(std::move(state)));
}

}  // namespace touchline::service
