#include "server/api/connect_gateway.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <future>
#include <optional>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"

namespace touchline::api {
namespace {

namespace pb = google::protobuf;

enum class Codec { kJson, kProto };

std::optional<Codec> CodecOf(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  const std::string media =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(
          absl::string_view(content_type.data(), std::min(semicolon, content_type.size()))));
  if (media == "application/json") return Codec::kJson;
  if (media == "application/proto") return Codec::kProto;
  return std::nullopt;
}

// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped; other
// bytes, UTF-8 included, as they are.
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::BytesToHexString(absl::string_view(&c, 1)));
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

ConnectResponse ErrorWithStatus(int http_status, grpc::StatusCode code, std::string message) {
  ConnectResponse r = ConnectError(grpc::Status(code, std::move(message)));
  r.http_status = http_status;
  return r;
}

std::string Concatenate(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

}  // namespace

int ConnectHttpStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return 200;
    case grpc::StatusCode::CANCELLED: return 499;
    case grpc::StatusCode::INVALID_ARGUMENT: return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return 504;
    case grpc::StatusCode::NOT_FOUND: return 404;
    case grpc::StatusCode::ALREADY_EXISTS: return 409;
    case grpc::StatusCode::PERMISSION_DENIED: return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return 429;
    case grpc::StatusCode::FAILED_PRECONDITION: return 400;
    case grpc::StatusCode::ABORTED: return 409;
    case grpc::StatusCode::OUT_OF_RANGE: return 400;
    case grpc::StatusCode::UNIMPLEMENTED: return 501;
    case grpc::StatusCode::UNAVAILABLE: return 503;
    case grpc::StatusCode::UNAUTHENTICATED: return 401;
    default: return 500;  // UNKNOWN, INTERNAL, DATA_LOSS
  }
}

std::string ConnectCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "ok";
    case grpc::StatusCode::CANCELLED: return "canceled";
    case grpc::StatusCode::INVALID_ARGUMENT: return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND: return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS: return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED: return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION: return "failed_precondition";
    case grpc::StatusCode::ABORTED: return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE: return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED: return "unimplemented";
    case grpc::StatusCode::INTERNAL: return "internal";
    case grpc::StatusCode::UNAVAILABLE: return "unavailable";
    case grpc::StatusCode::DATA_LOSS: return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED: return "unauthenticated";
    default: return "unknown";
  }
}

ConnectResponse ConnectError(const grpc::Status& status) {
  ConnectResponse r;
  r.http_status = ConnectHttpStatus(status.error_code());
  r.content_type = "application/json";
  std::string details;
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    for (const auto& any : rich.details()) {
      std::string_view type = any.type_url();
      type.remove_prefix(type.rfind('/') == std::string_view::npos ? 0 : type.rfind('/') + 1);
      std::string value = absl::Base64Escape(any.value());
      while (!value.empty() && value.back() == '=') value.pop_back();  // unpadded (the spec)
      absl::StrAppend(&details, details.empty() ? "" : ",", "{\"type\":", JsonString(type),
                      ",\"value\":", JsonString(value), "}");
    }
  }
  r.body = absl::StrCat("{\"code\":", JsonString(ConnectCodeName(status.error_code())),
                        status.error_message().empty()
                            ? ""
                            : absl::StrCat(",\"message\":", JsonString(status.error_message())),
                        details.empty() ? "" : absl::StrCat(",\"details\":[", details, "]"), "}");
  return r;
}

ConnectGateway::ConnectGateway(std::shared_ptr<grpc::Channel> channel, size_t max_message_bytes)
    : channel_(std::move(channel)), max_message_bytes_(max_message_bytes) {}

