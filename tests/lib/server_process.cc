#include "tests/lib/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace touchline::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// fork + execv with stdout and stderr sent to the given descriptors (-1: inherited).
pid_t Spawn(const std::string& binary, const std::vector<std::string>& args, int out, int err) {
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (out >= 0) dup2(out, 1);
    if (err >= 0) dup2(err, 2);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::string& binary, const std::vector<std::string>& flags, const std::string& log_path,
    absl::Duration timeout) {
  std::unique_ptr<ServerProcess> process(new ServerProcess());
  process->log_path_ = log_path;
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return absl::InternalError(absl::StrCat("cannot open ", log_path));
  const size_t log_start = ReadFile(log_path).size();  // a restart appends to the same log
  std::vector<std::string> args = flags;
  args.push_back("--listen=127.0.0.1:0");
  process->pid_ = Spawn(binary, args, -1, log);
  close(log);
  if (process->pid_ < 0) return absl::InternalError("fork failed");
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    const std::string text = ReadFile(log_path).substr(log_start);
    const auto started = text.find("started on ");
    const auto port = started == std::string::npos ? started : text.find("(port ", started);
    if (port != std::string::npos) {
      process->port_ = std::atoi(text.c_str() + port + 6);
      if (process->port_ > 0) return process;
    }
    int status = 0;
    if (waitpid(process->pid_, &status, WNOHANG) == process->pid_) {
      process->pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat("touchline-server exited before it started:\n", text));
    }
    usleep(20 * 1000);
  }
  return absl::DeadlineExceededError(
      absl::StrCat("touchline-server did not start in time:\n", process->Log()));
}

ServerProcess::~ServerProcess() { Kill(); }

std::string ServerProcess::address() const { return absl::StrCat("127.0.0.1:", port_); }

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ServerProcess::Terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ServerProcess::Log() const { return ReadFile(log_path_); }

bool ServerProcess::LogContains(const std::string& text) const {
  return Log().find(text) != std::string::npos;
}

bool ServerProcess::WaitForLog(const std::string& text, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (!LogContains(text)) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

std::string ShellQuoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

absl::StatusOr<std::string> RunForOutput(const std::string& binary,
                                         const std::vector<std::string>& args) {
  char out_path[] = "/tmp/touchline_run_out_XXXXXX";
  char err_path[] = "/tmp/touchline_run_err_XXXXXX";
  const int out = mkstemp(out_path);
  const int err = mkstemp(err_path);
  if (out < 0 || err < 0) return absl::InternalError("cannot make temporary files");
  const pid_t pid = Spawn(binary, args, out, err);
  close(out);
  close(err);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return absl::InternalError("fork failed");
  std::string output = ReadFile(out_path);
  const std::string errors = ReadFile(err_path);
  unlink(out_path);
  unlink(err_path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(binary, " failed (status ", status, "): ", errors));
  }
  absl::StripTrailingAsciiWhitespace(&output);
  return output;
}

}  // namespace touchline::testing
