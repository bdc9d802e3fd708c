// What a plugin host process may not do beyond what plugin_runner.cc's fork sets up (issue 16):
// read or write the server's files, signal the server, leave its process group, dump core, write
// files, hold many descriptors or much memory.
//
//   HostConfinement c;
//   if (!c.Prepare(host_executable, plugin_path, &error)) ...   // in the server, before fork
//   if (fork() == 0) { ...; if (!c.ApplyInChild()) _exit(kConfinementFailedStatus); ...; execv(...); }
#pragma once

#include <sys/resource.h>

#include <string>

namespace touchline::plugins {

// Resource limits of a host (soft and hard: it cannot raise them again).
// Its descriptors: a host needs a handful; this bounds what a leaking plugin holds.
inline constexpr rlim_t kHostOpenFilesLimit = 256;
// Its address space, so that a plugin that leaks or balloons fails its own allocations instead of
// drawing the machine into the OOM killer, which may choose the server. Generous: a rule engine
// needs tens of MB. Not set in sanitizer builds, which reserve terabytes of shadow memory.
inline constexpr rlim_t kHostAddressSpaceLimit = rlim_t{2} << 30;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kLimitHostAddressSpace = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
inline constexpr bool kLimitHostAddressSpace = false;
#else
inline constexpr bool kLimitHostAddressSpace = true;
#endif
#else
inline constexpr bool kLimitHostAddressSpace = true;
#endif
// How a child that could not confine itself exits (before exec, so not the host's own status).
inline constexpr int kConfinementFailedStatus = 125;

// The Landlock ABI version of the running kernel, 0 if it has none (before Linux 5.13, or not
// enabled at boot).
int LandlockAbi();

// Prepared in the server before fork (it opens files), applied in the child between fork and exec
// (system calls only: the child of a threaded process may not allocate).
class HostConfinement {
 public:
  HostConfinement() = default;
  ~HostConfinement();
  HostConfinement(const HostConfinement&) = delete;
  HostConfinement& operator=(const HostConfinement&) = delete;

  // Builds the filesystem rules (Landlock) for a host that runs `host_executable` and loads
  // `plugin_path` (both absolute): read the system's libraries and a few files the loader needs,
  // the two files themselves, its own /proc/<pid>, system figures in /proc and /sys; read and
  // write /dev/null; nothing else, so not the database, its audit log, the token and key files,
  // wherever they are. Without Landlock it
  // succeeds and the filesystem is not confined (logged once). False with *error only when Landlock
  // is there but the rules could not be built: the host must not start unconfined then.
  bool Prepare(const std::string& host_executable, const std::string& plugin_path,
               std::string* error);

  // In the child, after PR_SET_NO_NEW_PRIVS and before exec: the rlimits, the Landlock rules (and
  // the scopes of ABI 6: no signals to the server, no connection to its abstract sockets), and
  // a seccomp filter that refuses setsid and setpgid (a plugin's children stay in the host's
  // process group, which is killed whole). False if a step failed: the child must not exec.
  bool ApplyInChild() const;

  bool filesystem_confined() const { return ruleset_fd_ >= 0; }

 private:
  int ruleset_fd_ = -1;  // above 3 (stdio and the channel), close-on-exec
};

}  // namespace touchline::plugins
