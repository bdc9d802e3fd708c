#include "server/storage/record_store.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/str_join.h"
#include "server/storage/database.h"
#include "server/storage/id_lists.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::Amendment;
using domain::CheckIn;
using domain::Complaint;
using domain::ContactEvent;
using domain::Player;
using domain::ReadinessOverride;
using domain::Squad;

// ---- column lists (the Read* functions below read them in this order) ----

constexpr char kSquadColumns[] = "id, name, created_at, updated_at";

Squad ReadSquad(const Statement& q) {
  Row r(q);
  Squad s;
  s.id = r.Int();
  s.name = r.Text();
  s.created_at = r.Time();
  s.updated_at = r.Time();
  return s;
}

constexpr char kPlayerColumns[] =
    "p.id, p.squad_id, p.name, p.position_group, p.position_name, p.external_id, p.archived_at, "
    "p.created_at, p.updated_at";

Player ReadPlayer(const Statement& q) {
  Row r(q);
  Player p;
  p.id = r.Int();
  p.squad_id = r.Int();
  p.name = r.Text();
  p.position_group = static_cast<domain::PositionGroup>(r.Int32());
  p.position_name = r.Text();
  p.external_id = r.Text();
  p.archived_at = r.OptTime();
  p.created_at = r.Time();
  p.updated_at = r.Time();
  return p;
}

constexpr char kEventColumns[] =
    "e.id, e.player_id, e.kind, e.occurred_at, e.session_label, e.awkward, e.source, e.note, "
    "e.idempotency_key, e.recorded_at, e.recorded_by";

ContactEvent ReadEvent(const Statement& q) {
  Row r(q);
  ContactEvent e;
  e.id = r.Int();
  e.player_id = r.Int();
  e.kind = static_cast<domain::ContactKind>(r.Int32());
  e.occurred_at = r.Time();
  e.session_label = r.Text();
  e.awkward = r.Bool();
  e.source = static_cast<domain::ContactSource>(r.Int32());
  e.note = r.Text();
  e.idempotency_key = r.Text();
  e.recorded_at = r.Time();
  e.recorded_by = r.Text();
  return e;
}

void BindSymptoms(Binder& b, const domain::Symptoms& s) {
  b.Bool(s.ache).Bool(s.tightness).Bool(s.spasm).Int(s.pain).Bool(s.sleep_disturbance);
  b.Bool(s.inflexibility).Bool(s.weakness_against_quadriceps);
}

domain::Symptoms ReadSymptoms(Row& r) {
  domain::Symptoms s;
  s.ache = r.Bool();
  s.tightness = r.Bool();
  s.spasm = r.Bool();
  s.pain = r.Int32();
  s.sleep_disturbance = r.Bool();
  s.inflexibility = r.Bool();
  s.weakness_against_quadriceps = r.Bool();
  return s;
}

#define TOUCHLINE_SYMPTOM_COLUMNS(prefix)                                                     \
  prefix "symptom_ache, " prefix "symptom_tightness, " prefix "symptom_spasm, " prefix        \
  "symptom_pain, " prefix "symptom_sleep_disturbance, " prefix "symptom_inflexibility, " prefix \
  "symptom_weakness_against_quadriceps"

constexpr char kComplaintColumns[] =
    "c.id, c.player_id, c.side, c.onset_at, c.onset_kind, c.mechanism, "
    TOUCHLINE_SYMPTOM_COLUMNS("c.")
    ", c.osiics_code, c.history_lumbar_disc_herniation, c.history_notes, "
    "c.finding_pelvic_rotation, c.finding_piriformis_spasm, c.finding_lumbar_stiffness, "
    "c.finding_thoracic_stiffness, c.finding_sciatic_nerve_tension, c.finding_notes, "
    "c.resolved_at, c.created_at, c.created_by, c.updated_at, c.updated_by, "
    "c.bamic_grade, c.bamic_site";

// The mutable columns of a complaint, in the order BindComplaintBody binds them.
constexpr const char* kComplaintBodyColumns[] = {
    "side",
    "onset_at",
    "onset_kind",
    "mechanism",
    "symptom_ache",
    "symptom_tightness",
    "symptom_spasm",
    "symptom_pain",
    "symptom_sleep_disturbance",
    "symptom_inflexibility",
    "symptom_weakness_against_quadriceps",
    "osiics_code",
    "history_lumbar_disc_herniation",
    "history_notes",
    "finding_pelvic_rotation",
    "finding_piriformis_spasm",
    "finding_lumbar_stiffness",
    "finding_thoracic_stiffness",
    "finding_sciatic_nerve_tension",
    "finding_notes",
    "resolved_at",
    "updated_at",
    "updated_by",
};
// Added by a later schema step (BAMIC grade and site); NULL while no grade is given, so a complaint
// without one is inserted without naming them (which also lets this build's store write into a
// database of the first schema, as the migration test does before upgrading it).
constexpr const char* kComplaintBamicColumns[] = {"bamic_grade", "bamic_site"};

