#include "server/storage/request_result_store.h"

#include "SQLiteCpp/Statement.h"

namespace touchline::storage {

std::optional<RequestResult> FindRequestResult(SQLite::Database& db, const std::string& user,
                                               const std::string& request_id) {
  SQLite::Statement q(db,
                      "SELECT request_type, fingerprint, response, recorded_at FROM request_results "
                      "WHERE user_name = ? AND request_id = ?");
  q.bind(1, user);
  q.bind(2, request_id);
  if (!q.executeStep()) return std::nullopt;
  RequestResult r;
  r.user = user;
  r.request_id = request_id;
  r.request_type = q.getColumn(0).getString();
  r.fingerprint = q.getColumn(1).getString();
  r.response = q.getColumn(2).getString();
  r.recorded_at = absl::FromUnixMicros(q.getColumn(3).getInt64());
  return r;
}

void InsertRequestResult(SQLite::Database& db, const RequestResult& result) {
  SQLite::Statement q(db,
                      "INSERT INTO request_results (user_name, request_id, request_type, "
                      "fingerprint, response, recorded_at) VALUES (?, ?, ?, ?, ?, ?)");
  q.bind(1, result.user);
  q.bind(2, result.request_id);
  q.bind(3, result.request_type);
  q.bindNoCopy(4, result.fingerprint.data(), static_cast<int>(result.fingerprint.size()));
  q.bindNoCopy(5, result.response.data(), static_cast<int>(result.response.size()));
  q.bind(6, static_cast<int64_t>(absl::ToUnixMicros(result.recorded_at)));
  q.exec();
}

}  // namespace touchline::storage
