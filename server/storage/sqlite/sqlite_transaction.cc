#include "server/storage/sqlite/sqlite_transaction.h"

#include <sqlite3.h>

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"

namespace touchline::storage {
namespace {

StoreErrorKind KindOf(int code, int extended) {
  switch (code & 0xff) {
    case SQLITE_FULL:
      return StoreErrorKind::kDiskFull;
    case SQLITE_NOMEM:
      return StoreErrorKind::kOutOfMemory;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreErrorKind::kBusy;
    case SQLITE_READONLY:
      return StoreErrorKind::kReadOnly;
    case SQLITE_IOERR:
      return StoreErrorKind::kIo;
    case SQLITE_CANTOPEN:
      return StoreErrorKind::kCannotOpen;
    case SQLITE_CONSTRAINT:
      switch (extended) {
        case SQLITE_CONSTRAINT_UNIQUE:
          return StoreErrorKind::kUniqueViolation;
        case SQLITE_CONSTRAINT_PRIMARYKEY:
          return StoreErrorKind::kPrimaryKeyViolation;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
          return StoreErrorKind::kForeignKeyViolation;
        case SQLITE_CONSTRAINT_TRIGGER:
          return StoreErrorKind::kRefusedByTrigger;
        default:
          return StoreErrorKind::kConstraintViolation;
      }
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StoreErrorKind::kCorrupt;
    default:
      return StoreErrorKind::kOther;
  }
}

// Runs a SQLiteCpp call, throwing what it throws as a StoreError.
template <typename Call>
auto Translated(Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const SQLite::Exception& e) {
    throw StoreErrorFromSqlite(e);
  }
}

}  // namespace

StoreError StoreErrorFromSqlite(const SQLite::Exception& error) {
  const int code = error.getErrorCode();
  if (code < 0) {
    // Raised by SQLiteCpp itself (misuse such as reading a column of no row), not by SQLite.
    return StoreError(StoreErrorKind::kMisuse, error.what(), "");
  }
  const int extended = error.getExtendedErrorCode() >= 0 ? error.getExtendedErrorCode() : code;
  return StoreError(KindOf(code, extended), error.what(), absl::StrCat("sqlite error ", extended));
}

absl::Status StatusFromSqliteError(const std::exception& error) {
  if (const auto* e = dynamic_cast<const SQLite::Exception*>(&error)) {
    return StatusFromStoreError(StoreErrorFromSqlite(*e));
  }
  return StatusFromStorageException(error);
}

// ---- SqliteStatement ----
// On SQLite's C interface, with SQLiteCpp's rules: a statement stepped to its end must be reset
// before it runs again, Execute refuses a statement that returns rows, and an error carries the
// connection's message and extended code.

SqliteStatement::SqliteStatement(SQLite::Database& connection, const std::string& sql)
    : connection_(connection.getHandle()) {
  const int rc = sqlite3_prepare_v2(connection_, sql.c_str(), -1, &statement_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(statement_);
    throw ErrorOf(rc);
  }
  column_count_ = sqlite3_column_count(statement_);
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

StoreError SqliteStatement::ErrorOf(int rc) const {
  return StoreErrorFromSqlite(SQLite::Exception(connection_, rc));
}

void SqliteStatement::Check(int rc) const {
  if (rc != SQLITE_OK) throw ErrorOf(rc);
}

void SqliteStatement::BindInt(int index, int64_t value) {
  Check(sqlite3_bind_int64(statement_, index, value));
}
void SqliteStatement::BindDouble(int index, double value) {
  Check(sqlite3_bind_double(statement_, index, value));
}
void SqliteStatement::BindText(int index, std::string_view value, bool copy) {
  Check(sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                          copy ? SQLITE_TRANSIENT : SQLITE_STATIC));
}
void SqliteStatement::BindBlob(int index, std::string_view value, bool copy) {
  Check(sqlite3_bind_blob(statement_, index, value.data(), static_cast<int>(value.size()),
                          copy ? SQLITE_TRANSIENT : SQLITE_STATIC));
}
void SqliteStatement::BindNull(int index) { Check(sqlite3_bind_null(statement_, index)); }
void SqliteStatement::ClearBindings() { sqlite3_clear_bindings(statement_); }
int SqliteStatement::ParameterCount() const { return sqlite3_bind_parameter_count(statement_); }

int SqliteStatement::StepOnce() {
  if (done_) return SQLITE_MISUSE;  // stepped to its end: must be reset first
  const int rc = sqlite3_step(statement_);
  has_row_ = rc == SQLITE_ROW;
  done_ = rc == SQLITE_DONE;
  return rc;
}

