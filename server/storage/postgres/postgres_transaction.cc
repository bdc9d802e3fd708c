#include "server/storage/postgres/postgres_transaction.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/storage/postgres/postgres_sql.h"

namespace touchline::storage {
namespace {

// Type OIDs of pg_type.h (stable across releases).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

StoreErrorKind KindOfSqlState(absl::string_view state, absl::string_view constraint) {
  if (state == "23505") {
    return absl::EndsWith(constraint, "_pkey") ? StoreErrorKind::kPrimaryKeyViolation
                                               : StoreErrorKind::kUniqueViolation;
  }
  if (state == "23503") return StoreErrorKind::kForeignKeyViolation;
  if (absl::StartsWith(state, "23")) return StoreErrorKind::kConstraintViolation;
  if (state == "P0001") return StoreErrorKind::kRefusedByTrigger;  // touchline_refuse_change()
  // Serialisation failures, deadlocks, lock_timeout, statement_timeout.
  if (state == "40001" || state == "40P01" || state == "55P03" || state == "57014") {
    return StoreErrorKind::kBusy;
  }
  // A read-only transaction: a hot standby, or a primary that was demoted.
  if (state == "25006") return StoreErrorKind::kReadOnly;
  if (state == "53100") return StoreErrorKind::kDiskFull;
  if (state == "53200") return StoreErrorKind::kOutOfMemory;
  // Connection exceptions, the server shutting down or starting up, too many connections.
  if (absl::StartsWith(state, "08") || state == "57P01" || state == "57P02" || state == "57P03" ||
      state == "53300") {
    return StoreErrorKind::kConnectionLost;
  }
  if (state == "58030") return StoreErrorKind::kIo;
  if (state == "XX001" || state == "XX002") return StoreErrorKind::kCorrupt;
  return StoreErrorKind::kOther;
}

int64_t ParseInt(absl::string_view text) {
  int64_t value = 0;
  if (absl::SimpleAtoi(text, &value)) return value;
  double d = 0;  // numeric (SUM of bigint), or a float read as an integer, as SQLite does
  if (absl::SimpleAtod(text, &d)) return static_cast<int64_t>(d);
  return 0;
}

// The table of an `INSERT INTO t ...` that has no RETURNING of its own; "" for anything else.
std::string InsertedTable(const std::string& sql) {
  const std::string lower = absl::AsciiStrToLower(sql);
  size_t i = lower.find_first_not_of(" \t\n");
  if (i == std::string::npos || lower.compare(i, 12, "insert into ") != 0) return "";
  if (lower.find("returning") != std::string::npos) return "";
  i = lower.find_first_not_of(" \t\n", i + 12);
  if (i == std::string::npos) return "";
  size_t end = i;
  while (end < lower.size() && (absl::ascii_isalnum(static_cast<unsigned char>(lower[end])) ||
                                lower[end] == '_')) {
    ++end;
  }
  return lower.substr(i, end - i);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

}  // namespace

StoreError StoreErrorFromPostgres(PGconn* connection, const PGresult* result) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) {
    // No answer from the server: the connection is gone (or never was).
    std::string message = connection != nullptr ? PQerrorMessage(connection) : "no connection";
    absl::StripTrailingAsciiWhitespace(&message);
    if (message.empty()) message = "the connection to PostgreSQL was lost";
    return StoreError(StoreErrorKind::kConnectionLost, message, "postgresql");
  }
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
  return StoreError(KindOfSqlState(state, constraint != nullptr ? constraint : ""),
                    primary != nullptr ? primary : PQresultErrorMessage(result),
                    absl::StrCat("postgresql sqlstate ", state,
                                 constraint != nullptr ? absl::StrCat(", constraint ", constraint)
                                                       : ""));
}

// ---- PostgresStatement ----

PostgresStatement::PostgresStatement(PostgresConnection& connection, std::string_view sql,
                                     std::string name)
    : connection_(connection), name_(std::move(name)) {
  PostgresSql translated = PostgresSqlFromPortable(sql);
  sql_ = std::move(translated.text);
  parameter_count_ = translated.parameter_count;
  values_.resize(parameter_count_);
  binary_.assign(parameter_count_, 0);
  types_.assign(parameter_count_, 0);
  for (int i = 1; i <= parameter_count_; ++i) {
    if (!translated.used[i]) types_[i - 1] = 25;  // text: bound or not, never read
  }
  const std::string table = InsertedTable(sql_);
  if (!table.empty() && connection_.HasIdentityId(table)) {
    returns_id_ = true;
    sql_ += " RETURNING id";
  }
}

PostgresStatement::~PostgresStatement() {
  if (result_ != nullptr) PQclear(result_);
  if (named_here_ && prepared_) connection_.DeallocateLater(name_);
}

std::optional<std::string>& PostgresStatement::Slot(int index) {
  if (index < 1 || index > parameter_count_) {
    throw StoreError(StoreErrorKind::kMisuse,
                     absl::StrCat("parameter ", index, " out of range (the statement has ",
                                  parameter_count_, "): ", sql_),
                     "");
  }
  return values_[index - 1];
}

