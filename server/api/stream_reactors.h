// The long-lived calls on gRPC's callback API: a stream that waits (for its client, a flag change
// or the next imported message) holds no thread. Each reaction only records what happened and
// posts the next step to StreamWorkers, where the storage work (and the access interceptor's audit
// record, written when a stream finishes) runs: gRPC's event threads never block.
//
// Every stream is also listed in OpenStreams by its token's credential, so that revoking the token
// ends it (RevocationWatch in touchline_server.cc).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "server/api/call_context.h"
#include "server/api/grpc_status.h"
#include "server/api/stream_workers.h"
#include "server/common/caller.h"
#include "server/service/contact_log.h"
#include "server/service/message_feed.h"

namespace touchline::api {

// Streams open now, by the credential (token hash) of their caller.
class OpenStreams {
 public:
  class Member {
   public:
    // Ends the stream with UNAUTHENTICATED as soon as no message is being written; nothing more
    // is sent. Never blocks.
    virtual void Revoke() = 0;

   protected:
    ~Member() = default;
  };

  void Add(const std::string& credential, Member* stream);
  void Remove(const std::string& credential, Member* stream);
  // The distinct credentials with a stream open.
  std::vector<std::string> Credentials();
  // Revokes every stream of `credential`; how many.
  int Revoke(const std::string& credential);
  size_t size();

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_set<Member*>> by_credential_;
  size_t size_ = 0;
};

// What every stream reactor needs from the server.
struct StreamEnvironment {
  StreamWorkers& workers;  // reads, validation, finishing (audit)
  StreamWorkers& commits;  // import commits: one lane, so concurrent imports take turns at the
                           // single SQLite writer instead of holding every worker while they wait
  OpenStreams& open;
};

// A server stream fed by a service::MessageFeed: opened on a worker, then one message at a time,
// the next asked for when the previous one has been written. While the feed has nothing (a watch
// between flag changes) nothing runs; the feed's ready callback wakes the stream.
template <typename Response>
class FeedStreamReactor final : public grpc::ServerWriteReactor<Response>,
                                public OpenStreams::Member {
 public:
  using Feed = service::MessageFeed<Response>;
  // Checks the request and opens the feed (reads the database): runs on a worker. `ready` is the
  // feed's wake-up.
  using Opener = std::function<absl::StatusOr<std::unique_ptr<Feed>>(
      const common::Caller& caller, std::function<void()> ready)>;

  FeedStreamReactor(const StreamEnvironment& env, grpc::CallbackServerContext* context,
                    Opener opener)
      : env_(env), context_(context), opener_(std::move(opener)) {
    env_.workers.Post([this] { Open(); });  // busy_ starts true: this is the first step
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      std::lock_guard lock(mutex_);
      cancelled_ = true;  // the client has gone; the step below finishes the call
    }
    env_.workers.Post([this] { Step(); });
  }

  void OnCancel() override { Stop(&FeedStreamReactor::cancelled_); }
  void Revoke() override { Stop(&FeedStreamReactor::revoked_); }

  void OnDone() override {
    if (!credential_.empty()) env_.open.Remove(credential_, this);
    delete this;
  }

 private:
  ~FeedStreamReactor() = default;

  // Cancelled or revoked: the running step (or write) sees it, or a step is started to finish.
  void Stop(bool FeedStreamReactor::*why) {
    {
      std::lock_guard lock(mutex_);
      this->*why = true;
      if (busy_) return;
      busy_ = true;
    }
    env_.workers.Post([this] { Step(); });
  }

  // The feed has something new (any thread; called by the feed with its publisher's lock held).
  void Wake() {
    {
      std::lock_guard lock(mutex_);
      if (finished_) return;
      if (busy_) {
        wake_pending_ = true;
        return;
      }
      busy_ = true;
    }
    env_.workers.Post([this] { Step(); });
  }

  void Open() {
    absl::StatusOr<common::Caller> caller = CallerFrom(*context_);
    if (!caller.ok()) return FinishWith(caller.status());
    credential_ = caller->credential;
    if (!credential_.empty()) env_.open.Add(credential_, this);
    auto feed = opener_(*caller, [this] { Wake(); });
    if (!feed.ok()) return FinishWith(feed.status());
    {
      std::lock_guard lock(mutex_);
      feed_ = *std::move(feed);
    }
    Step();
  }

