// What the host does with the bytes a plugin answered: decode them as an AssignResponse, check every
// prescription against the plugin contract, and compose every plugin's answer for one player into
// an AssignResult. ProtocolPlanner::AssignMany runs exactly this on its runners' outcomes; the
// plugin-answer fuzz harness (tests/fuzz) runs it on arbitrary bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "plugins/runtime/plugin_runner.h"
#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::plugins {

// Why one prescription breaks the plugin contract (e.g. "has no exercise"), or "" if it keeps it.
std::string InvalidPrescription(const touchline::plugin::v1::Prescription& p);

// One plugin's answer to one player's request, as its runner returned it.
struct PluginAnswer {
  const touchline::plugin::v1::LoadedPlugin* plugin;  // name and version
  const CallOutcome* outcome;
};

// Composes the answers of the loaded plugins (in composition order) for one player: a failed call,
// bytes that are not an AssignResponse, and an answer with any prescription that breaks the
// contract each become one PluginFailure of that plugin (and none of its prescriptions is used);
// the rest are labelled with their plugin's name and version, ordered by phase (unspecified last),
// then plugin, then the plugin's own order, split into PRE and POST, and a duplicate (same exercise
// ignoring case, side, timing and complaint) is dropped after its first occurrence.
// `undecodable` (may be null) receives the indexes of the plugins whose bytes did not decode (their
// hosts are recycled).
touchline::plugin::v1::AssignResult ComposeAnswers(int64_t player_id,
                                                   std::span<const PluginAnswer> answers,
                                                   std::vector<size_t>* undecodable);

}  // namespace touchline::plugins