const std::string& InsertComplaintSql(bool with_bamic) {
  auto make = [](bool bamic) {
    std::string names = absl::StrJoin(kComplaintBodyColumns, ", ");
    std::string params;
    for (size_t i = 0; i < std::size(kComplaintBodyColumns); ++i) params += "?, ";
    if (bamic) {
      absl::StrAppend(&names, ", ", absl::StrJoin(kComplaintBamicColumns, ", "));
      for (size_t i = 0; i < std::size(kComplaintBamicColumns); ++i) params += "?, ";
    }
    return new std::string(absl::StrCat("INSERT INTO complaints (", names,
                                        ", player_id, created_at, created_by) VALUES (", params,
                                        "?, ?, ?)"));
  };
  static const std::string* const without = make(false);
  static const std::string* const with = make(true);
  return with_bamic ? *with : *without;
}

const std::string& UpdateComplaintSql() {
  static const std::string* const sql = [] {
    auto assign = [](std::string* out, const char* name) { absl::StrAppend(out, name, " = ?"); };
    std::string assignments = absl::StrCat(absl::StrJoin(kComplaintBodyColumns, ", ", assign),
                                           ", ", absl::StrJoin(kComplaintBamicColumns, ", ", assign));
    return new std::string(absl::StrCat("UPDATE complaints SET ", assignments, " WHERE id = ?"));
  }();
  return *sql;
}

void BindComplaintBody(Binder& b, const Complaint& c) {
  b.Int(static_cast<int>(c.side)).Time(c.onset_at).Int(static_cast<int>(c.onset_kind));
  b.Int(static_cast<int>(c.mechanism));
  BindSymptoms(b, c.symptoms);
  b.Text(c.osiics_code).Bool(c.history.lumbar_disc_herniation).Text(c.history.notes);
  b.Bool(c.findings.pelvic_rotation).Bool(c.findings.piriformis_spasm);
  b.Bool(c.findings.lumbar_stiffness).Bool(c.findings.thoracic_stiffness);
  b.Bool(c.findings.sciatic_nerve_tension).Text(c.findings.notes);
  b.OptTime(c.resolved_at).Time(c.updated_at).Text(c.updated_by);
}

// The kComplaintBamicColumns, in order.
void BindBamic(Binder& b, const Complaint& c) {
  if (c.bamic) {
    b.Int(c.bamic->grade).Int(static_cast<int>(c.bamic->site));
  } else {
    b.Null().Null();
  }
}

Complaint ReadComplaint(const Statement& q) {
  Row r(q);
  Complaint c;
  c.id = r.Int();
  c.player_id = r.Int();
  c.side = static_cast<domain::Side>(r.Int32());
  c.onset_at = r.Time();
  c.onset_kind = static_cast<domain::OnsetKind>(r.Int32());
  c.mechanism = static_cast<domain::Mechanism>(r.Int32());
  c.symptoms = ReadSymptoms(r);
  c.osiics_code = r.Text();
  c.history.lumbar_disc_herniation = r.Bool();
  c.history.notes = r.Text();
  c.findings.pelvic_rotation = r.Bool();
  c.findings.piriformis_spasm = r.Bool();
  c.findings.lumbar_stiffness = r.Bool();
  c.findings.thoracic_stiffness = r.Bool();
  c.findings.sciatic_nerve_tension = r.Bool();
  c.findings.notes = r.Text();
  c.resolved_at = r.OptTime();
  c.created_at = r.Time();
  c.created_by = r.Text();
  c.updated_at = r.Time();
  c.updated_by = r.Text();
  if (!r.IsNull()) {
    domain::BamicGrade g;
    g.grade = r.Int32();
    g.site = static_cast<domain::BamicSite>(r.Int32());
    c.bamic = g;
  } else {
    r.Skip(2);
  }
  return c;
}

constexpr char kCheckInColumns[] =
    "k.id, k.complaint_id, k.checked_at, " TOUCHLINE_SYMPTOM_COLUMNS("k.") ", k.note, k.recorded_by";

CheckIn ReadCheckIn(const Statement& q) {
  Row r(q);
  CheckIn c;
  c.id = r.Int();
  c.complaint_id = r.Int();
  c.checked_at = r.Time();
  c.symptoms = ReadSymptoms(r);
  c.note = r.Text();
  c.recorded_by = r.Text();
  return c;
}

constexpr char kOverrideColumns[] =
    "id, player_id, availability, reason, starts_at, expires_at, set_by, created_at, cleared_at, "
    "cleared_by";

ReadinessOverride ReadOverride(const Statement& q) {
  Row r(q);
  ReadinessOverride o;
  o.id = r.Int();
  o.player_id = r.Int();
  o.availability = static_cast<domain::Availability>(r.Int32());
  o.reason = r.Text();
  o.starts_at = r.Time();
  o.expires_at = r.Time();
  o.set_by = r.Text();
  o.created_at = r.Time();
  o.cleared_at = r.OptTime();
  o.cleared_by = r.Text();
  return o;
}

