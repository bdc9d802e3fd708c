// A club can write a plugin: install the SDK headers alone into a fresh prefix, build
// plugins/examples/club_sample out of tree against them, then load and run the result.
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/plugins/protocol_planner.h"

namespace touchline::plugins {
namespace {

namespace fs = std::filesystem;
namespace pv1 = touchline::plugin::v1;

int Shell(const std::string& cmd) {
  std::string full = cmd + " > /dev/null";
  return std::system(full.c_str());
}

TEST(OutOfTreeTest, SamplePluginBuildsAgainstTheInstalledHeaderAloneAndLoads) {
  fs::path tmp = fs::temp_directory_path() / ("touchline-sdk-" + std::to_string(getpid()));
  fs::remove_all(tmp);
  const fs::path prefix = tmp / "prefix";
  const fs::path build = tmp / "build";
  const std::string cmake = TOUCHLINE_CMAKE_COMMAND;

  ASSERT_EQ(Shell(cmake + " --install " + TOUCHLINE_BINARY_DIR + " --prefix " + prefix.string() +
                " --component touchline_sdk"), 0);
  const fs::path include = prefix / "include" / "touchline";
  ASSERT_TRUE(fs::exists(include / "touchline_plugin.h"));
  ASSERT_TRUE(fs::exists(include / "touchline_plugin.hpp"));
  // Only the two headers were installed: nothing else of Touchline is reachable from there.
  EXPECT_EQ(std::distance(fs::recursive_directory_iterator(prefix),
                          fs::recursive_directory_iterator()), 4);  // include/, include/touchline/, 2 files

  // A copy of the example, so nothing can resolve relative to the Touchline tree.
  const fs::path src = tmp / "club_sample";
  fs::copy(fs::path(TOUCHLINE_SOURCE_DIR) / "plugins/examples/club_sample", src,
           fs::copy_options::recursive);
  ASSERT_EQ(Shell(cmake + " -S " + src.string() + " -B " + build.string() +
                " -DCMAKE_CXX_COMPILER=" + TOUCHLINE_CXX_COMPILER +
                " -DTOUCHLINE_SDK_INCLUDE_DIR=" + include.string()), 0);
  ASSERT_EQ(Shell(cmake + " --build " + build.string()), 0);
  const fs::path so = build / "club_sample.so";
  ASSERT_TRUE(fs::exists(so));

  PlannerOptions o;
  o.plugin_paths = {so.string()};
  o.host_executable = TOUCHLINE_HOST_PATH;
  auto planner = ProtocolPlanner::Create(o);
  pv1::PluginListing l = planner->Listing();
  ASSERT_EQ(l.loaded_size(), 1) << (l.refused_size() ? l.refused(0).reason() : "");
  EXPECT_EQ(l.loaded(0).name(), "club-sample");
  EXPECT_EQ(l.loaded(0).version(), "0.1.0");

  pv1::AssignRequest req;
  req.mutable_player()->set_id(4);
  pv1::ContactEvent* e = req.add_recent_contact_events();
  e->set_id(77);
  e->set_kind(pv1::CONTACT_KIND_SCRUM);
  e->set_awkward(true);
  pv1::AssignResult r = planner->Assign(req);
  EXPECT_EQ(r.failures_size(), 0);
  ASSERT_EQ(r.pre_size(), 1);
  EXPECT_EQ(r.pre(0).exercise(), "Supine hip-flexor activation");
  EXPECT_EQ(r.pre(0).reason(), "awkward set-piece contact event 77");
  EXPECT_EQ(r.pre(0).plugin_name(), "club-sample");
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace touchline::plugins
