#include "server/common/request_errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace touchline::common {

void FieldViolations::Add(std::string field, std::string description) {
  ++count_;
  if (violations_.size() < kMaxListed) {
    violations_.emplace_back(std::move(field), std::move(description));
  }
}

absl::Status FieldViolations::ToStatus() const {
  if (count_ == 0) return absl::OkStatus();
  google::rpc::BadRequest bad_request;
  for (const auto& [field, description] : violations_) {
    auto* v = bad_request.add_field_violations();
    v->set_field(field);
    v->set_description(description);
  }
  std::string message = absl::StrCat(violations_.front().first, ": ", violations_.front().second);
  if (count_ > 1) {
    absl::StrAppend(&message, " (and ", count_ - 1, " more field violation", count_ > 2 ? "s" : "",
                    count_ > violations_.size()
                        ? absl::StrCat("; the first ", violations_.size(), " are attached")
                        : "",
                    ")");
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

}  // namespace touchline::common
