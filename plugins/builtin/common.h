// Helpers shared by the built-in plugins (each still its own shared object).
#pragma once

#include <string>
#include <vector>

#include "touchline_plugin.hpp"

namespace touchline::builtin {

using namespace touchline::sdk;  // NOLINT

inline const char* SideName(Side s) {
  switch (s) {
    case Side::kLeft: return "left";
    case Side::kRight: return "right";
    case Side::kBoth: return "both";
    default: return "unspecified";
  }
}

inline std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

inline std::string ComplaintLabel(const Complaint& c) {
  return "complaint " + std::to_string(c.id) + " (" + SideName(c.side) + ")";
}

// The reference instant: the session's start when known, else the request's as_of.
inline int64_t Now(const AssignRequest& r) {
  return r.session.start_time != 0 ? r.session.start_time : r.as_of_time;
}

// Twice a day, morning and evening.
inline Frequency AmPm() {
  Frequency f;
  f.times_per_day = 2;
  f.day_parts = {DayPart::kAm, DayPart::kPm};
  return f;
}

// The same prescription for before and after the session.
inline void PreAndPost(Prescription p, std::vector<Prescription>& out) {
  p.timing = Timing::kPre;
  out.push_back(p);
  p.timing = Timing::kPost;
  out.push_back(std::move(p));
}

}  // namespace touchline::builtin
