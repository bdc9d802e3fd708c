// Command-line parsing for the touchline CLI: global options, positional words, --key=value options.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace touchline::cli {

// Options that never take a separate value: "--awkward next-word" leaves next-word positional.
// They may still be given an explicit value: --awkward=false.
bool IsBooleanOption(absl::string_view key);

// The global options, valid before or after the subcommand.
struct GlobalOptions {
  std::string server;        // HOST:PORT
  std::string user;          // sent as "touchline-user" metadata (the server records the token's user)
  std::string token;         // bearer token (--token, else $TOUCHLINE_TOKEN); empty: read token_file
  std::string token_file;    // --token-file, else $TOUCHLINE_TOKEN_FILE, else touchline.db.token
  std::string tls_ca;        // PEM CA that signed the server's certificate: connect with TLS
  std::string tls_cert;      // PEM client certificate for mutual TLS (with tls_key)
  std::string tls_key;       // PEM key of tls_cert
  bool json = false;         // print responses in the protobuf JSON mapping (-o json, --json)
  // -o / --output: table (default), wide (tables without summarising), json, yaml.
  std::string output = "table";
  double timeout_seconds = 30;
  // --request-id: the id a write is sent with (AIP-155), to retry by hand a write whose outcome
  // was not learnt; empty: a fresh UUID per write command (reused on the CLI's own retries).
  std::string request_id;
  bool help = false;
};

// A parsed command line: positional words (resource, verb, ...) and the remaining options.
class Args {
 public:
  // Positional words in order, e.g. {"squads", "create"}.
  std::vector<std::string> positional;
  GlobalOptions global;

  // Adds an option (repeats keep every value; Get returns the last).
  void Add(std::string key, std::string value) { options_[std::move(key)].push_back(std::move(value)); }

  bool Has(absl::string_view key) const;
  // The option's value, or nullopt.
  std::optional<std::string> Get(absl::string_view key) const;
  // The option's value, or an error naming the option if absent.
  absl::StatusOr<std::string> Require(absl::string_view key) const;
  absl::StatusOr<std::optional<int64_t>> GetInt(absl::string_view key) const;
  absl::StatusOr<int64_t> RequireInt(absl::string_view key) const;
  // Booleans: absent -> nullopt; "--x" / "--x=true|yes|1" -> true; "--x=false|no|0" -> false.
  absl::StatusOr<std::optional<bool>> GetBool(absl::string_view key) const;
  absl::StatusOr<std::optional<absl::Time>> GetTime(absl::string_view key, absl::Time now) const;
  absl::StatusOr<absl::Time> RequireTime(absl::string_view key, absl::Time now) const;
  // A comma-separated list (repeated options are concatenated).
  std::vector<std::string> GetList(absl::string_view key) const;

  // Option keys not in `allowed` (in order), for "unknown option" errors.
  std::vector<std::string> UnknownOptions(const std::set<std::string, std::less<>>& allowed) const;
  const std::map<std::string, std::vector<std::string>, std::less<>>& options() const { return options_; }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> options_;
};

// Environment lookups used for defaults; injectable for tests.
struct Environment {
  std::optional<std::string> server;  // TOUCHLINE_SERVER
  std::optional<std::string> user;    // TOUCHLINE_USER
  std::optional<std::string> login;   // USER
  std::optional<std::string> token;       // TOUCHLINE_TOKEN
  std::optional<std::string> token_file;  // TOUCHLINE_TOKEN_FILE
  static Environment FromProcess();
};

// The values of -o / --output.
inline constexpr absl::string_view kOutputFormats[] = {"table", "wide", "json", "yaml"};
// The global options' names (for "did you mean").
const std::vector<std::string>& GlobalOptionNames();

// Parses argv[1..]. Global options (--server, --user, --json, --timeout, --help/-h) are taken out
// of the option map wherever they appear. Errors are usage errors.
absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv, const Environment& env);

// Parses a boolean word (true/false/yes/no/1/0/on/off).
std::optional<bool> ParseBoolWord(absl::string_view s);

}  // namespace touchline::cli
