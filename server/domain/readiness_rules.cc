// Availability for a session (domain.md section 2): override, then acute, then any complaint or flag.
// Reason texts stay free of symptom detail: a coach may be shown them.
#include "server/domain/readiness_rules.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "server/domain/return_to_play_rules.h"
#include "server/domain/wording.h"

namespace touchline::domain {
namespace {

std::string SideText(Side side) {
  switch (side) {
    case Side::kLeft:
      return "left";
    case Side::kRight:
      return "right";
    case Side::kBoth:
      return "both sides";
  }
  return "unknown side";
}

std::string AvailabilityText(Availability a) {
  switch (a) {
    case Availability::kAvailable:
      return "AVAILABLE";
    case Availability::kModified:
      return "MODIFIED";
    case Availability::kUnavailable:
      return "UNAVAILABLE";
  }
  return "UNKNOWN";
}

const Complaint* FindComplaint(std::span<const Complaint> complaints, Id id) {
  for (const Complaint& c : complaints) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::string FlagText(const Flag& flag, const Complaint* complaint) {
  const std::string side = complaint ? absl::StrFormat(" (%s)", SideText(complaint->side)) : "";
  switch (flag.kind) {
    case FlagKind::kPersistent: {
      if (complaint != nullptr && flag.began_at > complaint->onset_at) {
        const absl::Duration limit = flag.began_at - complaint->onset_at;
        if (limit % kDay == absl::ZeroDuration()) {
          return absl::StrFormat("Flag: persistent beyond %d days%s", limit / kDay, side);
        }
      }
      return absl::StrFormat("Flag: persistent%s", side);
    }
    case FlagKind::kRecurrent: {
      std::string timing;
      switch (flag.recurrence_timing) {
        case RecurrenceTiming::kEarly:
          timing = "early ";
          break;
        case RecurrenceTiming::kLate:
          timing = "late ";
          break;
        case RecurrenceTiming::kDelayed:
          timing = "delayed ";
          break;
        case RecurrenceTiming::kNone:
          break;
      }
      if (flag.episode > 0) {
        return absl::StrFormat("Flag: %srecurrence%s, episode %d", timing, side, flag.episode);
      }
      return absl::StrFormat("Flag: %srecurrence%s", timing, side);
    }
    case FlagKind::kExacerbation:
      return absl::StrFormat("Flag: exacerbation%s since %s", side, DateText(flag.began_at));
    case FlagKind::kSuspectedPelvicOrigin:
      return absl::StrFormat("Flag: suspected pelvic origin%s", side);
    case FlagKind::kWindowClosing:
      return absl::StrFormat("Flag: six-week window closing%s, day %d", side, flag.alert_day);
  }
  return "Flag";
}

}  // namespace

PlayerReadiness EvaluateReadiness(Id player_id, std::span<const Complaint> complaints,
                                  std::span<const Flag> flags,
                                  std::span<const ReadinessOverride> overrides,
                                  std::span<const StageReached> stages, absl::Time session_time) {
  PlayerReadiness out;
  out.player_id = player_id;

  // Clinical reasons: acute complaints, then other open complaints (each by onset, then id), then
  // flags in the order given (EvaluateFlags orders them by kind, then complaint).
  std::vector<const Complaint*> open;
  for (const Complaint& c : complaints) {
    if (c.OpenAt(session_time)) open.push_back(&c);
  }
  std::sort(open.begin(), open.end(), [](const Complaint* a, const Complaint* b) {
    const bool a_acute = a->onset_kind == OnsetKind::kAcute;
    const bool b_acute = b->onset_kind == OnsetKind::kAcute;
    return std::make_tuple(!a_acute, a->onset_at, a->id) <
           std::make_tuple(!b_acute, b->onset_at, b->id);
  });

  std::vector<ReadinessReason> clinical;
  bool unavailable = false;
  bool modified = false;
  for (const Complaint* c : open) {
    ReadinessReason r;
    r.complaint_id = c->id;
    const std::optional<ReturnToPlayStage> stage = StageAt(stages, c->id, session_time);
    if (stage) {
      r.code = ReadinessReasonCode::kReturnToPlay;
      r.stage = stage;
      absl::Time since = session_time;
      for (const StageReached& s : stages) {
        if (s.complaint_id == c->id && s.stage == *stage) since = s.reached_at;
      }
      std::string stage_text = StageText(*stage);
      stage_text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(stage_text[0])));
      if (*stage == ReturnToPlayStage::kParticipation) {
        modified = true;
        r.text = absl::StrFormat("%s (%s) since %s: modified training", stage_text,
                                 SideText(c->side), DateText(since));
      } else {
        r.text = absl::StrFormat("%s (%s) since %s: full training and selection", stage_text,
                                 SideText(c->side), DateText(since));
      }
    } else if (c->onset_kind == OnsetKind::kAcute) {
      unavailable = true;
      r.code = ReadinessReasonCode::kOpenAcuteComplaint;
      r.text = absl::StrFormat("Open acute hamstring complaint (%s) since %s", SideText(c->side),
                               DateText(c->onset_at));
    } else {
      modified = true;
      r.code = ReadinessReasonCode::kOpenComplaint;
      r.text = absl::StrFormat("Open hamstring complaint (%s) since %s", SideText(c->side),
                               DateText(c->onset_at));
    }
    clinical.push_back(std::move(r));
  }
  for (const Flag& f : flags) {
    ReadinessReason r;
    r.code = ReadinessReasonCode::kActiveFlag;
    r.complaint_id = f.complaint_ids.empty() ? 0 : f.complaint_ids.front();
    r.flag_kind = f.kind;
    r.text = FlagText(f, FindComplaint(complaints, r.complaint_id));
    const std::optional<ReturnToPlayStage> stage =
        r.complaint_id == 0 ? std::nullopt : StageAt(stages, r.complaint_id, session_time);
    if (!stage || *stage < ReturnToPlayStage::kSport) modified = true;
    clinical.push_back(std::move(r));
  }