// Fills the check-ins (oldest first) of `complaints`, in any order, in one query: each check-in
// goes to its complaint by id, so a list in onset order gets the same check-ins as one by id.
void AttachCheckIns(Transaction& db, std::vector<Complaint>& complaints) {
  if (complaints.empty()) return;
  std::vector<Id> ids;
  ids.reserve(complaints.size());
  absl::flat_hash_map<Id, Complaint*> by_id;
  by_id.reserve(complaints.size());
  for (Complaint& c : complaints) {
    c.check_ins.clear();
    ids.push_back(c.id);
    by_id.emplace(c.id, &c);
  }
  // Index order within each complaint: (complaint_id, checked_at, id).
  static const std::string kSql =
      absl::StrCat("SELECT ", kCheckInColumns, " FROM ", kIdsTable,
                   " CROSS JOIN check_ins k ON k.complaint_id = ids.list_id");
  Statement q = db.PrepareCached(kSql);
  q.Bind(1, IdsJson(ids));
  while (q.Step()) {
    CheckIn check_in = ReadCheckIn(q);
    const auto it = by_id.find(check_in.complaint_id);
    if (it != by_id.end()) it->second->check_ins.push_back(std::move(check_in));
  }
}

std::vector<Complaint> RunComplaintQuery(Transaction& db, Statement& q) {
  std::vector<Complaint> out;
  while (q.Step()) out.push_back(ReadComplaint(q));
  AttachCheckIns(db, out);
  return out;
}

}  // namespace

// ---- squads ----

absl::StatusOr<Squad> InsertSquad(Transaction& db, const Squad& squad) {
  try {
    Statement q = db.Prepare("INSERT INTO squads (name, created_at, updated_at) VALUES (?, ?, ?)");
    Binder(q).Text(squad.name).Time(squad.created_at).Time(squad.updated_at);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsUniqueViolation()) {
      return absl::AlreadyExistsError(
          absl::StrCat("a squad named \"", squad.name, "\" already exists"));
    }
    return StatusFromStoreError(e);
  }
  Squad out = squad;
  out.id = db.LastInsertId();
  return out;
}

absl::StatusOr<Squad> FindSquad(Transaction& db, Id id) {
  Statement q = db.PrepareCached(absl::StrCat("SELECT ", kSquadColumns, " FROM squads WHERE id = ?"));
  q.Bind(1, id);
  if (!q.Step()) return NotFound("squad", id);
  return ReadSquad(q);
}

std::vector<Squad> ListSquads(Transaction& db, Id after_id, int limit) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kSquadColumns, " FROM squads WHERE id > ? ORDER BY id LIMIT ?"));
  Binder(q).Int(after_id).Int(limit);
  std::vector<Squad> out;
  while (q.Step()) out.push_back(ReadSquad(q));
  return out;
}

absl::Status UpdateSquad(Transaction& db, const Squad& squad) {
  try {
    Statement q = db.Prepare("UPDATE squads SET name = ?, updated_at = ? WHERE id = ?");
    Binder(q).Text(squad.name).Time(squad.updated_at).Int(squad.id);
    if (q.Execute() == 0) return NotFound("squad", squad.id);
  } catch (const StoreError& e) {
    if (e.IsUniqueViolation()) {
      return absl::AlreadyExistsError(
          absl::StrCat("a squad named \"", squad.name, "\" already exists"));
    }
    return StatusFromStoreError(e);
  }
  return absl::OkStatus();
}

// ---- players ----

absl::StatusOr<Player> InsertPlayer(Transaction& db, const Player& player) {
  try {
    Statement q = db.Prepare("INSERT INTO players (squad_id, name, position_group, position_name, "
                        "external_id, archived_at, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    Binder(q)
        .Int(player.squad_id)
        .Text(player.name)
        .Int(static_cast<int>(player.position_group))
        .Text(player.position_name)
        .TextOrNull(player.external_id)
        .OptTime(player.archived_at)
        .Time(player.created_at)
        .Time(player.updated_at);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsUniqueViolation()) {
      return absl::AlreadyExistsError(absl::StrCat("a player with external id \"",
                                                   player.external_id, "\" already exists"));
    }
    if (e.IsForeignKeyViolation()) return NotFound("squad", player.squad_id);
    return StatusFromStoreError(e);
  }
  Player out = player;
  out.id = db.LastInsertId();
  return out;
}

absl::StatusOr<Player> FindPlayer(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kPlayerColumns, " FROM players p WHERE id = ?"));
  q.Bind(1, id);
  if (!q.Step()) return NotFound("player", id);
  return ReadPlayer(q);
}

