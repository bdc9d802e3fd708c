#include "server/api/grpc_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/api/server_log.h"
#include "server/common/request_errors.h"

namespace touchline::api {

namespace {

// Faults of the server or its storage, as opposed to a caller's mistake: worth a log line.
bool IsServerFault(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  if (IsServerFault(status.code())) LogLineLimited(absl::StrCat("error: ", status.ToString()));
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  auto bad_request = status.GetPayload(common::kBadRequestTypeUrl);
  if (!bad_request) return grpc::Status(code, message);

  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  auto* any = details.add_details();
  any->set_type_url(std::string(common::kBadRequestTypeUrl));
  any->set_value(std::string(*bad_request));
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace touchline::api
