#include <iostream>
#include <string>
#include <vector>

#include "client/cli/app.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return touchline::cli::RunCli(args, std::cout, std::cerr, touchline::cli::Environment::FromProcess());
}
