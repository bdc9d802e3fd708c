// Who may call which RPC: the one table (access_policy.cc), denying by default.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "server/service/service_options.h"

namespace touchline::access {

using service::Role;

// Bit set of roles.
constexpr unsigned RoleBit(Role r) { return 1u << static_cast<unsigned>(r); }
inline constexpr unsigned kAdmin = RoleBit(Role::kAdmin);
inline constexpr unsigned kPhysio = RoleBit(Role::kPhysio);
inline constexpr unsigned kCoach = RoleBit(Role::kCoach);
inline constexpr unsigned kAnalyst = RoleBit(Role::kAnalyst);
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
bool IsAllowed(std::string_view full_method, Role role);

// "admin", "physio", "coach", "analyst" ("none" for kNone).
const char* RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

}  // namespace touchline::access
