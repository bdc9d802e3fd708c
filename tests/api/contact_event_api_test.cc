// ContactEventService through a real channel: record, idempotency, bulk import, listing.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/sync_stream.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

using ::testing::ElementsAre;

class ContactEventApiTest : public ServerTest {
 protected:
  // Small commit batches, so an import of a few thousand events spans several of them.
  void ConfigureServer(api::ServerOptions& options) override {
    options.service.import_batch_size = 1000;
  }
  void SetUp() override {
    ServerTest::SetUp();
    squad_ = MakeSquad();
    player_ = MakePlayer(squad_, "Ellis Genge", v1::POSITION_GROUP_FORWARD);
  }

  v1::ContactEvent Event(const std::string& key, v1::ContactKind kind, absl::Time at,
                         bool awkward = false) {
    v1::ContactEvent e;
    e.set_player_id(player_);
    e.set_kind(kind);
    *e.mutable_occur_time() = Ts(at);
    e.set_awkward(awkward);
    e.set_session_label("2026-10-31 v Saracens");
    e.set_idempotency_key(key);
    return e;
  }

  grpc::Status Record(const v1::ContactEvent& e, v1::CreateContactEventResponse* resp) {
    v1::CreateContactEventRequest req;
    *req.mutable_contact_event() = e;
    return events_->CreateContactEvent(Ctx("analyst.sam").get(), req, resp);
  }

  v1::ImportContactEventsResponse Import(const std::vector<v1::ContactEvent>& events) {
    v1::ImportContactEventsResponse resp;
    auto ctx = Ctx();
    auto writer = events_->ImportContactEvents(ctx.get(), &resp);
    for (const auto& e : events) {
      v1::ImportContactEventsRequest msg;
      *msg.mutable_contact_event() = e;
      EXPECT_TRUE(writer->Write(msg));
    }
    writer->WritesDone();
    auto status = writer->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp;
  }

  std::vector<v1::ContactEvent> ListAll(v1::ListContactEventsRequest req) {
    std::vector<v1::ContactEvent> all;
    for (;;) {
      v1::ListContactEventsResponse resp;
      auto status = events_->ListContactEvents(Ctx().get(), req, &resp);
      EXPECT_TRUE(status.ok()) << status.error_message();
      all.insert(all.end(), resp.contact_events().begin(), resp.contact_events().end());
      if (resp.next_page_token().empty() || !status.ok()) break;
      req.set_page_token(resp.next_page_token());
    }
    return all;
  }

  int64_t squad_ = 0;
  int64_t player_ = 0;
};

