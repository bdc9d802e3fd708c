// CSV input for "events import".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "touchline/v1/contact_event.pb.h"

namespace touchline::cli {

// RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, quotes ("") and newlines.
// CRLF or LF line ends; blank lines are skipped. Records are read one at a time, from text in
// memory or from a file a block at a time (an import sends the first rows while it reads the
// next, and holds neither the file nor its cells).
class CsvRecords {
 public:
  explicit CsvRecords(absl::string_view text)
      : data_(text.data()), end_(text.size()), eof_(true) {}
  // Reads the file `fd` from its start, `block` bytes at a time (pread: its offset is left alone,
  // so several readers may read one file; it is not closed); a record longer than a block grows
  // the buffer.
  explicit CsvRecords(int fd, size_t block = size_t{1} << 20) : fd_(fd), block_(block) {}
  CsvRecords(const CsvRecords&) = delete;
  CsvRecords& operator=(const CsvRecords&) = delete;

  // The next record that is not blank; its cells stay valid until the next call (they point into
  // the text or the buffer, or into this reader for a cell with quotes). False once every record
  // was read, or reading the file failed (read_error()).
  bool Next(std::vector<absl::string_view>* cells);
  // The number of the record Next last returned: 1 for the first (blank lines are not records).
  size_t record() const { return record_; }
  // A quoted field ran to the end of the text (Next then returned what it held).
  bool unterminated() const { return unterminated_; }
  // errno of a failed read of the file, or 0.
  int read_error() const { return read_error_; }

 private:
  enum class Got { kRecord, kBlank, kMore };  // kMore: the record may go on past end_
  Got ReadPlain(std::vector<absl::string_view>* cells);
  // A record with quotes or a lone CR in its first line, a character at a time, into spans_.
  Got ReadQuoted();
  // Keeps the unread part and reads more of the file after it (setting eof_ when there is no
  // more); false when nothing could be read: the end was reached before, or the read failed.
  bool Refill();
  struct Cell {
    bool in_scratch;  // unquoted into scratch_, else where it lies in data_
    size_t offset, size;
  };
  const char* data_ = nullptr;  // the text, or buffer_
  size_t end_ = 0;              // how much of data_ holds text
  size_t pos_ = 0;              // where the next record starts
  bool eof_ = false;            // nothing follows end_
  int fd_ = -1;
  size_t block_ = 0;
  int64_t file_pos_ = 0;  // where the next read of the file starts
  std::string buffer_;
  int read_error_ = 0;
  size_t record_ = 0;
  bool unterminated_ = false;
  std::string scratch_;
  std::vector<Cell> spans_;
};

// The number of '"' in a piece of a file (see CheckCsvQuotes; counts of pieces add up).
size_t CountQuotes(absl::string_view text);

// OK, or the error that refuses the whole file before anything is sent: a quoted field that
// runs to the end of the file (an odd number of '"' in it; pairs and delimiters are even).
absl::Status CheckCsvQuotes(size_t quotes);
absl::Status CheckCsvQuotes(absl::string_view text);

// Every record at once (CsvRecords over the whole text), or the unterminated-quote error.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(absl::string_view text);

// The import columns, in the default order used when the file has no header row.
const std::vector<std::string>& ContactCsvColumns();

// One CSV record as it is sent to the server.
struct CsvContactRow {
  size_t record = 0;                  // 1-based record number in the file (a header is record 1)
  touchline::v1::ContactEvent event;  // the event; only its key when the record could not be read
  std::string problem;                // why the record could not be read; empty when it could
};

// A data record the CLI could not read: where it is and why. It is sent anyway (see below).
struct CsvProblem {
  size_t index = 0;   // its position among the data records: the server's index of its event
  size_t record = 0;  // its record number in the file (a header is record 1)
  std::string idempotency_key;  // "csv-record-N", the key it was sent under
  std::string reason;
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
// (Refuses an unterminated quoted field, as an import does before it sends anything.)
absl::StatusOr<std::vector<CsvContactRow>> ContactRowsFromCsv(absl::string_view text,
                                                              absl::Time now);

// The same, a message at a time, straight into the request the import sends (its events are
// reused from message to message), so the import sends the first rows while it reads the next.
// The reader does not check the quotes (CheckCsvQuotes does, before anything is sent).
class ContactCsvReader {
 public:
  // Maps the columns (a header row, or the default order); refuses a header that cannot be mapped.
  // From text in memory (it must outlive the reader), or from a file read a block at a time.
  static absl::StatusOr<std::unique_ptr<ContactCsvReader>> Start(absl::string_view text,
                                                                 absl::Time now);
  static absl::StatusOr<std::unique_ptr<ContactCsvReader>> Start(int fd, absl::Time now,
                                                                 size_t block = size_t{1} << 20);
  // Appends the next (up to) `max` data records to `events` as events, and each one that could
  // not be read to `problems`; false once every record was read (nothing appended).
  bool Next(size_t max, google::protobuf::RepeatedPtrField<touchline::v1::ContactEvent>* events,
            std::vector<CsvProblem>* problems);
  // Data records read so far, and the record number in the file of the index-th of them.
  size_t read() const { return read_; }
  size_t RecordOf(size_t index) const { return index + first_data_record_; }
  // errno of a failed read of the file (the records before it were read), or 0.
  int read_error() const {
    return records_.read_error() != 0 ? records_.read_error() : recount_error_;
  }

