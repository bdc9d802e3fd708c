// Building request messages from options (shared by create and update commands).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "client/cli/args.h"
#include "google/protobuf/timestamp.pb.h"
#include "touchline/v1/complaint.pb.h"
#include "touchline/v1/squad.pb.h"

namespace touchline::cli {

google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);

// Options understood by ApplySymptomOptions: --pain --ache --tightness --spasm --sleep-disturbance
// --inflexibility --weakness.
const std::vector<std::string>& SymptomOptionNames();
// Options understood by ApplyComplaintOptions (symptoms included).
const std::vector<std::string>& ComplaintOptionNames();

// Sets the symptom fields named by options; returns whether any was given.
absl::StatusOr<bool> ApplySymptomOptions(const Args& args, touchline::v1::Symptoms* symptoms);

// Sets complaint fields from --side --onset --onset-kind --mechanism, the symptom options, --osiics,
// --disc-herniation --history, --pelvic-rotation --piriformis-spasm --lumbar-stiffness
// --thoracic-stiffness --nerve-tension --findings. Appends the top-level field paths touched
// ("side", "onset_time", "symptoms", "history", "findings", ...) to `mask`.
absl::Status ApplyComplaintOptions(const Args& args, absl::Time now, touchline::v1::Complaint* complaint,
                                   std::vector<std::string>* mask);

// --player or --squad, exactly one (the other is 0).
absl::Status PlayerOrSquad(const Args& args, int64_t* player, int64_t* squad);

// A random idempotency key, "cli-" and 32 hex digits.
std::string RandomKey();

// Sets player fields from --name --group --position --external-id; appends field paths to `mask`.
absl::Status ApplyPlayerOptions(const Args& args, touchline::v1::Player* player, std::vector<std::string>* mask);

}  // namespace touchline::cli
