// Touchline protocol plugin SDK for C++ (header-only, C++17 or later).
//
// Wraps the C ABI of touchline_plugin.h: a plugin writes one function
//
//   std::vector<touchline::sdk::Prescription> Assign(const touchline::sdk::AssignRequest&);
//
// and exports it with
//
//   TOUCHLINE_PLUGIN("my-plugin", "1.0.0", "what it handles", Assign)
//
// The SDK carries a small protobuf wire-format reader/writer for the contract messages of
// touchline/plugin/v1/plugin.proto, so a plugin needs neither protoc nor libprotobuf: no second copy
// of generated code (or of libprotobuf) can end up in the server's process, and a club can build a
// plugin with nothing but this header and a C++ compiler. Unknown fields are skipped, so a plugin
// built against an older contract reads newer requests. Exceptions never cross the boundary: a
// touchline::sdk::PluginError becomes TOUCHLINE_ERR_INTERNAL with its message, any other exception
// the same with what().
#ifndef TOUCHLINE_PLUGIN_HPP_
#define TOUCHLINE_PLUGIN_HPP_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "touchline_plugin.h"

namespace touchline::sdk {

// Enums: same numbers as touchline.plugin.v1.
enum class Side : int32_t { kUnspecified = 0, kLeft = 1, kRight = 2, kBoth = 3 };
enum class PositionGroup : int32_t { kUnspecified = 0, kForward = 1, kBack = 2 };
enum class OnsetKind : int32_t { kUnspecified = 0, kGradual = 1, kAcute = 2 };
enum class Mechanism : int32_t {
  kUnspecified = 0, kSprinting = 1, kKicking = 2, kContact = 3, kLifting = 4, kUnknown = 5
};
enum class FlagKind : int32_t {
  kUnspecified = 0, kPersistent = 1, kRecurrent = 2, kExacerbation = 3, kSuspectedPelvicOrigin = 4,
  kWindowClosing = 5  // ABI 1.1
};
enum class ContactKind : int32_t {
  kUnspecified = 0, kTackleMade = 1, kTackleReceived = 2, kCollision = 3, kRuck = 4, kMaul = 5,
  kScrum = 6, kLineoutLift = 7, kLineoutLanding = 8, kFall = 9, kCarry = 10, kOffFieldLifting = 11
};
enum class Timing : int32_t { kUnspecified = 0, kPre = 1, kPost = 2 };
enum class Phase : int32_t { kUnspecified = 0, kBiomechanics = 1, kStabilise = 2, kRehabilitation = 3 };
enum class Contraction : int32_t {
  kUnspecified = 0, kStatic = 1, kDynamic = 2, kEccentric = 3, kNeuralGlide = 4
};
enum class DayPart : int32_t { kUnspecified = 0, kAm = 1, kPm = 2 };
enum class Adherence : int32_t { kUnspecified = 0, kDone = 1, kPartly = 2, kNotDone = 3 };
// ABI 1.1.
enum class ExerciseCategory : int32_t {
  kUnspecified = 0, kAntiSpasm = 1, kNeuralMobilisation = 2, kStability = 3, kStrength = 4,
  kStaticHamstringStretch = 5, kDynamicMobility = 6, kRunning = 7, kOther = 8
};
enum class NerveReason : int32_t {
  kUnspecified = 0, kNeuralTension = 1, kDiscHerniationHistory = 2, kTightnessAndSpasm = 3
};

// Contract messages as plain structs. Times are Unix seconds.
struct Player {
  int64_t id = 0;
  std::string name;
  PositionGroup position_group = PositionGroup::kUnspecified;
  std::string position_name;
};
struct Symptoms {
  bool ache = false, tightness = false, spasm = false;
  int32_t pain = 0;
  bool sleep_disturbance = false, inflexibility = false, weakness_against_quadriceps = false;
};
struct History {
  bool lumbar_disc_herniation = false;
  std::string notes;
};
struct Findings {
  bool pelvic_rotation = false, piriformis_spasm = false, lumbar_stiffness = false,
       thoracic_stiffness = false, sciatic_nerve_tension = false;
  std::string notes;
};
// The server's classification (ABI 1.1): a plugin should not restate the rule.
struct NerveInvolvement {
  bool involved = false;
  std::vector<NerveReason> reasons;
  std::vector<std::string> details;  // one readable line per reason
};
struct CheckIn {
  int64_t id = 0;
  int64_t check_time = 0;
  Symptoms symptoms;
  std::string note;
};
struct Complaint {
  int64_t id = 0;
  Side side = Side::kUnspecified;
  int64_t onset_time = 0;
  OnsetKind onset_kind = OnsetKind::kUnspecified;
  Mechanism mechanism = Mechanism::kUnspecified;
  Symptoms symptoms;
  std::string osiics_code;
  History history;
  Findings findings;
  std::vector<CheckIn> check_ins;        // oldest first
  std::optional<int64_t> resolve_time;   // unset while unresolved
  NerveInvolvement nerve_involvement;    // ABI 1.1; never involved from an ABI 1.0 host
  bool resolved() const { return resolve_time.has_value(); }
  // Symptoms of the latest check-in, or at onset.
  const Symptoms& current_symptoms() const {
    return check_ins.empty() ? symptoms : check_ins.back().symptoms;
  }
};
struct Flag {
  FlagKind kind = FlagKind::kUnspecified;
  std::vector<int64_t> complaint_ids;
  int64_t begin_time = 0;
  std::string reason;
  int32_t episode = 0;
};
struct ContactEvent {
  int64_t id = 0;
  ContactKind kind = ContactKind::kUnspecified;
  int64_t occur_time = 0;
  bool awkward = false;
  std::string session_label;
};
struct Session {
  std::string label;
  int64_t start_time = 0;
};
struct Frequency {
  int32_t times_per_day = 0;
  int32_t times_per_week = 0;
  std::vector<DayPart> day_parts;
};
struct Prescription {
  std::string protocol;
  std::string exercise;
  std::string instructions;
  Side side = Side::kUnspecified;
  int32_t sets = 0;
  int32_t reps = 0;
  int32_t hold_seconds = 0;
  int32_t effort_percent = 0;
  Contraction contraction = Contraction::kUnspecified;
  Frequency frequency;
  Timing timing = Timing::kUnspecified;
  Phase phase = Phase::kUnspecified;
  std::string progression_criteria;
  int32_t pain_ceiling = 0;
  std::string reason;
  int64_t complaint_id = 0;
  std::string plugin_name;     // filled in by TOUCHLINE_PLUGIN when empty
  std::string plugin_version;  // filled in by TOUCHLINE_PLUGIN when empty
  std::vector<std::string> notes;
  bool each_side = false;
  std::string stage;
  // What a coach is shown: an everyday name, no side, dose or finding ("Hip activation routine").
  std::string coach_label;
  // ABI 1.1: what kind of exercise; the server withholds unsafe ones (e.g. a static hamstring
  // stretch for a nerve-involved complaint).
  ExerciseCategory category = ExerciseCategory::kUnspecified;
};
struct PastAssignment {
  Prescription prescription;
  Session session;
  int64_t assign_time = 0;
  Adherence adherence = Adherence::kUnspecified;
  bool pain_during = false;
  int32_t pain = 0;
};
struct AssignRequest {
  Player player;
  std::vector<Complaint> complaints;
  std::vector<Flag> active_flags;
  std::vector<ContactEvent> recent_contact_events;
  Session session;
  std::vector<PastAssignment> past_assignments;
  int64_t as_of_time = 0;

