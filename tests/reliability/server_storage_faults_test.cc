// Storage faults through the running server: a real TouchlineServer (gRPC on 127.0.0.1:0, the
// access interceptor, the audit log, the status mapping) on a database whose file system fails
// under it, while clients call over gRPC.
//
// The fault sits where the operating system would produce it: a SQLite VFS registered as the
// default in this test binary wraps the ordinary "unix" VFS, and while a fault is on it answers
// file operations of every connection (writer, readers, checkpoints) as the unix VFS answers a
// failing system call:
//  * full disk: a write or truncate that would make a file longer fails with SQLITE_FULL and errno
//    ENOSPC (what the unix VFS returns on ENOSPC); rewriting bytes inside a file still works, as on
//    a real full disk;
//  * read-only file system (e.g. remounted read-only after an error): every write and truncate
//    fails with SQLITE_IOERR_WRITE / SQLITE_IOERR_TRUNCATE and errno EROFS.
// Nothing in the server knows about it, it needs no root, mount or tmpfs, so it runs in CI.
// Clearing the fault is the disk getting space again / the file system writable again: the same
// server process must then take writes without a restart.
#include <sqlite3.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "SQLiteCpp/Database.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/common/caller.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

enum class Fault { kNone, kDiskFull, kReadOnly };
std::atomic<Fault> fault{Fault::kNone};
// Which files the fault hits: every file (one file system), or only the audit log's or only the
// clinical database's (each on a file system of its own, e.g. --audit_log_path elsewhere).
enum class Scope { kEveryFile, kAuditLogOnly, kClinicalOnly };
std::atomic<Scope> scope{Scope::kEveryFile};
sqlite3_vfs* real_vfs = nullptr;
thread_local int last_errno = 0;

struct FaultyFile {
  sqlite3_file base;
  bool audit_log;      // a file of the audit log (<db>.audit, its -wal, -shm, -journal)
  sqlite3_file* real;  // the unix VFS's file, right after this struct
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultyFile*>(f)->real; }

bool IsAuditLogFile(const char* name) {
  return name != nullptr && std::strstr(name, ".audit") != nullptr;
}

// The fault this file meets now.
Fault FaultFor(bool audit_log) {
  switch (scope.load()) {
    case Scope::kAuditLogOnly:
      return audit_log ? fault.load() : Fault::kNone;
    case Scope::kClinicalOnly:
      return audit_log ? Fault::kNone : fault.load();
    case Scope::kEveryFile:
      break;
  }
  return fault.load();
}
Fault FaultFor(sqlite3_file* f) { return FaultFor(reinterpret_cast<FaultyFile*>(f)->audit_log); }

// As the unix VFS leaves it after a failing system call: errno set, and reported by xGetLastError.
int Fail(int code, int error) {
  last_errno = error;
  errno = error;
  return code;
}

bool Grows(sqlite3_file* f, sqlite3_int64 new_size) {
  sqlite3_int64 size = 0;
  if (Real(f)->pMethods->xFileSize(Real(f), &size) != SQLITE_OK) return true;
  return new_size > size;
}

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  switch (FaultFor(f)) {
    case Fault::kReadOnly:
      return Fail(SQLITE_IOERR_WRITE, EROFS);
    case Fault::kDiskFull:
      if (Grows(f, off + n)) return Fail(SQLITE_FULL, ENOSPC);
      break;
    case Fault::kNone:
      break;
  }
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  switch (FaultFor(f)) {
    case Fault::kReadOnly:
      return Fail(SQLITE_IOERR_TRUNCATE, EROFS);
    case Fault::kDiskFull:
      if (Grows(f, size)) return Fail(SQLITE_FULL, ENOSPC);
      break;
    case Fault::kNone:
      break;
  }
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) { return Real(f)->pMethods->xSync(Real(f), flags); }
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  // The unix VFS grows a file for a size hint with its own writes, past xWrite.
  if (op == SQLITE_FCNTL_SIZE_HINT && FaultFor(f) != Fault::kNone) {
    return FaultFor(f) == Fault::kReadOnly ? Fail(SQLITE_IOERR_TRUNCATE, EROFS)
                                           : Fail(SQLITE_FULL, ENOSPC);
  }
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kMethods = {
    3,        Close,     Read,     Write,     Truncate,   Sync,       FileSize,
    Lock,     Unlock,    CheckReservedLock,   FileControl,           SectorSize,
    DeviceCharacteristics, ShmMap, ShmLock,   ShmBarrier, ShmUnmap,   Fetch,
    Unfetch};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = reinterpret_cast<FaultyFile*>(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->audit_log = IsAuditLogFile(name);
  // On a read-only file system the unix VFS opens a database it was asked to open read-write
  // read-only, without an error (and says so in *out_flags).
  if (FaultFor(f->audit_log) == Fault::kReadOnly && (flags & SQLITE_OPEN_MAIN_DB) &&
      (flags & SQLITE_OPEN_READWRITE)) {
    flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
  }
  const int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
  f->base.pMethods = f->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}

