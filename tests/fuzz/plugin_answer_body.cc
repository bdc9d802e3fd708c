// Fuzz body: the host's parsing of what a plugin host sends back (see fuzz_bodies.h): the hello
// frame (ParseHello, then CheckAbi on the descriptor), the result frame (read exactly as
// PluginRunner reads it), and plugin answers run through ComposeAnswers, the decoding, contract
// checks (InvalidPrescription) and composition that ProtocolPlanner::AssignMany applies to its
// runners' outcomes, then summarised as the readiness view does. The composed result must keep the
// contract whatever the bytes were; a broken invariant traps.
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "plugins/host/host_protocol.h"
#include "plugins/runtime/plugin_answer.h"
#include "plugins/runtime/protocol_planner.h"
#include "server/service/protocol_summary.h"
#include "tests/fuzz/fuzz_bodies.h"
#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::fuzz {

namespace hp = plugins::host_protocol;
namespace pv1 = touchline::plugin::v1;

namespace {

constexpr int64_t kPlayer = 7;

void Check(bool invariant) {
  if (!invariant) __builtin_trap();
}

bool KnownEnums(const pv1::Prescription& p) {
  if (!pv1::Side_IsValid(p.side()) || !pv1::Timing_IsValid(p.timing()) ||
      !pv1::Phase_IsValid(p.phase()) || !pv1::Contraction_IsValid(p.contraction())) {
    return false;
  }
  for (int d : p.frequency().day_parts()) {
    if (!pv1::DayPart_IsValid(d)) return false;
  }
  return true;
}

// Runs the plugins' outcomes through ComposeAnswers and checks what a caller of the planner relies
// on: only contract-keeping prescriptions, labelled, in order, without duplicates, each plugin
// either failed (once, with a kind and a message) or contributed, nothing invented.
void ComposeAndCheck(const std::vector<plugins::CallOutcome>& outcomes) {
  std::vector<pv1::LoadedPlugin> infos(outcomes.size());
  std::vector<plugins::PluginAnswer> answers;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    infos[i].set_name(std::string(1, static_cast<char>('a' + i)));
    infos[i].set_version("1." + std::to_string(i));
    answers.push_back(plugins::PluginAnswer{&infos[i], &outcomes[i]});
  }
  std::vector<size_t> undecodable;
  const pv1::AssignResult result = plugins::ComposeAnswers(kPlayer, answers, &undecodable);
  Check(result.player_id() == kPlayer);

