// The SQLite backend of the storage seam (storage/transaction.h), on SQLiteCpp: statements, the
// per-connection statement cache, and SQLite's result codes mapped to StoreError kinds. Only the
// SQLite backend's files (storage/sqlite/, migrations, the backup tool, tests of SQLite itself)
// include it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "server/storage/transaction.h"

struct sqlite3;
struct sqlite3_stmt;

namespace touchline::storage {

// SQLite's result code (extended where known) as a StoreError, with its message.
StoreError StoreErrorFromSqlite(const SQLite::Exception& error);
// Maps a SQLiteCpp exception (or a StoreError, or anything else) to a status: the SQLite
// backend's entry to StatusFromStoreError.
absl::Status StatusFromSqliteError(const std::exception& error);

class SqliteStatement final : public BackendStatement {
 public:
  SqliteStatement(SQLite::Database& connection, const std::string& sql);
  ~SqliteStatement() override;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void BindInt(int index, int64_t value) override;
  void BindDouble(int index, double value) override;
  void BindText(int index, std::string_view value, bool copy) override;
  void BindBlob(int index, std::string_view value, bool copy) override;
  void BindNull(int index) override;
  void ClearBindings() override;
  int ParameterCount() const override;
  bool Step() override;
  int64_t Execute() override;
  void Reset() noexcept override;
  int ColumnCount() const override;
  ColumnType TypeOf(int column) const override;
  int64_t ColumnInt(int column) const override;
  double ColumnDouble(int column) const override;
  std::string ColumnText(int column) const override;
  std::string ColumnBlob(int column) const override;

 private:
  StoreError ErrorOf(int rc) const;  // the connection's error of result code `rc`
  void Check(int rc) const;          // throws ErrorOf(rc) unless SQLITE_OK
  int StepOnce();
  sqlite3_stmt* RowOrThrow(int column) const;  // the statement, if `column` of a row can be read

  sqlite3* connection_;
  sqlite3_stmt* statement_ = nullptr;
  int column_count_ = 0;
  bool has_row_ = false;  // the last step gave a row
  bool done_ = false;     // the last step reached the end: reset before running again
};

// Prepared statements of one connection, by SQL text. Only the thread that holds the connection
// (the writer lock or a reader lease) touches it, so it needs no lock of its own.
class SqliteStatementCache {
 public:
  // The cached statement of `sql`, or a fresh one of its own when that one is in use (nested).
  Statement Borrow(SQLite::Database& connection, const std::string& sql);

 private:
  struct Entry {
    std::unique_ptr<SqliteStatement> statement;
    bool in_use = false;
  };
  // A node map: a borrowed Statement keeps a pointer to its entry's in_use flag while statements
  // of other SQL are added (nested use), which must not move it. (A flat map moved entries on
  // growth: the flag was written after it had moved, and the entry stayed "in use" for good, so
  // its SQL was prepared afresh on every later use.)
  absl::node_hash_map<std::string, Entry> entries_;
};

// A connection and its statement cache; the statements are finalised before the connection
// closes (members go in reverse order).
struct SqliteConnection {
  std::unique_ptr<SQLite::Database> database;
  std::unique_ptr<SqliteStatementCache> statements = std::make_unique<SqliteStatementCache>();
};

// A transaction on a SQLite connection. Database::Write / Read open and end the transaction
// itself; this is what the work function sees. Without a cache (a connection no Database opened:
// tools, tests) every statement is prepared afresh.
class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(SQLite::Database& connection, SqliteStatementCache* cache = nullptr)
      : connection_(connection), cache_(cache) {}

  Statement Prepare(std::string_view sql) override;
  Statement PrepareCached(const std::string& sql) override;
  void Execute(const std::string& sql) override;
  bool TryExecute(const std::string& sql) noexcept override;
  int64_t LastInsertId() override;

  SQLite::Database& connection() { return connection_; }

 private:
  SQLite::Database& connection_;
  SqliteStatementCache* cache_;
};

// The SQLite connection under `tx`, which must come from the SQLite backend: for what is SQLite's
// alone (PRAGMAs, the query plan, raw handles in tests and tools).
SQLite::Database& SqliteConnectionOf(Transaction& tx);

}  // namespace touchline::storage