std::vector<Player> ListPlayers(Transaction& db, Id squad_id, bool include_archived,
                                Id after_id, int limit) {
  std::string sql = absl::StrCat("SELECT ", kPlayerColumns, " FROM players p WHERE p.id > ?");
  if (squad_id != 0) sql += " AND p.squad_id = ?";
  if (!include_archived) sql += " AND p.archived_at IS NULL";
  sql += " ORDER BY p.id LIMIT ?";
  Statement q = db.PrepareCached(sql);
  Binder b(q);
  b.Int(after_id);
  if (squad_id != 0) b.Int(squad_id);
  b.Int(limit);
  std::vector<Player> out;
  while (q.Step()) out.push_back(ReadPlayer(q));
  return out;
}

absl::Status UpdatePlayer(Transaction& db, const Player& player) {
  try {
    Statement q = db.Prepare("UPDATE players SET name = ?, position_group = ?, position_name = ?, "
                        "external_id = ?, archived_at = ?, updated_at = ? WHERE id = ?");
    Binder(q)
        .Text(player.name)
        .Int(static_cast<int>(player.position_group))
        .Text(player.position_name)
        .TextOrNull(player.external_id)
        .OptTime(player.archived_at)
        .Time(player.updated_at)
        .Int(player.id);
    if (q.Execute() == 0) return NotFound("player", player.id);
  } catch (const StoreError& e) {
    if (e.IsUniqueViolation()) {
      return absl::AlreadyExistsError(absl::StrCat("a player with external id \"",
                                                   player.external_id, "\" already exists"));
    }
    return StatusFromStoreError(e);
  }
  return absl::OkStatus();
}

// ---- contact events ----

ContactEventInserter::ContactEventInserter(Transaction& db)
    : db_(db),
      insert_(db.Prepare(
              "INSERT INTO contact_events (player_id, kind, occurred_at, session_label, awkward, "
              "source, note, idempotency_key, recorded_at, recorded_by) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (idempotency_key) DO NOTHING")) {}

std::optional<Id> ContactEventInserter::InsertIfNew(const ContactEvent& event) {
  // The hot path of bulk import. Text is bound without copying (the event outlives the step).
  // No RETURNING clause: SQLite implements it like a trigger, which makes every INSERT keep a
  // statement journal (a copy of each page it touches), about three times slower. Instead,
  // the rows changed tell whether DO NOTHING kicked in, and LastInsertId gives the new id.
  insert_.Reset();  // clears a previous failure, if any, without throwing it again
  insert_.Bind(1, static_cast<int64_t>(event.player_id));
  insert_.Bind(2, static_cast<int32_t>(event.kind));
  insert_.Bind(3, static_cast<int64_t>(absl::ToUnixMicros(event.occurred_at)));
  insert_.BindNoCopy(4, event.session_label);
  insert_.Bind(5, static_cast<int32_t>(event.awkward ? 1 : 0));
  insert_.Bind(6, static_cast<int32_t>(event.source));
  insert_.BindNoCopy(7, event.note);
  if (event.idempotency_key.empty()) {
    insert_.BindNull(8);  // NULL: never deduplicated
  } else {
    insert_.BindNoCopy(8, event.idempotency_key);
  }
  insert_.Bind(9, static_cast<int64_t>(absl::ToUnixMicros(event.recorded_at)));
  insert_.BindNoCopy(10, event.recorded_by);
  const int64_t changes = insert_.Execute();
  insert_.Reset();  // finish the statement so it holds nothing open between calls
  if (changes == 0) return std::nullopt;
  return db_.LastInsertId();
}

std::optional<ContactEvent> FindContactEventByKey(Transaction& db,
                                                  const std::string& idempotency_key) {
  if (idempotency_key.empty()) return std::nullopt;
  // Prepared once per connection: an import reads every event whose key is already taken.
  Statement q = db.PrepareCached(absl::StrCat("SELECT ", kEventColumns,
                                            " FROM contact_events e WHERE e.idempotency_key = ?"));
  q.Bind(1, idempotency_key);
  if (!q.Step()) return std::nullopt;
  return ReadEvent(q);
}

absl::StatusOr<ContactEvent> FindContactEvent(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kEventColumns, " FROM contact_events e WHERE e.id = ?"));
  q.Bind(1, id);
  if (!q.Step()) return NotFound("contact event", id);
  return ReadEvent(q);
}