TEST_F(ContactEventApiTest, RecordGetAndReplay) {
  const auto e = Event("k-1", v1::CONTACT_KIND_SCRUM, Day(2026, 10, 31, 15), true);
  v1::CreateContactEventResponse first;
  ASSERT_TRUE(Record(e, &first).ok());
  EXPECT_FALSE(first.replayed());
  EXPECT_EQ(first.contact_event().recorded_by(), "analyst.sam");
  EXPECT_EQ(first.contact_event().source(), v1::CONTACT_SOURCE_MANUAL);
  EXPECT_TRUE(first.contact_event().awkward());

  v1::CreateContactEventResponse again;
  ASSERT_TRUE(Record(e, &again).ok());
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.contact_event().id(), first.contact_event().id());

  auto different = e;
  different.set_kind(v1::CONTACT_KIND_FALL);
  v1::CreateContactEventResponse conflict;
  EXPECT_EQ(Record(different, &conflict).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::GetContactEventRequest get;
  get.set_id(first.contact_event().id());
  v1::GetContactEventResponse got;
  ASSERT_TRUE(events_->GetContactEvent(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.contact_event().kind(), v1::CONTACT_KIND_SCRUM);
  EXPECT_EQ(service::FromProto(got.contact_event().occur_time()), Day(2026, 10, 31, 15));

  v1::ListContactEventsRequest list;
  list.set_player_id(player_);
  EXPECT_EQ(ListAll(list).size(), 1u);

  get.set_id(12345);
  EXPECT_EQ(events_->GetContactEvent(Ctx().get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ContactEventApiTest, InvalidEventsAreRefusedWithEveryViolation) {
  v1::ContactEvent e;
  e.set_player_id(0);
  e.set_kind(v1::CONTACT_KIND_UNSPECIFIED);
  *e.mutable_occur_time() = Ts(Start() + absl::Hours(25));  // beyond the allowed skew
  e.set_note(std::string(2001, 'n'));
  v1::CreateContactEventResponse resp;
  auto status = Record(e, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status),
              ElementsAre("contact_event.player_id", "contact_event.kind",
                          "contact_event.occur_time", "contact_event.note",
                          "contact_event.idempotency_key"));

  // A day ahead is clock skew, accepted; a day and an hour is a typo.
  auto near_future = Event("skew", v1::CONTACT_KIND_RUCK, Start() + absl::Hours(24));
  EXPECT_TRUE(Record(near_future, &resp).ok());

  // Invalid UTF-8 in a proto3 string never reaches the service: protobuf refuses to parse it.
  auto bad_utf8 = Event("utf", v1::CONTACT_KIND_RUCK, Start());
  bad_utf8.set_session_label("\xff\xfe");
  EXPECT_FALSE(Record(bad_utf8, &resp).ok());

  auto unknown_player = Event("nobody", v1::CONTACT_KIND_RUCK, Start());
  unknown_player.set_player_id(999);
  EXPECT_EQ(Record(unknown_player, &resp).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::ListContactEventsRequest list;
  list.set_player_id(player_);
  EXPECT_EQ(ListAll(list).size(), 1u);  // only the near-future one
}

TEST_F(ContactEventApiTest, ArchivedPlayerTakesNoEvents) {
  v1::ArchivePlayerRequest archive;
  archive.set_id(player_);
  v1::ArchivePlayerResponse archived;
  ASSERT_TRUE(players_->ArchivePlayer(Ctx().get(), archive, &archived).ok());
  v1::CreateContactEventResponse resp;
  EXPECT_EQ(Record(Event("late", v1::CONTACT_KIND_TACKLE_MADE, Start()), &resp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ContactEventApiTest, ImportStoresValidReportsInvalidAndNeverDoubles) {
  std::vector<v1::ContactEvent> batch;
  for (int i = 0; i < 2500; ++i) {  // three commit batches of 1000
    batch.push_back(Event("imp-" + std::to_string(i), v1::CONTACT_KIND_TACKLE_MADE,
                          Day(2026, 9, 1) + absl::Minutes(i)));
  }
  auto invalid = Event("bad-kind", v1::CONTACT_KIND_UNSPECIFIED, Day(2026, 9, 1));
  batch.insert(batch.begin() + 10, invalid);
  auto stranger = Event("stranger", v1::CONTACT_KIND_RUCK, Day(2026, 9, 1));
  stranger.set_player_id(424242);
  batch.push_back(stranger);

  auto first = Import(batch);
  EXPECT_EQ(first.received_count(), 2502);
  EXPECT_EQ(first.stored_count(), 2500);
  EXPECT_EQ(first.duplicate_count(), 0);
  EXPECT_EQ(first.rejected_count(), 2);
  ASSERT_EQ(first.rejections_size(), 2);
  EXPECT_EQ(first.rejections(0).index(), 10);
  EXPECT_EQ(first.rejections(0).idempotency_key(), "bad-kind");
  EXPECT_EQ(first.rejections(1).index(), 2501);

  // The same import retried (a dropped connection): nothing is doubled.
  auto retry = Import(batch);
  EXPECT_EQ(retry.stored_count(), 0);
  EXPECT_EQ(retry.duplicate_count(), 2500);

  v1::ListContactEventsRequest list;
  list.set_squad_id(squad_);
  list.set_page_size(1000);
  const auto all = ListAll(list);
  ASSERT_EQ(all.size(), 2500u);
  for (size_t i = 1; i < all.size(); ++i) {
    ASSERT_LE(service::FromProto(all[i - 1].occur_time()), service::FromProto(all[i].occur_time()));
  }
}

// A re-import whose event has the stored key but other content is a conflict, as
// CreateContactEvent says: rejected (naming the key and the stored event), counted as rejected,
// and the stored event keeps its content. Only an identical event is a duplicate.
TEST_F(ContactEventApiTest, ImportRejectsAKeyStoredWithDifferentContent) {
  const std::vector<v1::ContactEvent> original = {
      Event("match-1", v1::CONTACT_KIND_SCRUM, Day(2026, 10, 31, 15), true),
      Event("match-2", v1::CONTACT_KIND_RUCK, Day(2026, 10, 31, 15, 5)),
      Event("match-3", v1::CONTACT_KIND_MAUL, Day(2026, 10, 31, 15, 10))};
  auto first = Import(original);
  ASSERT_EQ(first.stored_count(), 3);
  // One more under its own key, recorded singly.
  const auto single = Event("single-1", v1::CONTACT_KIND_CARRY, Day(2026, 10, 31, 16));
  v1::CreateContactEventResponse recorded;
  ASSERT_TRUE(Record(single, &recorded).ok());

  v1::ListContactEventsRequest list;
  list.set_player_id(player_);
  const auto before = ListAll(list);
  ASSERT_EQ(before.size(), 4u);
  std::map<std::string, v1::ContactEvent> stored;
  for (const auto& e : before) stored[e.idempotency_key()] = e;

  auto changed_kind = original[1];
  changed_kind.set_kind(v1::CONTACT_KIND_FALL);
  auto changed_note = single;
  changed_note.set_note("actually a tackle");
  auto changed_time = original[2];
  *changed_time.mutable_occur_time() = Ts(Day(2026, 10, 31, 15, 11));
  auto again = Import({original[0], changed_kind, Event("match-4", v1::CONTACT_KIND_RUCK,
                                                        Day(2026, 10, 31, 15, 20)),
                       changed_note, single, changed_time});
  EXPECT_EQ(again.received_count(), 6);
  EXPECT_EQ(again.stored_count(), 1);
  EXPECT_EQ(again.duplicate_count(), 2);  // original[0] and single: identical
  EXPECT_EQ(again.rejected_count(), 3);
  ASSERT_EQ(again.rejections_size(), 3);
  const struct {
    int64_t index;
    std::string key;
  } expected[] = {{1, "match-2"}, {3, "single-1"}, {5, "match-3"}};
  for (int i = 0; i < 3; ++i) {
    const auto& r = again.rejections(i);
    SCOPED_TRACE(expected[i].key);
    EXPECT_EQ(r.index(), expected[i].index);
    EXPECT_EQ(r.idempotency_key(), expected[i].key);
    EXPECT_EQ(r.reason(), absl::StrCat("idempotency key '", expected[i].key,
                                       "' is already used by event ",
                                       stored[expected[i].key].id(),
                                       " with different content (ALREADY_EXISTS)"));
  }

  // Nothing stored changed: the same events, and one new one.
  const auto after = ListAll(list);
  ASSERT_EQ(after.size(), 5u);
  for (const auto& e : after) {
    if (e.idempotency_key() == "match-4") continue;
    ASSERT_TRUE(stored.count(e.idempotency_key())) << e.idempotency_key();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(e, stored[e.idempotency_key()]))
        << e.DebugString();
  }

  // The identical import again: every event a duplicate, none rejected.
  auto identical = Import(original);
  EXPECT_EQ(identical.stored_count(), 0);
  EXPECT_EQ(identical.duplicate_count(), 3);
  EXPECT_EQ(identical.rejected_count(), 0);
  EXPECT_EQ(identical.rejections_size(), 0);
}

// Two events under one key in one stream: the second, if identical, is a duplicate; if different,
// a conflict with the first (stored) one; in the same commit batch or in a later one.
TEST_F(ContactEventApiTest, ImportRejectsAKeyRepeatedWithDifferentContentInOneStream) {
  std::vector<v1::ContactEvent> events;
  for (int i = 0; i < 1500; ++i) {  // two commit batches of 1000 and 500
    events.push_back(Event("s-" + std::to_string(i), v1::CONTACT_KIND_TACKLE_MADE,
                           Day(2026, 9, 1) + absl::Minutes(i)));
  }
  // In the first batch: "s-1" again identical (index 5) and different (index 6).
  events[5] = events[1];
  events[6] = events[1];
  events[6].set_awkward(true);
  // In the second batch: "s-2" (first batch) again different (1200) and identical (1300).
  events[1200] = events[2];
  events[1200].set_kind(v1::CONTACT_KIND_SCRUM);
  events[1300] = events[2];
  auto resp = Import(events);
  EXPECT_EQ(resp.received_count(), 1500);
  EXPECT_EQ(resp.stored_count(), 1496);
  EXPECT_EQ(resp.duplicate_count(), 2);
  EXPECT_EQ(resp.rejected_count(), 2);
  ASSERT_EQ(resp.rejections_size(), 2);

  v1::ListContactEventsRequest list;
  list.set_player_id(player_);
  list.set_page_size(1000);
  std::map<std::string, v1::ContactEvent> stored;
  for (const auto& e : ListAll(list)) stored[e.idempotency_key()] = e;
  ASSERT_EQ(stored.size(), 1496u);
  EXPECT_EQ(resp.rejections(0).index(), 6);
  EXPECT_EQ(resp.rejections(0).idempotency_key(), "s-1");
  EXPECT_THAT(resp.rejections(0).reason(),
              ::testing::HasSubstr(absl::StrCat("already used by event ", stored["s-1"].id())));
  EXPECT_EQ(resp.rejections(1).index(), 1200);
  EXPECT_EQ(resp.rejections(1).idempotency_key(), "s-2");
  EXPECT_THAT(resp.rejections(1).reason(),
              ::testing::HasSubstr(absl::StrCat("already used by event ", stored["s-2"].id())));
  // The first of each key is the one stored.
  EXPECT_FALSE(stored["s-1"].awkward());
  EXPECT_EQ(stored["s-2"].kind(), v1::CONTACT_KIND_TACKLE_MADE);
}

// Every conflict is counted; the answer lists the first 100 by position.
TEST_F(ContactEventApiTest, ImportCountsEveryConflictAndListsTheFirst) {
  std::vector<v1::ContactEvent> events;
  for (int i = 0; i < 1200; ++i) {  // two commit batches
    events.push_back(Event("c-" + std::to_string(i), v1::CONTACT_KIND_RUCK,
                           Day(2026, 9, 1) + absl::Minutes(i)));
  }
  ASSERT_EQ(Import(events).stored_count(), 1200);
  for (auto& e : events) e.set_note("edited");
  auto resp = Import(events);
  EXPECT_EQ(resp.stored_count(), 0);
  EXPECT_EQ(resp.duplicate_count(), 0);
  EXPECT_EQ(resp.rejected_count(), 1200);
  ASSERT_EQ(resp.rejections_size(), 100);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(resp.rejections(i).index(), i);
}

TEST_F(ContactEventApiTest, ImportTakesManyEventsPerMessageInStreamOrder) {
  v1::ImportContactEventsResponse resp;
  auto ctx = Ctx();
  auto writer = events_->ImportContactEvents(ctx.get(), &resp);
  v1::ImportContactEventsRequest first;  // one single event, then a batch of three
  *first.mutable_contact_event() = Event("single", v1::CONTACT_KIND_CARRY, Day(2026, 10, 1));
  *first.add_contact_events() = Event("batch-0", v1::CONTACT_KIND_RUCK, Day(2026, 10, 2));
  *first.add_contact_events() = Event("batch-1", v1::CONTACT_KIND_UNSPECIFIED, Day(2026, 10, 3));
  *first.add_contact_events() = Event("batch-2", v1::CONTACT_KIND_MAUL, Day(2026, 10, 4));
  ASSERT_TRUE(writer->Write(first));
  v1::ImportContactEventsRequest second;
  *second.add_contact_events() = Event("batch-0", v1::CONTACT_KIND_RUCK, Day(2026, 10, 2));
  ASSERT_TRUE(writer->Write(second));
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(resp.received_count(), 5);
  EXPECT_EQ(resp.stored_count(), 3);
  EXPECT_EQ(resp.duplicate_count(), 1);
  ASSERT_EQ(resp.rejections_size(), 1);
  EXPECT_EQ(resp.rejections(0).index(), 2);
  EXPECT_EQ(resp.rejections(0).idempotency_key(), "batch-1");
}

TEST_F(ContactEventApiTest, ListFiltersByTimeRangeAndKind) {
  std::vector<v1::ContactEvent> batch = {
      Event("a", v1::CONTACT_KIND_SCRUM, Day(2026, 10, 1)),
      Event("b", v1::CONTACT_KIND_FALL, Day(2026, 10, 2)),
      Event("c", v1::CONTACT_KIND_SCRUM, Day(2026, 10, 3)),
      Event("d", v1::CONTACT_KIND_LINEOUT_LANDING, Day(2026, 10, 4)),
  };
  Import(batch);
  v1::ListContactEventsRequest list;
  list.set_player_id(player_);
  *list.mutable_start_time() = Ts(Day(2026, 10, 2));
  *list.mutable_end_time() = Ts(Day(2026, 10, 4));  // exclusive
  auto in_range = ListAll(list);
  ASSERT_EQ(in_range.size(), 2u);
  EXPECT_EQ(in_range[0].idempotency_key(), "b");
  EXPECT_EQ(in_range[1].idempotency_key(), "c");

  list.clear_start_time();
  list.clear_end_time();
  list.add_kinds(v1::CONTACT_KIND_SCRUM);
  list.add_kinds(v1::CONTACT_KIND_LINEOUT_LANDING);
  list.set_page_size(1);
  auto kinds = ListAll(list);
  ASSERT_EQ(kinds.size(), 3u);
  EXPECT_EQ(kinds[2].idempotency_key(), "d");
}

TEST_F(ContactEventApiTest, ListRefusesBadQueries) {
  v1::ListContactEventsRequest list;  // neither player nor squad
  v1::ListContactEventsResponse resp;
  EXPECT_THAT(ViolatedFields(events_->ListContactEvents(Ctx().get(), list, &resp)),
              ElementsAre("player_id"));
  list.set_player_id(player_);
  *list.mutable_start_time() = Ts(Day(2026, 10, 5));
  *list.mutable_end_time() = Ts(Day(2026, 10, 1));
  list.add_kinds(static_cast<v1::ContactKind>(99));
  EXPECT_THAT(ViolatedFields(events_->ListContactEvents(Ctx().get(), list, &resp)),
              ElementsAre("end_time", "kinds[0]"));
  list.Clear();
  list.set_squad_id(777);
  EXPECT_EQ(events_->ListContactEvents(Ctx().get(), list, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// One unreadable message in an import (garbage bytes, as a broken client or an attacker sends)
// ends the stream with INVALID_ARGUMENT naming its position and saying what was done with the
// events before it; nothing after it is taken. It used to end OK with everything after it
// silently lost (issue 16).
TEST_F(ContactEventApiTest, AnUnreadableImportMessageIsNamedNotTakenForTheEnd) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + TokenFor("physio.anna"));
  const grpc::internal::RpcMethod method("/touchline.v1.ContactEventService/ImportContactEvents",
                                         grpc::internal::RpcMethod::CLIENT_STREAMING, channel_);
  grpc::ByteBuffer response;
  std::unique_ptr<grpc::ClientWriter<grpc::ByteBuffer>> writer(
      grpc::internal::ClientWriterFactory<grpc::ByteBuffer>::Create(channel_.get(), method, &ctx,
                                                                    &response));
  auto bytes = [](const google::protobuf::Message& m) {
    grpc::ByteBuffer buffer;
    bool own = false;
    EXPECT_TRUE(grpc::SerializationTraits<google::protobuf::Message>::Serialize(m, &buffer, &own)
                    .ok());
    return buffer;
  };
  v1::ImportContactEventsRequest first;
  for (int i = 0; i < 3; ++i) {
    *first.add_contact_events() =
        Event(absl::StrCat("before-", i), v1::CONTACT_KIND_SCRUM, Day(2026, 10, 1 + i));
  }
  *first.add_contact_events() = Event("before-bad", v1::CONTACT_KIND_UNSPECIFIED, Day(2026, 10, 5));
  ASSERT_TRUE(writer->Write(bytes(first)));
  // A length-delimited field 1 claiming far more bytes than follow: not decodable.
  const std::string garbage = "\x0a\xff\xff\xff\xff\x0fgarbage";
  grpc::Slice slice(garbage);
  writer->Write(grpc::ByteBuffer(&slice, 1));
  v1::ImportContactEventsRequest after;
  *after.add_contact_events() = Event("after-0", v1::CONTACT_KIND_RUCK, Day(2026, 10, 9));
  writer->Write(bytes(after));  // may be refused: the server ends the call at the bad message
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(status.error_message(),
              ::testing::HasSubstr("message 1 of the stream (after event 4)"));
  const std::vector<std::string> fields = ViolatedFields(status);
  ASSERT_GE(fields.size(), 2u);
  EXPECT_EQ(fields[0], "message[1]");
  EXPECT_EQ(fields[1], "contact_events[3]");  // the invalid event before it, with its reason

  v1::ListContactEventsRequest list;
  list.set_player_id(player_);
  std::vector<std::string> keys;
  for (const auto& e : ListAll(list)) keys.push_back(e.idempotency_key());
  std::sort(keys.begin(), keys.end());
  EXPECT_THAT(keys, ::testing::ElementsAre("before-0", "before-1", "before-2"));
}

}  // namespace
}  // namespace touchline::testing
