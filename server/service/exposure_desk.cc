#include "server/service/exposure_desk.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/proto_time.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/service/instant_check.h"
#include "server/service/proto_mapping.h"
#include "server/service/write_once.h"
#include "server/storage/record_store.h"
#include "server/storage/session_store.h"

namespace touchline::service {
namespace {

constexpr int kMaxDurationMinutes = 600;
constexpr int kMaxParticipations = 200;
// A season and a little: rates over longer spans mix squads that no longer exist.
constexpr absl::Duration kMaxRatePeriod = absl::Hours(24 * 400);
constexpr int kMaxLoadWeeks = 53;
// Matches last at most kMaxDurationMinutes, so one starting this long before a period can still
// hold the onset of a complaint inside it (attribution only; its minutes are not counted).
constexpr absl::Duration kAttributionLookBack = absl::Hours(24);

bool IsExposureKind(int kind) {
  return kind == v1::EXPOSURE_KIND_MATCH || kind == v1::EXPOSURE_KIND_TRAINING;
}

void SortByPlayer(std::vector<domain::SessionParticipation>& parts) {
  std::sort(parts.begin(), parts.end(),
            [](const auto& a, const auto& b) { return a.player_id < b.player_id; });
}

absl::StatusOr<domain::Session> ValidateSession(const v1::Session& s, absl::Time now,
                                                const ServiceOptions& o) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "session.squad_id", s.squad_id());
  const bool kind_ok = IsExposureKind(s.kind());
  if (!kind_ok) v.Add("session.kind", "must be EXPOSURE_KIND_MATCH or EXPOSURE_KIND_TRAINING");
  if (!s.has_start_time()) {
    v.Add("session.start_time", "is required");
  } else {
    CheckInstant(v, "session.start_time", s.start_time(), now, o);
  }
  const bool duration_ok = s.duration_minutes() >= 1 && s.duration_minutes() <= kMaxDurationMinutes;
  if (!duration_ok) {
    v.Add("session.duration_minutes", absl::StrCat("must be 1-", kMaxDurationMinutes));
  }
  common::CheckOptionalText(v, "session.title", s.title(), o.max_name_length);
  common::CheckRequiredText(v, "session.idempotency_key", s.idempotency_key(),
                    o.max_idempotency_key_length);
  if (s.participations().empty()) {
    v.Add("session.participations", "needs at least one player");
  } else if (s.participations_size() > kMaxParticipations) {
    v.Add("session.participations", absl::StrCat("at most ", kMaxParticipations, " players"));
  }
  const bool match = s.kind() == v1::EXPOSURE_KIND_MATCH;
  std::set<int64_t> seen;
  for (int i = 0; i < s.participations_size() && i < kMaxParticipations; ++i) {
    const v1::SessionParticipation& p = s.participations(i);
    const std::string prefix = absl::StrCat("session.participations[", i, "].");
    if (common::CheckPositiveId(v, prefix + "player_id", p.player_id()) &&
        !seen.insert(p.player_id()).second) {
      v.Add(prefix + "player_id", "appears more than once in the session");
    }
    if (p.minutes() <= 0) {
      v.Add(prefix + "minutes", "must be more than 0");
    } else if (duration_ok && p.minutes() > s.duration_minutes()) {
      v.Add(prefix + "minutes",
            absl::StrCat("must be at most the session's duration (", s.duration_minutes(), ")"));
    }
    bool contact_ok = true;
    for (auto [name, value] : {std::pair{"full_contact_minutes", p.full_contact_minutes()},
                               std::pair{"controlled_contact_minutes",
                                         p.controlled_contact_minutes()},
                               std::pair{"live_set_piece_minutes", p.live_set_piece_minutes()}}) {
      if (value < 0) {
        v.Add(prefix + name, "must not be negative");
        contact_ok = false;
      } else if (match && kind_ok && value > 0) {
        v.Add(prefix + name, "must be 0 in a match (contact minutes are training drills)");
        contact_ok = false;
      } else if (p.minutes() > 0 && value > p.minutes()) {
        v.Add(prefix + name, absl::StrCat("must be at most minutes (", p.minutes(), ")"));
        contact_ok = false;
      }
    }
    const int64_t contact = int64_t{p.full_contact_minutes()} + p.controlled_contact_minutes() +
                            p.live_set_piece_minutes();
    if (contact_ok && p.minutes() > 0 && contact > p.minutes()) {
      v.Add(prefix + "minutes",
            absl::StrCat("must be at least the contact minutes together (", contact, ")"));
    }
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  domain::Session out;
  out.squad_id = s.squad_id();
  out.kind = static_cast<domain::ExposureKind>(s.kind());
  out.starts_at = FromProto(s.start_time());
  out.duration_minutes = s.duration_minutes();
  out.title = s.title();
  out.idempotency_key = s.idempotency_key();
  for (const auto& p : s.participations()) {
    domain::SessionParticipation part;
    part.player_id = p.player_id();
    part.minutes = p.minutes();
    part.full_contact_minutes = p.full_contact_minutes();
    part.controlled_contact_minutes = p.controlled_contact_minutes();
    part.live_set_piece_minutes = p.live_set_piece_minutes();
    out.participations.push_back(part);
  }
  SortByPlayer(out.participations);
  return out;
}

bool SameSession(const domain::Session& a, const domain::Session& b) {
  if (a.squad_id != b.squad_id || a.kind != b.kind || a.starts_at != b.starts_at ||
      a.duration_minutes != b.duration_minutes || a.title != b.title ||
      a.participations.size() != b.participations.size()) {
    return false;
  }
  for (size_t i = 0; i < a.participations.size(); ++i) {
    domain::SessionParticipation x = a.participations[i], y = b.participations[i];
    x.session_id = y.session_id = 0;
    if (!(x == y)) return false;
  }
  return true;
}

// Checks a required [start_time, end_time) pair of a report request.
void CheckPeriod(common::FieldViolations& v, const google::protobuf::Timestamp* start,
                 const google::protobuf::Timestamp* end) {
  bool ok = true;
  if (start == nullptr) {
    v.Add("start_time", "is required");
    ok = false;
  } else if (!common::IsValidTimestamp(*start)) {
    v.Add("start_time", "is not a valid timestamp");
    ok = false;
  }
  if (end == nullptr) {
    v.Add("end_time", "is required");
    ok = false;
  } else if (!common::IsValidTimestamp(*end)) {
    v.Add("end_time", "is not a valid timestamp");
    ok = false;
  }
  if (ok && FromProto(*end) <= FromProto(*start)) v.Add("end_time", "must be after start_time");
}

// Every player of the squad, archived included (their exposure and complaints still count).
std::vector<domain::Player> AllPlayersOf(storage::Transaction& conn, domain::Id squad_id) {
  std::vector<domain::Player> all;
  domain::Id after = 0;
  for (;;) {
    auto page = storage::ListPlayers(conn, squad_id, /*include_archived=*/true, after, 1000);
    if (page.empty()) break;
    after = page.back().id;
    all.insert(all.end(), page.begin(), page.end());
  }
  return all;
}

void FillCell(const domain::RateCell& in, v1::InjuryRateCell* out) {
  out->set_exposure_hours(in.exposure_hours());
  out->set_complaint_count(in.complaints);
  out->set_days_lost(static_cast<int32_t>(in.days_lost));
  if (auto rate = in.incidence_per_1000h()) out->set_incidence_per_1000h(*rate);
  if (auto rate = in.burden_per_1000h()) out->set_burden_per_1000h(*rate);
}

void FillRow(const domain::RateRow& in, v1::InjuryRateRow* out) {
  FillCell(in.forwards, out->mutable_forwards());
  FillCell(in.backs, out->mutable_backs());
  FillCell(in.total, out->mutable_total());
}

v1::GuidanceStatus StatusOf(bool over) {
  return over ? v1::GUIDANCE_STATUS_OVER : v1::GUIDANCE_STATUS_WITHIN;
}

void FillWeek(const domain::WeekLoad& in, v1::WeeklyContactLoad* out) {
  out->set_player_id(in.player_id);
  ToProto(in.week_start, out->mutable_week_start_time());
  for (const auto& [kind, count] : in.contact_counts) {
    auto* c = out->add_contact_counts();
    c->set_kind(static_cast<v1::ContactKind>(kind));
    c->set_count(count);
  }
  out->set_contact_event_count(in.contact_events);
  out->set_match_minutes(in.match_minutes);
  out->set_training_minutes(in.training_minutes);
  out->set_full_contact_minutes(in.full_contact_minutes);
  out->set_controlled_contact_minutes(in.controlled_contact_minutes);
  out->set_live_set_piece_minutes(in.live_set_piece_minutes);
  out->set_full_contact_days(in.full_contact_days);
  for (const domain::GuidanceCheck& c : in.checks) {
    auto* check = out->add_checks();
    check->set_limit(static_cast<v1::GuidanceLimit>(c.limit));
    check->set_maximum(c.maximum);
    check->set_actual(c.actual);
    check->set_status(StatusOf(c.over));
  }
  out->set_status(StatusOf(in.over()));
}

}  // namespace

