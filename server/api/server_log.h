// The server's log: one line per start, stop and server-side error, on stderr (journald, docker
// logs and the tests all read stderr).
#pragma once

#include <string>

namespace touchline::api {

void LogLine(const std::string& line);

}  // namespace touchline::api
