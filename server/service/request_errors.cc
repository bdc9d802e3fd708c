#include "server/service/request_errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace touchline::service {

void FieldViolations::Add(std::string field, std::string description) {
  violations_.emplace_back(std::move(field), std::move(description));
}

absl::Status FieldViolations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  google::rpc::BadRequest bad_request;
  for (const auto& [field, description] : violations_) {
    auto* v = bad_request.add_field_violations();
    v->set_field(field);
    v->set_description(description);
  }
  std::string message = absl::StrCat(violations_.front().first, ": ", violations_.front().second);
  if (violations_.size() > 1) {
    absl::StrAppend(&message, " (and ", violations_.size() - 1, " more field violation",
                    violations_.size() > 2 ? "s" : "", ")");
  }
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status InvalidField(std::string field, std::string description) {
  FieldViolations v;
  v.Add(std::move(field), std::move(description));
  return v.ToStatus();
}

}  // namespace touchline::service
