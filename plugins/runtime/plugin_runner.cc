#include "plugins/runtime/plugin_runner.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "plugins/runtime/host_confinement.h"
#include "plugins/runtime/host_output.h"

namespace touchline::plugins {
namespace {

namespace hp = host_protocol;
using touchline::plugin::v1::FailureKind;

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    // MSG_NOSIGNAL: a dead host must not SIGPIPE the server.
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return absl::StrCat("killed by signal ", sig, abbrev ? absl::StrCat(" (SIG", abbrev, ")") : "");
  }
  if (WIFEXITED(status)) return absl::StrCat("exited with status ", WEXITSTATUS(status));
  return "ended";
}

HostLaunch WithAbsolutePaths(HostLaunch launch) {
  std::error_code ec;
  for (std::string* path : {&launch.host_executable, &launch.plugin_path}) {
    std::filesystem::path absolute = std::filesystem::absolute(*path, ec);
    if (!ec) *path = absolute.string();
  }
  return launch;
}

}  // namespace

HostProcess::HostProcess(HostLaunch launch)
    : launch_(WithAbsolutePaths(std::move(launch))),
      output_label_(std::filesystem::path(launch_.plugin_path).filename().string()) {}

HostProcess::~HostProcess() {
  std::lock_guard<std::mutex> lock(mu_);
  StopLocked(/*kill_first=*/true);
}

pid_t HostProcess::pid() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pid_;
}

int HostProcess::restarts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return restarts_;
}

bool HostProcess::Start(hp::RawDescriptor* descriptor, std::string* error) {
  std::lock_guard<std::mutex> lock(mu_);
  return StartLocked(absl::Now() + launch_.start_deadline, descriptor, error);
}