void PostgresStatement::BindInt(int index, int64_t value) {
  Slot(index) = absl::StrCat(value);
  binary_[index - 1] = 0;
}

void PostgresStatement::BindDouble(int index, double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  Slot(index) = text;
  binary_[index - 1] = 0;
}

void PostgresStatement::BindText(int index, std::string_view value, bool) {
  // libpq sends a text parameter as a C string: a NUL would cut it short without a word.
  // PostgreSQL's text cannot hold one anyway; the field checks refuse such input before here.
  if (value.find('\0') != std::string_view::npos) {
    throw StoreError(StoreErrorKind::kConstraintViolation,
                     absl::StrCat("parameter ", index, " is text holding a NUL byte"), "postgresql");
  }
  Slot(index) = std::string(value);
  binary_[index - 1] = 0;
}

void PostgresStatement::BindBlob(int index, std::string_view value, bool) {
  Slot(index) = std::string(value);
  binary_[index - 1] = 1;
}

void PostgresStatement::BindNull(int index) {
  Slot(index).reset();
  binary_[index - 1] = 0;
}

void PostgresStatement::ClearBindings() {
  for (auto& v : values_) v.reset();
  binary_.assign(parameter_count_, 0);
}

void PostgresStatement::Run() {
  Reset();
  std::vector<const char*> values(parameter_count_);
  std::vector<int> lengths(parameter_count_);
  for (int i = 0; i < parameter_count_; ++i) {
    values[i] = values_[i] ? values_[i]->c_str() : nullptr;
    lengths[i] = values_[i] ? static_cast<int>(values_[i]->size()) : 0;
  }
  PGconn* conn = connection_.get();
  if (name_.empty() && runs_ > 0) {
    // Run again (a loop over rows): parsed and planned once from now on.
    name_ = connection_.NewStatementName();
    named_here_ = true;
  }
  ++runs_;
  if (name_.empty()) {
    result_ = PQexecParams(conn, sql_.c_str(), parameter_count_, types_.data(), values.data(),
                           lengths.data(), binary_.data(), 0);
  } else {
    if (!prepared_) {
      PGresult* prepared =
          PQprepare(conn, name_.c_str(), sql_.c_str(), parameter_count_, types_.data());
      if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
        StoreError error = StoreErrorFromPostgres(conn, prepared);
        PQclear(prepared);
        throw error;
      }
      PQclear(prepared);
      prepared_ = true;
    }
    result_ = PQexecPrepared(conn, name_.c_str(), parameter_count_, values.data(), lengths.data(),
                             binary_.data(), 0);
  }
  const ExecStatusType status = PQresultStatus(result_);
  if (result_ == nullptr || (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)) {
    StoreError error = StoreErrorFromPostgres(conn, result_);
    Reset();
    throw error;
  }
  row_ = -1;
  if (returns_id_) {
    const int rows = PQntuples(result_);
    if (rows > 0) connection_.last_insert_id = ParseInt(PQgetvalue(result_, rows - 1, 0));
  } else if (status == PGRES_COMMAND_OK) {
    connection_.last_insert_id.reset();  // it may have inserted elsewhere (a trigger, INSERT ... SELECT)
  }
}

bool PostgresStatement::Step() {
  if (result_ == nullptr) Run();
  if (row_ < PQntuples(result_)) ++row_;
  return row_ < PQntuples(result_);
}

int64_t PostgresStatement::Execute() {
  Run();
  const int64_t changed = ParseInt(absl::string_view(PQcmdTuples(result_)));
  Reset();
  return changed;
}

void PostgresStatement::Reset() noexcept {
  if (result_ != nullptr) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
}

int PostgresStatement::ColumnCount() const {
  return result_ != nullptr ? PQnfields(result_) : 0;
}

std::string_view PostgresStatement::Value(int column) const {
  if (result_ == nullptr || row_ < 0 || row_ >= PQntuples(result_) || column < 0 ||
      column >= PQnfields(result_)) {
    throw StoreError(StoreErrorKind::kMisuse,
                     absl::StrCat("column ", column, " read with no row: ", sql_), "");
  }
  return std::string_view(PQgetvalue(result_, row_, column), PQgetlength(result_, row_, column));
}

ColumnType PostgresStatement::TypeOf(int column) const {
  Value(column);  // checks there is a row
  if (PQgetisnull(result_, row_, column)) return ColumnType::kNull;
  switch (PQftype(result_, column)) {
    case kBoolOid:
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      return ColumnType::kInteger;
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return ColumnType::kFloat;
    case kByteaOid:
      return ColumnType::kBlob;
    default:
      return ColumnType::kText;
  }
}

int64_t PostgresStatement::ColumnInt(int column) const {
  const std::string_view text = Value(column);
  if (PQftype(result_, column) == kBoolOid) return text == "t" ? 1 : 0;
  return ParseInt(absl::string_view(text.data(), text.size()));
}

double PostgresStatement::ColumnDouble(int column) const {
  double value = 0;
  const std::string_view text = Value(column);
  if (!absl::SimpleAtod(absl::string_view(text.data(), text.size()), &value)) return 0;
  return value;
}

