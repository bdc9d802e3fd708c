// touchline-plugin-host <plugin.so>: runs one protocol plugin outside the server.
//
// Talks to the server over a socket on fd 3 (see plugins/host/host_protocol.h): sends a hello
// describing the plugin, then answers assign frames until the server closes the socket. The server
// kills and restarts this process when the plugin crashes, hangs or answers with garbage.
#include <dlfcn.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <thread>

#include "plugins/host/host_protocol.h"

namespace hp = touchline::plugins::host_protocol;

namespace {

bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool ReadAll(int fd, char* buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = read(fd, buf + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool ReadFrame(int fd, std::string* payload) {
  unsigned char len[4];
  if (!ReadAll(fd, reinterpret_cast<char*>(len), 4)) return false;
  uint32_t n = len[0] | (len[1] << 8) | (len[2] << 16) | (static_cast<uint32_t>(len[3]) << 24);
  if (n == 0 || n > hp::kMaxFrameBytes) return false;
  payload->resize(n);
  return ReadAll(fd, payload->data(), n);
}

struct Output {
  std::string bytes;
};

extern "C" int WriteOutput(void* ctx, const uint8_t* data, size_t len) {
  auto* out = static_cast<Output*>(ctx);
  if (out->bytes.size() + len > hp::kMaxOutputBytes) return 1;
  out->bytes.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int fd = hp::kChannelFd;
  if (argc != 2) {
    std::fprintf(stderr, "usage: touchline-plugin-host <plugin.so> (channel on fd 3)\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  // Never outlive the server, even while the plugin hangs: a watchdog thread exits the process as
  // soon as the server's end of the socket closes. (PR_SET_PDEATHSIG would not do: it fires when
  // the server *thread* that started this host exits.)
  std::thread([fd] {
    for (;;) {
      pollfd p{fd, POLLRDHUP, 0};
      int r = poll(&p, 1, -1);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 || (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0) _exit(0);
    }
  }).detach();

  // RTLD_NOW: an unresolved symbol refuses the plugin now, not mid-request.
  void* handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* e = dlerror();
    WriteAll(fd, hp::HelloErrorFrame(std::string("not a loadable shared object: ") +
                                     (e ? e : "dlopen failed")));
    return 1;
  }
  // Never dlclose: the plugin stays mapped until this process exits.
  dlerror();
  void* sym = dlsym(handle, TOUCHLINE_PLUGIN_ENTRY_SYMBOL);
  if (sym == nullptr) {
    WriteAll(fd, hp::HelloErrorFrame("no entry symbol " TOUCHLINE_PLUGIN_ENTRY_SYMBOL));
    return 1;
  }
  auto entry = reinterpret_cast<touchline_plugin_entry_fn>(sym);
  const touchline_plugin_v1* desc = entry();
  if (desc == nullptr) {
    WriteAll(fd, hp::HelloErrorFrame(TOUCHLINE_PLUGIN_ENTRY_SYMBOL " returned no descriptor"));
    return 1;
  }
  hp::RawDescriptor raw = hp::Describe(desc);
  if (!WriteAll(fd, hp::HelloFrame(raw))) return 1;
  if (!raw.layout_known || !raw.has_assign) {
    // The server refuses it; wait for the socket to close.
    std::string ignored;
    while (ReadFrame(fd, &ignored)) {
    }
    return 0;
  }

  std::string payload;
  while (ReadFrame(fd, &payload)) {
    if (payload[0] != hp::kAssign) return 3;
    Output out;
    char error[hp::kErrorCap];
    error[0] = '\0';
    const auto* req = reinterpret_cast<const uint8_t*>(payload.data() + 1);
    int rc = desc->assign(desc->ctx, req, payload.size() - 1, &WriteOutput, &out, error,
                          sizeof error);
    error[sizeof error - 1] = '\0';
    hp::FrameWriter w(hp::kResult);
    w.U32(static_cast<uint32_t>(rc));
    w.Str(rc == TOUCHLINE_OK ? std::string() : std::string(error));
    w.Raw(out.bytes);
    if (!WriteAll(fd, w.Finish())) return 1;
  }
  return 0;
}