std::vector<ContactEvent> ListContactEvents(Transaction& db, const ContactEventFilter& filter,
                                            PageCursor after, int limit) {
  std::string sql = absl::StrCat("SELECT ", kEventColumns, " FROM contact_events e");
  if (filter.squad_id != 0) sql += " JOIN players p ON p.id = e.player_id";
  sql += " WHERE (e.occurred_at, e.id) > (?, ?)";
  if (filter.player_id != 0) sql += " AND e.player_id = ?";
  if (filter.squad_id != 0) sql += " AND p.squad_id = ?";
  if (filter.start) sql += " AND e.occurred_at >= ?";
  if (filter.end) sql += " AND e.occurred_at < ?";
  if (!filter.kinds.empty()) {
    sql += " AND e.kind IN (?";
    for (size_t i = 1; i < filter.kinds.size(); ++i) sql += ", ?";
    sql += ")";
  }
  if (filter.awkward_only) sql += " AND e.awkward = 1";
  sql += " ORDER BY e.occurred_at, e.id LIMIT ?";

  Statement q = db.Prepare(sql);
  Binder b(q);
  b.Int(after.key).Int(after.id);
  if (filter.player_id != 0) b.Int(filter.player_id);
  if (filter.squad_id != 0) b.Int(filter.squad_id);
  if (filter.start) b.Time(*filter.start);
  if (filter.end) b.Time(*filter.end);
  for (domain::ContactKind kind : filter.kinds) b.Int(static_cast<int>(kind));
  b.Int(limit);
  std::vector<ContactEvent> out;
  while (q.Step()) out.push_back(ReadEvent(q));
  return out;
}

std::vector<ContactEvent> ListContactEventsOfPlayers(Transaction& db,
                                                     const std::vector<Id>& player_ids,
                                                     absl::Time start, absl::Time end,
                                                     bool awkward_only) {
  std::vector<ContactEvent> out;
  if (player_ids.empty()) return out;
  std::string sql = absl::StrCat(
      "SELECT ", kEventColumns,
      " FROM contact_events e WHERE e.player_id IN (SELECT value FROM json_each(?))"
      " AND e.occurred_at >= ? AND e.occurred_at < ?");
  if (awkward_only) sql += " AND e.awkward = 1";
  sql += " ORDER BY e.occurred_at, e.id";
  Statement q = db.Prepare(sql);
  Binder(q).Text(IdsJson(player_ids)).Time(start).Time(end);
  while (q.Step()) out.push_back(ReadEvent(q));
  return out;
}

std::vector<ContactEvent> ListPelvicOriginCandidates(Transaction& db,
                                                    const std::vector<Id>& player_ids,
                                                    absl::Time as_of, absl::Duration window) {
  std::vector<ContactEvent> out;
  if (player_ids.empty()) return out;
  // Only the window before each complaint open at as_of is read, through the partial index of
  // awkward events, so the cost follows open complaints, not years of contact history. CROSS JOIN
  // fixes the loop order: without statistics SQLite chose to walk every awkward event of each
  // player and look for a complaint around it, which reads more pages every season (a 1M-event
  // database: 83 pages a board instead of 41).
  static const std::string kSql = absl::StrCat(
      "SELECT ", kEventColumns, " FROM ", kIdsTable,
      " CROSS JOIN complaints c ON c.player_id = ids.list_id"
      " CROSS JOIN contact_events e INDEXED BY contact_events_awkward"
      " ON e.player_id = c.player_id AND e.awkward = 1"
      " AND e.occurred_at >= c.onset_at - ? AND e.occurred_at <= c.onset_at"
      " WHERE c.onset_at <= ? AND (c.resolved_at IS NULL OR c.resolved_at > ?)");
  Statement q = db.PrepareCached(kSql);
  Binder(q).Text(IdsJson(player_ids)).Int(absl::ToInt64Microseconds(window)).Time(as_of).Time(as_of);
  while (q.Step()) out.push_back(ReadEvent(q));
  // An event within the window of two open complaints comes once.
  std::sort(out.begin(), out.end(), [](const ContactEvent& a, const ContactEvent& b) {
    return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at : a.id < b.id;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const ContactEvent& a, const ContactEvent& b) { return a.id == b.id; }),
            out.end());
  return out;
}

int64_t CountContactEvents(Transaction& db) {
  return QueryInt(db, "SELECT count(*) FROM contact_events");
}

// ---- complaints ----

absl::StatusOr<Complaint> InsertComplaint(Transaction& db, const Complaint& complaint) {
  try {
    Statement q = db.Prepare(InsertComplaintSql(complaint.bamic.has_value()));
    Binder b(q);
    BindComplaintBody(b, complaint);
    if (complaint.bamic) BindBamic(b, complaint);
    b.Int(complaint.player_id).Time(complaint.created_at).Text(complaint.created_by);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) return NotFound("player", complaint.player_id);
    return StatusFromStoreError(e);
  }
  Complaint out = complaint;
  out.id = db.LastInsertId();
  out.check_ins.clear();
  return out;
}

absl::StatusOr<Complaint> FindComplaint(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kComplaintColumns, " FROM complaints c WHERE c.id = ?"));
  q.Bind(1, id);
  std::vector<Complaint> found = RunComplaintQuery(db, q);
  if (found.empty()) return NotFound("complaint", id);
  return std::move(found.front());
}

