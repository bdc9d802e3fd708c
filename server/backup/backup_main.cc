// touchline-backup: online backup of a Touchline database with SQLite's backup API
// (sqlite3_backup_* through SQLiteCpp's SQLite::Backup). Safe while touchline-server runs: the
// copy is one read transaction on the source, so it is a consistent snapshot and, in WAL mode,
// never blocks the server's writers. The copy is then checked with PRAGMA integrity_check.
//
//   touchline-backup --db=touchline.db --backup_to=touchline-2026-11-25.db
//
// Exit status: 0 backup written and integrity_check ok; 1 anything else (the partial file is
// removed). Restore: stop the server, copy the backup over the database (and delete any
// <db>-wal / <db>-shm left beside it), start the server; it checks the schema version on open.
#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

namespace {

bool TakeFlag(const char* arg, const char* name, std::string* out) {
  const std::string prefix = std::string("--") + name + "=";
  if (std::strncmp(arg, prefix.c_str(), prefix.size()) != 0) return false;
  *out = arg + prefix.size();
  return true;
}

int Usage() {
  std::cerr << "usage: touchline-backup --db=DB --backup_to=FILE\n"
               "  Online backup of DB into FILE (must not exist) with SQLite's backup API,\n"
               "  safe while touchline-server runs; verifies FILE with PRAGMA integrity_check.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db, to;
  for (int i = 1; i < argc; ++i) {
    if (TakeFlag(argv[i], "db", &db) || TakeFlag(argv[i], "backup_to", &to)) continue;
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
  if (std::filesystem::exists(to, ec)) {
    std::cerr << "touchline-backup: " << to << " exists; refusing to overwrite it\n";
    return 1;
  }
  const std::string partial = to + ".partial";
  std::filesystem::remove(partial, ec);
  try {
    {
      // Read-write only so that a WAL database whose -shm needs recovery can be read; nothing is
      // written to the source.
      SQLite::Database src(db, SQLite::OPEN_READWRITE);
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
        std::cerr << "touchline-backup: backup step failed: " << sqlite3_errstr(rc) << "\n";
        std::filesystem::remove(partial, ec);
        return 1;
      }
    }
    std::string verdict;
    int user_version = 0;
    {
      SQLite::Database check(partial, SQLite::OPEN_READWRITE);
      // The copy keeps the source's WAL mode; fold everything into the one file.
      check.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      SQLite::Statement ic(check, "PRAGMA integrity_check");
      while (ic.executeStep()) verdict += (verdict.empty() ? "" : "; ") + ic.getColumn(0).getString();
      SQLite::Statement uv(check, "PRAGMA user_version");
      if (uv.executeStep()) user_version = uv.getColumn(0).getInt();
    }
    if (verdict != "ok") {
      std::cerr << "touchline-backup: integrity_check of the copy failed: " << verdict << "\n";
      std::filesystem::remove(partial, ec);
      return 1;
    }
    std::filesystem::remove(partial + "-wal", ec);
    std::filesystem::remove(partial + "-shm", ec);
    std::filesystem::rename(partial, to);
    std::filesystem::permissions(to, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace, ec);
    std::cout << "backup of " << db << " written to " << to << " (schema version " << user_version
              << ", integrity_check ok)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "touchline-backup: " << e.what() << "\n";
    std::filesystem::remove(partial, ec);
    return 1;
  }
}
