// Limits and thresholds the service layer enforces; set from server flags.
#pragma once

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "server/domain/assessment_rules.h"
#include "server/domain/flag_rules.h"
#include "server/domain/screening_rules.h"

namespace touchline::service {

struct ServiceOptions {
  domain::FlagThresholds thresholds;
  // Objective assessments: when a strength deficit is found (issue 19).
  domain::AssessmentThresholds assessment_thresholds;
  // Pelvic screening tasks after awkward contact: when one is due (issue 19).
  domain::ScreeningThresholds screening;
  // Events, check-ins and resolutions may not be dated further ahead of the server clock than this
  // (clock skew between a tablet and the server), to catch typos like 2062 for 2026.
  absl::Duration max_future_skew = absl::Hours(24);
  // Instants before this are rejected as typos.
  absl::Time earliest_instant = absl::FromCivil(absl::CivilDay(1990, 1, 1), absl::UTCTimeZone());
  size_t max_name_length = 200;
  size_t max_text_length = 2000;
  size_t max_idempotency_key_length = 128;
  // Events committed per transaction during a streaming import. 10,000 rather than 2,000: each
  // commit rewrites every index page the batch touched, and fewer, larger commits measured +25-40 %
  // on the storage path (bench, 200k events); the writer is held ~50 ms per batch, which a physio's
  // single write may wait for.
  int import_batch_size = 10000;
  // Flag changes a WatchFlags stream may have waiting before it is ended with RESOURCE_EXHAUSTED.
  size_t flag_watch_buffer = 1024;
  // Keep each squad's readiness board between calls while nothing it depends on has changed: no
  // write since, and no rule boundary (42-day line, override expiry, ...) crossed. Off means every
  // call recomputes (the benchmark's miss path; the differential test's reference).
  bool readiness_cache = true;
  // A kept board is recomputed at the latest this long after it was computed.
  absl::Duration readiness_cache_horizon = absl::Hours(1);
};

}  // namespace touchline::service