  // What the plugins that answered validly asked for (independently of ComposeAnswers).
  std::vector<bool> failed(outcomes.size(), false);
  std::set<std::tuple<std::string, int, int, int64_t>> expected_keys;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].ok()) {
      failed[i] = true;
      continue;
    }
    pv1::AssignResponse response;
    if (!response.ParseFromString(outcomes[i].output)) {
      failed[i] = true;
      continue;
    }
    for (const auto& p : response.prescriptions()) {
      if (!plugins::InvalidPrescription(p).empty()) failed[i] = true;
    }
    if (failed[i]) continue;
    for (const auto& p : response.prescriptions()) {
      expected_keys.emplace(absl::AsciiStrToLower(p.exercise()), p.side(), p.timing(),
                            p.complaint_id());
    }
  }

  std::set<size_t> failed_plugins;
  for (const pv1::PluginFailure& f : result.failures()) {
    Check(f.plugin_name().size() == 1);
    const size_t i = static_cast<size_t>(f.plugin_name()[0] - 'a');
    Check(i < outcomes.size() && failed[i] && f.plugin_version() == infos[i].version());
    Check(failed_plugins.insert(i).second);  // one failure per plugin and request
    Check(f.kind() != pv1::FAILURE_KIND_UNSPECIFIED && pv1::FailureKind_IsValid(f.kind()));
    Check(f.player_id() == kPlayer);
    if (!outcomes[i].ok()) {
      Check(f.kind() == outcomes[i].kind);
    } else {
      Check(f.kind() == pv1::FAILURE_KIND_GARBAGE && !f.message().empty());
    }
  }
  for (size_t i = 0; i < outcomes.size(); ++i) Check(failed[i] == (failed_plugins.count(i) == 1));
  for (size_t i : undecodable) {
    Check(i < outcomes.size() && outcomes[i].ok() && failed_plugins.count(i) == 1);
  }

  std::set<std::tuple<std::string, int, int, int64_t>> keys;
  auto check_list = [&](const auto& list, pv1::Timing timing) {
    std::tuple<int, size_t> last{0, 0};
    for (const pv1::Prescription& p : list) {
      Check(p.timing() == timing);
      Check(plugins::InvalidPrescription(p).empty());
      Check(KnownEnums(p));
      Check(p.plugin_name().size() == 1);
      const size_t i = static_cast<size_t>(p.plugin_name()[0] - 'a');
      Check(i < outcomes.size() && !failed[i] && p.plugin_version() == infos[i].version());
      const std::tuple<int, size_t> order{p.phase() == pv1::PHASE_UNSPECIFIED ? 99 : p.phase(), i};
      Check(last <= order);  // phase (unspecified last), then plugin
      last = order;
      Check(keys.emplace(absl::AsciiStrToLower(p.exercise()), p.side(), p.timing(),
                         p.complaint_id())
                .second);  // no duplicate
      Check(!service::SummarizePrescription(p).empty());
    }
  };
  check_list(result.pre(), pv1::TIMING_PRE);
  check_list(result.post(), pv1::TIMING_POST);
  Check(keys == expected_keys);  // nothing lost, nothing invented
  const std::string summary = service::SummarizeProtocols(result);
  Check(summary.empty() == (result.pre_size() == 0 && result.post_size() == 0));
}

plugins::CallOutcome Ok(std::string_view bytes) {
  plugins::CallOutcome out;
  out.output = std::string(bytes);
  return out;
}

}  // namespace

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
  if (bytes[0] == hp::kResult) {
    hp::FrameReader r(bytes);
    uint8_t type = r.U8();
    int32_t rc = static_cast<int32_t>(r.U32());
    std::string message = r.Str();
    if (!r.ok() || type != static_cast<uint8_t>(hp::kResult)) return 0;
    if (rc != TOUCHLINE_OK) {
      // PluginRunner reports the plugin's error code and message as a PLUGIN_ERROR.
      plugins::CallOutcome out;
      out.kind = pv1::FAILURE_KIND_PLUGIN_ERROR;
      out.message = message;
      ComposeAndCheck({out});
      return 0;
    }
    ComposeAndCheck({Ok(r.Rest())});
    return 0;
  }
  if (bytes[0] == 'M') {
    // Several plugins answering one request: per plugin a kind byte (0 = answered, else the
    // failure kind mod 6), a 16-bit little-endian length and that many bytes of answer.
    hp::FrameReader r(bytes.substr(1));
    std::vector<plugins::CallOutcome> outcomes;
    while (outcomes.size() < 4) {
      const uint8_t kind = r.U8();
      const uint16_t n = r.U16();
      if (!r.ok()) break;
      std::string_view rest = r.Rest();
      const std::string_view answer = rest.substr(0, n);
      rest.remove_prefix(answer.size());
      plugins::CallOutcome out = Ok(answer);
      if (kind % 6 != 0) {
        out.kind = static_cast<pv1::FailureKind>(kind % 6);
        out.message = "failed";
        out.output.clear();
      }
      outcomes.push_back(std::move(out));
      r = hp::FrameReader(rest);
    }
    if (!outcomes.empty()) ComposeAndCheck(outcomes);
    return 0;
  }
  ComposeAndCheck({Ok(bytes.substr(1))});
  return 0;
}

}  // namespace touchline::fuzz
