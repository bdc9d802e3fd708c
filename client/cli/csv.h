// CSV input for "events import".
#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "touchline/v1/contact_event.pb.h"

namespace touchline::cli {

// RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, quotes ("") and newlines.
// CRLF or LF line ends; blank lines are skipped.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(absl::string_view text);

// The import columns, in the default order used when the file has no header row.
const std::vector<std::string>& ContactCsvColumns();

// One CSV record as it is sent to the server.
struct CsvContactRow {
  size_t record = 0;                  // 1-based record number in the file (a header is record 1)
  touchline::v1::ContactEvent event;  // the event; only its key when the record could not be read
  std::string problem;                // why the record could not be read; empty when it could
};

// Turns CSV records into events, one per data record, in file order: every record is sent, so
// the server's rejection index i is the i-th data record. A record whose cells cannot be read
// (a bad number, time, kind, boolean or source, invalid UTF-8) keeps its place as an event
// holding only a key ("csv-record-N"), which the server rejects, and says why in `problem`.
// A first row with a "player_id" cell is a header (columns may then come in any order, unknown
// ones are an error: the whole file is refused, as nothing could be mapped); otherwise the
// default column order applies. Missing idempotency keys are derived from the row's content,
// time first ("csv-20261121T151000Z-3-<hash>", so they sort as the events do), with "-n" for the
// n-th identical row of the file: stable across re-imports of the file, never merging two rows.
absl::StatusOr<std::vector<CsvContactRow>> ContactRowsFromCsv(
    const std::vector<std::vector<std::string>>& rows, absl::Time now);

// The same, a slice at a time, so that an import can send the first rows while it reads the next
// (ContactRowsFromCsv is Start and one Next over every row). `rows` must outlive the reader.
class ContactCsvReader {
 public:
  // Maps the columns (a header row, or the default order); refuses a header that cannot be mapped.
  static absl::StatusOr<ContactCsvReader> Start(const std::vector<std::vector<std::string>>& rows,
                                                absl::Time now);
  // Appends the next (up to) `max` data records to `out`; false once every record was read.
  bool Next(size_t max, std::vector<CsvContactRow>* out);

 private:
  static constexpr size_t kNoColumn = static_cast<size_t>(-1);
  ContactCsvReader(const std::vector<std::vector<std::string>>& rows, absl::Time now)
      : rows_(&rows), now_(now) {}

  const std::vector<std::vector<std::string>>* rows_;
  absl::Time now_;
  size_t next_ = 0;                  // the next record of rows_ to read
  size_t column_[8] = {};            // cell of each ContactCsvColumns() entry, or kNoColumn
  absl::flat_hash_map<std::string, int> kinds_, sources_;  // spellings already looked up
  absl::flat_hash_map<std::string, int> identical_rows_;   // derived key -> rows with that content
};

// A stable 64-bit FNV-1a hash in hex.
std::string StableHashHex(absl::string_view s);

}  // namespace touchline::cli