std::vector<Complaint> ListComplaints(Transaction& db, const ComplaintFilter& filter,
                                      PageCursor after, int limit) {
  std::string sql = absl::StrCat("SELECT ", kComplaintColumns, " FROM complaints c");
  if (filter.squad_id != 0) sql += " JOIN players p ON p.id = c.player_id";
  sql += " WHERE (c.onset_at > ? OR (c.onset_at = ? AND c.id > ?))";
  if (filter.player_id != 0) sql += " AND c.player_id = ?";
  if (filter.squad_id != 0) sql += " AND p.squad_id = ?";
  if (filter.open_only) sql += " AND c.resolved_at IS NULL";
  sql += " ORDER BY c.onset_at, c.id LIMIT ?";
  Statement q = db.Prepare(sql);
  Binder b(q);
  b.Int(after.key).Int(after.key).Int(after.id);
  if (filter.player_id != 0) b.Int(filter.player_id);
  if (filter.squad_id != 0) b.Int(filter.squad_id);
  b.Int(limit);
  return RunComplaintQuery(db, q);
}

std::vector<Id> PlayersWithComplaintOpenAt(Transaction& db, const std::vector<Id>& player_ids,
                                           absl::Time as_of) {
  std::vector<Id> out;
  if (player_ids.empty()) return out;
  static const std::string kSql = absl::StrCat(
      "SELECT ids.list_id FROM ", kIdsTable,
      " WHERE EXISTS (SELECT 1 FROM complaints c WHERE c.player_id = ids.list_id"
      " AND c.onset_at <= ? AND (c.resolved_at IS NULL OR c.resolved_at > ?))");
  Statement q = db.PrepareCached(kSql);
  Binder(q).Text(IdsJson(player_ids)).Time(as_of).Time(as_of);
  while (q.Step()) out.push_back(q.ColumnInt(0));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::map<Id, absl::Time> NextComplaintOnsets(Transaction& db,
                                             const std::vector<Id>& player_ids, absl::Time after) {
  std::map<Id, absl::Time> onsets;
  if (player_ids.empty()) return onsets;
  static const std::string kSql = absl::StrCat(
      "SELECT ids.list_id, (SELECT MIN(c.onset_at) FROM complaints c"
      " WHERE c.player_id = ids.list_id AND c.onset_at > ?) FROM ",
      kIdsTable);
  Statement q = db.PrepareCached(kSql);
  Binder(q).Time(after).Text(IdsJson(player_ids));
  while (q.Step()) {
    if (q.IsNull(1)) continue;
    onsets[q.ColumnInt(0)] = absl::FromUnixMicros(q.ColumnInt(1));
  }
  return onsets;
}

std::vector<Complaint> ListComplaintsOfPlayers(Transaction& db,
                                               const std::vector<Id>& player_ids) {
  if (player_ids.empty()) return {};
  static const std::string kSql = absl::StrCat(
      "SELECT ", kComplaintColumns, " FROM ", kIdsTable,
      " CROSS JOIN complaints c ON c.player_id = ids.list_id");
  Statement q = db.PrepareCached(kSql);
  q.Bind(1, IdsJson(player_ids));
  std::vector<Complaint> out = RunComplaintQuery(db, q);
  std::sort(out.begin(), out.end(), [](const Complaint& a, const Complaint& b) { return a.id < b.id; });
  return out;
}

absl::Status UpdateComplaint(Transaction& db, const Complaint& complaint) {
  try {
    Statement q = db.Prepare(UpdateComplaintSql());
    Binder b(q);
    BindComplaintBody(b, complaint);
    BindBamic(b, complaint);
    b.Int(complaint.id);
    if (q.Execute() == 0) return NotFound("complaint", complaint.id);
  } catch (const StoreError& e) {
    return StatusFromStoreError(e);
  }
  return absl::OkStatus();
}

absl::StatusOr<CheckIn> InsertCheckIn(Transaction& db, const CheckIn& check_in) {
  try {
    Statement q = db.Prepare("INSERT INTO check_ins (complaint_id, checked_at, " TOUCHLINE_SYMPTOM_COLUMNS(
                "") ", note, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Binder b(q);
    b.Int(check_in.complaint_id).Time(check_in.checked_at);
    BindSymptoms(b, check_in.symptoms);
    b.Text(check_in.note).Text(check_in.recorded_by);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) return NotFound("complaint", check_in.complaint_id);
    return StatusFromStoreError(e);
  }
  CheckIn out = check_in;
  out.id = db.LastInsertId();
  return out;
}

absl::StatusOr<Amendment> AppendAmendment(Transaction& db, const Amendment& amendment) {
  // A savepoint makes the amendment and its changes one unit even if the caller carries on.
  Amendment out = amendment;
  try {
    InSavepoint(db, "append_amendment", [&] {
      Statement q = db.Prepare("INSERT INTO amendments (complaint_id, action, amended_by, amended_at, "
                          "reason) VALUES (?, ?, ?, ?, ?)");
      Binder(q)
          .Int(amendment.complaint_id)
          .Int(static_cast<int>(amendment.action))
          .Text(amendment.amended_by)
          .Time(amendment.amended_at)
          .Text(amendment.reason);
      q.Execute();
      out.id = db.LastInsertId();
      if (!amendment.changes.empty()) {
        Statement change = db.Prepare("INSERT INTO amendment_changes (amendment_id, seq, field, "
                                 "old_value, new_value) VALUES (?, ?, ?, ?, ?)");
        for (size_t i = 0; i < amendment.changes.size(); ++i) {
          const domain::FieldChange& c = amendment.changes[i];
          change.Reset();
          Binder(change)
              .Int(out.id)
              .Int(static_cast<int64_t>(i))
              .Text(c.field)
              .Text(c.old_value)
              .Text(c.new_value);
          change.Execute();
        }
      }
    });
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) return NotFound("complaint", amendment.complaint_id);
    return StatusFromStoreError(e);
  }
  return out;
}

