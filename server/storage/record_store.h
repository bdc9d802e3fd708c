// The squad medical record, one store per table (RocksDB style): squad_store.h, player_store.h,
// contact_event_store.h, complaint_store.h (with check-ins), amendment_store.h,
// readiness_override_store.h, and listing.h for what their listings share. This header includes
// them all, for the service layer that composes them.
//
// Every function runs on a storage::Transaction handed out by Database::Write or Database::Read,
// so a service call composes several of them in one transaction. Instants are stored as integer
// microseconds since the Unix epoch (UTC). Bindings and row reading: row_binding.h.
#pragma once

#include "server/storage/amendment_store.h"
#include "server/storage/complaint_store.h"
#include "server/storage/contact_event_store.h"
#include "server/storage/listing.h"
#include "server/storage/player_store.h"
#include "server/storage/readiness_override_store.h"
#include "server/storage/squad_store.h"