void ToProto(const domain::Session& in, v1::Session* out) {
  out->set_id(in.id);
  out->set_squad_id(in.squad_id);
  out->set_kind(static_cast<v1::ExposureKind>(in.kind));
  ToProto(in.starts_at, out->mutable_start_time());
  out->set_duration_minutes(in.duration_minutes);
  out->set_title(in.title);
  for (const auto& p : in.participations) {
    auto* part = out->add_participations();
    part->set_player_id(p.player_id);
    part->set_minutes(p.minutes);
    part->set_full_contact_minutes(p.full_contact_minutes);
    part->set_controlled_contact_minutes(p.controlled_contact_minutes);
    part->set_live_set_piece_minutes(p.live_set_piece_minutes);
  }
  out->set_idempotency_key(in.idempotency_key);
  ToProto(in.recorded_at, out->mutable_record_time());
  out->set_recorded_by(in.recorded_by);
}

absl::StatusOr<v1::RecordSessionResponse> ExposureDesk::RecordSession(
    const common::Caller& caller, const v1::RecordSessionRequest& request) {
  const absl::Time now = clock_.Now();
  TL_ASSIGN_OR_RETURN(domain::Session session, ValidateSession(request.session(), now, options_));
  session.recorded_at = now;
  session.recorded_by = caller.user;
  v1::RecordSessionResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    if (auto existing = storage::FindSessionByKey(conn, session.idempotency_key)) {
      if (!SameSession(*existing, session)) {
        return absl::AlreadyExistsError(
            absl::StrCat("idempotency key '", session.idempotency_key,
                         "' is already used by session ", existing->id, " with different content"));
      }
      ToProto(*existing, response.mutable_session());
      response.set_replayed(true);
      return absl::OkStatus();
    }
    TL_RETURN_IF_ERROR(storage::FindSquad(conn, session.squad_id).status());
    for (const auto& p : session.participations) {
      TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, p.player_id));
      if (player.archived_at) {
        return absl::FailedPreconditionError(
            absl::StrCat("player ", p.player_id, " is archived; no new sessions"));
      }
      if (player.squad_id != session.squad_id) {
        return absl::FailedPreconditionError(absl::StrCat(
            "player ", p.player_id, " is not in squad ", session.squad_id));
      }
    }
    // A player takes part in one session at a time: refuse one overlapping a session they are in
    // (sessions are in the player's squad, and last at most kMaxDurationMinutes).
    for (const domain::Session& other : storage::ListSessionsOfSquad(
             conn, session.squad_id, session.starts_at - absl::Minutes(kMaxDurationMinutes),
             session.ends_at())) {
      if (!domain::Overlap(session, other)) continue;
      for (const auto& p : session.participations) {
        for (const auto& q : other.participations) {
          if (p.player_id != q.player_id) continue;
          return absl::FailedPreconditionError(absl::StrCat(
              "player ", p.player_id, " already took part in session ", other.id, " (",
              FormatInstant(other.starts_at), ", ", other.duration_minutes,
              " min), which overlaps this one; their minutes would count twice"));
        }
      }
    }
    TL_ASSIGN_OR_RETURN(domain::Session stored, storage::InsertSession(conn, session));
    ToProto(stored, response.mutable_session());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::GetSessionResponse> ExposureDesk::GetSession(
    const common::Caller&, const v1::GetSessionRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::GetSessionResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Session s, storage::FindSession(conn, request.id()));
    ToProto(s, response.mutable_session());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ListSessionsResponse> ExposureDesk::ListSessions(
    const common::Caller&, const v1::ListSessionsRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "squad_id", request.squad_id());
  common::CheckOptionalTimeRange(v, request);
  if (request.kind() != v1::EXPOSURE_KIND_UNSPECIFIED && !IsExposureKind(request.kind())) {
    v.Add("kind", "must be an EXPOSURE_KIND_* value");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));

  storage::SessionFilter filter;
  filter.squad_id = request.squad_id();
  if (request.has_start_time()) filter.start = FromProto(request.start_time());
  if (request.has_end_time()) filter.end = FromProto(request.end_time());
  if (request.kind() != v1::EXPOSURE_KIND_UNSPECIFIED) {
    filter.kind = static_cast<domain::ExposureKind>(request.kind());
  }
  v1::ListSessionsResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_RETURN_IF_ERROR(storage::FindSquad(conn, filter.squad_id).status());
    auto sessions = storage::ListSessions(conn, filter, cursor, page_size + 1);
    const bool more = static_cast<int>(sessions.size()) > page_size;
    if (more) sessions.pop_back();
    for (const auto& s : sessions) ToProto(s, response.add_sessions());
    if (more) {
      response.set_next_page_token(common::EncodePageToken(
          {absl::ToUnixMicros(sessions.back().starts_at), sessions.back().id}));
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::GetInjuryRatesResponse> ExposureDesk::GetInjuryRates(
    const common::Caller&, const v1::GetInjuryRatesRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "squad_id", request.squad_id());
  CheckPeriod(v, request.has_start_time() ? &request.start_time() : nullptr,
              request.has_end_time() ? &request.end_time() : nullptr);
  if (v.empty() && FromProto(request.end_time()) - FromProto(request.start_time()) >
                       kMaxRatePeriod) {
    v.Add("end_time", "must be at most 400 days after start_time");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  const absl::Time from = FromProto(request.start_time());
  const absl::Time to = FromProto(request.end_time());
  const absl::Time as_of = clock_.Now();

  v1::GetInjuryRatesResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_RETURN_IF_ERROR(storage::FindSquad(conn, request.squad_id()).status());
    std::map<domain::Id, domain::PositionGroup> groups;
    std::vector<domain::Id> ids;
    for (const auto& p : AllPlayersOf(conn, request.squad_id())) {
      groups[p.id] = p.position_group;
      ids.push_back(p.id);
    }
    const auto complaints = storage::ListComplaintsOfPlayers(conn, ids);
    const auto sessions =
        storage::ListSessionsOfSquad(conn, request.squad_id(), from - kAttributionLookBack, to);
    const domain::InjuryRates rates =
        domain::ComputeInjuryRates(groups, sessions, complaints, from, to, as_of);
    FillRow(rates.match, response.mutable_match());
    FillRow(rates.training, response.mutable_training());
    FillRow(rates.total, response.mutable_total());
    response.set_open_complaint_count(rates.open_complaints);
    return absl::OkStatus();
  }));
  response.set_squad_id(request.squad_id());
  *response.mutable_start_time() = request.start_time();
  *response.mutable_end_time() = request.end_time();
  ToProto(as_of, response.mutable_as_of_time());
  return response;
}

