#include "server/api/access_interceptor.h"

#include <cstdio>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"
#include "server/access/access_policy.h"
#include "server/access/minimiser.h"
#include "server/api/call_context.h"
#include "server/api/server_log.h"
#include "server/common/caller.h"

namespace touchline::api {
namespace {

using grpc::experimental::InterceptionHookPoints;
using google::protobuf::Message;

std::atomic<int64_t> unchecked_calls{0};

std::string_view CodeName(grpc::StatusCode code) {
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
    default: break;
  }
  return "UNKNOWN";
}

// "/touchline.v1.SquadService/CreateSquad" -> its descriptor, or nullptr.
const google::protobuf::MethodDescriptor* FindMethod(std::string_view full_name) {
  if (full_name.size() < 2 || full_name[0] != '/') return nullptr;
  std::string dotted(full_name.substr(1));
  const size_t slash = dotted.rfind('/');
  if (slash == std::string::npos) return nullptr;
  dotted[slash] = '.';
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(dotted);
}

// How many records an answer carries, for a stream's closing audit record: an export message's
// records, an import's stored events, else one (a flag change).
int64_t RecordsIn(const Message& message) {
  const auto* descriptor = message.GetDescriptor();
  const auto* reflection = message.GetReflection();
  if (const auto* records = descriptor->FindFieldByName("records");
      records != nullptr && records->is_repeated()) {
    return reflection->FieldSize(message, records);
  }
  if (const auto* stored = descriptor->FindFieldByName("stored_count");
      stored != nullptr && stored->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
    return reflection->GetInt64(message, stored);
  }
  return 1;
}

grpc::ByteBuffer BufferOf(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

class AccessInterceptor final : public grpc::experimental::Interceptor {
 public:
  AccessInterceptor(grpc::experimental::ServerRpcInfo* info, const AccessEnvironment& env)
      : env_(env),
        context_(info->server_context()),
        method_name_(info->method() != nullptr ? info->method() : ""),
        method_(FindMethod(method_name_)),
        rule_(access::FindMethodRule(method_name_)),
        decision_(std::make_shared<CallDecision>()) {}

  ~AccessInterceptor() override {
    if (registered_) ForgetCallDecision(context_);
    ReleaseLimit();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Decide(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      OnRequest(methods->GetRecvMessage());
    }
    const bool sends_message =
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE);
    if (sends_message) OnResponse(methods);
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        OnStatus(methods, sends_message)) {
      return;  // the status goes out once the call's audit record is committed
    }
    methods->Proceed();
  }

 private:
  void Decide(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    CallDecision& d = *decision_;
    if (access::IsPublicMethod(method_name_)) {
      d.is_public = true;
    } else {
      const auto range = metadata.equal_range("authorization");
      const auto count = std::distance(range.first, range.second);
      if (count != 1) {
        d.status = absl::UnauthenticatedError(
            count == 0 ? "missing \"authorization: Bearer <token>\" metadata"
                       : "more than one authorization header");
      } else {
        const grpc::string_ref value = range.first->second;
        const bool stream =
            method_ != nullptr && (method_->client_streaming() || method_->server_streaming());
        kind_ = stream ? CallLimits::Kind::kStream : CallLimits::Kind::kCall;
        if (stream) {
          // A stream's metadata arrives on one of gRPC's event threads, which must not wait for
          // SQLite: the token is checked when the stream's reactor first asks CallerFrom, on a
          // stream worker, before anything else of the call runs.
          d.complete = [this, authorization = std::string(value.data(), value.size())](
                           CallDecision& decision) { Authorize(decision, authorization); };
        } else {
          Authorize(d, std::string_view(value.data(), value.size()));
        }
      }
    }
    RegisterCallDecision(context_, decision_);
    registered_ = true;
  }

  // The token, the method table, the analysts' rule on a stream's request, then the limits.
  void Authorize(CallDecision& d, std::string_view authorization) {
    absl::StatusOr<common::Caller> caller = env_.tokens.Authenticate(authorization);
    if (!caller.ok()) {
      d.status = caller.status();
      return;
    }
    d.caller = *caller;
    if (!access::IsAllowed(method_name_, d.caller.role)) {
      d.status = absl::PermissionDeniedError(absl::StrCat(
          "role ", access::RoleName(d.caller.role), " may not call ", method_name_));
      return;
    }
    if (d.caller.role == common::Role::kAnalyst && named_in_request_) {
      d.status = AnalystSelectedAPlayer();
      return;
    }
    d.status = env_.limits.Admit(d.caller.user, kind_);
    admitted_ = d.status.ok();
    if (!admitted_ || !Audited()) return;
    if (kind_ == CallLimits::Kind::kStream) {
      // Recorded before anything of the stream runs: a stream that cannot be audited sends and
      // stores nothing, and a crash during it leaves this record.
      if (absl::Status opened = env_.audit.Append(Record(storage::kAuditOutcomeOpened));
          !opened.ok()) {
        d.status = absl::UnavailableError(absl::StrCat(
            "the audit log cannot be written (", opened.message(), "); the stream was not opened"));
        return;
      }
      opened_ = true;
    } else {
      // A write's audit record is committed inside its transaction, before COMMIT (WriteOnce).
      d.caller.record_write = [this](const Message& result) { return RecordWrite(result); };
    }
  }

