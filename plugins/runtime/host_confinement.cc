#include "plugins/runtime/host_confinement.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "plugins/runtime/host_output.h"

namespace touchline::plugins {
namespace {

// Access rights newer than Debian 12's <linux/landlock.h> (ABI 2).
constexpr uint64_t kFsTruncate = 1ULL << 14;   // ABI 3
constexpr uint64_t kFsIoctlDev = 1ULL << 15;   // ABI 5
constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
constexpr uint64_t kScopeSignal = 1ULL << 1;              // ABI 6

// landlock_ruleset_attr as of ABI 6. The kernel takes a longer struct than it knows as long as
// the part it does not know is zero, so one layout serves every ABI.
struct RulesetAttr {
  uint64_t handled_access_fs = 0;
  uint64_t handled_access_net = 0;
  uint64_t scoped = 0;
};

constexpr uint64_t kRead = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
constexpr uint64_t kReadExecute = kRead | LANDLOCK_ACCESS_FS_EXECUTE;
// What a rule on a file (not a directory) may grant.
constexpr uint64_t kFileRights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                 LANDLOCK_ACCESS_FS_READ_FILE | kFsTruncate | kFsIoctlDev;

// Every filesystem right the kernel knows: what the ruleset forbids unless a rule allows it.
uint64_t HandledFs(int abi) {
  uint64_t fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  // ABI 1: bits 0-12
  if (abi >= 2) fs |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) fs |= kFsTruncate;
  if (abi >= 5) fs |= kFsIoctlDev;
  return fs;
}

struct PathRule {
  const char* path;
  uint64_t access;
};

// What any host may read: the system's programs and libraries (the loader, libc, libstdc++ and
// whatever a plugin links), the loader's cache, the local time zone, the system-wide figures
// libraries look up (CPUs, memory) in /proc and /sys, and (added in the child) its own
// /proc/<pid>, not the server's. Not /etc as a whole, /home, /var, /srv, /opt, /tmp or the working
// directory: wherever the database and the token and key files are, they are not here (unless
// put under /usr, which no one does). Missing paths are skipped.
constexpr PathRule kSystemRules[] = {
    {"/usr", kReadExecute},
    {"/lib", kReadExecute},
    {"/lib32", kReadExecute},
    {"/lib64", kReadExecute},
    {"/libx32", kReadExecute},
    {"/bin", kReadExecute},
    {"/sbin", kReadExecute},
    {"/etc/ld.so.cache", LANDLOCK_ACCESS_FS_READ_FILE},
    {"/etc/ld.so.preload", LANDLOCK_ACCESS_FS_READ_FILE},
    {"/etc/localtime", LANDLOCK_ACCESS_FS_READ_FILE},
    {"/proc/sys", kRead},
    {"/proc/cpuinfo", LANDLOCK_ACCESS_FS_READ_FILE},
    {"/proc/meminfo", LANDLOCK_ACCESS_FS_READ_FILE},
    {"/proc/stat", LANDLOCK_ACCESS_FS_READ_FILE},
    {"/sys", kRead},
    // The one place a plugin may write: nowhere.
    {"/dev/null", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | kFsTruncate},
    {"/dev/zero", LANDLOCK_ACCESS_FS_READ_FILE},
    {"/dev/random", LANDLOCK_ACCESS_FS_READ_FILE},
    {"/dev/urandom", LANDLOCK_ACCESS_FS_READ_FILE},
};

// Allows `access` (as far as the ruleset handles it) beneath `path`, or on it if it is a file.
// A missing path is no error.
bool AddRule(int ruleset_fd, const char* path, uint64_t access, uint64_t handled,
             std::string* error) {
  const int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return true;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return true;
  }
  access &= handled;
  if (!S_ISDIR(st.st_mode)) access &= kFileRights;
  landlock_path_beneath_attr rule{};
  rule.allowed_access = access;
  rule.parent_fd = fd;
  const long rc = syscall(SYS_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
  const int saved = errno;
  close(fd);
  if (rc != 0) {
    *error = absl::StrCat("landlock_add_rule(", path, ") failed: ", strerror(saved));
    return false;
  }
  return true;
}

// Refuses setsid and setpgid: a plugin's children stay in the host's process group, which is
// killed whole (a double fork with setsid was the way out). System calls of another ABI than the
// server's (i386 through int 0x80, x32) are refused too, or they would bypass the numbers checked.
#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#endif
#if defined(__x86_64__) || defined(__aarch64__)
#define TOUCHLINE_HOST_SECCOMP 1
const sock_filter kSeccompFilter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
#if defined(__x86_64__)
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
#endif
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setsid, 1, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setpgid, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
#endif  // on another architecture setsid is not refused

// Lowers a limit to `value` (soft and hard), never above the hard limit the server already has.
bool Lower(int resource, rlim_t value) {
  rlimit now;
  if (getrlimit(resource, &now) != 0) return false;
  if (now.rlim_max != RLIM_INFINITY && now.rlim_max < value) value = now.rlim_max;
  const rlimit lowered{value, value};
  return setrlimit(resource, &lowered) == 0;
}

}  // namespace

