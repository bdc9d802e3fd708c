// Ctx: the shared state of one CLI invocation (channel, token, deadline) and how it reports usage
// errors, RPC errors and structured output.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cli/context.h"
#include "client/cli/errors.h"
#include "client/cli/yaml.h"
#include "google/protobuf/util/json_util.h"

namespace touchline::cli {

namespace {

// The first line of a file, without surrounding whitespace; nullopt and *why if unreadable.
std::optional<std::string> FirstLine(const std::string& path, std::string* why) {
  errno = 0;
  std::ifstream in(path);
  if (!in) {
    *why = errno != 0 ? std::strerror(errno) : "cannot open";
    return std::nullopt;
  }
  std::string line;
  if (!std::getline(in, line)) {
    *why = in.bad() ? std::strerror(errno) : "the file is empty";
    return std::nullopt;
  }
  std::string token(absl::StripAsciiWhitespace(line));
  if (token.empty()) *why = "its first line is empty";
  return token;
}

}  // namespace

std::shared_ptr<grpc::Channel> Ctx::channel() {
  if (!channel_) channel_ = NewChannel(grpc::ChannelArguments());
  return channel_;
}

std::shared_ptr<grpc::Channel> Ctx::NewChannel(const grpc::ChannelArguments& channel_args) const {
  const GlobalOptions& g = args.global;
  if (g.tls_ca.empty() && g.tls_cert.empty() && g.tls_key.empty()) {
    return grpc::CreateCustomChannel(g.server, grpc::InsecureChannelCredentials(), channel_args);
  }
  grpc::SslCredentialsOptions ssl;  // without --tls-ca: the system's trusted CAs
  std::optional<std::string> ca, cert, key;
  auto read = [&](const std::string& path, const char* what, std::string* out) {
    if (path.empty()) return;
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in || buffer.str().empty()) err << "touchline: cannot read " << what << " " << path << "\n";
    *out = buffer.str();
  };
  read(g.tls_ca, "--tls-ca", &ssl.pem_root_certs);
  read(g.tls_cert, "--tls-cert", &ssl.pem_cert_chain);
  read(g.tls_key, "--tls-key", &ssl.pem_private_key);
  return grpc::CreateCustomChannel(g.server, grpc::SslCredentials(ssl), channel_args);
}

const std::string& Ctx::Token() const {
  if (!token_) {
    token_ = args.global.token;
    if (token_->empty()) token_ = FirstLine(args.global.token_file, &token_error_).value_or("");
  }
  return *token_;
}

void Ctx::Prepare(grpc::ClientContext* context) const {
  if (!Token().empty()) context->AddMetadata("authorization", "Bearer " + Token());
  context->AddMetadata("touchline-user", args.global.user);
  auto micros = static_cast<int64_t>(args.global.timeout_seconds * 1e6);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::microseconds(micros));
}

int Ctx::Usage(const absl::Status& status) const { return Usage(status.message()); }

int Ctx::Usage(absl::string_view message) const {
  err << "touchline: " << message << "\n";
  if (command != nullptr) {
    err << "Run 'touchline " << command->resource << (command->verb.empty() ? "" : " ") << command->verb
        << " --help' for usage.\n";
  } else {
    err << "Run 'touchline help' for usage.\n";
  }
  return kExitUsage;
}

int Ctx::RpcError(const grpc::Status& status) const {
  err << "touchline: " << FormatRpcError(status);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    const GlobalOptions& g = args.global;
    err << "(" << ConnectionHint(status, g.server, !g.tls_ca.empty() || !g.tls_cert.empty(), !g.tls_cert.empty())
        << ")\n";
  }
  if (!write_request_id.empty() && (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                                    status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                                    status.error_code() == grpc::StatusCode::CANCELLED)) {
    err << "(the write may or may not have been stored: repeat the same command with --request-id="
        << write_request_id << " and it is stored at most once)\n";
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED && args.global.token.empty() &&
      !token_error_.empty()) {
    err << "touchline: cannot read the token file " << args.global.token_file << ": " << token_error_ << "\n"
        << "(give --token, TOUCHLINE_TOKEN, or --token-file / TOUCHLINE_TOKEN_FILE naming the file that "
           "touchline-server writes beside its database on first start)\n";
  } else if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    err << "(give a token: --token, TOUCHLINE_TOKEN, or the token file " << args.global.token_file
        << " that touchline-server writes beside its database on first start)\n";
  }
  return kExitServerError;
}

void Ctx::PrintMessage(const google::protobuf::Message& message) const {
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  std::string json;
  auto st = google::protobuf::util::MessageToJsonString(message, &json, opts);
  if (!st.ok()) {
    err << "touchline: cannot print JSON: " << st.ToString() << "\n";
    return;
  }
  if (yaml()) {
    auto y = JsonToYaml(json);
    if (!y.ok()) {
      err << "touchline: cannot print YAML: " << y.status().message() << "\n";
      return;
    }
    json = *std::move(y);
  }
  out << json;
  if (json.empty() || json.back() != '\n') out << "\n";
}

}  // namespace touchline::cli
