// A club can write a plugin: install the SDK package alone into a fresh prefix, build
// plugins/examples/club_sample out of tree with find_package(TouchlinePluginSDK), then load and run it.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/runtime/protocol_planner.h"
#include "touchline_plugin.h"

namespace touchline::plugins {
namespace {

namespace fs = std::filesystem;
namespace pv1 = touchline::plugin::v1;

int Shell(const std::string& cmd) {
  std::string full = cmd + " > /dev/null";
  return std::system(full.c_str());
}

TEST(OutOfTreeTest, SamplePluginBuildsAgainstTheInstalledSdkPackageAloneAndLoads) {
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
  // Only the SDK was installed: its two headers and its CMake package, nothing else of Touchline.
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(prefix)) {
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), prefix).filename().string());
  }
  EXPECT_THAT(files, ::testing::UnorderedElementsAre(
                         "touchline_plugin.h", "touchline_plugin.hpp",
                         "TouchlinePluginSDKConfig.cmake", "TouchlinePluginSDKConfigVersion.cmake",
                         "TouchlinePluginSDKTargets.cmake", "TouchlinePluginFunctions.cmake"));

  // A copy of the example, so nothing can resolve relative to the Touchline tree; the package is
  // found through CMAKE_PREFIX_PATH alone, as a club would.
  const fs::path src = tmp / "club_sample";
  fs::copy(fs::path(TOUCHLINE_SOURCE_DIR) / "plugins/examples/club_sample", src,
           fs::copy_options::recursive);
  ASSERT_EQ(Shell(cmake + " -S " + src.string() + " -B " + build.string() +
                " -DCMAKE_CXX_COMPILER=" + TOUCHLINE_CXX_COMPILER +
                " -DCMAKE_PREFIX_PATH=" + prefix.string()), 0);
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

// A plugin project that asks for another ABI major does not configure: the package version is
// the ABI's and only the same major is compatible.
TEST(OutOfTreeTest, TheSdkPackageRefusesAnotherAbiMajor) {
  fs::path tmp = fs::temp_directory_path() / ("touchline-sdk-major-" + std::to_string(getpid()));
  fs::remove_all(tmp);
  const fs::path prefix = tmp / "prefix";
  const std::string cmake = TOUCHLINE_CMAKE_COMMAND;
  ASSERT_EQ(Shell(cmake + " --install " + TOUCHLINE_BINARY_DIR + " --prefix " + prefix.string() +
                " --component touchline_sdk"), 0);
  auto configure = [&](const std::string& wanted) {
    const fs::path src = tmp / ("want-" + wanted);
    fs::create_directories(src);
    std::ofstream(src / "CMakeLists.txt")
        << "cmake_minimum_required(VERSION 3.18)\nproject(P LANGUAGES CXX)\n"
        << "find_package(TouchlinePluginSDK " << wanted << " REQUIRED)\n";
    return Shell(cmake + " -S " + src.string() + " -B " + (src / "build").string() +
                 " -DCMAKE_PREFIX_PATH=" + prefix.string() + " 2>&1");
  };
  EXPECT_EQ(configure(std::to_string(TOUCHLINE_PLUGIN_ABI_MAJOR)), 0);
  EXPECT_NE(configure(std::to_string(TOUCHLINE_PLUGIN_ABI_MAJOR + 1)), 0);
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace touchline::plugins