std::string PostgresStatement::ColumnText(int column) const { return std::string(Value(column)); }

std::string PostgresStatement::ColumnBlob(int column) const {
  const std::string_view text = Value(column);
  if (PQftype(result_, column) != kByteaOid || text.substr(0, 2) != "\\x") {
    return std::string(text);
  }
  std::string bytes;  // bytea's hex output: \x then two digits a byte
  bytes.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i + 1 < text.size(); i += 2) {
    bytes.push_back(static_cast<char>(HexDigit(text[i]) * 16 + HexDigit(text[i + 1])));
  }
  return bytes;
}

// ---- PostgresConnection ----

PostgresConnection::~PostgresConnection() {
  statements_.clear();  // before the connection they belong to
  if (connection_ != nullptr) PQfinish(connection_);
}

bool PostgresConnection::ok() const {
  return connection_ != nullptr && PQstatus(connection_) == CONNECTION_OK;
}

void PostgresConnection::Execute(const std::string& sql) {
  last_insert_id.reset();  // it may insert
  ExecuteNative(PostgresSqlFromPortable(sql).text);
}

bool PostgresConnection::TryExecuteNative(const std::string& sql) noexcept {
  try {
    ExecuteNative(sql);
    return true;
  } catch (...) {
    return false;
  }
}

void PostgresConnection::ExecuteNative(const std::string& sql) {
  PGresult* result = PQexec(connection_, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (result == nullptr || (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)) {
    StoreError error = StoreErrorFromPostgres(connection_, result);
    if (result != nullptr) PQclear(result);
    throw error;
  }
  PQclear(result);
}

bool PostgresConnection::TryExecute(const std::string& sql) noexcept {
  try {
    Execute(sql);
    return true;
  } catch (...) {
    return false;
  }
}

std::string PostgresConnection::QueryText(const std::string& sql) {
  PGresult* result = PQexec(connection_, sql.c_str());
  if (result == nullptr || PQresultStatus(result) != PGRES_TUPLES_OK) {
    StoreError error = StoreErrorFromPostgres(connection_, result);
    if (result != nullptr) PQclear(result);
    throw error;
  }
  std::string value = PQntuples(result) > 0 && PQnfields(result) > 0 ? PQgetvalue(result, 0, 0) : "";
  PQclear(result);
  return value;
}

std::string PostgresConnection::NewStatementName() {
  return absl::StrCat("touchline_", ++next_statement_);
}

std::string PostgresConnection::TakeDeallocations() {
  std::string sql;
  for (const std::string& name : to_deallocate_) absl::StrAppend(&sql, "; DEALLOCATE ", name);
  to_deallocate_.clear();
  return sql;
}

bool PostgresConnection::HasIdentityId(const std::string& table) {
  if (!identity_tables_) {
    identity_tables_.emplace();
    PGresult* result = PQexec(
        connection_,
        "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
        "AND a.attname = 'id' AND a.attidentity <> ''");
    if (PQresultStatus(result) == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(result); ++i) identity_tables_->push_back(PQgetvalue(result, i, 0));
    } else {
      identity_tables_.reset();  // e.g. inside a failed transaction: ask again next time
    }
    PQclear(result);
    if (!identity_tables_) return false;
  }
  return std::find(identity_tables_->begin(), identity_tables_->end(), table) !=
         identity_tables_->end();
}

Statement PostgresConnection::Borrow(const std::string& sql) {
  Entry& entry = statements_[sql];
  if (entry.in_use) return Statement(std::make_unique<PostgresStatement>(*this, sql, ""));
  if (entry.statement == nullptr) {
    entry.statement = std::make_unique<PostgresStatement>(*this, sql, NewStatementName());
  }
  entry.in_use = true;
  return Statement(entry.statement.get(), &entry.in_use);
}

// ---- PostgresTransaction ----

Statement PostgresTransaction::Prepare(std::string_view sql) {
  return Statement(std::make_unique<PostgresStatement>(connection_, sql, ""));
}

Statement PostgresTransaction::PrepareCached(const std::string& sql) {
  return connection_.Borrow(sql);
}

void PostgresTransaction::Execute(const std::string& sql) { connection_.Execute(sql); }

bool PostgresTransaction::TryExecute(const std::string& sql) noexcept {
  return connection_.TryExecute(sql);
}

int64_t PostgresTransaction::LastInsertId() {
  if (connection_.last_insert_id) return *connection_.last_insert_id;
  Statement q = connection_.Borrow("SELECT lastval()");
  if (!q.Step()) return 0;
  return q.ColumnInt(0);
}

void PostgresTransaction::BeginRefusableStep() {
  connection_.ExecuteNative("SAVEPOINT touchline_refusable_step");
}

void PostgresTransaction::EndRefusableStep() noexcept {
  if (PQtransactionStatus(connection_.get()) == PQTRANS_INERROR) {
    connection_.TryExecuteNative("ROLLBACK TO SAVEPOINT touchline_refusable_step");
  }
  connection_.TryExecuteNative("RELEASE SAVEPOINT touchline_refusable_step");
}

}  // namespace touchline::storage