  bool HasFlag(FlagKind kind, int64_t complaint_id) const {
    for (const Flag& f : active_flags) {
      if (f.kind != kind) continue;
      for (int64_t id : f.complaint_ids) {
        if (id == complaint_id) return true;
      }
    }
    return false;
  }
};

// Throw from Assign to fail the request with a message.
class PluginError : public std::runtime_error {
 public:
  explicit PluginError(const std::string& message) : std::runtime_error(message) {}
};

namespace wire {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

// Reads protobuf wire format. Any malformed input sets ok = false and stops.
class Reader {
 public:
  Reader(const uint8_t* data, size_t len) : p_(data), end_(data + len) {}
  bool ok() const { return ok_; }
  bool done() const { return !ok_ || p_ >= end_; }

  // Next field's number and wire type; false at the end or on error.
  bool Next(uint32_t* field, uint32_t* type) {
    if (done()) return false;
    uint64_t key = Varint();
    if (!ok_) return false;
    *field = static_cast<uint32_t>(key >> 3);
    *type = static_cast<uint32_t>(key & 7);
    if (*field == 0) ok_ = false;
    return ok_;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) break;
      uint8_t b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  // A length-delimited field's bytes as a sub-reader.
  Reader Sub() {
    uint64_t n = Varint();
    if (!ok_ || n > static_cast<uint64_t>(end_ - p_)) {
      ok_ = false;
      return Reader(nullptr, 0);
    }
    Reader r(p_, static_cast<size_t>(n));
    p_ += n;
    return r;
  }
  std::string String() {
    Reader r = Sub();
    return ok_ ? std::string(reinterpret_cast<const char*>(r.p_), r.end_ - r.p_) : std::string();
  }
  // Fields this SDK does not read are skipped by design (a newer host may send more); counted per
  // thread so that a test can tell that none of the contract's fields is skipped (codec drift).
  static uint64_t& SkippedFields() {
    thread_local uint64_t skipped = 0;
    return skipped;
  }
  void Skip(uint32_t type) {
    ++SkippedFields();
    switch (type) {
      case kVarint: Varint(); break;
      case kFixed64: Advance(8); break;
      case kLen: Sub(); break;
      case kFixed32: Advance(4); break;
      default: ok_ = false;
    }
  }
  // Merges a sub-reader's status into this one.
  void Check(const Reader& sub) { ok_ = ok_ && sub.ok_; }
  void Fail() { ok_ = false; }