int GetLastError(sqlite3_vfs*, int n, char* buf) {
  // The unix VFS answers errno; a fault of ours answers the errno it stands for.
  return last_errno != 0 ? last_errno : real_vfs->xGetLastError(real_vfs, n, buf);
}

// Registers the faulty VFS as the default (once per process).
void InstallFaultyVfs() {
  static sqlite3_vfs vfs = [] {
    real_vfs = sqlite3_vfs_find("unix");
    sqlite3_vfs v = *real_vfs;
    v.zName = "touchline-faulty";
    v.szOsFile = static_cast<int>(sizeof(FaultyFile)) + real_vfs->szOsFile;
    v.pNext = nullptr;
    v.xOpen = Open;
    v.xGetLastError = GetLastError;
    return v;
  }();
  static const int registered = sqlite3_vfs_register(&vfs, 1);
  ASSERT_EQ(registered, SQLITE_OK);
  ASSERT_STREQ(sqlite3_vfs_find(nullptr)->zName, "touchline-faulty");
}

// While `writers` writer threads run (they count `calls` and, when finished, `done`, under `mu`,
// and notify `progress`): the file system is full for every other `period` calls and has space
// between, driven by the writers' progress rather than by time. Returns how often it changed.
int FillAndFreeByProgress(std::mutex& mu, std::condition_variable& progress, const int& calls,
                          const int& done, int writers, int period) {
  int toggles = 0;
  std::unique_lock lock(mu);
  int seen = -1;
  while (done < writers) {
    progress.wait(lock, [&] { return calls != seen || done == writers; });
    seen = calls;
    const Fault want = (calls / period) % 2 == 1 ? Fault::kDiskFull : Fault::kNone;
    if (fault.exchange(want) != want) ++toggles;
  }
  return toggles;
}

class ServerStorageFaultsTest : public ServerTest {
 protected:
  void SetUp() override {
    InstallFaultyVfs();
    fault = Fault::kNone;
    scope = Scope::kEveryFile;
    ServerTest::SetUp();
    squad_ = MakeSquad("Faults XV");
    player_ = MakePlayer(squad_, "Fault Tester");
    // Acknowledged before the fault: must come through intact.
    before_ = CreateEvent("before-fault");
    ASSERT_TRUE(before_.ok()) << before_.error_message();
    ASSERT_EQ(last_.idempotency_key(), "before-fault");
    acknowledged_ = last_;
  }
  void TearDown() override {
    fault = Fault::kNone;
    ServerTest::TearDown();
  }

