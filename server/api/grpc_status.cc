#include "server/api/grpc_status.h"

#include <optional>

#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/service/request_errors.h"

namespace touchline::api {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  auto bad_request = status.GetPayload(service::kBadRequestTypeUrl);
  if (!bad_request) return grpc::Status(code, message);

  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  auto* any = details.add_details();
  any->set_type_url(std::string(service::kBadRequestTypeUrl));
  any->set_value(std::string(*bad_request));
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace touchline::api
