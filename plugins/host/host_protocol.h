// The frames between the server and touchline-plugin-host, and the raw plugin descriptor both
// sides agree on. Header-only and free of protobuf, so the host executable needs only libc/libstdc++.
//
// Every frame: u32 little-endian payload length, then the payload; payload[0] is the frame type.
//   host -> server  'H' hello, once after start:
//                     u8 loaded; if 0: str error
//                     else: u32 struct_size, u16 abi_major, u16 abi_minor, u8 layout_known;
//                           if layout_known: opt_str name, opt_str version, opt_str handles,
//                                            u8 has_assign
//   server -> host  'A' assign: the rest is a serialized touchline.plugin.v1.AssignRequest
//   host -> server  'R' result: i32 return code, str error, then the rest is the plugin's output
// str = u32 length + bytes; opt_str = u8 present + str.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "touchline_plugin.h"

namespace touchline::plugins::host_protocol {

inline constexpr uint32_t kMaxFrameBytes = 64u << 20;  // 64 MiB
inline constexpr size_t kMaxOutputBytes = 16u << 20;   // a plugin's answer
inline constexpr size_t kErrorCap = 1024;              // the plugin's error message buffer
inline constexpr int kChannelFd = 3;                   // the host's end of the socket
inline constexpr char kHello = 'H';
inline constexpr char kAssign = 'A';
inline constexpr char kResult = 'R';

// What a plugin's descriptor says, read only as far as its struct_size and ABI major allow.
struct RawDescriptor {
  uint32_t struct_size = 0;
  uint16_t abi_major = 0;
  uint16_t abi_minor = 0;
  bool layout_known = false;  // abi_major is ours and struct_size covers the 1.0 fields
  std::optional<std::string> name, version, handles;
  bool has_assign = false;
};

inline RawDescriptor Describe(const touchline_plugin_v1* d) {
  RawDescriptor r;
  r.struct_size = d->struct_size;
  r.abi_major = d->abi_major;
  r.abi_minor = d->abi_minor;
  r.layout_known =
      d->abi_major == TOUCHLINE_PLUGIN_ABI_MAJOR && d->struct_size >= TOUCHLINE_PLUGIN_V1_MIN_SIZE;
  if (r.layout_known) {
    if (d->name != nullptr) r.name = d->name;
    if (d->version != nullptr) r.version = d->version;
    if (d->handles != nullptr) r.handles = d->handles;
    r.has_assign = d->assign != nullptr;
  }
  return r;
}

class FrameWriter {
 public:
  explicit FrameWriter(char type) { out_.push_back(type); }
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Le(v, 2); }
  void U32(uint32_t v) { Le(v, 4); }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void OptStr(const std::optional<std::string>& s) {
    U8(s ? 1 : 0);
    if (s) Str(*s);
  }
  void Raw(std::string_view s) { out_.append(s); }
  // The frame with its length prefix.
  std::string Finish() const {
    std::string f(4, '\0');
    uint32_t n = static_cast<uint32_t>(out_.size());
    for (int i = 0; i < 4; ++i) f[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return f + out_;
  }

 private:
  void Le(uint32_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

// Reads a payload (without the length prefix). Any overrun sets ok() false.
class FrameReader {
 public:
  explicit FrameReader(std::string_view payload) : p_(payload) {}
  bool ok() const { return ok_; }
  uint8_t U8() { return static_cast<uint8_t>(Le(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Le(2)); }
  uint32_t U32() { return Le(4); }
  std::string Str() {
    uint32_t n = U32();
    if (!ok_ || n > p_.size()) {
      ok_ = false;
      return {};
    }
    std::string s(p_.substr(0, n));
    p_.remove_prefix(n);
    return s;
  }
  std::optional<std::string> OptStr() {
    if (U8() == 0) return std::nullopt;
    return Str();
  }
  std::string_view Rest() {
    std::string_view r = p_;
    p_ = {};
    return r;
  }

 private:
  uint32_t Le(int n) {
    if (p_.size() < static_cast<size_t>(n)) {
      ok_ = false;
      return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_.remove_prefix(n);
    return v;
  }
  std::string_view p_;
  bool ok_ = true;
};

inline std::string HelloFrame(const RawDescriptor& d) {
  FrameWriter w(kHello);
  w.U8(1);
  w.U32(d.struct_size);
  w.U16(d.abi_major);
  w.U16(d.abi_minor);
  w.U8(d.layout_known ? 1 : 0);
  if (d.layout_known) {
    w.OptStr(d.name);
    w.OptStr(d.version);
    w.OptStr(d.handles);
    w.U8(d.has_assign ? 1 : 0);
  }
  return w.Finish();
}

inline std::string HelloErrorFrame(std::string_view error) {
  FrameWriter w(kHello);
  w.U8(0);
  w.Str(error);
  return w.Finish();
}

// Parses a hello payload: the descriptor, or the host's load error in *error. False if malformed.
inline bool ParseHello(std::string_view payload, RawDescriptor* d, std::string* error) {
  FrameReader r(payload);
  if (r.U8() != static_cast<uint8_t>(kHello)) return false;
  if (r.U8() == 0) {
    *error = r.Str();
    return r.ok();
  }
  d->struct_size = r.U32();
  d->abi_major = r.U16();
  d->abi_minor = r.U16();
  d->layout_known = r.U8() != 0;
  if (d->layout_known) {
    d->name = r.OptStr();
    d->version = r.OptStr();
    d->handles = r.OptStr();
    d->has_assign = r.U8() != 0;
  }
  return r.ok();
}

}  // namespace touchline::plugins::host_protocol
