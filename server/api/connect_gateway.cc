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
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"
#include "google/rpc/status.pb.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
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

const pb::MethodDescriptor* FindMethod(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (!path.starts_with("/touchline.v1.") || slash == 0 || slash == std::string_view::npos) {
    return nullptr;
  }
  const pb::ServiceDescriptor* service = pb::DescriptorPool::generated_pool()->FindServiceByName(
      std::string(path.substr(1, slash - 1)));
  return service == nullptr ? nullptr : service->FindMethodByName(std::string(path.substr(slash + 1)));
}

// The request message of `method` from its JSON or binary form: a body that is not one never
// reaches the server.
grpc::Status Decode(const pb::MethodDescriptor& method, bool json, const std::string& body,
                    pb::Message& out) {
  if (json) {
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto parsed = pb::util::JsonStringToMessage(body.empty() ? "{}" : body, &out, options);
    if (!parsed.ok()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("the body is not a JSON ", method.input_type()->full_name(),
                                       ": ", std::string(parsed.message())));
    }
  } else if (!out.ParseFromString(body)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("the body is not a binary ", method.input_type()->full_name()));
  }
  return grpc::Status::OK;
}

// Connect-Timeout-Ms: at most 10 digits of milliseconds; "" is no deadline.
grpc::Status ParseTimeout(const std::string& text, std::optional<absl::Duration>& timeout) {
  if (text.empty()) return grpc::Status::OK;
  int64_t ms = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (error != std::errc() || end != text.data() + text.size() || ms < 0 || text.size() > 10) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "Connect-Timeout-Ms is not a number of milliseconds");
  }
  timeout = absl::Milliseconds(ms);
  return grpc::Status::OK;
}

// The generated types, for printing binary answers as JSON without parsing them into messages
// first (MessageToJsonString would parse, serialise again and then print from the bytes).
pb::util::TypeResolver& GeneratedTypes() {
  static pb::util::TypeResolver* const resolver = pb::util::NewTypeResolverForDescriptorPool(
      "type.googleapis.com", pb::DescriptorPool::generated_pool());
  return *resolver;
}

// The server's answer (binary) in the caller's form.
grpc::Status Encode(const pb::MethodDescriptor& method, bool json, std::string binary,
                    std::string& out) {
  if (!json) {
    out = std::move(binary);
    return grpc::Status::OK;
  }
  out.clear();
  const auto printed = pb::util::BinaryToJsonString(
      &GeneratedTypes(), absl::StrCat("type.googleapis.com/", method.output_type()->full_name()),
      binary, &out);
  if (!printed.ok()) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        absl::StrCat("the server's answer did not print as JSON: ",
                                     std::string(printed.message())));
  }
  return grpc::Status::OK;
}

std::optional<bool> StreamCodecIsJson(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  const std::string media =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(
          absl::string_view(content_type.data(), std::min(semicolon, content_type.size()))));
  if (media == "application/connect+json") return true;
  if (media == "application/connect+proto") return false;
  return std::nullopt;
}

}  // namespace

