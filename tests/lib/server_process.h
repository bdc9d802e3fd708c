// A touchline-server child process, for tests that need a real one: killed with SIGKILL mid-write,
// several on one store (replicas), its log read back. Its stderr goes to a file of the caller's.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace touchline::testing {

class ServerProcess {
 public:
  // Runs `binary` with `flags` and --listen=127.0.0.1:0, its stderr appended to `log_path`, and
  // waits (up to `timeout`) for its "started on ... (port N)" line.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::string& binary, const std::vector<std::string>& flags,
      const std::string& log_path, absl::Duration timeout = absl::Seconds(60));
  ~ServerProcess();  // kills it (SIGKILL) if it still runs
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string address() const;
  bool running() const { return pid_ > 0; }

  // SIGKILL, and reaped: nothing of it runs when this returns.
  void Kill();
  // SIGTERM and waits for it to exit; its exit code (128 + signal if a signal ended it).
  int Terminate();

  // Its log so far; whether it holds `text`; waiting (up to `timeout`) until it does.
  std::string Log() const;
  bool LogContains(const std::string& text) const;
  bool WaitForLog(const std::string& text, absl::Duration timeout) const;

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// `s` in single quotes for /bin/sh (std::system's commands).
std::string ShellQuoted(const std::string& s);

// Runs `binary` with `args` to its end and returns what it printed on stdout; an error naming its
// exit code and stderr if it failed (the server's admin commands: --add_token_user ...).
absl::StatusOr<std::string> RunForOutput(const std::string& binary,
                                         const std::vector<std::string>& args);

}  // namespace touchline::testing
