// Conversions between touchline.v1 messages and the domain model. Enum values are validated by
// the service before a cast, so these functions assume valid input.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/common/proto_time.h"
#include "server/domain/flag_rules.h"
#include "server/domain/model.h"
#include "server/domain/readiness_rules.h"
#include "touchline/v1/complaint.pb.h"
#include "touchline/v1/contact_event.pb.h"
#include "touchline/v1/flag.pb.h"
#include "touchline/v1/readiness.pb.h"
#include "touchline/v1/squad.pb.h"

namespace touchline::service {

// The Timestamp conversions join this overload set (server/common/proto_time.h).
using common::FromProto;
using common::ToProto;

void ToProto(const domain::Squad& in, v1::Squad* out);
void ToProto(const domain::Player& in, v1::Player* out);
void ToProto(const domain::ContactEvent& in, v1::ContactEvent* out);
void ToProto(const domain::Symptoms& in, v1::Symptoms* out);
void ToProto(const domain::CheckIn& in, v1::CheckIn* out);
void ToProto(const domain::Complaint& in, v1::Complaint* out);
void ToProto(const domain::Amendment& in, v1::Amendment* out);
void ToProto(const domain::Flag& in, v1::Flag* out);
void ToProto(const domain::ReadinessOverride& in, v1::ReadinessOverride* out);
void ToProto(const domain::ReadinessReason& in, v1::ReadinessReason* out);

domain::Symptoms FromProto(const v1::Symptoms& in);
domain::History FromProto(const v1::History& in);
domain::Findings FromProto(const v1::Findings& in);

// Short readable names used in amendment records and reasons ("left", "acute", "sprinting").
std::string SideName(domain::Side side);
std::string OnsetKindName(domain::OnsetKind kind);
std::string MechanismName(domain::Mechanism mechanism);
std::string FormatInstant(absl::Time t);

}  // namespace touchline::service
