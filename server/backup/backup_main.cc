// touchline-backup: online backup of a Touchline database and its audit log with SQLite's backup
// API (sqlite3_backup_* through SQLiteCpp's SQLite::Backup). Safe while touchline-server runs:
// each copy is one read transaction on its source, so a consistent snapshot that, in WAL mode,
// never blocks the server's writers. Each copy is then checked with PRAGMA integrity_check.
//
//   touchline-backup --db=touchline.db --backup_to=touchline-2026-11-25.db [--audit_db=LOG]
//
// writes touchline-2026-11-25.db and, from touchline.db.audit (or LOG, the server's --audit_db),
// touchline-2026-11-25.db.audit. The database is copied first: the audit log, copied after it,
// holds at least every read of what the database copy holds. Exit status: 0 both written and
// integrity_check ok; 1 anything else (no partial file is left). Restore: stop the server, copy
// both files into place (and delete any -wal / -shm left beside them), start the server; it
// checks the pair and the schema versions.
#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "server/storage/audit_log_store.h"

namespace {

bool TakeFlag(const char* arg, const char* name, std::string* out) {
  const std::string prefix = std::string("--") + name + "=";
  if (std::strncmp(arg, prefix.c_str(), prefix.size()) != 0) return false;
  *out = arg + prefix.size();
  return true;
}

int Usage() {
  std::cerr << "usage: touchline-backup --db=DB --backup_to=FILE [--audit_db=LOG]\n"
               "  Online backup of DB into FILE and of its audit log (LOG, default DB.audit: the\n"
               "  server's --audit_db) into FILE.audit (neither may exist) with SQLite's backup API,\n"
               "  safe while touchline-server runs; verifies both copies with PRAGMA\n"
               "  integrity_check.\n";
  return 2;
}

// Whether the database (a copy of it) says its audit log has moved to a file of its own (schema
// v9 and later, after the server's first start); false for older schemas.
bool AuditLogHasMoved(const std::string& db) {
  SQLite::Database conn(db, SQLite::OPEN_READONLY);
  if (!conn.tableExists("store_identity")) return false;
  SQLite::Statement moved(conn, "SELECT audit_log_moved_at IS NOT NULL FROM store_identity");
  return moved.executeStep() && moved.getColumn(0).getInt() == 1;
}

// Copies the SQLite file `from` into `to` (which must not exist) and checks the copy. Prints why
// on failure and leaves no partial file; on success, `user_version` is the copy's schema version.
bool CopyDatabase(const std::string& from, const std::string& to, int* user_version) {
  std::error_code ec;
  const std::string partial = to + ".partial";
  std::filesystem::remove(partial, ec);
  try {
    {
      // Read-write only so that a WAL database whose -shm needs recovery can be read; nothing is
      // written to the source.
      SQLite::Database src(from, SQLite::OPEN_READWRITE);
      src.setBusyTimeout(10000);
      SQLite::Database dst(partial, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      SQLite::Backup backup(dst, src);
      // All pages in one step: one read transaction, so a consistent snapshot even under writes.
      for (int attempt = 0;; ++attempt) {
        const int rc = backup.executeStep(-1);
        if (rc == SQLITE_DONE) break;
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 100) {
          sqlite3_sleep(100);
          continue;
        }
        std::cerr << "touchline-backup: backup step of " << from
                  << " failed: " << sqlite3_errstr(rc) << "\n";
        std::filesystem::remove(partial, ec);
        return false;
      }
    }
    std::string verdict;
    {
      SQLite::Database check(partial, SQLite::OPEN_READWRITE);
      // The copy keeps the source's WAL mode; fold everything into the one file.
      check.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      SQLite::Statement ic(check, "PRAGMA integrity_check");
      while (ic.executeStep()) verdict += (verdict.empty() ? "" : "; ") + ic.getColumn(0).getString();
      SQLite::Statement uv(check, "PRAGMA user_version");
      if (uv.executeStep()) *user_version = uv.getColumn(0).getInt();
    }
    if (verdict != "ok") {
      std::cerr << "touchline-backup: integrity_check of the copy of " << from
                << " failed: " << verdict << "\n";
      std::filesystem::remove(partial, ec);
      return false;
    }
    std::filesystem::remove(partial + "-wal", ec);
    std::filesystem::remove(partial + "-shm", ec);
    std::filesystem::rename(partial, to);
    std::filesystem::permissions(to, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace, ec);
    return true;
  } catch (const std::exception& e) {
    std::cerr << "touchline-backup: " << from << ": " << e.what() << "\n";
    std::filesystem::remove(partial, ec);
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string db, to, audit_log;
  for (int i = 1; i < argc; ++i) {
    if (TakeFlag(argv[i], "db", &db) || TakeFlag(argv[i], "backup_to", &to) ||
        TakeFlag(argv[i], "audit_db", &audit_log)) {
      continue;
    }
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) return Usage(), 0;
    std::cerr << "touchline-backup: unknown argument " << argv[i] << "\n";
    return Usage();
  }
  if (db.empty() || to.empty()) return Usage();
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    std::cerr << "touchline-backup: no database at " << db << "\n";
    return 1;
  }
  if (audit_log.empty()) audit_log = touchline::storage::AuditLogPathFor(db);
  const std::string audit_to = touchline::storage::AuditLogPathFor(to);
  for (const std::string& target : {to, audit_to}) {
    if (std::filesystem::exists(target, ec)) {
      std::cerr << "touchline-backup: " << target << " exists; refusing to overwrite it\n";
      return 1;
    }
  }
  int user_version = 0;
  if (!CopyDatabase(db, to, &user_version)) return 1;
  std::cout << "backup of " << db << " written to " << to << " (schema version " << user_version
            << ", integrity_check ok)\n";
  if (!std::filesystem::exists(audit_log, ec)) {
    bool moved = true;
    try {
      moved = AuditLogHasMoved(to);
    } catch (const std::exception& e) {
      std::cerr << "touchline-backup: cannot read " << to << ": " << e.what() << "\n";
    }
    if (moved) {
      std::filesystem::remove(to, ec);
      std::cerr << "touchline-backup: no audit log at " << audit_log
                << ", but the database keeps its audit log in a file of its own; name it with\n"
                   "--audit_db (the server's --audit_db). Removed "
                << to << ": the backup is both files or neither\n";
      return 1;
    }
    // A database no server of schema v9 or later has opened yet still holds its audit events.
    std::cout << "no audit log at " << audit_log
              << " (the database has not been opened by a server of schema v9 or later: its audit\n"
                 "events are still inside it, and in the copy)\n";
    return 0;
  }
  if (!CopyDatabase(audit_log, audit_to, &user_version)) {
    std::filesystem::remove(to, ec);  // half a backup would restore without its audit trail
    std::cerr << "touchline-backup: removed " << to << ": the backup is both files or neither\n";
    return 1;
  }
  std::cout << "audit log " << audit_log << " written to " << audit_to << " (schema version "
            << user_version << ", integrity_check ok)\n";
  return 0;
}