 private:
  static constexpr size_t kNoColumn = static_cast<size_t>(-1);
  using Base = std::tuple<absl::Time, int64_t, uint64_t>;  // what a derived key is made of
  ContactCsvReader(absl::string_view text, absl::Time now)
      : records_(text), text_(text), now_(now) {}
  ContactCsvReader(int fd, absl::Time now, size_t block)
      : records_(fd, block), fd_(fd), block_(block), now_(now) {}
  // Reads the first record: a header is mapped and passed, anything else is the first data record.
  absl::Status MapColumns();
  // Fills `e` from the record `cells`; the reason it cannot, or empty.
  std::string Read(const std::vector<absl::string_view>& cells, touchline::v1::ContactEvent& e);
  // A derived key: ("csv-" time "-" player "-" hash), "-n" added for the n-th identical row.
  void DeriveKey(absl::Time at, touchline::v1::ContactEvent& e);
  // The file has left time order: identical_rows_ counts every data record before this one, read
  // again from the start of the file.
  void CountEarlierRows();

  CsvRecords records_;
  absl::string_view text_;  // what records_ reads: the text, or the file fd_
  int fd_ = -1;
  size_t block_ = 0;
  absl::Time now_;
  std::vector<absl::string_view> cells_;
  bool pending_ = false;  // cells_ holds the first data record, not yet taken
  size_t read_ = 0;
  size_t first_data_record_ = 1;
  size_t column_[8] = {};            // cell of each ContactCsvColumns() entry, or kNoColumn
  absl::flat_hash_map<std::string, int> kinds_, sources_;  // spellings already looked up
  // Rows with each derived key's base so far, by what the base is made of (time, player, hash):
  // the same distinctions as the base string (it is written from exactly these), without it.
  // While the keyless rows come in time order (as exports list them) only those at the latest
  // time can be identical to a later one, so only they are kept: a map of every row was most of
  // what a keyless row cost. The first row out of order has every earlier row counted again.
  absl::flat_hash_map<Base, int> identical_rows_;
  bool in_time_order_ = true;
  bool any_derived_ = false;  // a key was derived; latest_ is the latest time of one
  absl::Time latest_;
  bool recounting_ = false;   // CountEarlierRows is reading the file again
  int recount_error_ = 0;
};

// A stable 64-bit FNV-1a hash in hex.
std::string StableHashHex(absl::string_view s);

}  // namespace touchline::cli
