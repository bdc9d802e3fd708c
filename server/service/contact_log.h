// Contact events: record one, bulk-import many (idempotent by client key), read and list.
#pragma once

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "server/domain/clock.h"
#include "server/service/record_observer.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/contact_event.pb.h"

namespace touchline::service {

class ContactLog {
 public:
  ContactLog(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  absl::StatusOr<v1::CreateContactEventResponse> CreateContactEvent(
      const Caller& caller, const v1::CreateContactEventRequest& request);
  absl::StatusOr<v1::GetContactEventResponse> GetContactEvent(
      const Caller& caller, const v1::GetContactEventRequest& request);
  absl::StatusOr<v1::ListContactEventsResponse> ListContactEvents(
      const Caller& caller, const v1::ListContactEventsRequest& request);
  // `next` fills the next streamed message and returns false at the end of the stream. Valid events
  // are committed in batches of options.import_batch_size, on a thread of the import's own while
  // this one receives the next batch; the response is built only after the last commit, so
  // everything it acknowledges is durable.
  absl::StatusOr<v1::ImportContactEventsResponse> ImportContactEvents(
      const Caller& caller, absl::FunctionRef<bool(v1::ImportContactEventsRequest*)> next);

 // Told after each committed write that can change a player's flags (optional; live flags).
  void set_observer(PlayerRecordObserver* observer) { observer_ = observer; }

 private:
  void Changed(domain::Id player_id) const {
    if (observer_ != nullptr) observer_->PlayerRecordChanged(player_id);
  }
  PlayerRecordObserver* observer_ = nullptr;
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
};

}  // namespace touchline::service