  // The record of this call as it stands, with the players its requests and answers named.
  storage::AuditRecord Record(std::string outcome) {
    storage::AuditRecord record;
    record.occurred_at = env_.clock.Now();
    record.user = decision_->caller.user;
    record.role = static_cast<int>(decision_->caller.role);
    record.method = method_name_;
    record.squad_id = squad_id_;
    record.outcome = std::move(outcome);
    {
      std::lock_guard lock(decision_->players_mutex);
      if (players_.empty() && decision_->players.empty()) {
        // The common case of a prepared answer (a squad's board): its list as it was kept.
        record.player_ids = decision_->prepared_players;
        return record;
      }
      players_.insert(decision_->players.begin(), decision_->players.end());
      players_.insert(decision_->prepared_players.begin(), decision_->prepared_players.end());
    }
    record.player_ids.assign(players_.begin(), players_.end());
    return record;
  }

  // Caller::record_write: runs on the handler's thread inside the write transaction.
  absl::Status RecordWrite(const Message& result) {
    access::CollectPlayerIds(result, players_);
    if (absl::Status appended = env_.audit.Append(Record("OK")); !appended.ok()) {
      return absl::UnavailableError(absl::StrCat("the audit log cannot be written (",
                                                 appended.message(), "); nothing was stored"));
    }
    write_recorded_ = true;
    return absl::OkStatus();
  }

  static absl::Status AnalystSelectedAPlayer() {
    return absl::PermissionDeniedError(
        "analysts receive pseudonymised data and may not select a player by identifier; "
        "query by squad");
  }

  bool Audited() const {
    return rule_ != nullptr && rule_->audited && decision_->caller.role != common::Role::kNone;
  }

  void OnRequest(void* message) {
    // Refused calls are inspected too: the audit log names the player a refused call was after.
    // A stream's caller may not be known yet (Authorize runs later): its request is read anyway.
    const bool pending = decision_->complete != nullptr;
    if (HasRawRequests(method_name_)) return;  // a ByteBuffer: its handler reports the players
    if (message == nullptr || method_ == nullptr || decision_->is_public ||
        (decision_->caller.role == common::Role::kNone && !pending)) {
      return;
    }
    // The sync server deserialises each request into its generated message class, which derives
    // from google::protobuf::Message alone.
    const Message& request = *static_cast<const Message*>(message);
    if (request.GetDescriptor() != method_->input_type()) return;
    std::set<int64_t> named;
    access::CollectPlayerIds(request, named);
    if (!named.empty() && !method_->client_streaming()) {
      if (pending) {
        named_in_request_ = true;  // Authorize refuses it if the caller is an analyst
      } else if (decision_->status.ok() && decision_->caller.role == common::Role::kAnalyst) {
        decision_->status = AnalystSelectedAPlayer();
      }
    }
    players_.insert(named.begin(), named.end());
    if (squad_id_ == 0) squad_id_ = access::SquadIdOf(request);
  }

  void OnResponse(grpc::experimental::InterceptorBatchMethods* methods) {
    if (decision_->is_public) return;
    if (!decision_->status.ok() || method_ == nullptr) {
      // A refused call sends no data, whatever its handler did.
      if (grpc::ByteBuffer* buffer = methods->GetSerializedSendMessage()) *buffer = BufferOf("");
      return;
    }
    if (decision_->answer_prepared.load()) {
      // Already in the caller's form, its players reported by the handler: sent as it is.
      records_sent_ += 1;
      return;
    }
    const bool minimise = access::NeedsMinimising(decision_->caller.role);
    if (!minimise && !Audited()) return;
    // The sync server hands over the handler's own message, not yet serialised (a generated
    // class deriving from google::protobuf::Message alone): read it in place, and send a
    // minimised copy instead of it when the role needs one.
    // A raw method's handler hands over a grpc::ByteBuffer: read below, from its bytes.
    const auto* sent = HasRawResponses(method_name_)
                           ? nullptr
                           : static_cast<const Message*>(methods->GetSendMessage());
    if (sent != nullptr && sent->GetDescriptor() == method_->output_type()) {
      if (Audited()) access::CollectPlayerIds(*sent, players_);
      records_sent_ += RecordsIn(*sent);
      if (minimise) {
        // Kept until the next message: the send of this one has completed by then.
        minimised_.reset(sent->New());
        minimised_->CopyFrom(*sent);
        access::Minimise(*minimised_, decision_->caller.role, env_.pseudonyms);
        methods->ModifySendMessage(minimised_.get());
      }
      return;
    }
    grpc::ByteBuffer* buffer = methods->GetSerializedSendMessage();
    if (buffer == nullptr) return;
    std::unique_ptr<Message> message(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method_->output_type())
            ->New());
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (buffer->Dump(&slices).ok()) {
      for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    if (!message->ParseFromString(bytes)) {
      *buffer = BufferOf("");
      return;
    }
    if (Audited()) access::CollectPlayerIds(*message, players_);
    records_sent_ += RecordsIn(*message);
    if (minimise) {
      access::Minimise(*message, decision_->caller.role, env_.pseudonyms);
      *buffer = BufferOf(message->SerializeAsString());
    }
  }