  // Waits (generously: CI machines are shared) for the health service to say `status`.
  bool WaitForHealth(const std::string& status) {
    for (int i = 0; i < 200; ++i) {
      if (HealthStatus() == status) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  grpc::Status CreateEvent(const std::string& key) {
    v1::CreateContactEventRequest req;
    auto* e = req.mutable_contact_event();
    e->set_player_id(player_);
    e->set_kind(v1::CONTACT_KIND_SCRUM);
    *e->mutable_occur_time() = Ts(Start() - absl::Hours(2));
    e->set_awkward(true);
    e->set_session_label("Tuesday training");
    e->set_idempotency_key(key);
    v1::CreateContactEventResponse resp;
    grpc::Status s = events_->CreateContactEvent(Ctx().get(), req, &resp);
    last_ = resp.contact_event();
    return s;
  }

  grpc::Status CreateComplaint() {
    v1::CreateComplaintRequest req;
    auto* c = req.mutable_complaint();
    c->set_player_id(player_);
    c->set_side(v1::SIDE_LEFT);
    *c->mutable_onset_time() = Ts(Start() - absl::Hours(30));
    c->set_onset_kind(v1::ONSET_KIND_GRADUAL);
    c->set_mechanism(v1::MECHANISM_UNKNOWN);
    c->mutable_symptoms()->set_pain(4);
    v1::CreateComplaintResponse resp;
    return complaints_->CreateComplaint(Ctx().get(), req, &resp);
  }

  // An unaudited read (player names are not medical data): served from the database alone.
  grpc::Status ListPlayers(int* count) {
    v1::ListPlayersRequest req;
    req.set_squad_id(squad_);
    v1::ListPlayersResponse resp;
    grpc::Status s = players_->ListPlayers(Ctx().get(), req, &resp);
    *count = resp.players_size();
    return s;
  }

  grpc::Status ListEvents(v1::ListContactEventsResponse* resp) {
    v1::ListContactEventsRequest req;
    req.set_player_id(player_);
    return events_->ListContactEvents(Ctx().get(), req, resp);
  }

  grpc::Status ListComplaints(int* count) {
    v1::ListComplaintsRequest req;
    req.set_player_id(player_);
    v1::ListComplaintsResponse resp;
    grpc::Status s = complaints_->ListComplaints(Ctx().get(), req, &resp);
    *count = resp.complaints_size();
    return s;
  }

  // After the fault cleared: the record acknowledged before it is intact and the events are
  // exactly `keys`.
  void ExpectEventsExactly(const std::vector<std::string>& keys) {
    std::vector<std::string> stored;
    std::string page;
    do {
      v1::ListContactEventsRequest req;
      req.set_player_id(player_);
      req.set_page_size(1000);
      req.set_page_token(page);
      v1::ListContactEventsResponse resp;
      grpc::Status s = events_->ListContactEvents(Ctx().get(), req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
      for (const auto& e : resp.contact_events()) {
        stored.push_back(e.idempotency_key());
        if (e.id() == acknowledged_.id()) {
          EXPECT_EQ(e.SerializeAsString(), acknowledged_.SerializeAsString())
              << e.DebugString() << " vs " << acknowledged_.DebugString();
        }
      }
      page = resp.next_page_token();
    } while (!page.empty());
    EXPECT_THAT(stored, ::testing::UnorderedElementsAreArray(keys));
  }

  // Stops the server (closing the database) and checks the file as a fresh process would.
  void ExpectFileIntact(int events, int complaints) {
    server_.reset();
    SQLite::Database db(db_path_, SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM pragma_foreign_key_check").getInt(), 0);
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM contact_events").getInt(), events);
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM complaints").getInt(), complaints);
  }

  int64_t squad_ = 0;
  int64_t player_ = 0;
  grpc::Status before_;
  v1::ContactEvent last_;
  v1::ContactEvent acknowledged_;
};

// With the audit log and the database on one full file system, a write meets the audit log first
// (its record is written before the write commits): refused as UNAVAILABLE, nothing stored.
TEST_F(ServerStorageFaultsTest, FullDiskRefusesWritesThenRecoversByItself) {
  fault = Fault::kDiskFull;

  grpc::Status write = CreateEvent("during-full-disk");
  EXPECT_EQ(write.error_code(), grpc::StatusCode::UNAVAILABLE) << write.error_message();
  EXPECT_THAT(write.error_message(), ::testing::HasSubstr("database or disk is full"));
  EXPECT_THAT(write.error_message(), ::testing::HasSubstr("nothing was stored"));
  grpc::Status complaint = CreateComplaint();
  EXPECT_EQ(complaint.error_code(), grpc::StatusCode::UNAVAILABLE) << complaint.error_message();
  EXPECT_THAT(complaint.error_message(), ::testing::HasSubstr("full"));

  // Reads that need no audit record are served.
  int players = 0;
  grpc::Status read = ListPlayers(&players);
  EXPECT_TRUE(read.ok()) << read.error_message();
  EXPECT_EQ(players, 1);
  // Reads of the medical record must leave an audit record first ("no trace, no data"): withheld,
  // retryable, and saying why.
  v1::ListContactEventsResponse withheld;
  grpc::Status audited = ListEvents(&withheld);
  EXPECT_EQ(audited.error_code(), grpc::StatusCode::UNAVAILABLE) << audited.error_message();
  EXPECT_THAT(audited.error_message(), ::testing::HasSubstr("audit log cannot be written"));
  EXPECT_THAT(audited.error_message(), ::testing::HasSubstr("full"));
  EXPECT_EQ(withheld.contact_events_size(), 0);
  // The same for a squad's board, served through the callback API (its status goes out from the
  // audit log's writer once the record is committed, here: once it has failed).
  auto readiness = v1::ReadinessService::NewStub(channel_);
  v1::GetSquadReadinessRequest board_request;
  board_request.set_squad_id(squad_);
  v1::GetSquadReadinessResponse board;
  grpc::Status board_status = readiness->GetSquadReadiness(Ctx().get(), board_request, &board);
  EXPECT_EQ(board_status.error_code(), grpc::StatusCode::UNAVAILABLE) << board_status.error_message();
  EXPECT_THAT(board_status.error_message(), ::testing::HasSubstr("audit log cannot be written"));
  EXPECT_EQ(board.players_size(), 0);

  // Space is freed: the same server process takes writes again, with no restart.
  fault = Fault::kNone;
  grpc::Status retry = CreateEvent("during-full-disk");  // the client retries with the same key
  EXPECT_TRUE(retry.ok()) << retry.error_message();
  EXPECT_TRUE(CreateEvent("after-full-disk").ok());
  ExpectEventsExactly({"before-fault", "during-full-disk", "after-full-disk"});
  int complaints = -1;
  ASSERT_TRUE(ListComplaints(&complaints).ok());
  EXPECT_EQ(complaints, 0) << "the refused complaint left something behind";
  ExpectFileIntact(/*events=*/3, /*complaints=*/0);
}

// The health service tells the truth (issue 15): while ordinary calls cannot be served (every
// audited call needs its record written) a probe says NOT_SERVING, so an orchestrator stops
// routing to this server; when the disk has space again it says SERVING by itself, with no call.
TEST_F(ServerStorageFaultsTest, HealthIsNotServingWhileStorageFailsAndServingAgainByItself) {
  EXPECT_EQ(HealthStatus(), "SERVING");
  fault = Fault::kDiskFull;
  EXPECT_EQ(CreateEvent("during-full-disk").error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(WaitForHealth("NOT_SERVING")) << HealthStatus();
  fault = Fault::kNone;
  EXPECT_TRUE(WaitForHealth("SERVING")) << HealthStatus();  // the probe found the space, not a call
  EXPECT_TRUE(CreateEvent("after-full-disk").ok());

  // A read-only file system, found by the probe alone after a failed audited read.
  fault = Fault::kReadOnly;
  v1::ListContactEventsResponse withheld;
  EXPECT_EQ(ListEvents(&withheld).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(WaitForHealth("NOT_SERVING")) << HealthStatus();
  fault = Fault::kNone;
  EXPECT_TRUE(WaitForHealth("SERVING")) << HealthStatus();
}

// An import commits its batches on a thread of its own while it receives the next: a failing
// commit must end the call with that error (not hang the client that is still streaming), and
// acknowledge nothing.
TEST_F(ServerStorageFaultsTest, AnImportWhoseCommitsFailEndsWithTheErrorAndStoresNothing) {
  scope = Scope::kClinicalOnly;  // the import's opening audit record is written; its commits fail
  fault = Fault::kDiskFull;
  v1::ImportContactEventsResponse resp;
  auto ctx = Ctx();
  auto writer = events_->ImportContactEvents(ctx.get(), &resp);
  // Several batches of the server's import batch size (10000), in messages of 500.
  for (int m = 0; m < 60; ++m) {
    v1::ImportContactEventsRequest msg;
    for (int k = 0; k < 500; ++k) {
      auto* e = msg.add_contact_events();
      e->set_player_id(player_);
      e->set_kind(v1::CONTACT_KIND_TACKLE_MADE);
      *e->mutable_occur_time() = Ts(Start() - absl::Minutes(m * 500 + k + 1));
      e->set_idempotency_key(absl::StrCat("import-", m, "-", k));
    }
    if (!writer->Write(msg)) break;  // the server ended the call
  }
  writer->WritesDone();
  const grpc::Status import = writer->Finish();
  EXPECT_EQ(import.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << import.error_message();
  EXPECT_THAT(import.error_message(), ::testing::HasSubstr("full"));
  EXPECT_EQ(resp.stored_count(), 0);

  fault = Fault::kNone;
  ExpectEventsExactly({"before-fault"});
  ExpectFileIntact(1, 0);
}

TEST_F(ServerStorageFaultsTest, ReadOnlyFileSystemRefusesWritesAsUnavailableThenRecoversByItself) {
  fault = Fault::kReadOnly;

  grpc::Status write = CreateEvent("during-read-only");
  EXPECT_EQ(write.error_code(), grpc::StatusCode::UNAVAILABLE) << write.error_message();
  EXPECT_THAT(write.error_message(), ::testing::HasSubstr("database is read-only"));
  grpc::Status complaint = CreateComplaint();
  EXPECT_EQ(complaint.error_code(), grpc::StatusCode::UNAVAILABLE) << complaint.error_message();
  EXPECT_THAT(complaint.error_message(), ::testing::HasSubstr("read-only"));

  int players = 0;
  grpc::Status read = ListPlayers(&players);
  EXPECT_TRUE(read.ok()) << read.error_message();
  EXPECT_EQ(players, 1);
  v1::ListContactEventsResponse withheld;
  grpc::Status audited = ListEvents(&withheld);
  EXPECT_EQ(audited.error_code(), grpc::StatusCode::UNAVAILABLE) << audited.error_message();
  EXPECT_THAT(audited.error_message(), ::testing::HasSubstr("read-only"));

  fault = Fault::kNone;
  grpc::Status retry = CreateEvent("during-read-only");
  EXPECT_TRUE(retry.ok()) << retry.error_message();
  ExpectEventsExactly({"before-fault", "during-read-only"});
  int complaints = -1;
  ASSERT_TRUE(ListComplaints(&complaints).ok());
  EXPECT_EQ(complaints, 0);
  ExpectFileIntact(/*events=*/2, /*complaints=*/0);
}

// The server (re)started while the file system is read-only: SQLite opens the database read-only
// without an error, reads are served, writes are refused as read-only; once the file system is
// writable again the same server process takes writes (it reopens its writer connection).
TEST_F(ServerStorageFaultsTest, StartedOnAReadOnlyFileSystemServesReadsAndRecoversByItself) {
  fault = Fault::kReadOnly;
  RestartServer();
  ASSERT_NE(server_, nullptr);

  grpc::Status write = CreateEvent("while-read-only");
  EXPECT_EQ(write.error_code(), grpc::StatusCode::UNAVAILABLE) << write.error_message();
  EXPECT_THAT(write.error_message(), ::testing::HasSubstr("read-only"));
  int players = 0;
  grpc::Status read = ListPlayers(&players);
  EXPECT_TRUE(read.ok()) << read.error_message();
  EXPECT_EQ(players, 1);

  fault = Fault::kNone;
  grpc::Status retry = CreateEvent("while-read-only");
  EXPECT_TRUE(retry.ok()) << retry.error_message();
  EXPECT_TRUE(CreateComplaint().ok());
  ExpectEventsExactly({"before-fault", "while-read-only"});
  ExpectFileIntact(/*events=*/2, /*complaints=*/1);
}

// Many clients writing while the disk fills and frees again: a write is acknowledged (then stored
// exactly once), refused with RESOURCE_EXHAUSTED (then not stored at all), or, when the write
// committed but its audit record could not be, answered UNAVAILABLE ("result withheld"): the
// client retries that one with the same idempotency key once the disk has space, and it must then
// be acknowledged and stored once. Nothing else.
TEST_F(ServerStorageFaultsTest, ConcurrentWritersAcrossAFullDiskLoseNothingAcknowledged) {
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 30;
  std::mutex mu;
  std::condition_variable progress;
  std::vector<std::string> acked = {"before-fault"}, refused, withheld;
  std::map<int, int> codes;
  int calls = 0;
  int done = 0;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::ContactEventService::NewStub(channel_);
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string key = absl::StrCat("w", w, "-", i);
        v1::CreateContactEventRequest req;
        auto* e = req.mutable_contact_event();
        e->set_player_id(player_);
        e->set_kind(v1::CONTACT_KIND_RUCK);
        *e->mutable_occur_time() = Ts(Start() - absl::Minutes(i + 1));
        e->set_idempotency_key(key);
        v1::CreateContactEventResponse resp;
        grpc::Status s = stub->CreateContactEvent(Ctx().get(), req, &resp);
        {
          std::lock_guard lock(mu);
          ++codes[s.error_code()];
          ++calls;
          if (s.ok()) {
            acked.push_back(key);
          } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
            refused.push_back(key);
          } else if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
            withheld.push_back(key);
          }
        }
        progress.notify_all();
      }
      {
        std::lock_guard lock(mu);
        ++done;
      }
      progress.notify_all();
    });
  }
  // The disk is full for every other 20 calls (driven by progress, not by time).
  const int toggles = FillAndFreeByProgress(mu, progress, calls, done, kWriters, 20);
  for (auto& t : writers) t.join();
  fault = Fault::kNone;

  for (const auto& [code, n] : codes) {
    EXPECT_TRUE(code == grpc::StatusCode::OK || code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
                code == grpc::StatusCode::UNAVAILABLE)
        << n << " calls ended with code " << code;
  }
  EXPECT_GT(codes[grpc::StatusCode::RESOURCE_EXHAUSTED] + codes[grpc::StatusCode::UNAVAILABLE], 0)
      << "the disk never got full";
  EXPECT_GE(toggles, 3) << "the disk did not fill and free again";
  // The client retries what it was not told the outcome of, with the same key.
  for (const std::string& key : withheld) {
    v1::CreateContactEventRequest req;
    auto* e = req.mutable_contact_event();
    e->set_player_id(player_);
    e->set_kind(v1::CONTACT_KIND_RUCK);
    e->set_idempotency_key(key);
    const int i = std::stoi(key.substr(key.find('-') + 1));
    *e->mutable_occur_time() = Ts(Start() - absl::Minutes(i + 1));
    v1::CreateContactEventResponse resp;
    grpc::Status s = events_->CreateContactEvent(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << key << ": " << s.error_message();
    acked.push_back(key);
  }
  ExpectEventsExactly(acked);  // and so none of `refused`
  ExpectFileIntact(static_cast<int>(acked.size()), 0);
  std::printf("%zu acknowledged, %zu refused (RESOURCE_EXHAUSTED), %zu withheld then retried, "
              "%d fault changes\n",
              acked.size() - 1 - withheld.size(), refused.size(), withheld.size(), toggles);
}

// A stream that cannot be audited sends nothing: with the audit log full its opening record
// cannot be written, so a WatchFlags stream ends UNAVAILABLE before any change leaves (issue 16).
TEST_F(ServerStorageFaultsTest, AStreamThatCannotBeAuditedSendsNothing) {
  ASSERT_TRUE(CreateComplaint().ok());  // something a watcher would otherwise be sent
  scope = Scope::kAuditLogOnly;
  fault = Fault::kDiskFull;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + TokenFor("physio.anna"));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::WatchFlagsRequest req;
  req.set_squad_id(squad_);
  auto reader = flags_->WatchFlags(&ctx, req);
  v1::WatchFlagsResponse message;
  int received = 0;
  while (reader->Read(&message)) ++received;
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(received, 0);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("the stream was not opened"));
  fault = Fault::kNone;
}

