// ExportService.ExportRecords: the squad medical record streamed in batches for analytics
// pipelines, resumable by a sealed cursor (export_cursor.h).
//
// Order and resumption: kinds are sent one after the other (kExportKinds in record_export.cc),
// each in id order (the order rows were first stored; see storage::ExportFilter). The cursor holds
// the last id sent of each kind, so resuming continues every kind exactly after what was sent,
// and records stored meanwhile, whatever their own time, come after it. A stream stops at the last
// id of each kind stored when it began, so it ends even while a wearable import is running; the
// cursor of its last message picks up the rest.
//
// Each batch is read in its own short read transaction and sent after it closes: a slow client
// never holds a reader connection or keeps the WAL from being checkpointed.
#pragma once

#include <string>

#include <memory>

#include "absl/status/status.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/export_cursor.h"
#include "server/service/message_feed.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/export.pb.h"

namespace touchline::service {

// One export stream: its records in messages of at most about 1 MiB, each with the cursor that
// resumes right after it. Ends OK after the last record stored when the stream opened.
class ExportFeed final : public MessageFeed<v1::ExportRecordsResponse> {
 public:
  ~ExportFeed() override;
  FeedStep<v1::ExportRecordsResponse> Next() override;

 private:
  friend class RecordExport;
  struct State;
  explicit ExportFeed(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class RecordExport {
 public:
  RecordExport(storage::Database& db, const ServiceOptions& options, std::string cursor_key)
      : db_(db), options_(options), seal_(std::move(cursor_key)) {}

  // Checks the request and opens its feed: INVALID_ARGUMENT (field violations) for a bad request
  // or cursor, NOT_FOUND for an unknown squad, PERMISSION_DENIED for a kind the caller's role may
  // not export, OUT_OF_RANGE for a cursor beyond the records stored (the database was replaced).
  // Reads the database; so does each step of the feed (one batch per read transaction).
  absl::StatusOr<std::unique_ptr<ExportFeed>> OpenFeed(const common::Caller& caller,
                                                       const v1::ExportRecordsRequest& request);

 private:
  storage::Database& db_;
  const ServiceOptions& options_;
  ExportCursorSeal seal_;
};

}  // namespace touchline::service
