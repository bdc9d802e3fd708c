// Entry point of the touchline CLI.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "client/cli/args.h"

namespace touchline::cli {

// Runs the CLI with argv[1..]; returns the process exit code (0, 1 server error, 2 usage error).
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const Environment& env);

// Usage text: everything (resource empty), one resource, or one command.
std::string UsageText(absl::string_view resource = "", absl::string_view verb = "");

}  // namespace touchline::cli
