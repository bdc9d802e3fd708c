// The server's log: one line per start, stop and server-side error, on stderr (journald, docker
// logs and the tests all read stderr).
#pragma once

#include <string>

namespace touchline::api {

void LogLine(const std::string& line);
// LogLine for lines a caller can cause at will (call errors, refused requests): at most
// kMaxLimitedLinesPerSecond a second; the next line that is written says how many were dropped.
// 3,000 garbage requests wrote 930 KB of log in 0.4 s before.
inline constexpr int kMaxLimitedLinesPerSecond = 20;
void LogLineLimited(const std::string& line);

}  // namespace touchline::api
