#include "client/cli/errors.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace touchline::cli {

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

std::string ConnectionHint(const grpc::Status& status, const std::string& server, bool tls, bool client_cert) {
  const std::string& m = status.error_message();
  auto has = [&](absl::string_view s) { return absl::StrContains(absl::AsciiStrToLower(m), absl::AsciiStrToLower(s)); };
  if (has("Connection refused")) {
    return absl::StrCat("connection refused: nothing listens at ", server,
                        "; is touchline-server running there? set --server or TOUCHLINE_SERVER");
  }
  if (has("CERTIFICATE_REQUIRED") || (tls && !client_cert && (has("Socket closed") || has("Connection reset")))) {
    return absl::StrCat("the server at ", server,
                        " closed the TLS connection: it requires a client certificate (mutual TLS); give "
                        "--tls-cert and --tls-key");
  }
  if (has("wrong version number") || has("WRONG_VERSION_NUMBER") || (tls && has("handshake failed") && !has("CERTIFICATE"))) {
    return absl::StrCat("TLS mismatch: the server at ", server,
                        " does not speak TLS; leave out --tls-ca/--tls-cert/--tls-key, or start the server with "
                        "--tls_cert and --tls_key");
  }
  if (has("CERTIFICATE_VERIFY_FAILED") || has("certificate verify failed")) {
    return absl::StrCat("the certificate of the server at ", server,
                        " is not signed by --tls-ca (or not made for this host name)");
  }
  if (tls && client_cert && (has("Socket closed") || has("Connection reset") || has("certificate"))) {
    return absl::StrCat("the server at ", server,
                        " closed the TLS connection: is the client certificate signed by the CA of its "
                        "--tls_client_ca?");
  }
  if (!tls && (has("Socket closed") || has("Connection reset"))) {
    return absl::StrCat("TLS mismatch: the server at ", server,
                        " closed a plaintext connection; it probably requires TLS: give --tls-ca (and "
                        "--tls-cert/--tls-key for mutual TLS)");
  }
  return absl::StrCat("is touchline-server running at ", server, "? set --server or TOUCHLINE_SERVER");
}

std::string FormatRpcError(const grpc::Status& status) {
  std::string out = absl::StrCat(StatusCodeName(status.error_code()), ": ", status.error_message(), "\n");
  if (status.error_details().empty()) return out;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return out;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    google::rpc::PreconditionFailure pre;
    if (any.Is<google::rpc::BadRequest>() && any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) absl::StrAppend(&out, "  ", v.field(), ": ", v.description(), "\n");
    } else if (any.Is<google::rpc::PreconditionFailure>() && any.UnpackTo(&pre)) {
      for (const auto& v : pre.violations()) {
        absl::StrAppend(&out, "  ", v.subject().empty() ? v.type() : v.subject(), ": ", v.description(), "\n");
      }
    }
  }
  return out;
}

}  // namespace touchline::cli