std::vector<Amendment> ListAmendments(Transaction& db, Id complaint_id, Id after_id,
                                      int limit) {
  Statement q = db.Prepare("SELECT a.id, a.complaint_id, a.action, a.amended_by, a.amended_at, "
                      "a.reason, ch.field, ch.old_value, ch.new_value "
                      "FROM (SELECT * FROM amendments WHERE complaint_id = ? AND id > ? "
                      "      ORDER BY id LIMIT ?) a "
                      "LEFT JOIN amendment_changes ch ON ch.amendment_id = a.id "
                      "ORDER BY a.id, ch.seq");
  Binder(q).Int(complaint_id).Int(after_id).Int(limit);
  std::vector<Amendment> out;
  while (q.Step()) {
    Row r(q);
    const Id id = r.Int();
    if (out.empty() || out.back().id != id) {
      Amendment a;
      a.id = id;
      a.complaint_id = r.Int();
      a.action = static_cast<domain::AmendmentAction>(r.Int32());
      a.amended_by = r.Text();
      a.amended_at = r.Time();
      a.reason = r.Text();
      out.push_back(std::move(a));
    }
    if (!q.IsNull(6)) {
      domain::FieldChange change;
      change.field = q.ColumnText(6);
      change.old_value = q.ColumnText(7);
      change.new_value = q.ColumnText(8);
      out.back().changes.push_back(std::move(change));
    }
  }
  return out;
}

// ---- export ----

namespace {

// "NOT INDEXED ... CROSS JOIN" pins the plan: walk the table by rowid from the position (no sort,
// stops after `limit` matches) and look each player up by key. Left to itself the planner may
// gather every row of the squad through the player index and sort them, once per batch.
std::string ExportSql(absl::string_view columns, absl::string_view table, absl::string_view alias,
                      absl::string_view time_column, const ExportFilter& filter) {
  std::string sql = absl::StrCat("SELECT ", columns, ", p.squad_id FROM ", table, " ", alias,
                                 " NOT INDEXED CROSS JOIN players p ON p.id = ", alias,
                                 ".player_id WHERE ", alias, ".id > ? AND ", alias, ".id <= ?");
  if (filter.squad_id != 0) sql += " AND p.squad_id = ?";
  if (filter.start) absl::StrAppend(&sql, " AND ", alias, ".", time_column, " >= ?");
  if (filter.end) absl::StrAppend(&sql, " AND ", alias, ".", time_column, " < ?");
  absl::StrAppend(&sql, " ORDER BY ", alias, ".id LIMIT ?");
  return sql;
}

void BindExport(Statement& q, const ExportFilter& filter, Id after_id, Id up_to_id,
                int limit) {
  Binder b(q);
  b.Int(after_id).Int(up_to_id);
  if (filter.squad_id != 0) b.Int(filter.squad_id);
  if (filter.start) b.Time(*filter.start);
  if (filter.end) b.Time(*filter.end);
  b.Int(limit);
}

Id LastSquadColumn(const Statement& q) {
  return q.ColumnInt(q.ColumnCount() - 1);
}

}  // namespace

std::vector<SquadRecord<ContactEvent>> ListContactEventsForExport(Transaction& db,
                                                                  const ExportFilter& filter,
                                                                  Id after_id, Id up_to_id,
                                                                  int limit) {
  Statement q = db.Prepare(ExportSql(kEventColumns, "contact_events", "e", "occurred_at", filter));
  BindExport(q, filter, after_id, up_to_id, limit);
  std::vector<SquadRecord<ContactEvent>> out;
  while (q.Step()) out.push_back({LastSquadColumn(q), ReadEvent(q)});
  return out;
}