bool HostProcess::StartLocked(absl::Time deadline, hp::RawDescriptor* descriptor,
                              std::string* error) {
  const absl::Duration allowed = absl::Ceil(deadline - absl::Now(), absl::Milliseconds(1));
  StopLocked(/*kill_first=*/true);
  if (started_once_) ++restarts_;
  started_once_ = true;

  // Everything the child needs is prepared before fork: after fork only async-signal-safe calls.
  HostConfinement confinement;
  if (!confinement.Prepare(launch_.host_executable, launch_.plugin_path, error)) {
    *error = absl::StrCat("the plugin host could not be confined: ", *error);
    return false;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    *error = absl::StrCat("socketpair failed: ", strerror(errno));
    return false;
  }
  // Its stdout and stderr: a pipe the server reads (HostOutputRelay), not the server's stderr.
  int output[2];
  if (pipe2(output, O_CLOEXEC) != 0) {
    *error = absl::StrCat("pipe failed: ", strerror(errno));
    close(sv[0]);
    close(sv[1]);
    return false;
  }
  // Its stdin: nothing (the server's may be an operator's terminal).
  const int input = open("/dev/null", O_RDONLY | O_CLOEXEC);
  auto close_child_ends = [&] {
    close(sv[1]);
    close(output[1]);
    if (input >= 0) close(input);
  };
  std::vector<char*> argv = {const_cast<char*>(launch_.host_executable.c_str()),
                             const_cast<char*>(launch_.plugin_path.c_str()), nullptr};
  pid_t pid = input < 0 ? -1 : fork();
  if (pid < 0) {
    *error = absl::StrCat(input < 0 ? "opening /dev/null" : "fork", " failed: ", strerror(errno));
    close_child_ends();
    close(sv[0]);
    close(output[0]);
    return false;
  }
  if (pid == 0) {
    // Contain the host (async-signal-safe calls only). Its own process group, so that stopping
    // it also ends whatever it forked; it can gain no privileges (no setuid programs); the
    // server's signal mask (SIGTERM and SIGINT blocked in every thread, kept across exec) is not
    // inherited; then host_confinement.h: rlimits, Landlock, seccomp.
    // (Not PR_SET_PDEATHSIG: it fires when the forking thread ends, and gRPC ends idle threads.)
    setpgid(0, 0);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Its descriptors: /dev/null, the pipe, the pipe, its channel on 0-3, each first copied above
    // them so that none is overwritten before it is copied (a server started without stdin has
    // its own descriptors among 0-3).
    const int in = fcntl(input, F_DUPFD, hp::kChannelFd + 1);
    const int out = fcntl(output[1], F_DUPFD, hp::kChannelFd + 1);
    const int channel = fcntl(sv[1], F_DUPFD, hp::kChannelFd + 1);
    if (in < 0 || out < 0 || channel < 0 || dup2(in, STDIN_FILENO) < 0 ||
        dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0 ||
        dup2(channel, hp::kChannelFd) < 0) {
      _exit(127);
    }
    if (!confinement.ApplyInChild()) _exit(kConfinementFailedStatus);
    // None of the server's descriptors (database, sockets), nor the ruleset's.
    close_range(hp::kChannelFd + 1, ~0U, 0);
    // Not in the database's directory.
    if (chdir("/") != 0) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // as the child does: whichever runs first, the group exists before a kill
  close_child_ends();
  pid_ = pid;
  fd_ = sv[0];
  output_id_ = HostOutputRelay::Get().Add(output[0], output_label_);

  std::string payload;
  switch (ReadFrameLocked(deadline, &payload)) {
    case ReadStatus::kOk:
      break;
    case ReadStatus::kTimeout:
    case ReadStatus::kCancelled:
      StopLocked(true);
      *error = absl::StrCat("the plugin did not load within ", absl::FormatDuration(allowed));
      return false;
    case ReadStatus::kEof: {
      std::string how = StopLocked(false);
      *error = absl::StrCat(
          "the plugin host ", how, " while loading it",
          how == "exited with status 127"
              ? absl::StrCat(" (cannot run ", launch_.host_executable, "?)")
          : how == absl::StrCat("exited with status ", kConfinementFailedStatus)
              ? " (its confinement could not be applied)"
              : "");
      return false;
    }
    case ReadStatus::kGarbage:
      StopLocked(true);
      *error = "the plugin host sent a malformed hello";
      return false;
  }
  hp::RawDescriptor d;
  std::string host_error;
  if (!hp::ParseHello(payload, &d, &host_error)) {
    StopLocked(true);
    *error = "the plugin host sent a malformed hello";
    return false;
  }
  if (!host_error.empty()) {
    StopLocked(true);
    *error = host_error;
    return false;
  }
  *descriptor = d;
  return true;
}

std::string HostProcess::StopLocked(bool kill_first) {
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  if (pid_ <= 0) return "was not running";
  // The whole group: a plugin's own children end with its host.
  if (kill_first) kill(-pid_, SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  kill(-pid_, SIGKILL);  // the host ended by itself: what it left behind goes too
  pid_ = -1;
  if (output_id_ != 0) {
    HostOutputRelay::Get().Release(output_id_);  // its last words, then the pipe is closed
    output_id_ = 0;
  }
  return r < 0 ? "ended" : DescribeExit(status);
}

HostProcess::ReadStatus HostProcess::ReadFrameLocked(absl::Time deadline, std::string* payload,
                                                     const std::function<bool()>& cancelled) {
  // How often a cancellation is noticed while the plugin thinks.
  constexpr absl::Duration kCancelPoll = absl::Milliseconds(50);
  std::string buf;
  size_t want = 4;
  bool have_len = false;
  while (buf.size() < want) {
    if (cancelled && cancelled()) return ReadStatus::kCancelled;
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return ReadStatus::kTimeout;
    if (cancelled) left = std::min(left, kCancelPoll);
    pollfd p{fd_, POLLIN, 0};
    int ms = static_cast<int>(absl::ToInt64Milliseconds(left)) + 1;
    int pr = poll(&p, 1, ms);
    if (pr < 0 && errno == EINTR) continue;
    if (pr < 0) return ReadStatus::kEof;
    if (pr == 0) continue;  // re-check the deadline
    char chunk[65536];
    size_t room = want - buf.size();
    ssize_t n = recv(fd_, chunk, room < sizeof chunk ? room : sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ReadStatus::kEof;
    buf.append(chunk, static_cast<size_t>(n));
    if (!have_len && buf.size() == 4) {
      const auto* u = reinterpret_cast<const unsigned char*>(buf.data());
      uint32_t len = u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<uint32_t>(u[3]) << 24);
      if (len == 0 || len > hp::kMaxFrameBytes) return ReadStatus::kGarbage;
      have_len = true;
      buf.clear();
      want = len;
    }
  }
  *payload = std::move(buf);
  return ReadStatus::kOk;
}

CallOutcome HostProcess::Assign(const std::string& request, const CallLimits& limits) {
  std::lock_guard<std::mutex> lock(mu_);
  CallOutcome out;
  hp::RawDescriptor ignored;
  std::string error;
  // Not running: never started (a pool's extra host), or stopped when a call was cut short, or a
  // restart failed. Starting it counts against the cutoff, not against the plugin's deadline.
  if (pid_ <= 0 &&
      !StartLocked(std::min(absl::Now() + launch_.start_deadline, limits.cutoff), &ignored,
                   &error)) {
    if (absl::Now() >= limits.cutoff) {
      out.kind = touchline::plugin::v1::FAILURE_KIND_DEADLINE_EXCEEDED;
      out.message = "the time limit of the request came while the plugin host was starting";
      out.cut_short = true;
    } else {
      out.kind = touchline::plugin::v1::FAILURE_KIND_UNAVAILABLE;
      out.message = absl::StrCat("the plugin host could not be restarted: ", error);
    }
    return out;
  }
  const absl::Time start = absl::Now();
  const absl::Time own_deadline = start + limits.deadline;
  const absl::Time read_deadline = std::min(own_deadline, limits.cutoff);
  hp::FrameWriter w(hp::kAssign);
  w.Raw(request);
  std::string payload;
  ReadStatus status = SendAll(fd_, w.Finish())
                          ? ReadFrameLocked(read_deadline, &payload, limits.cancelled)
                          : ReadStatus::kEof;
  bool restart = true;
  bool restart_now = true;
  switch (status) {
    case ReadStatus::kOk: {
      hp::FrameReader r(payload);
      uint8_t type = r.U8();
      int32_t rc = static_cast<int32_t>(r.U32());
      std::string message = r.Str();
      if (!r.ok() || type != static_cast<uint8_t>(hp::kResult)) {
        out.kind = touchline::plugin::v1::FAILURE_KIND_GARBAGE;
        out.message = "the plugin host answered with a malformed frame";
        break;
      }
      restart = false;
      if (rc != TOUCHLINE_OK) {
        out.kind = touchline::plugin::v1::FAILURE_KIND_PLUGIN_ERROR;
        out.message = absl::StrCat("the plugin returned error ", rc,
                                   message.empty() ? "" : ": ", message);
      } else {
        out.output = std::string(r.Rest());
      }
      break;
    }
    case ReadStatus::kTimeout:
      out.kind = touchline::plugin::v1::FAILURE_KIND_DEADLINE_EXCEEDED;
      if (read_deadline < own_deadline) {
        out.cut_short = true;
        restart_now = false;
        out.message = absl::StrCat(
            "no answer before the time limit of the request, ",
            absl::FormatDuration(absl::Trunc(read_deadline - start, absl::Milliseconds(1))),
            " into the call (the plugin's own deadline is ", absl::FormatDuration(limits.deadline),
            "); the plugin host was stopped");
      } else {
        out.message = absl::StrCat("no answer within the deadline of ",
                                   absl::FormatDuration(limits.deadline),
                                   "; the plugin host was killed");
      }
      break;
    case ReadStatus::kCancelled:
      out.kind = touchline::plugin::v1::FAILURE_KIND_DEADLINE_EXCEEDED;
      out.cut_short = true;
      restart_now = false;
      out.message = "the request was cancelled while the plugin was answering; the plugin host was "
                    "stopped";
      break;
    case ReadStatus::kEof:
      out.kind = touchline::plugin::v1::FAILURE_KIND_CRASHED;
      out.message = absl::StrCat("the plugin host ", StopLocked(/*kill_first=*/true),
                                 " while answering");
      break;
    case ReadStatus::kGarbage:
      out.kind = touchline::plugin::v1::FAILURE_KIND_GARBAGE;
      out.message = "the plugin host answered with a malformed frame";
      break;
  }
  if (restart) {
    StopLocked(/*kill_first=*/true);
    if (restart_now &&
        !StartLocked(absl::Now() + launch_.start_deadline, &ignored, &error)) {
      absl::StrAppend(&out.message, "; restart failed: ", error);
    }
  }
  return out;
}

void HostProcess::Recycle() {
  std::lock_guard<std::mutex> lock(mu_);
  hp::RawDescriptor ignored;
  std::string error;
  // On failure the next call retries.
  StartLocked(absl::Now() + launch_.start_deadline, &ignored, &error);
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<InProcessPlugin> InProcessPlugin::Load(const std::string& path,
                                                       hp::RawDescriptor* descriptor,
                                                       std::string* error) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* e = dlerror();
    *error = absl::StrCat("not a loadable shared object: ", e ? e : "dlopen failed");
    return nullptr;
  }
  // Never dlclose a plugin: it stays mapped for the life of the server.
  void* sym = dlsym(handle, TOUCHLINE_PLUGIN_ENTRY_SYMBOL);
  if (sym == nullptr) {
    *error = "no entry symbol " TOUCHLINE_PLUGIN_ENTRY_SYMBOL;
    return nullptr;
  }
  const touchline_plugin_v1* d = reinterpret_cast<touchline_plugin_entry_fn>(sym)();
  if (d == nullptr) {
    *error = TOUCHLINE_PLUGIN_ENTRY_SYMBOL " returned no descriptor";
    return nullptr;
  }
  *descriptor = hp::Describe(d);
  return std::unique_ptr<InProcessPlugin>(new InProcessPlugin(d));
}

namespace {
extern "C" int AppendOutput(void* ctx, const uint8_t* data, size_t len) {
  auto* out = static_cast<std::string*>(ctx);
  if (out->size() + len > hp::kMaxOutputBytes) return 1;
  out->append(reinterpret_cast<const char*>(data), len);
  return 0;
}
}  // namespace

CallOutcome InProcessPlugin::Assign(const std::string& request, const CallLimits&) {
  std::lock_guard<std::mutex> lock(mu_);
  CallOutcome out;
  char error[hp::kErrorCap];
  error[0] = '\0';
  int rc = desc_->assign(desc_->ctx, reinterpret_cast<const uint8_t*>(request.data()),
                         request.size(), &AppendOutput, &out.output, error, sizeof error);
  error[sizeof error - 1] = '\0';
  if (rc != TOUCHLINE_OK) {
    out.kind = touchline::plugin::v1::FAILURE_KIND_PLUGIN_ERROR;
    out.message = absl::StrCat("the plugin returned error ", rc, error[0] ? ": " : "", error);
    out.output.clear();
  }
  return out;
}

}  // namespace touchline::plugins
