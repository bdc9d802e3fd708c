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

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "server/domain/clock.h"
#include "server/service/export_cursor.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/export.pb.h"

namespace touchline::service {

class RecordExport {
 public:
  RecordExport(storage::Database& db, const ServiceOptions& options, std::string cursor_key)
      : db_(db), options_(options), seal_(std::move(cursor_key)) {}

  // Sends (through `write`, which returns false once the client has gone) the records the
  // request selects, in batches; `cancelled` is polled between batches. INVALID_ARGUMENT (field
  // violations) for a bad request or cursor, NOT_FOUND for an unknown squad, PERMISSION_DENIED
  // for a kind the caller's role may not export, OUT_OF_RANGE for a cursor beyond the records
  // stored (the database was replaced), CANCELLED when the client went away.
  absl::Status ExportRecords(const Caller& caller, const v1::ExportRecordsRequest& request,
                             absl::FunctionRef<bool(const v1::ExportRecordsResponse&)> write,
                             absl::FunctionRef<bool()> cancelled);

 private:
  storage::Database& db_;
  const ServiceOptions& options_;
  ExportCursorSeal seal_;
};

}  // namespace touchline::service
