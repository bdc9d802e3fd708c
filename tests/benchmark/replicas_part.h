// The replicas part of touchline_bench (issue 22): one and two touchline-server replicas on one
// club's schema of a PostgreSQL 15 of the part's own, in the same run, alternating in rounds.
// Readiness: GetSquadReadiness (the kept board) from N callers on one replica, or split over two.
// Ingest: the gRPC import of the same number of events in one stream through one replica, or in
// two streams at once, one through each.
//
// What to expect on one machine: the club's writes are serialised by its writer lock whichever
// replica sends them, and two replicas on one 2-core machine share the cores that one had. The
// figures say what a second replica costs or gains here; what it buys is a server to fail over to
// (tests/replicas), and cores of its own on another machine.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace touchline::bench {

struct ReplicasPartOptions {
  std::string server_binary;  // touchline-server
  std::string dir;            // the servers' token and key files
  int events = 20000;         // per ingest measurement
  int rounds = 3;
  double seconds = 3;  // per readiness row and shape, split over the rounds
  std::vector<int> levels = {1, 16};
  absl::Time now;
};

void RunReplicasPart(const ReplicasPartOptions& options);

}  // namespace touchline::bench