 private:
  void Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) ok_ = false; else p_ += n;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

// Writes protobuf wire format (proto3: default values are omitted).
class Writer {
 public:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Tag(uint32_t field, uint32_t type) { Varint((static_cast<uint64_t>(field) << 3) | type); }
  void Int(uint32_t field, int64_t v) {
    if (v == 0) return;
    Tag(field, kVarint);
    Varint(static_cast<uint64_t>(v));
  }
  void Bool(uint32_t field, bool v) { Int(field, v ? 1 : 0); }
  void String(uint32_t field, const std::string& s, bool always = false) {
    if (s.empty() && !always) return;
    Tag(field, kLen);
    Varint(s.size());
    out_.append(s);
  }
  void Message(uint32_t field, const Writer& w, bool always = false) { String(field, w.out_, always); }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

// --- decoding the request --------------------------------------------------------------------

template <typename E>
inline E AsEnum(Reader& r) { return static_cast<E>(static_cast<int32_t>(r.Varint())); }

inline int64_t DecodeTimestamp(Reader r, Reader& parent) {
  int64_t seconds = 0;
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kVarint) seconds = static_cast<int64_t>(r.Varint()); else r.Skip(t);
  }
  parent.Check(r);
  return seconds;
}

inline void Decode(Reader r, Reader& parent, Player& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kVarint) m.id = static_cast<int64_t>(r.Varint());
    else if (f == 2 && t == kLen) m.name = r.String();
    else if (f == 3 && t == kVarint) m.position_group = AsEnum<PositionGroup>(r);
    else if (f == 4 && t == kLen) m.position_name = r.String();
    else r.Skip(t);
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, Symptoms& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (t != kVarint) { r.Skip(t); continue; }
    uint64_t v = r.Varint();
    switch (f) {
      case 1: m.ache = v != 0; break;
      case 2: m.tightness = v != 0; break;
      case 3: m.spasm = v != 0; break;
      case 4: m.pain = static_cast<int32_t>(v); break;
      case 5: m.sleep_disturbance = v != 0; break;
      case 6: m.inflexibility = v != 0; break;
      case 7: m.weakness_against_quadriceps = v != 0; break;
      default: break;
    }
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, History& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kVarint) m.lumbar_disc_herniation = r.Varint() != 0;
    else if (f == 2 && t == kLen) m.notes = r.String();
    else r.Skip(t);
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, Findings& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 6 && t == kLen) { m.notes = r.String(); continue; }
    if (t != kVarint) { r.Skip(t); continue; }
    bool v = r.Varint() != 0;
    switch (f) {
      case 1: m.pelvic_rotation = v; break;
      case 2: m.piriformis_spasm = v; break;
      case 3: m.lumbar_stiffness = v; break;
      case 4: m.thoracic_stiffness = v; break;
      case 5: m.sciatic_nerve_tension = v; break;
      default: break;
    }
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, CheckIn& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kVarint) m.id = static_cast<int64_t>(r.Varint());
    else if (f == 2 && t == kLen) m.check_time = DecodeTimestamp(r.Sub(), r);
    else if (f == 3 && t == kLen) Decode(r.Sub(), r, m.symptoms);
    else if (f == 4 && t == kLen) m.note = r.String();
    else r.Skip(t);
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, NerveInvolvement& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kVarint) m.involved = r.Varint() != 0;
    else if (f == 2 && t == kVarint) m.reasons.push_back(AsEnum<NerveReason>(r));
    else if (f == 2 && t == kLen) {  // packed
      Reader p = r.Sub();
      while (!p.done()) m.reasons.push_back(AsEnum<NerveReason>(p));
      r.Check(p);
    }
    else if (f == 3 && t == kLen) m.details.push_back(r.String());
    else r.Skip(t);
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, Complaint& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kVarint) m.id = static_cast<int64_t>(r.Varint());
    else if (f == 2 && t == kVarint) m.side = AsEnum<Side>(r);
    else if (f == 3 && t == kLen) m.onset_time = DecodeTimestamp(r.Sub(), r);
    else if (f == 4 && t == kVarint) m.onset_kind = AsEnum<OnsetKind>(r);
    else if (f == 5 && t == kVarint) m.mechanism = AsEnum<Mechanism>(r);
    else if (f == 6 && t == kLen) Decode(r.Sub(), r, m.symptoms);
    else if (f == 7 && t == kLen) m.osiics_code = r.String();
    else if (f == 8 && t == kLen) Decode(r.Sub(), r, m.history);
    else if (f == 9 && t == kLen) Decode(r.Sub(), r, m.findings);
    else if (f == 10 && t == kLen) { m.check_ins.emplace_back(); Decode(r.Sub(), r, m.check_ins.back()); }
    else if (f == 11 && t == kLen) m.resolve_time = DecodeTimestamp(r.Sub(), r);
    else if (f == 12 && t == kLen) Decode(r.Sub(), r, m.nerve_involvement);
    else r.Skip(t);
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, Flag& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kVarint) m.kind = AsEnum<FlagKind>(r);
    else if (f == 2 && t == kVarint) m.complaint_ids.push_back(static_cast<int64_t>(r.Varint()));
    else if (f == 2 && t == kLen) {  // packed
      Reader p = r.Sub();
      while (!p.done()) m.complaint_ids.push_back(static_cast<int64_t>(p.Varint()));
      r.Check(p);
    }
    else if (f == 3 && t == kLen) m.begin_time = DecodeTimestamp(r.Sub(), r);
    else if (f == 4 && t == kLen) m.reason = r.String();
    else if (f == 5 && t == kVarint) m.episode = static_cast<int32_t>(r.Varint());
    else r.Skip(t);
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, ContactEvent& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kVarint) m.id = static_cast<int64_t>(r.Varint());
    else if (f == 2 && t == kVarint) m.kind = AsEnum<ContactKind>(r);
    else if (f == 3 && t == kLen) m.occur_time = DecodeTimestamp(r.Sub(), r);
    else if (f == 4 && t == kVarint) m.awkward = r.Varint() != 0;
    else if (f == 5 && t == kLen) m.session_label = r.String();
    else r.Skip(t);
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, Session& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kLen) m.label = r.String();
    else if (f == 2 && t == kLen) m.start_time = DecodeTimestamp(r.Sub(), r);
    else r.Skip(t);
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, Frequency& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kVarint) m.times_per_day = static_cast<int32_t>(r.Varint());
    else if (f == 2 && t == kVarint) m.times_per_week = static_cast<int32_t>(r.Varint());
    else if (f == 3 && t == kVarint) m.day_parts.push_back(AsEnum<DayPart>(r));
    else if (f == 3 && t == kLen) {  // packed
      Reader p = r.Sub();
      while (!p.done()) m.day_parts.push_back(AsEnum<DayPart>(p));
      r.Check(p);
    }
    else r.Skip(t);
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, Prescription& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (t == kLen) {
      switch (f) {
        case 1: m.protocol = r.String(); break;
        case 2: m.exercise = r.String(); break;
        case 3: m.instructions = r.String(); break;
        case 10: Decode(r.Sub(), r, m.frequency); break;
        case 13: m.progression_criteria = r.String(); break;
        case 15: m.reason = r.String(); break;
        case 17: m.plugin_name = r.String(); break;
        case 18: m.plugin_version = r.String(); break;
        case 19: m.notes.push_back(r.String()); break;
        case 21: m.stage = r.String(); break;
        case 22: m.coach_label = r.String(); break;
        default: r.Skip(t);
      }
    } else if (t == kVarint) {
      uint64_t v = r.Varint();
      auto i32 = static_cast<int32_t>(v);
      switch (f) {
        case 4: m.side = static_cast<Side>(i32); break;
        case 5: m.sets = i32; break;
        case 6: m.reps = i32; break;
        case 7: m.hold_seconds = i32; break;
        case 8: m.effort_percent = i32; break;
        case 9: m.contraction = static_cast<Contraction>(i32); break;
        case 11: m.timing = static_cast<Timing>(i32); break;
        case 12: m.phase = static_cast<Phase>(i32); break;
        case 14: m.pain_ceiling = i32; break;
        case 16: m.complaint_id = static_cast<int64_t>(v); break;
        case 20: m.each_side = v != 0; break;
        case 23: m.category = static_cast<ExerciseCategory>(i32); break;
        default: break;
      }
    } else {
      r.Skip(t);
    }
  }
  parent.Check(r);
}