int LandlockAbi() {
  static const int abi = [] {
    const long v = syscall(SYS_landlock_create_ruleset, nullptr, 0,
                           LANDLOCK_CREATE_RULESET_VERSION);
    return v < 0 ? 0 : static_cast<int>(v);
  }();
  return abi;
}

HostConfinement::~HostConfinement() {
  if (ruleset_fd_ >= 0) close(ruleset_fd_);
}

bool HostConfinement::Prepare(const std::string& host_executable, const std::string& plugin_path,
                              std::string* error) {
  const int abi = LandlockAbi();
  if (abi == 0) {
    static std::once_flag logged;
    std::call_once(logged, [] {
      const long v = syscall(SYS_landlock_create_ruleset, nullptr, 0,
                             LANDLOCK_CREATE_RULESET_VERSION);
      const int why = v < 0 ? errno : 0;
      LogServerLine(absl::StrCat(
          "plugin hosts are not confined to the system's files: this kernel has no Landlock (",
          why == ENOSYS       ? "before Linux 5.13"
          : why == EOPNOTSUPP ? "not enabled at boot"
                              : strerror(why),
          "), so a plugin can read and write what the server's user can"));
    });
    return true;
  }
  RulesetAttr attr;
  attr.handled_access_fs = HandledFs(abi);
  // A plugin may neither signal (kill, stop) the server nor reach its abstract UNIX sockets.
  if (abi >= 6) attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
  const long fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (fd < 0) {
    *error = absl::StrCat("landlock_create_ruleset failed: ", strerror(errno));
    return false;
  }
  ruleset_fd_ = static_cast<int>(fd);
  if (ruleset_fd_ <= 3) {
    // Above 0-3: the child puts its stdio and channel there before it applies the ruleset.
    const int moved = fcntl(ruleset_fd_, F_DUPFD_CLOEXEC, 4);
    close(ruleset_fd_);
    ruleset_fd_ = moved;
    if (moved < 0) {
      *error = absl::StrCat("fcntl failed: ", strerror(errno));
      return false;
    }
  }
  for (const PathRule& r : kSystemRules) {
    if (!AddRule(ruleset_fd_, r.path, r.access, attr.handled_access_fs, error)) return false;
  }
  // The host itself and its plugin, not their directories: a plugin put beside the database must
  // not open the database. (Missing: the host then fails to start, with the usual message.)
  return AddRule(ruleset_fd_, host_executable.c_str(),
                 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_EXECUTE,
                 attr.handled_access_fs, error) &&
         AddRule(ruleset_fd_, plugin_path.c_str(), LANDLOCK_ACCESS_FS_READ_FILE,
                 attr.handled_access_fs, error);
}

bool HostConfinement::ApplyInChild() const {
  // No core files: a plugin's memory holds players' medical data. No file writes at all, should
  // Landlock be missing (appending to the database, say).
  if (!Lower(RLIMIT_CORE, 0) || !Lower(RLIMIT_FSIZE, 0) ||
      !Lower(RLIMIT_NOFILE, kHostOpenFilesLimit)) {
    return false;
  }
  if (kLimitHostAddressSpace && !Lower(RLIMIT_AS, kHostAddressSpaceLimit)) return false;
  if (ruleset_fd_ >= 0) {
    // Its own /proc/<pid> (descriptors, maps), known only now. The ruleset is this child's alone:
    // the server closes its copy and makes a new one for the next host.
    const int self = open("/proc/self", O_PATH | O_CLOEXEC);
    if (self >= 0) {
      landlock_path_beneath_attr rule{};
      rule.allowed_access = kRead;
      rule.parent_fd = self;
      const long rc =
          syscall(SYS_landlock_add_rule, ruleset_fd_, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
      close(self);
      if (rc != 0) return false;
    }
    if (syscall(SYS_landlock_restrict_self, ruleset_fd_, 0) != 0) return false;
  }
#ifdef TOUCHLINE_HOST_SECCOMP
  const sock_fprog program{
      static_cast<unsigned short>(sizeof kSeccompFilter / sizeof kSeccompFilter[0]),
      const_cast<sock_filter*>(kSeccompFilter)};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) return false;
#endif
  return true;
}

}  // namespace touchline::plugins
