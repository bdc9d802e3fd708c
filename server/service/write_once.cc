#include "server/service/write_once.h"

#include <openssl/sha.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/caller.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/service/proto_mapping.h"
#include "server/storage/request_result_store.h"

namespace touchline::service {
namespace {

using google::protobuf::Message;

// The request's request_id, or empty (unset, or a request without one).
std::string RequestIdOf(const Message& request) {
  const auto* field = request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return "";
  }
  return request.GetReflection()->GetString(request, field);
}

absl::Status CheckRequestId(const std::string& id) {
  if (id.size() > kMaxRequestIdLength) {
    return common::InvalidField("request_id", absl::StrCat("must be at most ", kMaxRequestIdLength,
                                                   " characters (a UUID fits)"));
  }
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return common::InvalidField("request_id", "may hold only A-Z a-z 0-9 . _ : - (a UUID fits)");
  }
  return absl::OkStatus();
}

// SHA-256 of the request without its request_id, serialized deterministically (map order fixed):
// the same request sent again has the same fingerprint.
std::string Fingerprint(const Message& request) {
  std::unique_ptr<Message> copy(request.New());
  copy->CopyFrom(request);
  if (const auto* field = copy->GetDescriptor()->FindFieldByName("request_id")) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

struct Identity {
  std::string request_id;
  std::string request_type;
  std::string fingerprint;
};

// Whether `stored` answers `id`: OK(true) with its response parsed, or ALREADY_EXISTS.
absl::StatusOr<bool> Replay(const storage::RequestResult& stored, const Identity& id,
                            Message& response) {
  if (stored.request_type != id.request_type || stored.fingerprint != id.fingerprint) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id '", id.request_id, "' was already used at ", FormatInstant(stored.recorded_at),
        " for a different request (", stored.request_type,
        "); its first result stands: send a new request_id for a new request"));
  }
  if (!response.ParseFromString(stored.response)) {
    return absl::InternalError(
        absl::StrCat("the stored result of request_id '", id.request_id, "' cannot be read"));
  }
  return true;
}

absl::StatusOr<std::optional<Identity>> IdentityOf(const Message& request) {
  std::string request_id = RequestIdOf(request);
  if (request_id.empty()) return std::nullopt;
  TL_RETURN_IF_ERROR(CheckRequestId(request_id));
  return Identity{std::move(request_id), request.GetDescriptor()->full_name(),
                  Fingerprint(request)};
}

}  // namespace

absl::Status WriteOnce(storage::Database& db, const common::Caller& caller, const Message& request,
                       Message& response,
                       absl::FunctionRef<absl::Status(storage::Transaction&)> work) {
  TL_ASSIGN_OR_RETURN(const std::optional<Identity> id, IdentityOf(request));
  return db.Write([&](storage::Transaction& conn) -> absl::Status {
    if (id) {
      if (auto stored = storage::FindRequestResult(conn, caller.user, id->request_id)) {
        return Replay(*stored, *id, response).status();
      }
    }
    TL_RETURN_IF_ERROR(work(conn));
    if (id) {
      storage::RequestResult result;
      result.user = caller.user;
      result.request_id = id->request_id;
      result.request_type = id->request_type;
      result.fingerprint = id->fingerprint;
      result.response = response.SerializeAsString();
      result.recorded_at = absl::Now();
      storage::InsertRequestResult(conn, result);
    }
    // Last before COMMIT: nothing after it can fail but the commit itself.
    if (caller.record_write) TL_RETURN_IF_ERROR(caller.record_write(response));
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> FindFirstResult(storage::Database& db, const common::Caller& caller,
                                     const Message& request, Message& response) {
  TL_ASSIGN_OR_RETURN(const std::optional<Identity> id, IdentityOf(request));
  if (!id) return false;
  absl::StatusOr<bool> found = false;
  TL_RETURN_IF_ERROR(db.Read([&](storage::Transaction& conn) -> absl::Status {
    if (auto stored = storage::FindRequestResult(conn, caller.user, id->request_id)) {
      found = Replay(*stored, *id, response);
    }
    return absl::OkStatus();
  }));
  return found;
}

}  // namespace touchline::service