std::vector<SquadRecord<Complaint>> ListComplaintsForExport(Transaction& db,
                                                            const ExportFilter& filter,
                                                            Id after_id, Id up_to_id, int limit) {
  Statement q = db.Prepare(ExportSql(kComplaintColumns, "complaints", "c", "onset_at", filter));
  BindExport(q, filter, after_id, up_to_id, limit);
  std::vector<Id> squads;
  std::vector<Complaint> complaints;
  while (q.Step()) {
    squads.push_back(LastSquadColumn(q));
    complaints.push_back(ReadComplaint(q));
  }
  AttachCheckIns(db, complaints);
  std::vector<SquadRecord<Complaint>> out;
  out.reserve(complaints.size());
  for (size_t i = 0; i < complaints.size(); ++i) {
    out.push_back({squads[i], std::move(complaints[i])});
  }
  return out;
}

std::vector<std::pair<Id, int64_t>> CountAmendments(Transaction& db,
                                                    const std::vector<Id>& complaint_ids) {
  std::vector<std::pair<Id, int64_t>> out;
  if (complaint_ids.empty()) return out;
  Statement q = db.Prepare("SELECT complaint_id, count(*) FROM amendments WHERE complaint_id IN "
                      "(SELECT value FROM json_each(?)) GROUP BY complaint_id ORDER BY complaint_id");
  q.Bind(1, IdsJson(complaint_ids));
  while (q.Step()) out.emplace_back(q.ColumnInt(0), q.ColumnInt(1));
  return out;
}

Id LastContactEventId(Transaction& db) {
  return QueryInt(db, "SELECT coalesce(max(id), 0) FROM contact_events");
}

Id LastComplaintId(Transaction& db) {
  return QueryInt(db, "SELECT coalesce(max(id), 0) FROM complaints");
}

// ---- readiness overrides ----

absl::StatusOr<ReadinessOverride> InsertOverride(Transaction& db, const ReadinessOverride& o) {
  try {
    Statement q = db.Prepare("INSERT INTO readiness_overrides (player_id, availability, reason, "
                        "starts_at, expires_at, set_by, created_at, cleared_at, cleared_by) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Binder(q)
        .Int(o.player_id)
        .Int(static_cast<int>(o.availability))
        .Text(o.reason)
        .Time(o.starts_at)
        .Time(o.expires_at)
        .Text(o.set_by)
        .Time(o.created_at)
        .OptTime(o.cleared_at)
        .Text(o.cleared_by);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) return NotFound("player", o.player_id);
    return StatusFromStoreError(e);
  }
  ReadinessOverride out = o;
  out.id = db.LastInsertId();
  return out;
}

absl::StatusOr<ReadinessOverride> FindOverride(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kOverrideColumns, " FROM readiness_overrides WHERE id = ?"));
  q.Bind(1, id);
  if (!q.Step()) return NotFound("readiness override", id);
  return ReadOverride(q);
}

std::vector<ReadinessOverride> ListOverrides(Transaction& db, Id player_id, Id before_id,
                                             int limit) {
  std::string sql =
      absl::StrCat("SELECT ", kOverrideColumns, " FROM readiness_overrides WHERE player_id = ?");
  if (before_id != 0) sql += " AND id < ?";
  sql += " ORDER BY id DESC LIMIT ?";
  Statement q = db.Prepare(sql);
  Binder b(q);
  b.Int(player_id);
  if (before_id != 0) b.Int(before_id);
  b.Int(limit);
  std::vector<ReadinessOverride> out;
  while (q.Step()) out.push_back(ReadOverride(q));
  return out;
}

std::vector<ReadinessOverride> ListOverridesOfPlayers(Transaction& db,
                                                      const std::vector<Id>& player_ids,
                                                      absl::Time from) {
  std::vector<ReadinessOverride> out;
  if (player_ids.empty()) return out;
  static const std::string kSql = absl::StrCat(
      "SELECT ", kOverrideColumns, " FROM ", kIdsTable,
      " CROSS JOIN readiness_overrides ON player_id = ids.list_id"
      " WHERE expires_at > ? AND (cleared_at IS NULL OR cleared_at >= ?)");
  Statement q = db.PrepareCached(kSql);
  Binder(q).Text(IdsJson(player_ids)).Time(from).Time(from);
  while (q.Step()) out.push_back(ReadOverride(q));
  std::sort(out.begin(), out.end(),
            [](const ReadinessOverride& a, const ReadinessOverride& b) { return a.id < b.id; });
  return out;
}

absl::Status UpdateOverride(Transaction& db, const ReadinessOverride& o) {
  try {
    Statement q = db.Prepare("UPDATE readiness_overrides SET cleared_at = ?, cleared_by = ? WHERE id = ?");
    Binder(q).OptTime(o.cleared_at).Text(o.cleared_by).Int(o.id);
    if (q.Execute() == 0) return NotFound("readiness override", o.id);
  } catch (const StoreError& e) {
    return StatusFromStoreError(e);
  }
  return absl::OkStatus();
}

}  // namespace touchline::storage
