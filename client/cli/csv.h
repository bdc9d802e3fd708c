// CSV input for "events import".
#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "touchline/v1/contact_event.pb.h"

namespace touchline::cli {

// RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, quotes ("") and newlines.
// CRLF or LF line ends; blank lines are skipped.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(absl::string_view text);

// The import columns, in the default order used when the file has no header row.
const std::vector<std::string>& ContactCsvColumns();

// Turns CSV rows into events. A first row with a "player_id" cell is a header (columns may then
// come in any order, unknown ones are an error); otherwise the default column order applies.
// Missing idempotency keys are derived from the row's content (stable across re-imports).
// Errors name the line (1-based record number).
absl::StatusOr<std::vector<touchline::v1::ContactEvent>> ContactEventsFromCsv(
    const std::vector<std::vector<std::string>>& rows, absl::Time now);

// A stable 64-bit FNV-1a hash in hex.
std::string StableHashHex(absl::string_view s);

}  // namespace touchline::cli