absl::StatusOr<v1::GetWeeklyContactLoadResponse> ExposureDesk::GetWeeklyContactLoad(
    const common::Caller&, const v1::GetWeeklyContactLoadRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "squad_id", request.squad_id());
  if (request.player_id() < 0) v.Add("player_id", "must not be negative");
  CheckPeriod(v, request.has_start_time() ? &request.start_time() : nullptr,
              request.has_end_time() ? &request.end_time() : nullptr);
  absl::Time from, to;
  if (v.empty()) {
    from = domain::WeekStart(FromProto(request.start_time()));
    to = domain::WeekEndCeil(FromProto(request.end_time()));
    if (to - from > absl::Hours(24 * 7 * kMaxLoadWeeks)) {
      v.Add("end_time", absl::StrCat("must be at most ", kMaxLoadWeeks, " weeks after start_time"));
    }
  }
  TL_RETURN_IF_ERROR(v.ToStatus());

  v1::GetWeeklyContactLoadResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_RETURN_IF_ERROR(storage::FindSquad(conn, request.squad_id()).status());
    std::vector<domain::Id> ids;
    if (request.player_id() != 0) {
      TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, request.player_id()));
      if (player.squad_id != request.squad_id()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "player ", request.player_id(), " is not in squad ", request.squad_id()));
      }
      ids.push_back(player.id);
    } else {
      for (const auto& p : AllPlayersOf(conn, request.squad_id())) ids.push_back(p.id);
    }
    if (ids.empty()) return absl::OkStatus();
    const auto sessions = storage::ListSessionsOfSquad(conn, request.squad_id(), from, to);
    const auto events = storage::ListContactEventsOfPlayers(conn, ids, from, to, false);
    for (const auto& week : domain::ComputeWeeklyLoad(sessions, events, ids, from, to)) {
      FillWeek(week, response.add_weeks());
    }
    return absl::OkStatus();
  }));
  ToProto(from, response.mutable_start_time());
  ToProto(to, response.mutable_end_time());
  return response;
}

}  // namespace touchline::service
