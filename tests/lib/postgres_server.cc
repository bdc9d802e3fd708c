#include "tests/lib/postgres_server.h"
#include "tests/lib/server_process.h"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace touchline::testing {
namespace {

// A port nobody listens on now (the kernel's choice); PostgreSQL binds it a moment later.
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Prepare(
    PostgresServerOptions options) {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->options_ = std::move(options);
  const char* bindir = std::getenv("TOUCHLINE_PG_BINDIR");
  server->bindir_ = bindir != nullptr && *bindir != '\0' ? bindir : "/usr/lib/postgresql/15/bin";
  if (!std::filesystem::exists(server->bindir_ + "/initdb")) {
    return absl::FailedPreconditionError(
        absl::StrCat("no initdb in ", server->bindir_,
                     " (install postgresql-15, or set TOUCHLINE_PG_BINDIR)"));
  }
  char folder[] = "/tmp/touchline_pg_XXXXXX";
  if (mkdtemp(folder) == nullptr) return absl::InternalError("cannot make a temporary folder");
  server->folder_ = folder;
  if (geteuid() == 0) {
    const passwd* postgres = getpwnam("postgres");
    if (postgres == nullptr) {
      return absl::FailedPreconditionError(
          "running as root, and there is no `postgres` user to run PostgreSQL as");
    }
    server->as_postgres_user_ = true;
    if (chown(folder, postgres->pw_uid, postgres->pw_gid) != 0) {
      return absl::InternalError(absl::StrCat("cannot hand ", folder, " to postgres"));
    }
  }
  return server;
}

absl::Status PostgresServer::RunAsServerUser(const std::string& command,
                                             const std::string& log_name) const {
  const std::string as_user = as_postgres_user_ ? "runuser -u postgres -- " : "";
  const std::string log = folder_ + "/" + log_name;
  if (std::system(absl::StrCat(as_user, command, " > ", ShellQuoted(log), " 2>&1").c_str()) != 0) {
    std::ifstream file(log);
    std::stringstream text;
    text << file.rdbuf();
    return absl::InternalError(absl::StrCat(command, " failed: ", text.str()));
  }
  return absl::OkStatus();
}

absl::Status PostgresServer::StartOnFreePort() {
  // A few tries: another process may take the port between choosing it and binding it.
  absl::Status started = absl::UnavailableError("no free port");
  for (int attempt = 0; attempt < 5 && !started.ok(); ++attempt) {
    port_ = FreeLoopbackPort();
    if (port_ == 0) continue;
    started = Restart();
  }
  return started;
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start(
    PostgresServerOptions options) {
  absl::StatusOr<std::unique_ptr<PostgresServer>> server = Prepare(std::move(options));
  if (!server.ok()) return server.status();
  const std::string initdb =
      absl::StrCat((*server)->bindir_, "/initdb -D ", ShellQuoted((*server)->data_folder()),
                   " -U touchline --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-instructions");
  if (absl::Status made = (*server)->RunAsServerUser(initdb, "initdb.log"); !made.ok()) {
    return made;
  }
  if (absl::Status started = (*server)->StartOnFreePort(); !started.ok()) return started;
  return server;
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::StartStandby(
    const PostgresServer& primary, PostgresServerOptions options) {
  absl::StatusOr<std::unique_ptr<PostgresServer>> server = Prepare(std::move(options));
  if (!server.ok()) return server.status();
  // -R: standby.signal and primary_conninfo; -X stream: the WAL written meanwhile comes along.
  const std::string backup = absl::StrCat(
      (*server)->bindir_, "/pg_basebackup -h 127.0.0.1 -p ", primary.port(),
      " -U touchline -D ", ShellQuoted((*server)->data_folder()), " -R -X stream --checkpoint=fast");
  if (absl::Status copied = (*server)->RunAsServerUser(backup, "basebackup.log"); !copied.ok()) {
    return copied;
  }
  if (absl::Status started = (*server)->StartOnFreePort(); !started.ok()) return started;
  return server;
}

PostgresServer::~PostgresServer() {
  if (detached_) return;
  if (running_) (void)Stop("immediate");
  if (!folder_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
}

absl::Status PostgresServer::StopDetached(const std::string& folder) {
  PostgresServer server;
  const char* bindir = std::getenv("TOUCHLINE_PG_BINDIR");
  server.bindir_ = bindir != nullptr && *bindir != '\0' ? bindir : "/usr/lib/postgresql/15/bin";
  server.folder_ = folder;
  server.as_postgres_user_ = geteuid() == 0;
  server.running_ = std::filesystem::exists(folder + "/data/postmaster.pid");
  return absl::OkStatus();  // the destructor stops it and removes the folder
}

std::string PostgresServer::ConnectionString(const std::string& database) const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=touchline dbname=", database,
                      " connect_timeout=10");
}

absl::Status PostgresServer::PgCtl(const std::string& args) const {
  const std::string as_user = as_postgres_user_ ? "runuser -u postgres -- " : "";
  const std::string command =
      absl::StrCat(as_user, bindir_, "/pg_ctl -D ", ShellQuoted(folder_ + "/data"), " -l ",
                   ShellQuoted(folder_ + "/server.log"), " ", args, " > /dev/null 2>&1");
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("pg_ctl ", args, " failed; the server's log:\n", Log()));
  }
  return absl::OkStatus();
}

