#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/plugins/test_util.h"

namespace touchline::plugins {
namespace {

using ::testing::HasSubstr;
using namespace touchline::plugins::testing;  // NOLINT

TEST(CheckAbiTest, AcceptsSameMajorAndOlderOrEqualMinor) {
  host_protocol::RawDescriptor d;
  d.struct_size = TOUCHLINE_PLUGIN_V1_MIN_SIZE;
  d.abi_major = TOUCHLINE_PLUGIN_ABI_MAJOR;
  d.abi_minor = TOUCHLINE_PLUGIN_ABI_MINOR;
  d.layout_known = true;
  d.name = "x";
  d.has_assign = true;
  EXPECT_EQ(CheckAbi(d), "");
  d.struct_size += 64;  // a later minor's bigger struct is fine
  EXPECT_EQ(CheckAbi(d), "");
  d.abi_minor = TOUCHLINE_PLUGIN_ABI_MINOR + 1;
  EXPECT_THAT(CheckAbi(d), HasSubstr("newer than the server's"));
  d.abi_minor = 0;
  d.abi_major = TOUCHLINE_PLUGIN_ABI_MAJOR + 1;
  EXPECT_THAT(CheckAbi(d), HasSubstr("ABI major 2"));
  d.abi_major = TOUCHLINE_PLUGIN_ABI_MAJOR;
  d.struct_size = 8;
  EXPECT_THAT(CheckAbi(d), HasSubstr("struct_size 8"));
  d.struct_size = TOUCHLINE_PLUGIN_V1_MIN_SIZE;
  d.name = "";
  EXPECT_THAT(CheckAbi(d), HasSubstr("no name"));
  d.name = "x";
  d.has_assign = false;
  EXPECT_THAT(CheckAbi(d), HasSubstr("no assign"));
}

TEST(LoaderTest, RefusesIncompatibleFilesByNameAndReasonAndLoadsTheRest) {
  auto planner = ProtocolPlanner::Create(
      Options({Fixture("abi"), Fixture("abi/missing.so"), Builtin("piriformis_4sign")}));
  pv1::PluginListing listing = planner->Listing();

  ASSERT_EQ(listing.loaded_size(), 3);
  std::map<std::string, pv1::LoadedPlugin> loaded;
  for (const auto& l : listing.loaded()) loaded[l.name()] = l;
  const pv1::LoadedPlugin& ok = loaded["abi-ok"];
  EXPECT_EQ(ok.version(), "1.0.0");
  EXPECT_EQ(ok.handles(), "ABI fixture");
  EXPECT_EQ(ok.abi_major(), 1u);
  EXPECT_EQ(ok.abi_minor(), 1u);
  EXPECT_EQ(ok.path(), Fixture("abi/abi_ok.so"));
  EXPECT_EQ(ok.isolation(), pv1::ISOLATION_OUT_OF_PROCESS);
  // A plugin built for ABI 1.0 (before exercise categories) still loads on a 1.1 host.
  EXPECT_EQ(loaded["abi-minor_zero"].abi_minor(), 0u);
  EXPECT_EQ(listing.loaded(2).name(), "piriformis-4-sign");
  EXPECT_EQ(listing.host_abi_major(), 1u);
  EXPECT_EQ(listing.host_abi_minor(), 1u);

  std::map<std::string, std::string> refused;
  for (const auto& r : listing.refused()) refused[r.path()] = r.reason();
  EXPECT_EQ(refused.size(), 8u);
  EXPECT_THAT(refused[Fixture("abi/missing.so")], HasSubstr("no such file"));
  EXPECT_THAT(refused[Fixture("abi/not_elf.so")], HasSubstr("not a shared object"));
  EXPECT_THAT(refused[Fixture("abi/abi_bad_major.so")],
              HasSubstr("plugin built for ABI major 2, the server supports major 1"));
  EXPECT_THAT(refused[Fixture("abi/abi_newer_minor.so")],
              HasSubstr("ABI 1.2, newer than the server's 1.1"));
  EXPECT_THAT(refused[Fixture("abi/abi_small_struct.so")], HasSubstr("struct_size 8"));
  EXPECT_THAT(refused[Fixture("abi/abi_no_name.so")], HasSubstr("no name"));
  EXPECT_THAT(refused[Fixture("abi/abi_no_symbol.so")], HasSubstr("no entry symbol"));
  EXPECT_THAT(refused[Fixture("abi/abi_null_descriptor.so")], HasSubstr("no descriptor"));

  // The server works with what loaded.
  pv1::AssignResult result = planner->Assign(Request(1));
  EXPECT_EQ(result.failures_size(), 0);
}

TEST(LoaderTest, ReportsRefusalsThroughTheCallback) {
  PlannerOptions o = Options({Fixture("abi/abi_bad_major.so")});
  std::vector<std::string> seen;
  o.on_refused = [&](const pv1::RefusedPlugin& r) { seen.push_back(r.path() + ": " + r.reason()); };
  auto planner = ProtocolPlanner::Create(o);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_THAT(seen[0], HasSubstr("abi_bad_major.so: incompatible ABI"));
}

TEST(LoaderTest, RefusesADuplicateNameAndAFileListedTwiceIsLoadedOnce) {
  std::string ok = Fixture("abi/abi_ok.so");
  auto planner = ProtocolPlanner::Create(Options({ok, ok}));
  EXPECT_EQ(planner->Listing().loaded_size(), 1);
  EXPECT_EQ(planner->Listing().refused_size(), 0);
}

TEST(LoaderTest, ABadHostExecutableRefusesEveryPluginWithoutCrashing) {
  PlannerOptions o = Options({Fixture("abi/abi_ok.so")});
  o.host_executable = "/nonexistent/touchline-plugin-host";
  auto planner = ProtocolPlanner::Create(o);
  ASSERT_EQ(planner->Listing().refused_size(), 1);
  EXPECT_THAT(planner->Listing().refused(0).reason(), HasSubstr("cannot run"));
}

TEST(LoaderTest, TrustedPluginsRunInProcess) {
  PlannerOptions o = Options({Fixture("abi/abi_ok.so"), Builtin("piriformis_4sign")});
  o.trusted_in_process = ParseNameList("piriformis-4-sign");
  auto planner = ProtocolPlanner::Create(o);
  pv1::PluginListing l = planner->Listing();
  ASSERT_EQ(l.loaded_size(), 2);
  EXPECT_EQ(l.loaded(0).isolation(), pv1::ISOLATION_OUT_OF_PROCESS);
  EXPECT_EQ(l.loaded(1).isolation(), pv1::ISOLATION_IN_PROCESS);
  EXPECT_EQ(planner->HostPid("piriformis-4-sign"), -1);
  EXPECT_GT(planner->HostPid("abi-ok"), 0);
}

TEST(FlagParsingTest, SplitsPathsAndNames) {
  EXPECT_EQ(ParsePluginPathList("/a:/b/c.so, /d"),
            (std::vector<std::string>{"/a", "/b/c.so", "/d"}));
  EXPECT_EQ(ParsePluginPathList(""), std::vector<std::string>{});
  EXPECT_EQ(ParseNameList("x, y,,z"), (std::vector<std::string>{"x", "y", "z"}));
}

}  // namespace
}  // namespace touchline::plugins
