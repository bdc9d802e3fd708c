// Fuzz body: the host's parsing of what a plugin host sends back (see fuzz_bodies.h): the hello
// frame (ParseHello, then CheckAbi on the descriptor), the result frame (read exactly as
// PluginRunner reads it), and the plugin's AssignResponse (parsed, then summarised as the readiness
// view does).
#include <string>
#include <string_view>

#include "server/plugins/host_protocol.h"
#include "server/plugins/protocol_planner.h"
#include "tests/fuzz/fuzz_bodies.h"
#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::fuzz {

namespace hp = plugins::host_protocol;
namespace pv1 = touchline::plugin::v1;

int PluginAnswerOne(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  QuietProtobufLogs();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (bytes[0] == hp::kHello) {
    hp::RawDescriptor d;
    std::string error;
    if (hp::ParseHello(bytes, &d, &error) && error.empty()) {
      (void)plugins::CheckAbi(d);
      // What the host would send back for this descriptor must parse to the same descriptor.
      const std::string frame = hp::HelloFrame(d);
      hp::RawDescriptor again;
      std::string again_error;
      if (!hp::ParseHello(std::string_view(frame).substr(4), &again, &again_error) ||
          again.struct_size != d.struct_size || again.abi_major != d.abi_major ||
          again.abi_minor != d.abi_minor || again.layout_known != d.layout_known ||
          (d.layout_known && (again.name != d.name || again.version != d.version ||
                              again.handles != d.handles || again.has_assign != d.has_assign))) {
        __builtin_trap();
      }
    }
    return 0;
  }
  std::string_view answer = bytes;
  if (bytes[0] == hp::kResult) {
    hp::FrameReader r(bytes);
    uint8_t type = r.U8();
    int32_t rc = static_cast<int32_t>(r.U32());
    std::string message = r.Str();
    if (!r.ok() || type != static_cast<uint8_t>(hp::kResult) || rc != TOUCHLINE_OK) return 0;
    (void)message;
    answer = r.Rest();
  } else {
    answer.remove_prefix(1);
  }
  pv1::AssignResponse response;
  if (!response.ParseFromArray(answer.data(), static_cast<int>(answer.size()))) return 0;
  pv1::AssignResult result;
  for (const pv1::Prescription& p : response.prescriptions()) {
    (void)plugins::SummarizePrescription(p);
    *(p.timing() == pv1::TIMING_PRE ? result.add_pre() : result.add_post()) = p;
  }
  (void)plugins::SummarizeProtocols(result);
  return 0;
}

}  // namespace touchline::fuzz
