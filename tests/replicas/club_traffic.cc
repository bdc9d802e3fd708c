#include "tests/replicas/club_traffic.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <libpq-fe.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "touchline/v1/contact_event.grpc.pb.h"
#include "touchline/v1/flag.grpc.pb.h"

namespace touchline::testing {
namespace {

std::shared_ptr<grpc::Channel> ChannelTo(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

void Authorize(grpc::ClientContext& ctx, const std::string& token) {
  ctx.AddMetadata("authorization", "Bearer " + token);
}

}  // namespace

AckedWriter::AckedWriter(std::string name, std::vector<std::string> addresses, std::string token,
                         int64_t player_id, bool awkward)
    : name_(std::move(name)),
      addresses_(std::move(addresses)),
      token_(std::move(token)),
      player_id_(player_id),
      awkward_(awkward),
      thread_([this] { Run(); }) {}

void AckedWriter::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<AckedWriter::Ack> AckedWriter::acks() const {
  std::lock_guard lock(mutex_);
  return acks_;
}

void AckedWriter::Run() {
  std::vector<std::unique_ptr<v1::ContactEventService::Stub>> stubs;
  for (const auto& address : addresses_) {
    stubs.push_back(v1::ContactEventService::NewStub(ChannelTo(address)));
  }
  size_t at = 0;
  for (int n = 1; !stop_; ++n) {
    v1::CreateContactEventRequest request;
    auto* event = request.mutable_contact_event();
    event->set_player_id(player_id_);
    event->set_kind(v1::CONTACT_KIND_TACKLE_MADE);
    *event->mutable_occur_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
        absl::ToUnixSeconds(absl::Now()) - 3600);
    event->set_awkward(awkward_);
    event->set_session_label("replica test");
    event->set_idempotency_key(absl::StrCat(name_, "-", n));
    bool failed_before = false;
    while (!stop_) {
      grpc::ClientContext ctx;
      Authorize(ctx, token_);
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      v1::CreateContactEventResponse response;
      const grpc::Status status = stubs[at]->CreateContactEvent(&ctx, request, &response);
      if (status.ok()) {
        std::lock_guard lock(mutex_);
        acks_.push_back({event->idempotency_key(), absl::Now()});
        break;
      }
      ++failures_;
      // A server that does not answer: the next one; a store between primaries: wait a little.
      if (status.error_code() == grpc::StatusCode::UNAVAILABLE && !failed_before) {
        at = (at + 1) % stubs.size();
      }
      failed_before = true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
}

FlagWatcher::FlagWatcher(std::vector<std::string> addresses, std::string token)
    : addresses_(std::move(addresses)), token_(std::move(token)), thread_([this] { Run(); }) {}

void FlagWatcher::Stop() {
  stop_ = true;
  {
    std::lock_guard lock(mutex_);
    if (context_ != nullptr) static_cast<grpc::ClientContext*>(context_)->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

std::vector<v1::FlagChange> FlagWatcher::changes() const {
  std::lock_guard lock(mutex_);
  return changes_;
}

bool FlagWatcher::WaitForSequence(int64_t sequence, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (!changes_.empty() && changes_.back().sequence() >= sequence) return true;
    }
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

void FlagWatcher::Run() {
  size_t at = 0;
  int64_t after = 0;
  while (!stop_) {
    auto stub = v1::FlagService::NewStub(ChannelTo(addresses_[at]));
    grpc::ClientContext ctx;
    Authorize(ctx, token_);
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      context_ = &ctx;
    }
    v1::WatchFlagsRequest request;
    request.set_after_sequence(after);
    auto reader = stub->WatchFlags(&ctx, request);
    v1::WatchFlagsResponse response;
    while (reader->Read(&response)) {
      std::lock_guard lock(mutex_);
      changes_.push_back(response.change());
      after = response.change().sequence();
    }
    reader->Finish();
    {
      std::lock_guard lock(mutex_);
      context_ = nullptr;
    }
    if (stop_) return;
    // The stream ended: its server went (or is going). Resume through the next one.
    at = (at + 1) % addresses_.size();
    ++reconnections_;
    absl::SleepFor(absl::Milliseconds(100));
  }
}

absl::Status EveryAcknowledgedWriteStoredOnce(const std::string& conninfo,
                                              const std::vector<const AckedWriter*>& writers,
                                              size_t* acked) {
  *acked = 0;
  for (const AckedWriter* writer : writers) {
    for (const auto& ack : writer->acks()) {
      auto count = QueryInts(conninfo, absl::StrCat("SELECT count(*) FROM club.contact_events "
                                                    "WHERE idempotency_key = '", ack.key, "'"));
      if (!count.ok()) return count.status();
      if (count->at(0) != 1) {
        return absl::DataLossError(absl::StrCat("the acknowledged write ", ack.key, " is stored ",
                                                count->at(0), " times"));
      }
      ++*acked;
    }
  }
  auto events = QueryInts(conninfo, "SELECT count(*) FROM club.contact_events");
  if (!events.ok()) return events.status();
  const int64_t most = static_cast<int64_t>(*acked + writers.size());
  if (events->at(0) < static_cast<int64_t>(*acked) || events->at(0) > most) {
    return absl::DataLossError(absl::StrCat("the store holds ", events->at(0), " events for ",
                                            *acked, " acknowledged writes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> QueryInts(const std::string& conninfo,
                                               const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("cannot connect: ", PQerrorMessage(c.get())));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    return absl::InternalError(absl::StrCat(sql, ": ", PQresultErrorMessage(r.get())));
  }
  std::vector<int64_t> out;
  for (int row = 0; row < PQntuples(r.get()); ++row) {
    out.push_back(std::atoll(PQgetvalue(r.get(), row, 0)));
  }
  return out;
}

}  // namespace touchline::testing
