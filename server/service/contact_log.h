// Contact events: record one, bulk-import many (idempotent by client key), read and list.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/domain/model.h"
#include "server/service/record_observer.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/contact_event.pb.h"

namespace touchline::service {

class ContactLog;

// One ImportContactEvents stream. Whoever drives it (the gRPC reactor) adds each message as it
// arrives, takes every full batch and commits the batches in the order taken, possibly while it
// adds the next messages (gRPC's decoding and SQLite's inserts then overlap instead of taking turns
// on one core); the answer is read only after the last commit, so everything it acknowledges is
// durable. Add/TakeBatch are called from one thread at a time, Commit likewise.
class ContactImport {
 public:
  // Valid events with their positions in the stream.
  using Batch = std::vector<std::pair<int64_t, domain::ContactEvent>>;

  // Validates the message's events and adds the valid ones to the batch being filled; invalid
  // ones are counted (and the first listed) as rejected. The rvalue form takes the events' text
  // out of the message instead of copying it.
  void Add(const v1::ImportContactEventsRequest& message);
  void Add(v1::ImportContactEventsRequest&& message);
  // Hands over the batch being filled once it holds options.import_batch_size events, or with
  // `final` whatever it holds (nullopt when there is nothing to hand over).
  std::optional<Batch> TakeBatch(bool final);
  // Commits one batch in one write transaction: new events stored; an event whose key is already
  // taken (stored before, or earlier in this import) counted as a duplicate when identical to the
  // stored one and rejected as a conflict when not; events of unknown or archived players
  // rejected. Writes the database; reads an event only when its key is taken.
  absl::Status Commit(Batch& batch);
  // The answer, after the last commit.
  v1::ImportContactEventsResponse Result();
  // Events received so far.
  int64_t received() const { return index_; }

 private:
  friend class ContactLog;
  struct Rejection {
    int64_t index;  // position in the stream
    std::string idempotency_key;
    std::string reason;
  };
  ContactImport(const ContactLog& log, common::Caller caller);
  template <typename Message>
  void AddEvents(Message&& message);

  const ContactLog& log_;
  const common::Caller caller_;
  // Add's.
  Batch filling_;
  int64_t index_ = 0;
  std::vector<Rejection> invalid_;
  int64_t invalid_count_ = 0;
  // Commit's.
  int64_t stored_ = 0, duplicates_ = 0;
  // Rejected at commit (player problem, key conflict): all counted; the first 100 kept, as many
  // as the answer lists.
  std::vector<Rejection> commit_rejections_;
  int64_t commit_rejected_count_ = 0;
  // Players already checked in this import: empty string = may record, else the reason not.
  std::unordered_map<domain::Id, std::string> player_problems_;
};

class ContactLog {
 public:
  ContactLog(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  absl::StatusOr<v1::CreateContactEventResponse> CreateContactEvent(
      const common::Caller& caller, const v1::CreateContactEventRequest& request);
  absl::StatusOr<v1::GetContactEventResponse> GetContactEvent(
      const common::Caller& caller, const v1::GetContactEventRequest& request);
  absl::StatusOr<v1::ListContactEventsResponse> ListContactEvents(
      const common::Caller& caller, const v1::ListContactEventsRequest& request);
  // Starts one ImportContactEvents stream (see ContactImport).
  std::unique_ptr<ContactImport> StartImport(const common::Caller& caller);

 // Told after each committed write that can change a player's flags (optional; live flags).
  void set_observer(PlayerRecordObserver* observer) { observer_ = observer; }

 private:
  friend class ContactImport;
  void Changed(domain::Id player_id) const {
    if (observer_ != nullptr) observer_->PlayerRecordChanged(player_id);
  }
  PlayerRecordObserver* observer_ = nullptr;
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
