#include "client/cli/args.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/cli/timeparse.h"

namespace touchline::cli {
namespace {

constexpr absl::string_view kBooleanOptions[] = {
    "json",           "help",           "awkward",          "ache",
    "tightness",      "spasm",          "sleep-disturbance", "inflexibility",
    "weakness",       "disc-herniation", "pelvic-rotation",  "piriformis-spasm",
    "lumbar-stiffness", "thoracic-stiffness", "nerve-tension", "include-archived",
    "open-only",      "all",            "resume",           "force",
    "from-start",     "baseline",       "include-superseded", "overdue",
    "withdraw",       "retract",
};

}  // namespace

bool IsBooleanOption(absl::string_view key) {
  for (absl::string_view b : kBooleanOptions) {
    if (b == key) return true;
  }
  return false;
}

std::optional<bool> ParseBoolWord(absl::string_view s) {
  std::string w = absl::AsciiStrToLower(s);
  if (w == "true" || w == "yes" || w == "1" || w == "on" || w == "y") return true;
  if (w == "false" || w == "no" || w == "0" || w == "off" || w == "n") return false;
  return std::nullopt;
}

bool Args::Has(absl::string_view key) const { return options_.find(key) != options_.end(); }

std::optional<std::string> Args::Get(absl::string_view key) const {
  auto it = options_.find(key);
  if (it == options_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

absl::StatusOr<std::string> Args::Require(absl::string_view key) const {
  auto v = Get(key);
  if (!v.has_value()) return absl::InvalidArgumentError(absl::StrCat("missing required option --", key));
  return *v;
}

absl::StatusOr<std::optional<int64_t>> Args::GetInt(absl::string_view key) const {
  auto v = Get(key);
  if (!v.has_value()) return std::optional<int64_t>();
  int64_t n = 0;
  if (!absl::SimpleAtoi(*v, &n)) {
    return absl::InvalidArgumentError(absl::StrCat("--", key, ": not an integer: \"", *v, "\""));
  }
  return std::optional<int64_t>(n);
}

absl::StatusOr<int64_t> Args::RequireInt(absl::string_view key) const {
  auto v = GetInt(key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return absl::InvalidArgumentError(absl::StrCat("missing required option --", key));
  return **v;
}

absl::StatusOr<std::optional<bool>> Args::GetBool(absl::string_view key) const {
  auto v = Get(key);
  if (!v.has_value()) return std::optional<bool>();
  auto b = ParseBoolWord(*v);
  if (!b.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("--", key, ": expected true or false, got \"", *v, "\""));
  }
  return std::optional<bool>(*b);
}

absl::StatusOr<std::optional<absl::Time>> Args::GetTime(absl::string_view key, absl::Time now) const {
  auto v = Get(key);
  if (!v.has_value()) return std::optional<absl::Time>();
  auto t = ParseTimeArg(*v, now);
  if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--", key, ": ", t.status().message()));
  return std::optional<absl::Time>(*t);
}

absl::StatusOr<absl::Time> Args::RequireTime(absl::string_view key, absl::Time now) const {
  auto v = GetTime(key, now);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return absl::InvalidArgumentError(absl::StrCat("missing required option --", key));
  return **v;
}

std::vector<std::string> Args::GetList(absl::string_view key) const {
  std::vector<std::string> out;
  auto it = options_.find(key);
  if (it == options_.end()) return out;
  for (const std::string& v : it->second) {
    for (absl::string_view part : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
      out.emplace_back(absl::StripAsciiWhitespace(part));
    }
  }
  return out;
}

std::vector<std::string> Args::UnknownOptions(const std::set<std::string, std::less<>>& allowed) const {
  std::vector<std::string> out;
  for (const auto& [key, values] : options_) {
    if (allowed.find(key) == allowed.end()) out.push_back(key);
  }
  return out;
}

Environment Environment::FromProcess() {
  Environment env;
  auto get = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  env.server = get("TOUCHLINE_SERVER");
  env.user = get("TOUCHLINE_USER");
  env.login = get("USER");
  env.token = get("TOUCHLINE_TOKEN");
  env.token_file = get("TOUCHLINE_TOKEN_FILE");
  return env;
}

const std::vector<std::string>& GlobalOptionNames() {
  static const auto* names = new std::vector<std::string>{
      "server", "user", "token", "token-file", "tls-ca", "tls-cert", "tls-key", "json", "output",
      "timeout", "request-id", "help"};
  return *names;
}

namespace {

absl::Status SetOutput(absl::string_view value, GlobalOptions* g) {
  for (absl::string_view f : kOutputFormats) {
    if (f == value) {
      g->output = std::string(value);
      g->json = value == "json";
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("-o/--output: expected table, wide, json or yaml, got \"", value, "\""));
}

}  // namespace

absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv, const Environment& env) {
  Args args;
  args.global.server = env.server.value_or("127.0.0.1:50051");
  args.global.user = env.user.has_value() ? *env.user : env.login.value_or("cli");
  args.global.token = env.token.value_or("");
  args.global.token_file = env.token_file.value_or("touchline.db.token");
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& tok = argv[i];
    if (only_positional) {
      args.positional.push_back(tok);
      continue;
    }
    if (tok == "--") {
      only_positional = true;
      continue;
    }
    if (tok == "-h") {
      args.global.help = true;
      continue;
    }
    if (tok.compare(0, 2, "-o") == 0) {  // -o FORMAT, -oFORMAT, -o=FORMAT
      std::string value = tok.substr(2);
      if (!value.empty() && value[0] == '=') value.erase(0, 1);
      if (value.empty()) {
        if (i + 1 >= argv.size()) return absl::InvalidArgumentError("-o needs a format: table, wide, json or yaml");
        value = argv[++i];
      }
      if (auto st = SetOutput(value, &args.global); !st.ok()) return st;
      continue;
    }
    if (tok.size() <= 2 || tok.compare(0, 2, "--") != 0) {
      args.positional.push_back(tok);
      continue;
    }
    std::string key;
    std::string value;
    size_t eq = tok.find('=');
    if (eq != std::string::npos) {
      key = tok.substr(2, eq - 2);
      value = tok.substr(eq + 1);
    } else {
      key = tok.substr(2);
      if (IsBooleanOption(key)) {
        value = "true";
      } else if (i + 1 < argv.size() && argv[i + 1].compare(0, 2, "--") != 0) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("option --", key, " needs a value (--", key, "=VALUE)"));
      }
    }
    // Accept --page_size as well as --page-size.
    for (char& c : key) {
      if (c == '_') c = '-';
    }
    if (key.empty()) return absl::InvalidArgumentError(absl::StrCat("malformed option \"", tok, "\""));
    if (key == "server") {
      if (value.empty()) return absl::InvalidArgumentError("--server needs HOST:PORT");
      args.global.server = value;
    } else if (key == "user") {
      if (value.empty()) return absl::InvalidArgumentError("--user needs a name");
      args.global.user = value;
    } else if (key == "token" || key == "token-file" || key == "tls-ca" || key == "tls-cert" ||
               key == "tls-key") {
      if (value.empty()) return absl::InvalidArgumentError(absl::StrCat("--", key, " needs a value"));
      std::string& field = key == "token"        ? args.global.token
                           : key == "token-file" ? args.global.token_file
                           : key == "tls-ca"     ? args.global.tls_ca
                           : key == "tls-cert"   ? args.global.tls_cert
                                                 : args.global.tls_key;
      field = value;
    } else if (key == "json" || key == "help") {
      auto b = ParseBoolWord(value);
      if (!b.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat("--", key, ": expected true or false, got \"", value, "\""));
      }
      (key == "json" ? args.global.json : args.global.help) = *b;
      if (key == "json") args.global.output = *b ? "json" : "table";
    } else if (key == "output") {
      if (auto st = SetOutput(value, &args.global); !st.ok()) return st;
    } else if (key == "request-id") {
      if (value.empty()) return absl::InvalidArgumentError("--request-id needs a value (e.g. a UUID)");
      args.global.request_id = value;
    } else if (key == "timeout") {
      double secs = 0;
      if (!absl::SimpleAtod(value, &secs) || !(secs > 0)) {
        return absl::InvalidArgumentError(absl::StrCat("--timeout: expected a positive number of seconds, got \"", value, "\""));
      }
      args.global.timeout_seconds = secs;
    } else {
      args.Add(std::move(key), std::move(value));
    }
  }
  return args;
}

}  // namespace touchline::cli