  // One step, on a worker, with busy_ set: finish, or write the next message, or go idle.
  void Step() {
    std::optional<absl::Status> end;
    {
      std::lock_guard lock(mutex_);
      if (finished_) return;
      wake_pending_ = false;
      end = EndLocked();
    }
    if (end) return FinishWith(*end);
    service::FeedStep<Response> step = feed_->Next();
    switch (step.kind) {
      case service::FeedStep<Response>::Kind::kMessage: {
        {
          std::lock_guard lock(mutex_);
          // Revoked or cancelled while the message was read: it is not sent.
          end = EndLocked();
        }
        if (end) return FinishWith(*end);
        current_ = std::move(step.message);  // kept until OnWriteDone
        this->StartWrite(&current_);
        return;
      }
      case service::FeedStep<Response>::Kind::kWait: {
        {
          std::lock_guard lock(mutex_);
          if (!wake_pending_ && !revoked_ && !cancelled_) {
            busy_ = false;
            return;
          }
        }
        env_.workers.Post([this] { Step(); });
        return;
      }
      case service::FeedStep<Response>::Kind::kEnd:
        return FinishWith(step.status);
    }
  }

  std::optional<absl::Status> EndLocked() const {
    if (revoked_) return absl::UnauthenticatedError("the bearer token was revoked");
    if (cancelled_) return absl::CancelledError("the client went away");
    return std::nullopt;
  }

  // The last thing a step does: OnDone (and delete) may follow at once on another thread.
  void FinishWith(const absl::Status& status) {
    {
      std::lock_guard lock(mutex_);
      if (finished_) return;
      finished_ = true;
    }
    this->Finish(ToGrpcStatus(status));
  }

  const StreamEnvironment env_;
  grpc::CallbackServerContext* const context_;
  const Opener opener_;
  std::string credential_;
  Response current_;
  std::mutex mutex_;
  bool busy_ = true;  // a step is queued or running, or a write is in flight
  bool wake_pending_ = false;
  bool cancelled_ = false;
  bool revoked_ = false;
  bool finished_ = false;
  // Declared last, destroyed first: its publisher stops calling Wake before the rest goes.
  std::unique_ptr<Feed> feed_;
};

// ContactEventService.ImportContactEvents: each message is validated on a worker when it arrives,
// the next read starts when that is done, and full batches are committed on the commit lane in
// order while reading goes on. At most one batch commits and one waits; beyond that reading pauses
// (back-pressure to the client through HTTP/2 flow control, no thread held). The answer is sent
// after the last commit. A cancelled import commits nothing more (batches already committed stay:
// their idempotency keys make a retry safe).
class ImportReactor final : public grpc::ServerReadReactor<grpc::ByteBuffer>,
                            public OpenStreams::Member {
 public:
  // A raw method: messages arrive undecoded, so one that cannot be decoded is told apart from the
  // end of the stream (gRPC reports both as a failed read).
  ImportReactor(const StreamEnvironment& env, grpc::CallbackServerContext* context,
                service::ContactLog& log, grpc::ByteBuffer* response);

  void OnReadDone(bool ok) override;
  void OnCancel() override;
  void Revoke() override;
  void OnDone() override;

 private:
  ~ImportReactor() = default;
  void Begin();
  void Take();
  void EndOfInput();
  void Commit(service::ContactImport::Batch batch);
  bool StoppedLocked() const { return cancelled_ || revoked_ || !failed_.ok(); }
  // With mutex_ held: true (and finishing_ set) when the call may finish now: the input has ended
  // or the import was stopped, and no step or commit is queued or running. A read may still be in
  // flight when stopped; its completion then does nothing.
  bool ReadyToFinishLocked();
  // OnCancel and Revoke: no more input is read or committed; finishes once nothing is in flight.
  void Stop(bool ImportReactor::*why);
  // The final step, on a worker: the answer and status, then Finish (its audit record).
  void Conclude();
  // StartRead, then finishes if everything else ended meanwhile. read_pending_ and issuing_reads_
  // are set by the caller.
  void IssueRead();

  const StreamEnvironment env_;
  grpc::CallbackServerContext* const context_;
  service::ContactLog& log_;
  grpc::ByteBuffer* const response_;
  std::string credential_;
  std::unique_ptr<service::ContactImport> import_;
  grpc::ByteBuffer request_;  // the message being read, then decoded and validated
  int64_t messages_ = 0;      // messages decoded so far

  std::mutex mutex_;
  bool task_pending_ = false;   // Begin, Take or EndOfInput is queued or running
  bool read_pending_ = false;   // a read is in flight
  int issuing_reads_ = 0;       // StartRead is being called: the call may not finish under it
  bool input_ended_ = false;    // the client half-closed (or the read failed)
  bool committing_ = false;     // a batch is being committed
  std::optional<service::ContactImport::Batch> queued_;  // full, waiting for the commit lane
  bool paused_ = false;         // reading waits for the commit lane
  bool cancelled_ = false;
  bool revoked_ = false;
  absl::Status failed_;         // a commit's error
  absl::Status undecodable_;    // INVALID_ARGUMENT naming the message that could not be decoded
  bool finishing_ = false;      // Conclude is queued or running: nothing else may start
};

}  // namespace touchline::api
