// Shared state of one CLI invocation: options, output streams, the channel and call helpers.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "client/cli/args.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"

namespace touchline::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;
inline constexpr int kExitUsage = 2;

struct Command;

class Ctx {
 public:
  Ctx(const Args& args, std::ostream& out, std::ostream& err, absl::Time now)
      : args(args), out(out), err(err), now(now) {}

  const Args& args;
  std::ostream& out;
  std::ostream& err;
  absl::Time now;
  const Command* command = nullptr;

  // A new channel with these arguments and the TLS options given (e.g. a faster reconnect).
  std::shared_ptr<grpc::Channel> NewChannel(const grpc::ChannelArguments& channel_args) const;
  std::shared_ptr<grpc::Channel> channel();
  // Adds the bearer token ("authorization" metadata), "touchline-user" and the deadline.
  void Prepare(grpc::ClientContext* context) const;
  // The bearer token: --token / $TOUCHLINE_TOKEN, else the first line of the token file; may be "".
  const std::string& Token() const;

  // Prints a usage error (and where to find help); returns 2.
  int Usage(const absl::Status& status) const;
  int Usage(absl::string_view message) const;
  // Prints an RPC error; returns 1.
  int RpcError(const grpc::Status& status) const;
  // Print the response message itself (-o json|yaml, --json) rather than a table.
  bool structured() const { return args.global.json || args.global.output == "yaml"; }
  bool yaml() const { return args.global.output == "yaml"; }
  // -o wide: tables with full text (no summarising).
  bool wide() const { return args.global.output == "wide"; }
  bool json() const { return structured(); }
  // The request_id of this command's write (set when it is first sent): RpcError names it, so a
  // write whose outcome is unknown can be retried safely with --request-id.
  std::string write_request_id;
  // Prints a response in the structured format asked for (json: the protobuf JSON mapping; yaml:
  // the same as YAML).
  void PrintMessage(const google::protobuf::Message& message) const;
  void PrintJson(const google::protobuf::Message& message) const { PrintMessage(message); }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  mutable std::optional<std::string> token_;
  // Why the token file could not be read ("" if it was, or was not needed).
  mutable std::string token_error_;
};

using Handler = int (*)(Ctx&);

struct Command {
  std::string resource;
  std::string verb;      // empty for single-word commands ("health", "seed")
  std::string synopsis;  // options, e.g. "--name=NAME"
  std::string summary;
  std::vector<std::string> options;
  Handler handler;
};

const std::vector<Command>& Commands();

// Implemented in seed_run.cc; the other handlers are declared in handlers.h.
int RunSeed(Ctx& ctx);

#define TL_CONCAT_INNER(a, b) a##b
#define TL_CONCAT(a, b) TL_CONCAT_INNER(a, b)
// lhs = value of a StatusOr-returning expression, or return ctx.Usage(status).
#define TL_ARG(lhs, expr) TL_ARG_IMPL(TL_CONCAT(tl_arg_, __LINE__), lhs, expr)
#define TL_ARG_IMPL(tmp, lhs, expr)                  \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return ctx.Usage(tmp.status());     \
  lhs = std::move(*tmp)

}  // namespace touchline::cli