  // The call's place under its limits is freed when its status goes out (the work is done), not
  // when gRPC later destroys the call: a client that calls again at once finds it free.
  void ReleaseLimit() {
    if (!admitted_) return;
    admitted_ = false;
    env_.limits.Release(decision_->caller.user, kind_);
  }

  // True when this takes over the batch: its status goes out (Proceed) from the audit log's
  // writer once the call's record is committed, so no thread waits for the disk meanwhile.
  bool OnStatus(grpc::experimental::InterceptorBatchMethods* methods, bool sends_message) {
    if (decision_->is_public) return false;
    grpc::Status status = methods->GetSendStatus();
    // A call the client cancelled (or whose deadline passed) is recorded as such, whatever the
    // status gRPC or the handler put on a call nobody will read; its handler may never have run.
    const bool cancelled = context_->IsCancelled();
    if (cancelled) {
      status = context_->deadline() <= std::chrono::system_clock::now()
                   ? grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the call's deadline passed")
                   : grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client");
    }
    if (!decision_->checked.load() && method_ != nullptr && !cancelled) {
      ++unchecked_calls;
      LogLineLimited(absl::StrCat("handler of ", method_name_, " ran without checking access"));
      if (!decision_->status.ok()) {
        status = grpc::Status(static_cast<grpc::StatusCode>(decision_->status.code()),
                              std::string(decision_->status.message()));
        methods->ModifySendStatus(status);
      }
    }
    // A write recorded before its commit is not recorded again (a failure after it is: the log
    // then names more than happened, never less).
    if (!Audited() || (write_recorded_ && status.ok())) {
      // The call's place under its limits is freed as its status goes out (the work is done).
      ReleaseLimit();
      return false;
    }
    storage::AuditRecord record = Record(std::string(CodeName(status.error_code())));
    if (opened_) record.records_sent = records_sent_;
    env_.audit.AppendThen(
        std::move(record),
        [this, methods, ok = status.ok(), sends_message](absl::Status appended) {
          // A call that failed sends no data, so there is nothing to withhold: its own status
          // (e.g. RESOURCE_EXHAUSTED for a full disk) says more than the audit log's failure.
          if (!appended.ok() && ok) {
            // No trace, no data: the result is withheld; the client retries (a write was
            // recorded before its commit, and its retry with the same request_id is answered
            // with its first result).
            if (sends_message) {
              if (grpc::ByteBuffer* response = methods->GetSerializedSendMessage()) {
                *response = BufferOf("");
              }
            }
            methods->ModifySendStatus(grpc::Status(
                grpc::StatusCode::UNAVAILABLE,
                absl::StrCat("the audit log cannot be written (", appended.message(),
                             "); result withheld")));
          }
          ReleaseLimit();
          methods->Proceed();
        });
    return true;
  }

  const AccessEnvironment& env_;
  grpc::ServerContextBase* context_;
  std::string method_name_;
  const google::protobuf::MethodDescriptor* method_;
  const access::MethodRule* rule_;
  std::shared_ptr<CallDecision> decision_;
  bool registered_ = false;
  bool admitted_ = false;  // counted in env_.limits until the call ends
  bool named_in_request_ = false;  // a stream's request selects a player (read before Authorize)
  CallLimits::Kind kind_ = CallLimits::Kind::kCall;
  std::set<int64_t> players_;
  int64_t squad_id_ = 0;
  bool opened_ = false;          // a stream whose opening record is written
  bool write_recorded_ = false;  // a write whose record was committed before it (RecordWrite)
  int64_t records_sent_ = 0;     // records a stream sent (or an import stored)
  std::unique_ptr<Message> minimised_;  // what is sent instead of the handler's message
};

class AccessInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AccessInterceptorFactory(AccessEnvironment env) : env_(env) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new AccessInterceptor(info, env_);
  }

 private:
  AccessEnvironment env_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeAccessInterceptorFactory(
    AccessEnvironment environment) {
  return std::make_unique<AccessInterceptorFactory>(environment);
}

int64_t UncheckedCallCount() { return unchecked_calls.load(); }

}  // namespace touchline::api
