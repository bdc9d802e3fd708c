#include "server/api/call_context.h"

#include "server/service/field_checks.h"

namespace touchline::api {

service::Caller CallerFrom(const grpc::ServerContext& context) {
  service::Caller caller;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kUserMetadataKey);
  if (it != metadata.end()) {
    std::string user(it->second.data(), it->second.size());
    // A name that cannot be stored readably is recorded as anonymous rather than trusted.
    if (!user.empty() && user.size() <= 128 && service::IsValidUtf8(user)) caller.user = user;
  }
  return caller;
}

}  // namespace touchline::api
