// The PostgreSQL server of a ctest run (issue 21): `start FILE` starts one (fsync off: these suites
// test behaviour; durability has tests with servers of their own) and writes its connection
// string to FILE, leaving it running; `stop FILE` stops it and removes its folder. ctest runs them
// as the setup and cleanup of the fixture `postgresql` that the suites' PostgreSQL registrations
// require.
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "tests/lib/postgres_server.h"

int main(int argc, char** argv) {
  if (argc != 3 || (std::string_view(argv[1]) != "start" && std::string_view(argv[1]) != "stop")) {
    std::fprintf(stderr, "usage: %s start|stop FILE\n", argv[0]);
    return 2;
  }
  const std::string file = argv[2];
  const std::string folder_file = file + ".folder";
  {  // stop, and before a start: the server of an earlier run that was not stopped
    std::ifstream in(folder_file);
    std::string folder;
    std::getline(in, folder);
    if (!folder.empty()) (void)touchline::testing::PostgresServer::StopDetached(folder);
    std::remove(file.c_str());
    std::remove(folder_file.c_str());
  }
  if (std::string_view(argv[1]) == "stop") return 0;
  touchline::testing::PostgresServerOptions options;
  options.fsync = false;
  // Every test of a parallel run holds a few connections (writer, readers, its audit log's).
  options.settings = "-c max_connections=300";
  auto server = touchline::testing::PostgresServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "cannot start PostgreSQL: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::ofstream(folder_file) << (*server)->folder() << "\n";
  std::ofstream(file) << (*server)->ConnectionString() << "\n";
  (*server)->Detach();
  std::printf("PostgreSQL on port %d, folder %s\n", (*server)->port(), (*server)->folder().c_str());
  return 0;
}
