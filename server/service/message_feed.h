// A server stream as a source of messages, taken one at a time by whoever sends them (the gRPC
// reactor in server/api/stream_reactors.h). Pull rather than push: the sender asks for the next
// message only when the previous one has gone out, so a slow client slows its own stream and
// holds no thread while it reads.
#pragma once

#include <utility>

#include "absl/status/status.h"

namespace touchline::service {

template <typename Message>
struct FeedStep {
  enum class Kind {
    kMessage,  // send `message`
    kWait,     // nothing to send now; the feed's ready callback fires when there is
    kEnd,      // the stream is over with `status`
  };
  Kind kind = Kind::kWait;
  Message message;
  absl::Status status;

  static FeedStep Send(Message m) { return {Kind::kMessage, std::move(m), absl::OkStatus()}; }
  static FeedStep Wait() { return {Kind::kWait, Message(), absl::OkStatus()}; }
  static FeedStep End(absl::Status s) { return {Kind::kEnd, Message(), std::move(s)}; }
};

template <typename Message>
class MessageFeed {
 public:
  virtual ~MessageFeed() = default;
  // The next step. May read the database (a short read transaction): call it off gRPC's event
  // threads, and from one thread at a time.
  virtual FeedStep<Message> Next() = 0;
};

}  // namespace touchline::service
