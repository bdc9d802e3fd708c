// CLI conventions (issue 17 item 7) that need no server: -o, "did you mean", completion scripts,
// YAML, export's refusal to overwrite a file.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "client/cli/app.h"
#include "client/cli/args.h"
#include "client/cli/yaml.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::cli {
namespace {

using ::testing::HasSubstr;

struct Result {
  int code;
  std::string out, err;
};
Result RunTl(std::vector<std::string> argv) {
  argv.push_back("--server=127.0.0.1:1");  // nothing listens: any call would fail
  std::ostringstream out, err;
  int code = RunCli(argv, out, err, Environment());
  return {code, out.str(), err.str()};
}

TEST(Output, DashOAndOutputAndJsonAlias) {
  for (std::vector<std::string> argv : {std::vector<std::string>{"-o", "yaml", "health"},
                                        {"-oyaml", "health"}, {"--output=yaml", "health"},
                                        {"health", "--output", "yaml"}}) {
    auto a = ParseArgs(argv, Environment());
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->global.output, "yaml");
    EXPECT_FALSE(a->global.json);
    EXPECT_EQ(a->positional, std::vector<std::string>{"health"});
  }
  auto a = ParseArgs({"--json", "health"}, Environment());
  EXPECT_EQ(a->global.output, "json");
  a = ParseArgs({"-o", "json", "health"}, Environment());
  EXPECT_TRUE(a->global.json);
  a = ParseArgs({"-o", "wide", "health"}, Environment());
  EXPECT_EQ(a->global.output, "wide");
  auto r = RunTl({"-o", "xml", "squads", "list"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("expected table, wide, json or yaml"));
}

TEST(DidYouMean, CommandsVerbsAndOptions) {
  auto r = RunTl({"sqauds", "list"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command \"sqauds\"; did you mean \"squads\"?"));
  r = RunTl({"squads", "lsit"});
  EXPECT_THAT(r.err, HasSubstr("unknown verb \"lsit\" for squads; did you mean \"list\"?"));
  r = RunTl({"events", "list", "--sqaud=1"});
  EXPECT_THAT(r.err, HasSubstr("unknown option --sqaud; did you mean \"--squad\"?"));
  r = RunTl({"squads", "list", "--timeot=5"});  // global options too
  EXPECT_THAT(r.err, HasSubstr("did you mean \"--timeout\"?"));
  r = RunTl({"zebra"});
  EXPECT_THAT(r.err, HasSubstr("unknown command \"zebra\""));
  EXPECT_THAT(r.err, testing::Not(HasSubstr("did you mean")));
}

TEST(Completion, BashAndZshListTheCommands) {
  auto r = RunTl({"completion", "bash"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("complete -F _touchline touchline"));
  for (const char* w : {"squads", "players", "events", "complaints", "flags", "readiness", "export", "completion",
                        "\"squads create\") opts=\"$opts --name=\"", "--include-archived", "table wide json yaml"}) {
    EXPECT_THAT(r.out, HasSubstr(w));
  }
  const std::string path = ::testing::TempDir() + "/touchline-completion.bash";
  std::ofstream(path) << r.out;
  EXPECT_EQ(std::system(("bash -n " + path).c_str()), 0);
  r = RunTl({"completion", "zsh"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, testing::StartsWith("#compdef touchline\n"));
  EXPECT_THAT(r.out, HasSubstr("bashcompinit"));
}

TEST(Yaml, FromProtobufJson) {
  auto y = JsonToYaml(R"({
 "squads": [
  {"id": "1", "name": "First XV", "archived": true, "tags": [], "nested": {"a": 1.5, "b": "yes"}},
  {"id": "2", "name": "a: b #c"}
 ],
 "empty": {},
 "next": ""
})");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(*y,
            "squads:\n"
            "- id: \"1\"\n"
            "  name: First XV\n"
            "  archived: true\n"
            "  tags: []\n"
            "  nested:\n"
            "    a: 1.5\n"
            "    b: \"yes\"\n"
            "- id: \"2\"\n"
            "  name: \"a: b #c\"\n"
            "empty: {}\n"
            "next: \"\"\n");
  EXPECT_FALSE(JsonToYaml("{\"a\": ").ok());
}

TEST(Export, RefusesToOverwriteAFile) {
  const std::string path = ::testing::TempDir() + "/export-exists.jsonl";
  std::ofstream(path) << "{\"record\": 1}\n";
  auto r = RunTl({"export", "--file", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(path + " exists: give --resume"));
  r = RunTl({"export", "--file", path, "--resume"});  // nothing to resume from
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("no cursor to resume"));
  r = RunTl({"export", "--resume"});
  EXPECT_EQ(r.code, 2);
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "{\"record\": 1}\n");  // untouched
}

}  // namespace
}  // namespace touchline::cli