inline void Decode(Reader r, Reader& parent, PastAssignment& m) {
  uint32_t f, t;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kLen) Decode(r.Sub(), r, m.prescription);
    else if (f == 2 && t == kLen) Decode(r.Sub(), r, m.session);
    else if (f == 3 && t == kLen) m.assign_time = DecodeTimestamp(r.Sub(), r);
    else if (f == 4 && t == kVarint) m.adherence = AsEnum<Adherence>(r);
    else if (f == 5 && t == kVarint) m.pain_during = r.Varint() != 0;
    else if (f == 6 && t == kVarint) m.pain = static_cast<int32_t>(r.Varint());
    else r.Skip(t);
  }
  parent.Check(r);
}

// --- encoding the answer ---------------------------------------------------------------------

inline Writer Encode(const Frequency& m) {
  Writer w;
  w.Int(1, m.times_per_day);
  w.Int(2, m.times_per_week);
  for (DayPart d : m.day_parts) {  // unpacked: accepted by every protobuf parser
    w.Tag(3, kVarint);
    w.Varint(static_cast<uint64_t>(static_cast<int64_t>(d)));
  }
  return w;
}

inline Writer Encode(const Prescription& m) {
  Writer w;
  w.String(1, m.protocol);
  w.String(2, m.exercise);
  w.String(3, m.instructions);
  w.Int(4, static_cast<int32_t>(m.side));
  w.Int(5, m.sets);
  w.Int(6, m.reps);
  w.Int(7, m.hold_seconds);
  w.Int(8, m.effort_percent);
  w.Int(9, static_cast<int32_t>(m.contraction));
  Writer freq = Encode(m.frequency);
  if (!freq.bytes().empty()) w.Message(10, freq);
  w.Int(11, static_cast<int32_t>(m.timing));
  w.Int(12, static_cast<int32_t>(m.phase));
  w.String(13, m.progression_criteria);
  w.Int(14, m.pain_ceiling);
  w.String(15, m.reason);
  w.Int(16, m.complaint_id);
  w.String(17, m.plugin_name);
  w.String(18, m.plugin_version);
  for (const std::string& n : m.notes) w.String(19, n, /*always=*/true);
  w.Bool(20, m.each_side);
  w.String(21, m.stage);
  w.String(22, m.coach_label);
  w.Int(23, static_cast<int32_t>(m.category));
  return w;
}

}  // namespace wire