  if (unavailable) {
    out.availability = Availability::kUnavailable;
  } else if (modified) {
    out.availability = Availability::kModified;
  } else {
    out.availability = Availability::kAvailable;
  }

  // The override in force; several in force: the latest start, then the latest created, then id.
  const ReadinessOverride* in_force = nullptr;
  for (const ReadinessOverride& o : overrides) {
    if (!o.InForceAt(session_time)) continue;
    if (in_force == nullptr || std::tie(o.starts_at, o.created_at, o.id) >
                                   std::tie(in_force->starts_at, in_force->created_at, in_force->id)) {
      in_force = &o;
    }
  }
  if (in_force != nullptr) {
    out.availability = in_force->availability;
    out.override = *in_force;
    ReadinessReason r;
    r.code = ReadinessReasonCode::kOverride;
    // The override's free-text reason may be clinical; it stays on `override`, not in this text.
    r.text = absl::StrFormat("Override to %s set by %s, in force until %s",
                             AvailabilityText(in_force->availability), in_force->set_by,
                             DateTimeText(in_force->expires_at));
    out.reasons.push_back(std::move(r));
  }
  for (ReadinessReason& r : clinical) out.reasons.push_back(std::move(r));
  return out;
}

std::optional<absl::Time> NextReadinessChange(std::span<const Complaint> complaints,
                                              std::span<const ReadinessOverride> overrides,
                                              std::span<const StageReached> stages, absl::Time now,
                                              const FlagThresholds& thresholds) {
  std::optional<absl::Time> next = NextFlagChange(complaints, now, thresholds);
  auto consider = [&](absl::Time t) {
    if (t > now && (!next || t < *next)) next = t;
  };
  for (const ReadinessOverride& o : overrides) {
    consider(o.starts_at);
    consider(o.expires_at);
    if (o.cleared_at) consider(*o.cleared_at);
  }
  for (const StageReached& s : stages) consider(s.reached_at);
  return next;
}

}  // namespace touchline::domain