bool SqliteStatement::Step() {
  const int rc = StepOnce();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    if (rc == sqlite3_errcode(connection_)) throw ErrorOf(rc);
    throw StoreErrorFromSqlite(SQLite::Exception("Statement needs to be reset", rc));
  }
  return has_row_;
}

int64_t SqliteStatement::Execute() {
  const int rc = StepOnce();
  if (rc != SQLITE_DONE) {
    if (rc == SQLITE_ROW) {
      throw StoreErrorFromSqlite(
          SQLite::Exception("exec() does not expect results. Use executeStep."));
    }
    if (rc == SQLITE_MISUSE && rc != sqlite3_errcode(connection_)) {
      throw StoreErrorFromSqlite(SQLite::Exception("Statement needs to be reset", rc));
    }
    throw ErrorOf(rc);
  }
  return sqlite3_changes(connection_);
}

void SqliteStatement::Reset() noexcept {
  has_row_ = false;
  done_ = false;
  sqlite3_reset(statement_);
}

int SqliteStatement::ColumnCount() const { return column_count_; }

sqlite3_stmt* SqliteStatement::RowOrThrow(int column) const {
  if (!has_row_) {
    throw StoreError(StoreErrorKind::kMisuse,
                     "No row to get a column from. executeStep() was not called, or returned false.",
                     "");
  }
  if (column < 0 || column >= column_count_) {
    throw StoreError(StoreErrorKind::kMisuse, "Column index out of range.", "");
  }
  return statement_;
}
ColumnType SqliteStatement::TypeOf(int column) const {
  switch (sqlite3_column_type(RowOrThrow(column), column)) {
    case SQLITE_NULL:
      return ColumnType::kNull;
    case SQLITE_INTEGER:
      return ColumnType::kInteger;
    case SQLITE_FLOAT:
      return ColumnType::kFloat;
    case SQLITE_BLOB:
      return ColumnType::kBlob;
    default:
      return ColumnType::kText;
  }
}
int64_t SqliteStatement::ColumnInt(int column) const {
  return sqlite3_column_int64(RowOrThrow(column), column);
}
double SqliteStatement::ColumnDouble(int column) const {
  return sqlite3_column_double(RowOrThrow(column), column);
}
std::string SqliteStatement::ColumnText(int column) const {
  sqlite3_stmt* const statement = RowOrThrow(column);
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  if (text == nullptr) return std::string();  // NULL
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(statement, column)));
}
std::string SqliteStatement::ColumnBlob(int column) const {
  sqlite3_stmt* const statement = RowOrThrow(column);
  const void* bytes = sqlite3_column_blob(statement, column);
  const int size = sqlite3_column_bytes(statement, column);
  if (bytes == nullptr || size == 0) return std::string();
  return std::string(static_cast<const char*>(bytes), static_cast<size_t>(size));
}

// ---- the statement cache ----

Statement SqliteStatementCache::Borrow(SQLite::Database& connection, const std::string& sql) {
  Entry& entry = entries_[sql];
  if (entry.in_use) return Statement(std::make_unique<SqliteStatement>(connection, sql));
  if (entry.statement == nullptr) entry.statement = std::make_unique<SqliteStatement>(connection, sql);
  entry.in_use = true;
  return Statement(entry.statement.get(), &entry.in_use);
}

// ---- SqliteTransaction ----

Statement SqliteTransaction::Prepare(std::string_view sql) {
  return Statement(std::make_unique<SqliteStatement>(connection_, std::string(sql)));
}

Statement SqliteTransaction::PrepareCached(const std::string& sql) {
  if (cache_ == nullptr) return Prepare(sql);
  return cache_->Borrow(connection_, sql);
}

void SqliteTransaction::Execute(const std::string& sql) {
  Translated([&] { connection_.exec(sql); });
}

bool SqliteTransaction::TryExecute(const std::string& sql) noexcept {
  return connection_.tryExec(sql) == SQLITE_OK;
}

int64_t SqliteTransaction::LastInsertId() { return connection_.getLastInsertRowid(); }

SQLite::Database& SqliteConnectionOf(Transaction& tx) {
  auto* sqlite = dynamic_cast<SqliteTransaction*>(&tx);
  if (sqlite == nullptr) std::abort();  // a SQLite-only path handed another backend's transaction
  return sqlite->connection();
}

}  // namespace touchline::storage