absl::Status PostgresServer::Stop(const std::string& mode) {
  absl::Status stopped = PgCtl(absl::StrCat("-w -m ", mode, " stop"));
  if (stopped.ok()) running_ = false;
  return stopped;
}

absl::Status PostgresServer::Restart() {
  // Loopback only, the socket in our folder (not /var/run/postgresql, which may not exist).
  const std::string settings = absl::StrCat(
      "-c listen_addresses=127.0.0.1 -p ", port_, " -k ", folder_, " -c fsync=",
      options_.fsync ? "on" : "off", " -c synchronous_commit=on ", options_.settings);
  absl::Status started = PgCtl(absl::StrCat("-w -t 60 -o ", ShellQuoted(settings), " start"));
  if (started.ok()) running_ = true;
  return started;
}

namespace {

pid_t PostmasterPid(const std::string& data_folder) {
  std::ifstream pid_file(data_folder + "/postmaster.pid");
  pid_t pid = 0;
  return pid_file >> pid ? pid : 0;
}

// The postmaster's child processes, with their command lines ("postgres: walsender ...").
std::vector<std::pair<pid_t, std::string>> ChildrenOf(pid_t parent) {
  std::vector<std::pair<pid_t, std::string>> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    pid_t ppid = 0;
    if (!(rest >> state >> ppid) || ppid != parent) continue;
    std::ifstream cmdline_file(entry.path() / "cmdline");
    std::string cmdline;
    std::getline(cmdline_file, cmdline, '\0');
    children.emplace_back(std::stoi(name), cmdline);
  }
  return children;
}

}  // namespace

absl::Status PostgresServer::Kill() {
  const pid_t postmaster = PostmasterPid(data_folder());
  if (postmaster <= 0) return absl::FailedPreconditionError("no postmaster.pid");
  // Every process at once, as the machine's loss would: frozen first, so none starts another.
  ::kill(postmaster, SIGSTOP);
  for (const auto& [pid, cmdline] : ChildrenOf(postmaster)) ::kill(pid, SIGKILL);
  if (::kill(postmaster, SIGKILL) != 0) return absl::InternalError("kill -9 of the postmaster failed");
  running_ = false;
  for (int i = 0; i < 200; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port_);
    const bool refused = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0;
    close(fd);
    if (refused) return absl::OkStatus();
    usleep(50 * 1000);
  }
  return absl::DeadlineExceededError("the killed server's port still accepts connections");
}

absl::Status PostgresServer::FreezeWalSenders() {
  const pid_t postmaster = PostmasterPid(data_folder());
  if (postmaster <= 0) return absl::FailedPreconditionError("no postmaster.pid");
  int frozen = 0;
  for (const auto& [pid, cmdline] : ChildrenOf(postmaster)) {
    if (cmdline.find("walsender") != std::string::npos && ::kill(pid, SIGSTOP) == 0) ++frozen;
  }
  if (frozen == 0) return absl::FailedPreconditionError("no WAL sender to freeze");
  return absl::OkStatus();
}

absl::Status PostgresServer::Promote() { return PgCtl("-w -t 60 promote"); }

std::string PostgresServer::Log() const {
  std::ifstream log(folder_ + "/server.log");
  std::stringstream text;
  text << log.rdbuf();
  return text.str();
}

}  // namespace touchline::testing
