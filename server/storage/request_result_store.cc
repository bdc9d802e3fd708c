#include "server/storage/request_result_store.h"
#include "server/storage/row_binding.h"


namespace touchline::storage {

std::optional<RequestResult> FindRequestResult(Transaction& db, const std::string& user,
                                               const std::string& request_id) {
  Statement q = db.Prepare("SELECT request_type, fingerprint, response, recorded_at FROM request_results "
                      "WHERE user_name = ? AND request_id = ?");
  q.Bind(1, user);
  q.Bind(2, request_id);
  if (!q.Step()) return std::nullopt;
  RequestResult r;
  r.user = user;
  r.request_id = request_id;
  r.request_type = q.ColumnText(0);
  // Byte strings: PostgreSQL hands a bytea read as text back in its hex form.
  r.fingerprint = q.ColumnBlob(1);
  r.response = q.ColumnBlob(2);
  r.recorded_at = absl::FromUnixMicros(q.ColumnInt(3));
  return r;
}

void InsertRequestResult(Transaction& db, const RequestResult& result) {
  Statement q = db.Prepare("INSERT INTO request_results (user_name, request_id, request_type, "
                      "fingerprint, response, recorded_at) VALUES (?, ?, ?, ?, ?, ?)");
  q.Bind(1, result.user);
  q.Bind(2, result.request_id);
  q.Bind(3, result.request_type);
  q.BindBlobNoCopy(4, result.fingerprint);
  q.BindBlobNoCopy(5, result.response);
  q.Bind(6, static_cast<int64_t>(absl::ToUnixMicros(result.recorded_at)));
  q.Execute();
}

}  // namespace touchline::storage
