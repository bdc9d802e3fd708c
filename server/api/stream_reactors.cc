#include "server/api/stream_reactors.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "server/common/caller.h"
#include "server/common/request_errors.h"

namespace touchline::api {

void OpenStreams::Add(const std::string& credential, Member* stream) {
  std::lock_guard lock(mutex_);
  if (by_credential_[credential].insert(stream).second) ++size_;
}

void OpenStreams::Remove(const std::string& credential, Member* stream) {
  std::lock_guard lock(mutex_);
  auto it = by_credential_.find(credential);
  if (it == by_credential_.end()) return;
  size_ -= it->second.erase(stream);
  if (it->second.empty()) by_credential_.erase(it);
}

std::vector<std::string> OpenStreams::Credentials() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  out.reserve(by_credential_.size());
  for (const auto& [credential, streams] : by_credential_) out.push_back(credential);
  return out;
}

int OpenStreams::Revoke(const std::string& credential) {
  // Under the lock: a stream removes itself (in OnDone, before it is deleted) through this lock,
  // so every stream revoked here is still alive.
  std::lock_guard lock(mutex_);
  auto it = by_credential_.find(credential);
  if (it == by_credential_.end()) return 0;
  for (Member* stream : it->second) stream->Revoke();
  return static_cast<int>(it->second.size());
}

size_t OpenStreams::size() {
  std::lock_guard lock(mutex_);
  return size_;
}

ImportReactor::ImportReactor(const StreamEnvironment& env, grpc::CallbackServerContext* context,
                             service::ContactLog& log, grpc::ByteBuffer* response)
    : env_(env), context_(context), log_(log), response_(response) {
  task_pending_ = true;  // Begin
  env_.workers.Post([this] { Begin(); });
}

void ImportReactor::Begin() {
  absl::StatusOr<common::Caller> caller = CallerFrom(*context_);
  if (!caller.ok()) {
    {
      std::lock_guard lock(mutex_);
      finishing_ = true;
    }
    Finish(ToGrpcStatus(caller.status()));
    return;
  }
  credential_ = caller->credential;
  if (!credential_.empty()) env_.open.Add(credential_, this);
  import_ = log_.StartImport(*caller);
  bool conclude = false;
  {
    std::lock_guard lock(mutex_);
    task_pending_ = false;
    if (StoppedLocked()) {
      conclude = ReadyToFinishLocked();
    } else {
      read_pending_ = true;
      ++issuing_reads_;
    }
  }
  if (conclude) return Conclude();
  IssueRead();
}

void ImportReactor::IssueRead() {
  StartRead(&request_);
  bool conclude = false;
  {
    std::lock_guard lock(mutex_);
    --issuing_reads_;
    conclude = ReadyToFinishLocked();  // the input may have ended, or the import stopped, meanwhile
  }
  if (conclude) env_.workers.Post([this] { Conclude(); });
}

void ImportReactor::OnReadDone(bool ok) {
  {
    std::lock_guard lock(mutex_);
    read_pending_ = false;
    if (finishing_) return;  // stopped while the read was in flight
    task_pending_ = true;
  }
  if (ok) {
    env_.workers.Post([this] { Take(); });
  } else {
    env_.workers.Post([this] { EndOfInput(); });
  }
}

void ImportReactor::Take() {
  // The handler decodes (a raw method): a message that is not an ImportContactEventsRequest ends
  // the import as INVALID_ARGUMENT naming it, instead of looking like the end of the stream.
  v1::ImportContactEventsRequest message;
  const grpc::Status decoded =
      grpc::SerializationTraits<v1::ImportContactEventsRequest>::Deserialize(&request_, &message);
  request_.Clear();
  if (!decoded.ok()) {
    {
      std::lock_guard lock(mutex_);
      undecodable_ = absl::InvalidArgumentError(absl::StrCat(
          "message ", messages_, " of the stream (after event ", import_->received(),
          ") is not a touchline.v1.ImportContactEventsRequest: ", decoded.error_message()));
    }
    return EndOfInput();
  }
  ++messages_;
  std::set<int64_t> players;
  if (message.has_contact_event()) players.insert(message.contact_event().player_id());
  for (const auto& e : message.contact_events()) players.insert(e.player_id());
  AddAuditedPlayers(*context_, players);
  import_->Add(std::move(message));
  std::optional<service::ContactImport::Batch> full = import_->TakeBatch(/*final=*/false);
  bool commit_now = false, read_next = false, conclude = false;
  {
    std::lock_guard lock(mutex_);
    task_pending_ = false;
    if (StoppedLocked()) {
      full.reset();  // nothing more is committed
      conclude = ReadyToFinishLocked();
    } else {
      if (full) {
        if (!committing_) {
          committing_ = commit_now = true;
        } else {
          queued_ = std::move(full);
          full.reset();
          paused_ = true;  // one commits, one waits: read on when the lane takes the waiting one
        }
      }
      if (!paused_) {
        read_pending_ = read_next = true;
        ++issuing_reads_;
      }
    }
  }
  if (commit_now) {
    env_.commits.Post([this, batch = std::move(*full)]() mutable { Commit(std::move(batch)); });
  }
  if (read_next) IssueRead();
  if (conclude) Conclude();
}