// Parses a serialized touchline.plugin.v1.AssignRequest. Throws PluginError when malformed.
inline AssignRequest ParseAssignRequest(const uint8_t* data, size_t len) {
  AssignRequest m;
  wire::Reader r(data, len);
  uint32_t f, t;
  using wire::kLen;
  while (r.Next(&f, &t)) {
    if (f == 1 && t == kLen) wire::Decode(r.Sub(), r, m.player);
    else if (f == 2 && t == kLen) { m.complaints.emplace_back(); wire::Decode(r.Sub(), r, m.complaints.back()); }
    else if (f == 3 && t == kLen) { m.active_flags.emplace_back(); wire::Decode(r.Sub(), r, m.active_flags.back()); }
    else if (f == 4 && t == kLen) { m.recent_contact_events.emplace_back(); wire::Decode(r.Sub(), r, m.recent_contact_events.back()); }
    else if (f == 5 && t == kLen) wire::Decode(r.Sub(), r, m.session);
    else if (f == 6 && t == kLen) { m.past_assignments.emplace_back(); wire::Decode(r.Sub(), r, m.past_assignments.back()); }
    else if (f == 7 && t == kLen) m.as_of_time = wire::DecodeTimestamp(r.Sub(), r);
    else r.Skip(t);
  }
  if (!r.ok()) throw PluginError("malformed AssignRequest");
  return m;
}

