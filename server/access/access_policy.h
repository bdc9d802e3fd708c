// Who may call which RPC: the one table (access_policy.cc), denying by default.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "server/common/caller.h"

namespace touchline::access {

using common::Role;

// Bit set of roles.
constexpr unsigned RoleBit(common::Role r) { return 1u << static_cast<unsigned>(r); }
inline constexpr unsigned kAdmin = RoleBit(common::Role::kAdmin);
inline constexpr unsigned kPhysio = RoleBit(common::Role::kPhysio);
inline constexpr unsigned kCoach = RoleBit(common::Role::kCoach);
inline constexpr unsigned kAnalyst = RoleBit(common::Role::kAnalyst);
inline constexpr unsigned kMedical = kAdmin | kPhysio;
inline constexpr unsigned kEveryRole = kAdmin | kPhysio | kCoach | kAnalyst;

struct MethodRule {
  std::string_view method;  // full gRPC name: "/touchline.v1.SquadService/CreateSquad"
  unsigned roles;           // roles allowed to call it
  bool audited;             // reads or writes a player's medical data: every call is audited
};

// Every rule of the table, in table order.
std::span<const MethodRule> MethodRules();
// The rule of a method, or nullptr: a method without a rule is denied to every role.
const MethodRule* FindMethodRule(std::string_view full_method);
// Methods callable without a token (health checks, server reflection).
bool IsPublicMethod(std::string_view full_method);
bool IsAllowed(std::string_view full_method, common::Role role);

// "admin", "physio", "coach", "analyst" ("none" for kNone).
const char* RoleName(common::Role role);
std::optional<common::Role> ParseRole(std::string_view name);

}  // namespace touchline::access