std::string ConnectEnvelope(unsigned char flags, std::string_view bytes) {
  std::string out;
  out.reserve(5 + bytes.size());
  out += static_cast<char>(flags);
  const uint32_t n = static_cast<uint32_t>(bytes.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  out.append(bytes);
  return out;
}

std::string ConnectEndOfStream(const grpc::Status& status) {
  if (status.ok()) return "{}";
  return absl::StrCat("{\"error\":", ConnectError(status).body, "}");
}

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

ConnectGateway::ConnectGateway(std::shared_ptr<grpc::Channel> channel, size_t max_message_bytes,
                               ConnectStreamLimits stream_limits)
    : channel_(std::move(channel)),
      max_message_bytes_(max_message_bytes),
      stream_limits_(stream_limits) {}

ConnectResponse ConnectGateway::Unary(const ConnectRequest& request) const {
  if (request.method != "POST") {
    return ErrorWithStatus(405, grpc::StatusCode::UNIMPLEMENTED,
                           "a Connect unary call is an HTTP POST");
  }
  const std::string& path = request.path;
  const pb::MethodDescriptor* method = FindMethod(path);
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
  std::unique_ptr<pb::Message> message(
      pb::MessageFactory::generated_factory()->GetPrototype(method->input_type())->New());
  if (grpc::Status decoded = Decode(*method, *codec == Codec::kJson, request.body, *message);
      !decoded.ok()) {
    return ConnectError(decoded);
  }
  std::optional<absl::Duration> timeout;
  if (grpc::Status parsed = ParseTimeout(request.timeout_ms, timeout); !parsed.ok()) {
    return ConnectError(parsed);
  }
  grpc::ClientContext context;
  if (!request.authorization.empty()) context.AddMetadata("authorization", request.authorization);
  if (timeout) context.set_deadline(absl::ToChronoTime(absl::Now() + *timeout));
  const std::string bytes = message->SerializeAsString();
  grpc::Slice slice(bytes);
  const grpc::ByteBuffer in(&slice, 1);
  grpc::ByteBuffer out;
  std::promise<grpc::Status> done;
  grpc::GenericStub stub(channel_);
  stub.UnaryCall(&context, path, grpc::StubOptions(),
                 &in, &out, [&done](grpc::Status s) { done.set_value(std::move(s)); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) return ConnectError(status);

  ConnectResponse response;
  response.content_type = *codec == Codec::kJson ? "application/json" : "application/proto";
  if (grpc::Status encoded = Encode(*method, *codec == Codec::kJson, Concatenate(out), response.body);
      !encoded.ok()) {
    return ConnectError(encoded);
  }
  return response;
}

bool ConnectGateway::IsServerStream(std::string_view path) {
  const pb::MethodDescriptor* method = FindMethod(path);
  return method != nullptr && method->server_streaming() && !method->client_streaming();
}

std::unique_ptr<ConnectServerStream> ConnectGateway::OpenServerStream(
    const ConnectRequest& request, ConnectResponse* refusal) const {
  const pb::MethodDescriptor* method = FindMethod(request.path);
  if (method == nullptr || !method->server_streaming() || method->client_streaming()) {
    *refusal = ErrorWithStatus(404, grpc::StatusCode::UNIMPLEMENTED,
                               absl::StrCat("no server-streaming procedure ", request.path));
    return nullptr;
  }
  if (request.method != "POST") {
    *refusal = ErrorWithStatus(405, grpc::StatusCode::UNIMPLEMENTED,
                               "a Connect streaming call is an HTTP POST");
    return nullptr;
  }
  const std::optional<bool> json = StreamCodecIsJson(request.content_type);
  if (!json) {
    *refusal = ErrorWithStatus(
        415, grpc::StatusCode::UNIMPLEMENTED,
        absl::StrCat("content type \"", request.content_type, "\" is not application/connect+json or "
                     "application/connect+proto (", request.path, " is a server stream)"));
    return nullptr;
  }
  const std::string content_type = *json ? "application/connect+json" : "application/connect+proto";
  // From here on the answer is a stream: a refusal is its end-of-stream message.
  auto refuse = [&](const grpc::Status& status) -> std::unique_ptr<ConnectServerStream> {
    refusal->http_status = 200;
    refusal->content_type = content_type;
    refusal->body = ConnectEnvelope(0x02, ConnectEndOfStream(status));
    return nullptr;
  };
  const std::string& body = request.body;
  if (body.size() < 5) {
    return refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                               "the body is not one enveloped request message"));
  }
  const auto flags = static_cast<unsigned char>(body[0]);
  uint32_t length = 0;
  for (int i = 1; i <= 4; ++i) length = (length << 8) | static_cast<unsigned char>(body[i]);
  if ((flags & 0x01) != 0) {
    return refuse(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                               "compressed messages are not accepted (send them uncompressed)"));
  }
  if (flags != 0 || length != body.size() - 5) {
    return refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                               "the body is not one enveloped request message"));
  }
  if (length > max_message_bytes_) {
    return refuse(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                               absl::StrCat("the request is larger than ", max_message_bytes_, " bytes")));
  }
  std::unique_ptr<pb::Message> message(
      pb::MessageFactory::generated_factory()->GetPrototype(method->input_type())->New());
  if (grpc::Status decoded = Decode(*method, *json, body.substr(5), *message); !decoded.ok()) {
    return refuse(decoded);
  }
  std::optional<absl::Duration> timeout;
  if (grpc::Status parsed = ParseTimeout(request.timeout_ms, timeout); !parsed.ok()) {
    return refuse(parsed);
  }
  // The place under the limits, by token (hashed: the map holds no bearer secret).
  const std::string slot = absl::StrCat(std::hash<std::string>()(request.authorization));
  {
    std::lock_guard lock(streams_mutex_);
    int& mine = streams_by_token_[slot];
    if (streams_ >= stream_limits_.total || mine >= stream_limits_.per_token) {
      if (mine == 0) streams_by_token_.erase(slot);
      return refuse(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          streams_ >= stream_limits_.total
              ? absl::StrCat("the server has ", stream_limits_.total,
                             " Connect streams open, its most; use gRPC or try again shortly")
              : absl::StrCat("this token has ", stream_limits_.per_token,
                             " Connect streams open, its most; close one first")));
    }
    ++mine;
    ++streams_;
  }
  std::unique_ptr<ConnectServerStream> stream(new ConnectServerStream(*this, slot));
  stream->path_ = request.path;
  stream->method_ = method;
  stream->json_ = *json;
  stream->content_type_ = content_type;
  stream->request_bytes_ = message->SerializeAsString();
  stream->authorization_ = request.authorization;
  stream->timeout_ = timeout;
  return stream;
}

