// What a plugin's host process may do (issue 16): it runs in a process group of its own, with no
// signals blocked (the server blocks SIGTERM and SIGINT in every thread, and exec keeps a mask),
// no way to gain privileges, none of the server's descriptors, in / rather than the database's
// directory. The probe fixture reports each from inside the host.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/plugins/test_util.h"

namespace touchline::plugins {
namespace {

using ::testing::HasSubstr;
using namespace touchline::plugins::testing;  // NOLINT

TEST(Containment, TheHostStartsCleanAndInItsOwnGroup) {
  // As the server does: SIGTERM and SIGINT blocked in the thread that starts the host.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, &stop, &before);
  // A descriptor of "the server" without close-on-exec, as a careless library might leave one.
  const std::string secret_path = ::testing::TempDir() + "containment_secret.token";
  { std::ofstream(secret_path) << "tl_secret"; }
  const int leaked = ::open(secret_path.c_str(), O_RDONLY);  // no O_CLOEXEC on purpose
  ASSERT_GE(leaked, 0);

  auto planner = ProtocolPlanner::Create(Options({Fixture("probe/probe.so")}));
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  ASSERT_EQ(planner->Listing().loaded_size(), 1) << planner->Listing().ShortDebugString();
  const pv1::AssignResult result = planner->Assign(Request(1));
  ASSERT_EQ(result.post_size(), 1) << result.ShortDebugString();
  const std::string report = result.post(0).reason();
  EXPECT_THAT(report, HasSubstr("sigterm_blocked=0"));
  EXPECT_THAT(report, HasSubstr("sigint_blocked=0"));
  EXPECT_THAT(report, HasSubstr("own_group=1"));
  EXPECT_THAT(report, HasSubstr("no_new_privs=1"));
  EXPECT_THAT(report, HasSubstr("fds=4 "));  // stdin, stdout, stderr and its channel
  EXPECT_THAT(report, HasSubstr("cwd=/ "));
  ::close(leaked);
  std::remove(secret_path.c_str());
}

}  // namespace
}  // namespace touchline::plugins
