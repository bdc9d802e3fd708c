#include "server/service/instant_check.h"

#include "absl/strings/str_cat.h"
#include "server/common/request_errors.h"
#include "server/service/proto_mapping.h"

namespace touchline::service {

bool CheckInstant(common::FieldViolations& v, const std::string& field,
                  const google::protobuf::Timestamp& ts, absl::Time now,
                  const ServiceOptions& options) {
  if (!common::IsValidTimestamp(ts)) {
    v.Add(field, "is not a valid timestamp");
    return false;
  }
  const absl::Time t = FromProto(ts);
  if (t < options.earliest_instant) {
    v.Add(field, absl::StrCat("is before ", FormatInstant(options.earliest_instant)));
    return false;
  }
  if (t > now + options.max_future_skew) {
    v.Add(field, absl::StrCat("is in the future (", FormatInstant(t), "; server time ",
                              FormatInstant(now), ")"));
    return false;
  }
  return true;
}

}  // namespace touchline::service
