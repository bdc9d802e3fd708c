// Data minimisation by role, driven by the (touchline.v1.privacy) option on every API field:
//   coach:   PRIVACY_CLINICAL and PRIVACY_FREE_TEXT fields removed; readiness reasons reduced to
//            "medical" or "override", with a non-clinical text.
//   analyst: PRIVACY_FREE_TEXT and PRIVACY_IDENTIFYING fields removed; PRIVACY_PLAYER_ID fields
//            zeroed and replaced by a keyed pseudonym in the message's player_pseudonym field.
//   admin, physio: everything.
// New RPCs and fields are minimised as soon as their fields carry the option.
#pragma once

#include <cstdint>
#include <set>

#include "google/protobuf/message.h"
#include "server/access/credentials.h"
#include "server/common/caller.h"

namespace touchline::access {

bool NeedsMinimising(common::Role role);
// Removes from `message`, in place, everything `role` may not receive.
void Minimise(google::protobuf::Message& message, common::Role role,
              const Pseudonymizer& pseudonyms);
// Adds every non-zero PRIVACY_PLAYER_ID value found anywhere in `message` to `out`.
void CollectPlayerIds(const google::protobuf::Message& message, std::set<int64_t>& out);
// The request's top-level squad_id, or 0.
int64_t SquadIdOf(const google::protobuf::Message& request);

}  // namespace touchline::access