int ConnectGateway::open_streams() const {
  std::lock_guard lock(streams_mutex_);
  return streams_;
}

void ConnectGateway::ReleaseStream(const std::string& slot) const {
  std::lock_guard lock(streams_mutex_);
  --streams_;
  auto it = streams_by_token_.find(slot);
  if (it != streams_by_token_.end() && --it->second <= 0) streams_by_token_.erase(it);
}

ConnectServerStream::~ConnectServerStream() { gateway_.ReleaseStream(slot_); }

void ConnectGateway::StopStreams() {
  std::lock_guard lock(streams_mutex_);
  stopping_ = true;
  for (grpc::ClientContext* context : running_) context->TryCancel();
}

bool ConnectGateway::Running(grpc::ClientContext* context) const {
  std::lock_guard lock(streams_mutex_);
  if (stopping_) return false;
  running_.insert(context);
  return true;
}

void ConnectGateway::Finished(grpc::ClientContext* context) const {
  std::lock_guard lock(streams_mutex_);
  running_.erase(context);
}

bool ConnectGateway::stopping() const {
  std::lock_guard lock(streams_mutex_);
  return stopping_;
}

void ConnectServerStream::Run(const std::function<bool(std::string_view)>& write) {
  // Declared in this order so they go in reverse: the call before its context and queue.
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  if (!authorization_.empty()) context.AddMetadata("authorization", authorization_);
  if (timeout_) context.set_deadline(absl::ToChronoTime(absl::Now() + *timeout_));
  if (!gateway_.Running(&context)) {
    write(ConnectEnvelope(0x02, ConnectEndOfStream(grpc::Status(
                                    grpc::StatusCode::UNAVAILABLE, "the server is stopping"))));
    return;
  }
  struct Unregister {
    const ConnectGateway& gateway;
    grpc::ClientContext* context;
    ~Unregister() { gateway.Finished(context); }
  } unregister{gateway_, &context};
  grpc::GenericStub stub(gateway_.channel_);
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, path_, &queue);
  const absl::Time end_of_life = absl::Now() + gateway_.stream_limits_.lifetime;
  bool expired = false;
  // One operation is outstanding at a time: wait for it. Past the stream's lifetime the call is
  // cancelled (its operation then completes, not ok).
  auto await = [&]() -> bool {
    void* tag = nullptr;
    bool ok = false;
    for (;;) {
      const auto next = expired ? queue.AsyncNext(&tag, &ok, gpr_inf_future(GPR_CLOCK_REALTIME))
                                : queue.AsyncNext(&tag, &ok, absl::ToChronoTime(end_of_life));
      if (next == grpc::CompletionQueue::GOT_EVENT) return ok;
      if (next == grpc::CompletionQueue::SHUTDOWN) return false;
      expired = true;
      context.TryCancel();
    }
  };
  bool client_gone = false;
  call->StartCall(nullptr);
  bool ok = await();
  if (ok) {
    grpc::Slice slice(request_bytes_);
    const grpc::ByteBuffer in(&slice, 1);
    call->WriteLast(in, grpc::WriteOptions(), nullptr);
    ok = await();
  }
  grpc::Status failure = grpc::Status::OK;
  while (ok) {
    grpc::ByteBuffer out;
    call->Read(&out, nullptr);
    if (!await()) break;
    std::string encoded;
    if (grpc::Status status = Encode(*method_, json_, Concatenate(out), encoded); !status.ok()) {
      failure = status;
      context.TryCancel();
      break;
    }
    if (!write(ConnectEnvelope(0x00, encoded))) {
      client_gone = true;
      context.TryCancel();
      break;
    }
  }
  grpc::Status status;
  call->Finish(&status, nullptr);
  await();
  queue.Shutdown();
  void* tag = nullptr;
  bool drained = false;
  while (queue.Next(&tag, &drained)) {
  }
  if (client_gone) return;
  if (!failure.ok()) status = failure;
  // Ended by its lifetime: a clean end, the client opens the next one.
  if (status.error_code() == grpc::StatusCode::CANCELLED) {
    if (gateway_.stopping()) {
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "the server is stopping; open the stream again");
    } else if (expired) {
      status = grpc::Status::OK;
    }
  }
  write(ConnectEnvelope(0x02, ConnectEndOfStream(status)));
}

}  // namespace touchline::api
