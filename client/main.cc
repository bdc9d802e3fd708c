#include <iostream>
#include <string>
#include <vector>

#include "client/cli/app.h"
#include "touchline/build_info.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--version") {
    std::cout << TOUCHLINE_VERSION_LINE("touchline") << "\n";
    return 0;
  }
  return touchline::cli::RunCli(args, std::cout, std::cerr, touchline::cli::Environment::FromProcess());
}