// Serializes prescriptions as a touchline.plugin.v1.AssignResponse.
inline std::string SerializeAssignResponse(const std::vector<Prescription>& prescriptions) {
  wire::Writer w;
  for (const Prescription& p : prescriptions) w.Message(1, wire::Encode(p), /*always=*/true);
  return w.bytes();
}

namespace detail {

inline void CopyError(const char* message, char* error, size_t error_cap) {
  if (error == nullptr || error_cap == 0) return;
  size_t n = std::strlen(message);
  if (n >= error_cap) n = error_cap - 1;
  std::memcpy(error, message, n);
  error[n] = '\0';
}

template <typename Fn>
int Invoke(Fn fn, const char* name, const char* version, const uint8_t* request,
           size_t request_len, touchline_write_fn write, void* write_ctx, char* error,
           size_t error_cap) noexcept {
  try {
    AssignRequest req;
    try {
      req = ParseAssignRequest(request, request_len);
    } catch (const std::exception& e) {
      CopyError(e.what(), error, error_cap);
      return TOUCHLINE_ERR_BAD_REQUEST;
    }
    std::vector<Prescription> out = fn(static_cast<const AssignRequest&>(req));
    for (Prescription& p : out) {
      if (p.plugin_name.empty()) p.plugin_name = name;
      if (p.plugin_version.empty()) p.plugin_version = version;
    }
    std::string bytes = SerializeAssignResponse(out);
    if (!bytes.empty() &&
        write(write_ctx, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) != 0) {
      CopyError("the host refused the output", error, error_cap);
      return TOUCHLINE_ERR_WRITE;
    }
    return TOUCHLINE_OK;
  } catch (const std::exception& e) {
    CopyError(e.what(), error, error_cap);
    return TOUCHLINE_ERR_INTERNAL;
  } catch (...) {
    CopyError("unknown exception", error, error_cap);
    return TOUCHLINE_ERR_INTERNAL;
  }
}

}  // namespace detail
}  // namespace touchline::sdk

// Exports the plugin. FN: std::vector<touchline::sdk::Prescription>(const AssignRequest&).
// Use once per shared object, at namespace scope.
#define TOUCHLINE_PLUGIN(NAME, VERSION, HANDLES, FN)                                            \
  namespace {                                                                                  \
  int touchline_sdk_assign(void*, const uint8_t* request, size_t request_len,                  \
                           touchline_write_fn write, void* write_ctx, char* error,             \
                           size_t error_cap) {                                                 \
    return ::touchline::sdk::detail::Invoke(FN, NAME, VERSION, request, request_len, write,    \
                                            write_ctx, error, error_cap);                      \
  }                                                                                            \
  const touchline_plugin_v1 touchline_sdk_descriptor = {                                       \
      static_cast<uint32_t>(sizeof(touchline_plugin_v1)),                                      \
      TOUCHLINE_PLUGIN_ABI_MAJOR,                                                              \
      TOUCHLINE_PLUGIN_ABI_MINOR,                                                              \
      NAME,                                                                                    \
      VERSION,                                                                                 \
      HANDLES,                                                                                 \
      nullptr,                                                                                 \
      &touchline_sdk_assign};                                                                  \
  }                                                                                            \
  extern "C" const touchline_plugin_v1* touchline_plugin_entry(void) {                         \
    return &touchline_sdk_descriptor;                                                          \
  }

#endif  // TOUCHLINE_PLUGIN_HPP_