// The audit log on a file system of its own that fills and frees while physios record complaints
// (issue 16): no clinical write commits without its audit record. A create either is acknowledged,
// or fails with UNAVAILABLE having stored nothing; the client retries it with its request_id
// until acknowledged. At the end every complaint in the database is named by an OK audit record
// of CreateComplaint (each player has at most one complaint here, so "named" is exact), and each
// player's complaint is stored exactly once, however many times it was retried.
TEST_F(ServerStorageFaultsTest, WithTheAuditLogFullNoWriteCommitsWithoutItsAuditRecord) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 12;
  std::vector<int64_t> players;
  for (int i = 0; i < kWriters * kPerWriter; ++i) {
    players.push_back(MakePlayer(squad_, absl::StrCat("Audited ", i)));
  }
  scope = Scope::kAuditLogOnly;
  std::mutex mu;
  std::condition_variable progress;
  std::map<int, int> first_codes;  // what each create's first attempt ended with
  int calls = 0;
  int done = 0;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::ComplaintService::NewStub(channel_);
      for (int i = 0; i < kPerWriter; ++i) {
        const int64_t player = players[w * kPerWriter + i];
        v1::CreateComplaintRequest req;
        req.set_request_id(absl::StrCat("create-complaint-of-", player));
        auto* c = req.mutable_complaint();
        c->set_player_id(player);
        c->set_side(v1::SIDE_RIGHT);
        *c->mutable_onset_time() = Ts(Start() - absl::Hours(30));
        c->set_onset_kind(v1::ONSET_KIND_GRADUAL);
        c->set_mechanism(v1::MECHANISM_UNKNOWN);
        c->mutable_symptoms()->set_pain(3);
        for (int attempt = 0;; ++attempt) {
          v1::CreateComplaintResponse resp;
          const grpc::Status s = stub->CreateComplaint(Ctx().get(), req, &resp);
          {
            std::lock_guard lock(mu);
            if (attempt == 0) ++first_codes[s.error_code()];
            ++calls;
          }
          progress.notify_all();
          if (s.ok()) break;
          EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
          EXPECT_THAT(s.error_message(), ::testing::HasSubstr("audit log"));
          if (s.error_code() != grpc::StatusCode::UNAVAILABLE || attempt > 200) break;
        }
      }
      {
        std::lock_guard lock(mu);
        ++done;
      }
      progress.notify_all();
    });
  }
  // The audit log's file system is full for every other 10 calls (driven by progress).
  const int toggles = FillAndFreeByProgress(mu, progress, calls, done, kWriters, 10);
  for (auto& t : writers) t.join();
  fault = Fault::kNone;
  EXPECT_GT(first_codes[grpc::StatusCode::UNAVAILABLE], 0) << "the audit log never got full";
  EXPECT_GE(toggles, 3);

  // Every player's complaint stored exactly once, and named by an OK audit record.
  std::map<int64_t, int> stored;
  {
    v1::ListComplaintsRequest req;
    req.set_squad_id(squad_);
    req.set_page_size(1000);
    v1::ListComplaintsResponse resp;
    ASSERT_TRUE(complaints_->ListComplaints(Ctx().get(), req, &resp).ok());
    for (const auto& c : resp.complaints()) ++stored[c.player_id()];
  }
  std::set<int64_t> audited;
  std::string page;
  do {
    v1::ListAuditEventsRequest req;
    req.set_method("/touchline.v1.ComplaintService/CreateComplaint");
    req.set_outcome("OK");
    req.set_page_size(1000);
    req.set_page_token(page);
    v1::ListAuditEventsResponse resp;
    ASSERT_TRUE(audit_->ListAuditEvents(CtxAs("admin", common::Role::kAdmin).get(), req, &resp)
                    .ok());
    for (const auto& e : resp.audit_events()) audited.insert(e.player_ids().begin(), e.player_ids().end());
    page = resp.next_page_token();
  } while (!page.empty());
  for (const int64_t player : players) {
    EXPECT_EQ(stored[player], 1) << "player " << player;
    EXPECT_TRUE(audited.count(player)) << "player " << player << "'s complaint has no audit record";
  }
  for (const auto& [player, n] : stored) {
    EXPECT_TRUE(audited.count(player)) << "complaint of player " << player << " is not audited";
  }
  std::printf("%d creates: %d failed first with UNAVAILABLE and were retried; %d fault changes\n",
              kWriters * kPerWriter, first_codes[grpc::StatusCode::UNAVAILABLE], toggles);
}

}  // namespace
}  // namespace touchline::testing
