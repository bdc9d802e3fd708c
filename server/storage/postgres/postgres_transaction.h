// The PostgreSQL backend of the storage seam (storage/transaction.h), on libpq: statements,
// the per-connection cache of prepared statements, and PostgreSQL's SQLSTATEs mapped to StoreError
// kinds. Statement text is the stores' portable SQL, rewritten by postgres_sql.h.
//
// Parameters are sent as text with no declared type, so PostgreSQL infers each from where it
// stands (a column compared or inserted, a LIMIT): the stores' SQL need not say types, as for
// SQLite. Byte strings are sent in binary. Results come as text and are parsed per column type.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "server/storage/transaction.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace touchline::storage {

// The error of a failed result (SQLSTATE, message, constraint) or, with no result, of the
// connection (lost, cannot connect) as a StoreError.
StoreError StoreErrorFromPostgres(PGconn* connection, const PGresult* result);

class PostgresConnection;

class PostgresStatement final : public BackendStatement {
 public:
  // `name` empty: a one-use statement (parsed, planned and run in one round trip); else prepared
  // under that name on its first run and reused.
  PostgresStatement(PostgresConnection& connection, std::string_view sql, std::string name);
  ~PostgresStatement() override;
  PostgresStatement(const PostgresStatement&) = delete;
  PostgresStatement& operator=(const PostgresStatement&) = delete;

  void BindInt(int index, int64_t value) override;
  void BindDouble(int index, double value) override;
  void BindText(int index, std::string_view value, bool copy) override;
  void BindBlob(int index, std::string_view value, bool copy) override;
  void BindNull(int index) override;
  void ClearBindings() override;
  int ParameterCount() const override { return parameter_count_; }
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
  void Run();  // sends the statement with its parameters and keeps the result
  std::string_view Value(int column) const;  // of the current row; throws kMisuse without one
  std::optional<std::string>& Slot(int index);

  PostgresConnection& connection_;
  std::string sql_;
  std::string name_;
  bool prepared_ = false;
  bool named_here_ = false;  // a one-use statement run again, prepared under a name of its own
  int runs_ = 0;
  // An INSERT into a table with an identity id, sent with RETURNING id: LastInsertId without a
  // round trip of its own (SQLite's last_insert_rowid is free; lastval() is not).
  bool returns_id_ = false;
  int parameter_count_ = 0;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> binary_;  // per parameter: 1 for a byte string
  // Per parameter: 0 (PostgreSQL infers it) where the text names it, text where it does not.
  std::vector<unsigned int> types_;
  PGresult* result_ = nullptr;
  int row_ = -1;  // the current row of result_
};

// One libpq connection and its prepared statements. Only the thread that holds it (the writer
// lock or a reader lease) touches it.
class PostgresConnection {
 public:
  explicit PostgresConnection(PGconn* connection) : connection_(connection) {}
  ~PostgresConnection();
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  PGconn* get() { return connection_; }
  // Whether libpq still has a connection (it notices a lost one when a call fails).
  bool ok() const;
  // Runs the stores' SQL with no parameters (one or more statements); throws StoreError.
  void Execute(const std::string& sql);
  // The same, never throwing; false when it failed.
  bool TryExecute(const std::string& sql) noexcept;
  // PostgreSQL's own SQL (the backend's, migrations), as it is: not rewritten.
  void ExecuteNative(const std::string& sql);
  bool TryExecuteNative(const std::string& sql) noexcept;
  // The first column of the first row of a query (PostgreSQL's SQL, no parameters), as text.
  std::string QueryText(const std::string& sql);

  // The cached statement of `sql`, or one of its own when that one is in use (nested).
  Statement Borrow(const std::string& sql);

  // A name for a statement prepared on this connection.
  std::string NewStatementName();
  // A statement of that name is no longer used: deallocated with the next transaction's BEGIN
  // (no round trip of its own, and none inside a transaction that may have failed).
  void DeallocateLater(std::string name) { to_deallocate_.push_back(std::move(name)); }
  // "; DEALLOCATE ..." for those, once, to append to a BEGIN; "" when none.
  std::string TakeDeallocations();

  // Whether `table` (of this connection's schema) has an identity column `id`; read from the
  // catalogue once.
  bool HasIdentityId(const std::string& table);
  // The id the last INSERT ... RETURNING id gave, until another statement may have inserted
  // (then LastInsertId asks lastval()).
  std::optional<int64_t> last_insert_id;

 private:
  struct Entry {
    std::unique_ptr<PostgresStatement> statement;
    bool in_use = false;
  };
  PGconn* connection_;
  int next_statement_ = 0;
  std::vector<std::string> to_deallocate_;
  std::optional<std::vector<std::string>> identity_tables_;
  // A node map: a borrowed Statement keeps a pointer to its entry's flag (as the SQLite cache).
  absl::node_hash_map<std::string, Entry> statements_;
};

// A transaction on a PostgreSQL connection, as the work function of Database::Write / Read sees it.
class PostgresTransaction final : public Transaction {
 public:
  explicit PostgresTransaction(PostgresConnection& connection) : connection_(connection) {}

  Statement Prepare(std::string_view sql) override;
  Statement PrepareCached(const std::string& sql) override;
  void Execute(const std::string& sql) override;
  bool TryExecute(const std::string& sql) noexcept override;
  int64_t LastInsertId() override;
  // A savepoint, rolled back to if the step left the transaction failed.
  void BeginRefusableStep() override;
  void EndRefusableStep() noexcept override;

  PostgresConnection& connection() { return connection_; }

 private:
  PostgresConnection& connection_;
};

}  // namespace touchline::storage