void ImportReactor::EndOfInput() {
  std::optional<service::ContactImport::Batch> last;
  bool conclude = false;
  {
    std::lock_guard lock(mutex_);
    task_pending_ = false;
    input_ended_ = true;
    // A read that fails because the call was cancelled is not the end of the client's input:
    // what it sent last is not committed.
    if (context_->IsCancelled()) cancelled_ = true;
    // What came before an undecodable message is committed, as if the stream had ended there.
    if (!StoppedLocked()) last = import_->TakeBatch(/*final=*/true);
    if (last && committing_) {
      queued_ = std::move(last);  // the lane takes it next
      last.reset();
    } else if (last) {
      committing_ = true;
    }
    conclude = !last && ReadyToFinishLocked();
  }
  if (last) {
    env_.commits.Post([this, batch = std::move(*last)]() mutable { Commit(std::move(batch)); });
  }
  if (conclude) Conclude();
}

void ImportReactor::Commit(service::ContactImport::Batch batch) {
  const absl::Status committed = import_->Commit(batch);
  std::optional<service::ContactImport::Batch> next;
  bool read_next = false, conclude = false;
  {
    std::lock_guard lock(mutex_);
    if (!committed.ok() && failed_.ok()) failed_ = committed;
    if (StoppedLocked()) {
      queued_.reset();
      paused_ = false;
    }
    if (queued_) {
      next = std::move(queued_);
      queued_.reset();
      if (paused_) {
        paused_ = false;
        read_pending_ = read_next = true;
        ++issuing_reads_;
      }
    } else {
      committing_ = false;
      conclude = ReadyToFinishLocked();
    }
  }
  if (next) {
    env_.commits.Post([this, batch = std::move(*next)]() mutable { Commit(std::move(batch)); });
  }
  if (read_next) IssueRead();
  if (conclude) env_.workers.Post([this] { Conclude(); });  // its audit record is written there
}

bool ImportReactor::ReadyToFinishLocked() {
  if (finishing_ || task_pending_ || committing_ || issuing_reads_ > 0) return false;
  if (!StoppedLocked() && (!input_ended_ || queued_ || paused_)) return false;
  finishing_ = true;
  return true;
}

void ImportReactor::Conclude() {
  absl::Status status;
  {
    std::lock_guard lock(mutex_);
    if (revoked_) {
      status = absl::UnauthenticatedError("the bearer token was revoked");
    } else if (!failed_.ok()) {
      status = failed_;
    } else if (cancelled_) {
      status = absl::CancelledError("the client went away");
    } else if (!undecodable_.ok()) {
      status = undecodable_;
    }
  }
  if (status.ok()) {
    bool own_buffer = false;
    (void)grpc::SerializationTraits<v1::ImportContactEventsResponse>::Serialize(
        import_->Result(), response_, &own_buffer);
  } else if (absl::IsInvalidArgument(status)) {
    // The caller learns exactly what was done with the events before the broken message.
    const v1::ImportContactEventsResponse done = import_->Result();
    common::FieldViolations v;
    v.Add(absl::StrCat("message[", messages_, "]"),
          absl::StrCat(status.message(), "; the ", done.received_count(),
                       " events before it were processed: ", done.stored_count(), " stored, ",
                       done.duplicate_count(), " duplicates, ", done.rejected_count(),
                       " rejected; nothing after it was read: resend from event ",
                       done.received_count()));
    for (const auto& r : done.rejections()) {
      v.Add(absl::StrCat("contact_events[", r.index(), "]"), r.reason());
    }
    status = v.ToStatus();
  }
  Finish(ToGrpcStatus(status));
}

void ImportReactor::OnCancel() { Stop(&ImportReactor::cancelled_); }
void ImportReactor::Revoke() { Stop(&ImportReactor::revoked_); }

void ImportReactor::Stop(bool ImportReactor::*why) {
  bool conclude = false;
  {
    std::lock_guard lock(mutex_);
    this->*why = true;
    conclude = ReadyToFinishLocked();
  }
  if (conclude) env_.workers.Post([this] { Conclude(); });
}

void ImportReactor::OnDone() {
  if (!credential_.empty()) env_.open.Remove(credential_, this);
  delete this;
}

}  // namespace touchline::api
