// touchline-move-club: moves a club from its SQLite files to PostgreSQL (issue 21), and proves
// the copy table by table. The work is in club_copy.h; this is the command line.
#include <cstring>
#include <iostream>
#include <string>

#include "server/move_club/club_copy.h"
#include "server/storage/database.h"

namespace {

using touchline::move_club::ClubStores;
using touchline::move_club::Verification;

constexpr char kUsage[] = R"(usage: touchline-move-club --from=sqlite:PATH [--from_audit_db=LOG]
           --to=postgresql://USER@HOST/DB | --to=postgresql:KEY=VALUE...
           --to_schema=NAME [--to_password_file=FILE] [--verify_only]

Moves the club whose clinical record is the SQLite file PATH, and whose audit log is LOG (default
PATH.audit, the server's --audit_db), into the PostgreSQL schemas NAME and NAME_audit, then proves
the copy: per table, the row count and a SHA-256 of every row in primary-key order, computed the
same way on both sides, printed as `table  rows  sha256  ok`.

  - Stop touchline-server on PATH first: each store is read in one snapshot, and what a running
    server writes after that is not moved.
  - The source is opened as the server opens it: a file of an older schema version is migrated to
    this build's first (nothing else in it is changed). A database that still keeps its audit events
    itself (no server of schema v9 or later has started on it) is refused: start touchline-server
    on it once, stop it, and run this again.
  - The schemas are created if missing, and must hold nothing yet: a club is never merged into a
    live one. Both stores are copied in ONE PostgreSQL transaction, with their ids, and checked
    inside it; on any failure nothing is written and the command can simply be run again.
  - Ids continue after the copied ones (each identity sequence is set past the largest id).
  - A password is never in --to (it would show in the process list): use --to_password_file (a
    file holding only the password), PGPASSWORD, or a passfile (~/.pgpass, PGPASSFILE).
  - --verify_only compares an earlier move's schemas with the SQLite files again and writes
    nothing (until the server starts on PostgreSQL, after which the club moves on).

Afterwards start the server with --store=<the --to locator> --store_schema=NAME, and with
--pseudonym_key_file (default PATH.pseudonym-key beside the SQLite file: analysts' pseudonyms
depend on it) and --token_file pointing at the SQLite club's files. docs/postgresql.md has more.

Exit status: 0 every table matches; 1 refused, failed, or a table does not match (named); 2 usage.
)";

bool TakeFlag(const char* arg, const char* name, std::string* out) {
  const std::string prefix = std::string("--") + name + "=";
  if (std::strncmp(arg, prefix.c_str(), prefix.size()) != 0) return false;
  *out = arg + prefix.size();
  return true;
}

int Usage() {
  std::cerr << kUsage;
  return 2;
}

int Fail(const absl::Status& status) {
  std::cerr << "touchline-move-club: " << status.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string from, from_audit, to, to_schema, password_file;
  bool verify_only = false;
  for (int i = 1; i < argc; ++i) {
    if (TakeFlag(argv[i], "from", &from) || TakeFlag(argv[i], "from_audit_db", &from_audit) ||
        TakeFlag(argv[i], "to", &to) || TakeFlag(argv[i], "to_schema", &to_schema) ||
        TakeFlag(argv[i], "to_password_file", &password_file)) {
      continue;
    }
    if (std::strcmp(argv[i], "--verify_only") == 0) {
      verify_only = true;
      continue;
    }
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "touchline-move-club: unknown argument " << argv[i] << "\n";
    return Usage();
  }
  if (from.empty() || to.empty() || to_schema.empty()) {
    std::cerr << "touchline-move-club: --from, --to and --to_schema are required\n";
    return Usage();
  }
  if (from.rfind("sqlite:", 0) != 0 || from.size() == 7) {
    std::cerr << "touchline-move-club: --from=" << from
              << ": expected sqlite:PATH (the club's SQLite database)\n";
    return Usage();
  }
  touchline::storage::DatabaseOptions target;
  target.postgres_schema = to_schema;
  target.postgres_password_file = password_file;
  if (absl::Status s = touchline::storage::ApplyStoreLocator(to, target); !s.ok()) {
    std::cerr << "touchline-move-club: --to: " << s.message() << "\n";
    return Usage();
  }
  if (target.postgres.empty()) {
    std::cerr << "touchline-move-club: --to must name a PostgreSQL database (postgresql://... or "
                 "postgresql:KEY=VALUE ...)\n";
    return Usage();
  }

  absl::StatusOr<ClubStores> source =
      touchline::move_club::OpenSqliteClub(from.substr(7), from_audit);
  if (!source.ok()) return Fail(source.status());
  absl::StatusOr<ClubStores> destination =
      touchline::move_club::OpenPostgresClub(target, /*create=*/!verify_only);
  if (!destination.ok()) return Fail(destination.status());

  std::cerr << (verify_only ? "comparing " : "moving ") << source->description
            << (verify_only ? " with " : " into ") << destination->description << "\n";
  absl::StatusOr<Verification> verification =
      verify_only ? touchline::move_club::VerifyClub(*source, *destination)
                  : touchline::move_club::MoveClub(*source, *destination, &std::cerr);
  if (!verification.ok()) return Fail(verification.status());
  std::cout << touchline::move_club::FormatVerification(*verification);
  if (!verification->ok()) {
    std::cout << (verify_only
                      ? "the PostgreSQL club does NOT match the SQLite club (see MISMATCH above)\n"
                      : "the committed copy does NOT match the source (see MISMATCH above): do not "
                        "start a server on it; keep running on SQLite and report this\n");
    return 1;
  }
  std::cout << (verify_only ? "every table matches: " : "moved: ")
            << verification->tables.size() << " tables, " << verification->source_rows()
            << " rows, every table matches.\n";
  if (!verify_only) {
    std::cout << "Start touchline-server with --store='" << to << "' --store_schema=" << to_schema
              << " and --pseudonym_key_file / --token_file naming the SQLite club's files "
                 "(docs/postgresql.md). Keep the SQLite files until the club runs on PostgreSQL.\n";
  }
  return 0;
}
