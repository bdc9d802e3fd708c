// Without libFuzzer (TOUCHLINE_FUZZ=OFF): every file of the seed corpus, and every regression input
// (tests/fuzz/regressions/<harness>/), goes through the same harness bodies, so the normal suite
// exercises them.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzz/fuzz_bodies.h"

namespace touchline::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Inputs(const std::string& harness) {
  std::vector<std::string> out;
  for (const char* kind : {"corpus", "regressions"}) {
    fs::path dir = fs::path(TOUCHLINE_FUZZ_DIR) / kind / harness;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file()) out.push_back(entry.path().string());
    }
  }
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <typename Body>
int Replay(const std::string& harness, Body body) {
  int n = 0;
  for (const std::string& path : Inputs(harness)) {
    SCOPED_TRACE(path);
    const std::string bytes = ReadAll(path);
    body(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++n;
  }
  return n;
}

TEST(FuzzCorpusReplay, ServiceRequests) {
  EXPECT_GE(Replay("service_request", ServiceRequestOne), 8);
}

TEST(FuzzCorpusReplay, PluginAnswers) {
  EXPECT_GE(Replay("plugin_answer", PluginAnswerOne), 4);
}

// Every byte string of length 0-2 and a few truncations: the bodies must take anything.
TEST(FuzzCorpusReplay, TinyAndTruncatedInputs) {
  for (int a = 0; a < 256; ++a) {
    uint8_t one[1] = {static_cast<uint8_t>(a)};
    ServiceRequestOne(one, 1);
    PluginAnswerOne(one, 1);
    uint8_t two[2] = {static_cast<uint8_t>(a), 0xff};
    ServiceRequestOne(two, 2);
    PluginAnswerOne(two, 2);
  }
  for (const std::string& path : Inputs("plugin_answer")) {
    const std::string bytes = ReadAll(path);
    for (size_t n = 0; n < bytes.size(); ++n) {
      PluginAnswerOne(reinterpret_cast<const uint8_t*>(bytes.data()), n);
    }
  }
}

}  // namespace
}  // namespace touchline::fuzz