ConnectResponse ConnectGateway::Unary(const ConnectRequest& request) const {
  if (request.method != "POST") {
    return ErrorWithStatus(405, grpc::StatusCode::UNIMPLEMENTED,
                           "a Connect unary call is an HTTP POST");
  }
  // "/touchline.v1.SquadService/ListSquads"
  const std::string& path = request.path;
  const size_t slash = path.rfind('/');
  if (!path.starts_with("/touchline.v1.") || slash == 0 || slash == std::string_view::npos) {
    return ErrorWithStatus(404, grpc::StatusCode::UNIMPLEMENTED,
                           absl::StrCat("no procedure ", path));
  }
  const std::string service_name = path.substr(1, slash - 1);
  const std::string method_name = path.substr(slash + 1);
  const pb::ServiceDescriptor* service =
      pb::DescriptorPool::generated_pool()->FindServiceByName(service_name);
  const pb::MethodDescriptor* method =
      service == nullptr ? nullptr : service->FindMethodByName(method_name);
  if (method == nullptr) {
    return ErrorWithStatus(404, grpc::StatusCode::UNIMPLEMENTED,
                           absl::StrCat("no procedure ", path));
  }
  if (method->client_streaming() || method->server_streaming()) {
    return ErrorWithStatus(415, grpc::StatusCode::UNIMPLEMENTED,
                           absl::StrCat(path, " is a streaming procedure: call it with the Connect "
                                              "streaming protocol or gRPC"));
  }
  const std::optional<Codec> codec = CodecOf(request.content_type);
  if (!codec) {
    return ErrorWithStatus(415, grpc::StatusCode::UNIMPLEMENTED,
                           absl::StrCat("content type \"", request.content_type,
                                        "\" is not application/json or application/proto"));
  }
  if (request.body.size() > max_message_bytes_) {
    return ErrorWithStatus(413, grpc::StatusCode::RESOURCE_EXHAUSTED,
                           absl::StrCat("the request is larger than ", max_message_bytes_, " bytes"));
  }

  // Decode into the method's own message type: a body that is not one never reaches the server.
  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  std::unique_ptr<pb::Message> message(factory->GetPrototype(method->input_type())->New());
  if (*codec == Codec::kJson) {
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto parsed =
        pb::util::JsonStringToMessage(request.body.empty() ? "{}" : request.body, message.get(), options);
    if (!parsed.ok()) {
      return ConnectError(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("the body is not a JSON ", method->input_type()->full_name(), ": ",
                       std::string(parsed.message()))));
    }
  } else if (!message->ParseFromString(request.body)) {
    return ConnectError(grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("the body is not a binary ", method->input_type()->full_name())));
  }

  grpc::ClientContext context;
  if (!request.authorization.empty()) context.AddMetadata("authorization", request.authorization);
  if (!request.timeout_ms.empty()) {
    int64_t ms = 0;
    const auto [end, error] = std::from_chars(
        request.timeout_ms.data(), request.timeout_ms.data() + request.timeout_ms.size(), ms);
    if (error != std::errc() || end != request.timeout_ms.data() + request.timeout_ms.size() ||
        ms < 0 || request.timeout_ms.size() > 10) {
      return ConnectError(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                       "Connect-Timeout-Ms is not a number of milliseconds"));
    }
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(ms));
  }
  const std::string bytes = message->SerializeAsString();
  grpc::Slice slice(bytes);
  const grpc::ByteBuffer in(&slice, 1);
  grpc::ByteBuffer out;
  std::promise<grpc::Status> done;
  grpc::GenericStub stub(channel_);
  stub.UnaryCall(&context, absl::StrCat("/", service_name, "/", method_name), grpc::StubOptions(),
                 &in, &out, [&done](grpc::Status s) { done.set_value(std::move(s)); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) return ConnectError(status);

  ConnectResponse response;
  std::string answer = Concatenate(out);
  if (*codec == Codec::kProto) {
    response.content_type = "application/proto";
    response.body = std::move(answer);
    return response;
  }
  std::unique_ptr<pb::Message> reply(factory->GetPrototype(method->output_type())->New());
  if (!reply->ParseFromString(answer)) {
    return ConnectError(grpc::Status(grpc::StatusCode::INTERNAL, "the server's answer did not decode"));
  }
  response.content_type = "application/json";
  const auto printed = pb::util::MessageToJsonString(*reply, &response.body);
  if (!printed.ok()) {
    return ConnectError(grpc::Status(grpc::StatusCode::INTERNAL, std::string(printed.message())));
  }
  return response;
}

}  // namespace touchline::api
