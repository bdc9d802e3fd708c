// Which of Touchline's two stores a database is: the clinical record or its audit log.
#pragma once

#include <cstdint>

namespace touchline::storage {

// A Touchline store is one of two databases (SQLite: files), each with its own schema and
// migrations.
enum class StoreKind {
  kClinicalRecord,  // squads, players, contact events, complaints, protocols, tokens, ...
  kAuditLog,        // who read or changed what (<db>.audit), a file of its own: audit_log_store.h
};

// PRAGMA application_id of a Touchline database: "TCLN" in ASCII; of its audit log: "TCLA".
inline constexpr int32_t kTouchlineApplicationId = 0x54434C4E;
inline constexpr int32_t kTouchlineAuditLogApplicationId = 0x54434C41;
int32_t ApplicationId(StoreKind kind);
// "Touchline database" / "Touchline audit log", for messages.
const char* StoreName(StoreKind kind);

}  // namespace touchline::storage
