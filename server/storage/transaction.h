// The storage seam: what the stores, and through them the service layer, see of a database,
// whichever backend holds it. A Transaction is one open transaction on one connection (handed out
// by Database::Write / Database::Read); a Statement is a prepared statement on it, bound by
// position and stepped row by row; a StoreError is what a backend throws when the database
// refuses or fails, with a backend-neutral kind. The SQLite backend (storage/sqlite/) implements
// it today; a PostgreSQL backend (libpq) implements the same.
//
// Statement text: positional `?` parameters, numbered 1, 2, ... in the order they appear (`?N`
// where a statement names one twice). SQLite takes them as they are; the PostgreSQL backend
// numbers them ($1, $2, ...) when it prepares the text. New rows: LastInsertId() after the
// INSERT, not `RETURNING id`: SQLite runs RETURNING as a trigger that keeps a statement journal,
// three times the cost of a bulk import's INSERT (PostgreSQL answers it with lastval()).
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace touchline::storage {

// What went wrong, in words every backend can map its own codes to.
enum class StoreErrorKind {
  kUniqueViolation,      // a unique constraint
  kPrimaryKeyViolation,  // a primary key (PostgreSQL: a unique violation of a "..._pkey")
  kForeignKeyViolation,  // a reference to a row that does not exist
  kRefusedByTrigger,     // a trigger of the schema refused the change (append-only tables)
  kConstraintViolation,  // another constraint (CHECK, NOT NULL)
  kBusy,                 // locked by another connection or transaction, past the wait allowed
  kReadOnly,             // the database cannot be written (file mode, read-only mount)
  kDiskFull,
  kOutOfMemory,
  kIo,                   // an I/O error
  kCannotOpen,
  kCorrupt,              // the database is damaged, or is not a database
  kMisuse,               // the program used the driver wrongly (e.g. read a column of no row)
  kOther,
  kConnectionLost,       // a database server's connection is gone (or cannot be made)
};

// Thrown by a Transaction or Statement when the backend fails or refuses. Callers that expect a
// refusal (a name taken) catch it and look at kind(); the rest lets it go to Database::Write or
// Read, which turn it into a status (StatusFromStoreError).
class StoreError : public std::runtime_error {
 public:
  // `backend_detail`: the backend's own code for it, e.g. "sqlite error 2067" (may be empty).
  StoreError(StoreErrorKind kind, const std::string& message, std::string backend_detail)
      : std::runtime_error(message), kind_(kind), backend_detail_(std::move(backend_detail)) {}

  StoreErrorKind kind() const { return kind_; }
  const std::string& backend_detail() const { return backend_detail_; }
  // A unique or primary key constraint: the row is already there.
  bool IsUniqueViolation() const {
    return kind_ == StoreErrorKind::kUniqueViolation ||
           kind_ == StoreErrorKind::kPrimaryKeyViolation;
  }
  bool IsForeignKeyViolation() const { return kind_ == StoreErrorKind::kForeignKeyViolation; }

 private:
  StoreErrorKind kind_;
  std::string backend_detail_;
};

// UNAVAILABLE (busy, read-only, I/O, cannot open, connection lost), RESOURCE_EXHAUSTED (disk full, memory),
// ALREADY_EXISTS (unique), FAILED_PRECONDITION (foreign key, trigger), INTERNAL (the rest); the
// message names the kind, then the backend's message and detail.
absl::Status StatusFromStoreError(const StoreError& error);
// The same for any exception: a StoreError as above, anything else INTERNAL "storage error: ...".
absl::Status StatusFromStorageException(const std::exception& error);

// The message prefix of an I/O error's status ("disk I/O error: "), for a backend that refines it.
inline constexpr absl::string_view kIoErrorPrefix = "disk I/O error: ";

enum class ColumnType { kNull, kInteger, kFloat, kText, kBlob };

// A prepared statement of a backend. Parameters and columns are numbered as the SQL says:
// parameters from 1, columns from 0. Reading a NULL column gives 0 or "".
class BackendStatement {
 public:
  virtual ~BackendStatement() = default;

  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindDouble(int index, double value) = 0;
  // `copy` false: the bytes stay valid until the statement is stepped to its end or reset.
  virtual void BindText(int index, std::string_view value, bool copy) = 0;
  virtual void BindBlob(int index, std::string_view value, bool copy) = 0;
  virtual void BindNull(int index) = 0;
  virtual void ClearBindings() = 0;
  virtual int ParameterCount() const = 0;

  // The next row: true while there is one.
  virtual bool Step() = 0;
  // Runs a statement that returns no rows; the rows it inserted, updated or deleted.
  virtual int64_t Execute() = 0;
  // Ready to run again (bindings kept); never throws.
  virtual void Reset() noexcept = 0;

  virtual int ColumnCount() const = 0;
  virtual ColumnType TypeOf(int column) const = 0;
  virtual int64_t ColumnInt(int column) const = 0;
  virtual double ColumnDouble(int column) const = 0;
  virtual std::string ColumnText(int column) const = 0;
  virtual std::string ColumnBlob(int column) const = 0;
};

// A prepared statement as the stores use it: owned for one use, or borrowed from its connection's
// cache and given back (reset and unbound, holding nothing open) when this goes away.
class Statement {
 public:
  explicit Statement(std::unique_ptr<BackendStatement> owned)
      : statement_(owned.get()), owned_(std::move(owned)) {}
  // Borrowed: `*in_use` is true while this holds it and set false when it goes.
  Statement(BackendStatement* cached, bool* in_use) : statement_(cached), in_use_(in_use) {}
  Statement(Statement&& other) noexcept
      : statement_(other.statement_), owned_(std::move(other.owned_)), in_use_(other.in_use_) {
    other.statement_ = nullptr;
    other.in_use_ = nullptr;
  }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement() {
    if (in_use_ == nullptr) return;
    statement_->Reset();
    statement_->ClearBindings();
    *in_use_ = false;
  }

  // ---- parameters (from 1) ----
  template <std::integral T>
  void Bind(int index, T value) {
    statement_->BindInt(index, static_cast<int64_t>(value));
  }
  void Bind(int index, double value) { statement_->BindDouble(index, value); }
  // Text is copied, so temporaries are safe.
  void Bind(int index, std::string_view text) { statement_->BindText(index, text, true); }
  // Text that stays valid until the statement has run (the hot path of bulk import).
  void BindNoCopy(int index, std::string_view text) { statement_->BindText(index, text, false); }
  void BindBlob(int index, std::string_view bytes) { statement_->BindBlob(index, bytes, true); }
  void BindBlobNoCopy(int index, std::string_view bytes) {
    statement_->BindBlob(index, bytes, false);
  }
  void BindNull(int index) { statement_->BindNull(index); }
  int ParameterCount() const { return statement_->ParameterCount(); }

  // ---- running ----
  bool Step() { return statement_->Step(); }
  int64_t Execute() { return statement_->Execute(); }
  void Reset() noexcept { statement_->Reset(); }

  // ---- the current row's columns (from 0) ----
  int ColumnCount() const { return statement_->ColumnCount(); }
  ColumnType TypeOf(int column) const { return statement_->TypeOf(column); }
  bool IsNull(int column) const { return statement_->TypeOf(column) == ColumnType::kNull; }
  int64_t ColumnInt(int column) const { return statement_->ColumnInt(column); }
  int ColumnInt32(int column) const { return static_cast<int>(statement_->ColumnInt(column)); }
  double ColumnDouble(int column) const { return statement_->ColumnDouble(column); }
  std::string ColumnText(int column) const { return statement_->ColumnText(column); }
  std::string ColumnBlob(int column) const { return statement_->ColumnBlob(column); }

  // Which prepared statement this is (tests of the cache compare them).
  const BackendStatement* prepared() const { return statement_; }

 private:
  BackendStatement* statement_;
  std::unique_ptr<BackendStatement> owned_;
  bool* in_use_ = nullptr;
};

// One open transaction on one connection, from Database::Write (read-write) or Database::Read
// (a consistent snapshot). It is only valid inside the work function it was handed to.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // A statement for one use: SQL built per call, or run rarely.
  virtual Statement Prepare(std::string_view sql) = 0;
  // A statement kept prepared on this connection, by SQL text, for the hot paths (a backend's
  // parser and planner cost more than a small query). The same SQL while it is in use (nested)
  // gets a statement of its own.
  virtual Statement PrepareCached(const std::string& sql) = 0;
  // Runs SQL with no parameters and no rows (SAVEPOINT, RELEASE, ...); several statements allowed.
  virtual void Execute(const std::string& sql) = 0;
  // The same for undoing after a failure: never throws; false when it failed.
  virtual bool TryExecute(const std::string& sql) noexcept = 0;
  // The id the last INSERT of this transaction gave its row.
  virtual int64_t LastInsertId() = 0;

  // See RefusableStep. SQLite undoes only a failed statement: nothing to do there.
  virtual void BeginRefusableStep() {}
  virtual void EndRefusableStep() noexcept {}
};

// A step of a write whose refusal (a StoreError: a name taken, a record referred to missing) its
// store answers itself, e.g. with ALREADY_EXISTS. PostgreSQL aborts the whole transaction at an
// error, SQLite only the statement; so on PostgreSQL the step runs under a savepoint, rolled back
// to when the step failed, and the transaction goes on as it does on SQLite. Declare it before
// the step's `try`.
class RefusableStep {
 public:
  explicit RefusableStep(Transaction& tx) : tx_(tx) { tx_.BeginRefusableStep(); }
  ~RefusableStep() { tx_.EndRefusableStep(); }
  RefusableStep(const RefusableStep&) = delete;
  RefusableStep& operator=(const RefusableStep&) = delete;

 private:
  Transaction& tx_;
};

}  // namespace touchline::storage
