// The instants a request may carry: valid, not before the earliest the service accepts, not
// further ahead of the server clock than the allowed skew.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/common/request_errors.h"
#include "server/service/service_options.h"

namespace touchline::service {

// A valid timestamp, not before options.earliest_instant and not after now + max_future_skew.
bool CheckInstant(common::FieldViolations& v, const std::string& field,
                  const google::protobuf::Timestamp& ts, absl::Time now,
                  const ServiceOptions& options);

}  // namespace touchline::service
