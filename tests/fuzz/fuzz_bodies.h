// The bodies of Touchline's fuzz harnesses. Built into libFuzzer executables when TOUCHLINE_FUZZ=ON
// (clang), and into a plain gtest that replays the seed corpus otherwise, so CI runs the same code.
#pragma once

#include <cstddef>
#include <cstdint>

#include "google/protobuf/stubs/logging.h"

namespace touchline::fuzz {

// Byte 0 picks an RPC; the rest is parsed as that RPC's request message and run through the service
// layer (validation, then the handler) against a temporary database holding one squad, two players,
// a complaint and a contact event. Any status is fine; a crash, sanitizer report or an OK answer
// that breaks an invariant is a finding.
int ServiceRequestOne(const uint8_t* data, size_t size);

// Byte 0 picks what the host parses from a plugin host: a hello payload ('H'), a result payload
// ('R'), or an AssignResponse (anything else) checked against the plugin contract and summarised.
int PluginAnswerOne(const uint8_t* data, size_t size);

// Protobuf logs every string field with invalid UTF-8 it parses; fuzz inputs are full of them.
inline void QuietProtobufLogs() {
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);  // nullptr: drop every message
    return true;
  }();
  (void)quiet;
}

}  // namespace touchline::fuzz
