// ComplaintService through a real gRPC channel: every RPC, its happy path and its error paths.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/api/server_fixture.h"
#include "touchline/v1/export.grpc.pb.h"

namespace touchline::testing {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class ComplaintApiTest : public ServerTest {
 protected:
  // A fully populated complaint for `player_id` (nothing the server computes is set).
  static v1::Complaint FullComplaint(int64_t player_id, absl::Time onset) {
    v1::Complaint c;
    c.set_player_id(player_id);
    c.set_side(v1::SIDE_LEFT);
    *c.mutable_onset_time() = Ts(onset);
    c.set_onset_kind(v1::ONSET_KIND_GRADUAL);
    c.set_mechanism(v1::MECHANISM_CONTACT);
    auto* s = c.mutable_symptoms();
    s->set_ache(true);
    s->set_tightness(true);
    s->set_spasm(true);
    s->set_pain(4);
    s->set_sleep_disturbance(true);
    s->set_inflexibility(true);
    s->set_weakness_against_quadriceps(true);
    c.set_osiics_code("TMW");
    c.mutable_history()->set_lumbar_disc_herniation(true);
    c.mutable_history()->set_notes("L5/S1 disc herniation in 2019; tight after long coach trips");
    auto* f = c.mutable_findings();
    f->set_pelvic_rotation(true);
    f->set_piriformis_spasm(true);
    f->set_lumbar_stiffness(true);
    f->set_thoracic_stiffness(true);
    f->set_sciatic_nerve_tension(true);
    f->set_notes("Slump test positive on the left; café-au-lait mark noted");
    return c;
  }

  grpc::Status Create(const v1::Complaint& c, v1::CreateComplaintResponse* resp,
                      const std::string& user = "physio.anna") {
    v1::CreateComplaintRequest req;
    *req.mutable_complaint() = c;
    return complaints_->CreateComplaint(Ctx(user).get(), req, resp);
  }

  v1::Complaint Get(int64_t id) {
    v1::GetComplaintRequest req;
    req.set_id(id);
    v1::GetComplaintResponse resp;
    auto status = complaints_->GetComplaint(Ctx().get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.complaint();
  }

  std::vector<v1::Amendment> Amendments(int64_t complaint_id) {
    v1::ListAmendmentsRequest req;
    req.set_complaint_id(complaint_id);
    v1::ListAmendmentsResponse resp;
    auto status = complaints_->ListAmendments(Ctx().get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {resp.amendments().begin(), resp.amendments().end()};
  }

  grpc::Status List(const v1::ListComplaintsRequest& req, v1::ListComplaintsResponse* resp) {
    return complaints_->ListComplaints(Ctx().get(), req, resp);
  }

  std::vector<int64_t> ListIds(const v1::ListComplaintsRequest& req) {
    v1::ListComplaintsResponse resp;
    auto status = List(req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(resp.next_page_token().empty());
    std::vector<int64_t> ids;
    for (const auto& c : resp.complaints()) ids.push_back(c.id());
    return ids;
  }

  grpc::Status CheckIn(int64_t complaint_id, absl::Time at, int pain,
                       v1::CreateCheckInResponse* resp, const std::string& note = "",
                       const std::string& user = "physio.anna") {
    v1::CreateCheckInRequest req;
    req.set_complaint_id(complaint_id);
    *req.mutable_check_in()->mutable_check_time() = Ts(at);
    req.mutable_check_in()->mutable_symptoms()->set_pain(pain);
    req.mutable_check_in()->set_note(note);
    return complaints_->CreateCheckIn(Ctx(user).get(), req, resp);
  }

  grpc::Status Reopen(int64_t complaint_id, const std::string& reason,
                      v1::ReopenComplaintResponse* resp) {
    v1::ReopenComplaintRequest req;
    req.set_complaint_id(complaint_id);
    req.set_reason(reason);
    return complaints_->ReopenComplaint(Ctx().get(), req, resp);
  }

  static const v1::FieldChange* FindChange(const v1::Amendment& a, const std::string& field) {
    for (const auto& c : a.changes()) {
      if (c.field() == field) return &c;
    }
    return nullptr;
  }

  static constexpr int64_t kUnknownId = 987654;
};

// ---------------------------------------------------------------------------------------------
// CreateComplaint / GetComplaint

TEST_F(ComplaintApiTest, CreateRoundTripsEveryFieldAndRecordsTheCaller) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Tom Hartley");
  const absl::Time onset = Day(2026, 10, 30, 15, 30);
  v1::Complaint in = FullComplaint(player, onset);
  // Server-owned fields in the request are ignored.
  in.set_id(999);
  in.set_open(false);
  in.set_created_by("mallory");
  in.set_suspected_pelvic_origin(true);
  *in.mutable_resolve_time() = Ts(onset + absl::Hours(1));
  in.add_check_ins()->mutable_symptoms()->set_pain(9);

  v1::CreateComplaintResponse resp;
  auto status = Create(in, &resp, "physio.ben");
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Complaint& out = resp.complaint();

  EXPECT_GT(out.id(), 0);
  EXPECT_NE(out.id(), 999);
  EXPECT_EQ(out.player_id(), player);
  EXPECT_EQ(out.side(), v1::SIDE_LEFT);
  EXPECT_EQ(service::FromProto(out.onset_time()), onset);
  EXPECT_EQ(out.onset_kind(), v1::ONSET_KIND_GRADUAL);
  EXPECT_EQ(out.mechanism(), v1::MECHANISM_CONTACT);
  EXPECT_TRUE(MessageDifferencer::Equals(out.symptoms(), in.symptoms()))
      << out.symptoms().DebugString();
  EXPECT_EQ(out.osiics_code(), "TMW");
  EXPECT_TRUE(MessageDifferencer::Equals(out.history(), in.history()))
      << out.history().DebugString();
  EXPECT_TRUE(MessageDifferencer::Equals(out.findings(), in.findings()))
      << out.findings().DebugString();
  EXPECT_THAT(out.check_ins(), IsEmpty());
  // The resolution is taken (a past injury entered with it); computed fields are not.
  EXPECT_EQ(service::FromProto(out.resolve_time()), onset + absl::Hours(1));
  EXPECT_FALSE(out.open());
  EXPECT_FALSE(out.suspected_pelvic_origin());
  EXPECT_THAT(out.pelvic_origin_event_ids(), IsEmpty());
  EXPECT_EQ(out.created_by(), "physio.ben");
  EXPECT_EQ(out.updated_by(), "physio.ben");
  EXPECT_EQ(service::FromProto(out.create_time()), Start());
  EXPECT_EQ(service::FromProto(out.update_time()), Start());

  // GetComplaint returns exactly what was stored.
  const v1::Complaint got = Get(out.id());
  EXPECT_TRUE(MessageDifferencer::Equals(got, out)) << got.DebugString() << "\nvs\n"
                                                    << out.DebugString();

  // The CREATE amendment names the caller.
  const auto history = Amendments(out.id());
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].action(), v1::AMENDMENT_ACTION_CREATE);
  EXPECT_EQ(history[0].amended_by(), "physio.ben");
  EXPECT_EQ(history[0].complaint_id(), out.id());
  EXPECT_EQ(service::FromProto(history[0].amend_time()), Start());
}

TEST_F(ComplaintApiTest, CreateWithoutTokenIsUnauthenticatedAndStoresNothing) {
  const int64_t player = MakePlayer(MakeSquad(), "No Name");
  v1::CreateComplaintRequest req;
  *req.mutable_complaint() = FullComplaint(player, Day(2026, 10, 30));
  grpc::ClientContext ctx;
  ctx.AddMetadata("touchline-user", "physio.anna");  // a name alone is not an identity any more
  v1::CreateComplaintResponse resp;
  EXPECT_EQ(complaints_->CreateComplaint(&ctx, req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::ListComplaintsRequest list;
  list.set_player_id(player);
  v1::ListComplaintsResponse listed;
  ASSERT_TRUE(complaints_->ListComplaints(Ctx().get(), list, &listed).ok());
  EXPECT_EQ(listed.complaints_size(), 0);
}

TEST_F(ComplaintApiTest, GetRejectsMissingIdAndUnknownId) {
  v1::GetComplaintRequest req;
  v1::GetComplaintResponse resp;
  auto status = complaints_->GetComplaint(Ctx().get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("id"));

  req.set_id(kUnknownId);
  EXPECT_EQ(complaints_->GetComplaint(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ComplaintApiTest, CreateForUnknownOrMissingPlayer) {
  v1::CreateComplaintResponse resp;
  EXPECT_EQ(Create(FullComplaint(kUnknownId, Day(2026, 10, 30)), &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  auto status = Create(FullComplaint(0, Day(2026, 10, 30)), &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("complaint.player_id"));
}

TEST_F(ComplaintApiTest, SeveralViolationsAreReportedTogetherAndNothingIsStored) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  v1::Complaint c = FullComplaint(player, Day(2026, 10, 30));
  c.set_side(v1::SIDE_UNSPECIFIED);
  c.mutable_symptoms()->set_pain(12);
  c.set_osiics_code("bad code");
  v1::CreateComplaintResponse resp;
  auto status = Create(c, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status),
              UnorderedElementsAre("complaint.side", "complaint.symptoms.pain",
                                   "complaint.osiics_code"));

  v1::ListComplaintsRequest list;
  list.set_player_id(player);
  EXPECT_THAT(ListIds(list), IsEmpty());
}

TEST_F(ComplaintApiTest, EachInvalidFieldIsNamed) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  struct Case {
    std::string name;
    std::function<void(v1::Complaint&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"onset two days ahead",
       [&](v1::Complaint& c) { *c.mutable_onset_time() = Ts(Start() + absl::Hours(48)); },
       "complaint.onset_time"},
      {"onset missing", [](v1::Complaint& c) { c.clear_onset_time(); }, "complaint.onset_time"},
      {"onset before 1990", [](v1::Complaint& c) { *c.mutable_onset_time() = Ts(Day(1989, 1, 1)); },
       "complaint.onset_time"},
      {"onset kind unspecified",
       [](v1::Complaint& c) { c.set_onset_kind(v1::ONSET_KIND_UNSPECIFIED); },
       "complaint.onset_kind"},
      {"pain negative", [](v1::Complaint& c) { c.mutable_symptoms()->set_pain(-1); },
       "complaint.symptoms.pain"},
      {"osiics lower case", [](v1::Complaint& c) { c.set_osiics_code("tm1"); },
       "complaint.osiics_code"},
      {"osiics too long", [](v1::Complaint& c) { c.set_osiics_code("TM12345"); },
       "complaint.osiics_code"},
      {"history notes 2001 chars",
       [](v1::Complaint& c) { c.mutable_history()->set_notes(std::string(2001, 'a')); },
       "complaint.history.notes"},
      {"findings notes 2001 chars",
       [](v1::Complaint& c) { c.mutable_findings()->set_notes(std::string(2001, 'b')); },
       "complaint.findings.notes"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    v1::Complaint c = FullComplaint(player, Day(2026, 10, 30));
    tc.mutate(c);
    v1::CreateComplaintResponse resp;
    auto status = Create(c, &resp);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_THAT(ViolatedFields(status), ElementsAre(tc.field));
  }
  v1::ListComplaintsRequest list;
  list.set_player_id(player);
  EXPECT_THAT(ListIds(list), IsEmpty());

  // The limits themselves are accepted: 2000 characters, onset 23 hours ahead (clock skew).
  v1::Complaint ok = FullComplaint(player, Start() + absl::Hours(23));
  ok.mutable_history()->set_notes(std::string(2000, 'a'));
  v1::CreateComplaintResponse resp;
  auto status = Create(ok, &resp);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resp.complaint().history().notes().size(), 2000u);
}

// Invalid UTF-8 in a proto3 string is refused by protobuf while gRPC decodes the request (gRPC 1.51
// answers INTERNAL, "failed to parse"), before the service runs; it is refused whole and nothing is
// stored. The service's own UTF-8 check guards callers that bypass the wire (in-process use).
TEST_F(ComplaintApiTest, InvalidUtf8InFindingsNotesIsRefusedAndStoresNothing) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  v1::Complaint c = FullComplaint(player, Day(2026, 10, 30));
  c.mutable_findings()->set_notes(std::string("tight \xC3\x28 here"));
  v1::CreateComplaintResponse resp;
  auto status = Create(c, &resp);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.error_code(), grpc::StatusCode::UNAVAILABLE);  // refused, server still up
  v1::ListComplaintsRequest list;
  list.set_player_id(player);
  EXPECT_THAT(ListIds(list), IsEmpty());
}

TEST_F(ComplaintApiTest, ArchivedPlayerGetsNoNewComplaintsOrCheckIns) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Left The Club");
  const v1::Complaint c = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));
  ASSERT_GT(c.id(), 0);
  ASSERT_TRUE(Archive(player).ok());

  v1::CreateComplaintResponse created;
  EXPECT_EQ(Create(FullComplaint(player, Day(2026, 10, 30)), &created).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::CreateCheckInResponse checked;
  EXPECT_EQ(CheckIn(c.id(), Day(2026, 10, 25), 2, &checked).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // The rest of the record is frozen too, but still readable.
  EXPECT_EQ(Resolve(c.id(), Day(2026, 10, 30)).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::UpdateComplaintRequest update;
  update.mutable_complaint()->set_id(c.id());
  update.mutable_complaint()->set_osiics_code("TM1");
  update.mutable_update_mask()->add_paths("osiics_code");
  v1::UpdateComplaintResponse updated;
  EXPECT_EQ(complaints_->UpdateComplaint(Ctx().get(), update, &updated).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  const v1::Complaint got = Get(c.id());
  EXPECT_TRUE(got.open());
  EXPECT_THAT(got.check_ins(), IsEmpty());
  EXPECT_EQ(got.osiics_code(), "");
  EXPECT_EQ(Amendments(c.id()).size(), 1u);
  v1::ListComplaintsRequest list;
  list.set_player_id(player);
  EXPECT_THAT(ListIds(list), ElementsAre(c.id()));
}

// ---------------------------------------------------------------------------------------------
// ListComplaints

TEST_F(ComplaintApiTest, ListByPlayerAndBySquadWithOpenOnly) {
  const int64_t squad_a = MakeSquad("First XV");
  const int64_t squad_b = MakeSquad("A League");
  const int64_t p1 = MakePlayer(squad_a, "Ava");
  const int64_t p2 = MakePlayer(squad_a, "Ben");
  const int64_t p3 = MakePlayer(squad_b, "Cal");
  const int64_t c1 = MakeComplaint(p1, v1::SIDE_LEFT, Day(2026, 9, 1)).id();
  ASSERT_TRUE(Resolve(c1, Day(2026, 9, 20)).ok());
  const int64_t c2 = MakeComplaint(p1, v1::SIDE_RIGHT, Day(2026, 10, 1)).id();
  const int64_t c3 = MakeComplaint(p2, v1::SIDE_LEFT, Day(2026, 10, 5)).id();
  const int64_t c4 = MakeComplaint(p3, v1::SIDE_LEFT, Day(2026, 10, 6)).id();

  v1::ListComplaintsRequest req;
  req.set_player_id(p1);
  EXPECT_THAT(ListIds(req), ElementsAre(c1, c2));
  req.set_open_only(true);
  EXPECT_THAT(ListIds(req), ElementsAre(c2));

  req.Clear();
  req.set_squad_id(squad_a);
  EXPECT_THAT(ListIds(req), ElementsAre(c1, c2, c3));
  req.set_open_only(true);
  EXPECT_THAT(ListIds(req), ElementsAre(c2, c3));

  req.Clear();
  req.set_squad_id(squad_b);
  EXPECT_THAT(ListIds(req), ElementsAre(c4));

  // Listed complaints are complete (as GetComplaint shows them).
  v1::ListComplaintsResponse resp;
  req.Clear();
  req.set_player_id(p1);
  ASSERT_TRUE(List(req, &resp).ok());
  ASSERT_EQ(resp.complaints_size(), 2);
  EXPECT_TRUE(MessageDifferencer::Equals(resp.complaints(0), Get(c1)));
  EXPECT_FALSE(resp.complaints(0).open());
  EXPECT_TRUE(resp.complaints(1).open());
}

// A complaint recorded late with an earlier onset is listed in onset order, not recording order.
TEST_F(ComplaintApiTest, ListIsOrderedByOnset) {
  const int64_t player = MakePlayer(MakeSquad(), "Ava");
  const int64_t recent = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20)).id();
  const int64_t older = MakeComplaint(player, v1::SIDE_RIGHT, Day(2026, 9, 1)).id();  // recorded late
  v1::ListComplaintsRequest req;
  req.set_player_id(player);
  EXPECT_THAT(ListIds(req), ElementsAre(older, recent));
}

// Complaints recorded in mixed onset order (a list is in onset order, not id order): every list,
// get and export returns every check-in of each complaint, the same ones, and the latest pain.
TEST_F(ComplaintApiTest, EveryListGetAndExportReturnsTheSameCheckInsInMixedOnsetOrder) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Ava");
  const int64_t teammate = MakePlayer(squad, "Ben");
  const absl::Time onsets[] = {Day(2026, 10, 10), Day(2026, 9, 2), Day(2026, 10, 20),
                               Day(2026, 9, 20), Day(2026, 10, 1)};
  std::vector<int64_t> ids;
  for (absl::Time onset : onsets) ids.push_back(MakeComplaint(player, v1::SIDE_LEFT, onset).id());
  const int64_t teammates = MakeComplaint(teammate, v1::SIDE_RIGHT, Day(2026, 9, 10)).id();
  ids.push_back(teammates);
  // 1 + i check-ins for the i-th complaint, recorded interleaved (newest complaint first).
  std::map<int64_t, std::vector<std::string>> notes;     // complaint id -> notes, oldest first
  std::map<int64_t, v1::Complaint> as_checked_in;        // the complaint after its last check-in
  for (int round = 0; round < 6; ++round) {
    for (int i = 5; i >= round; --i) {
      const absl::Time onset = i < 5 ? onsets[i] : Day(2026, 9, 10);
      const std::string note = absl::StrCat("complaint ", i, " check-in ", round);
      v1::CreateCheckInResponse resp;
      auto status = CheckIn(ids[i], onset + absl::Hours(24 * round + 12), (i + round) % 11, &resp,
                            note);
      ASSERT_TRUE(status.ok()) << status.error_message();
      notes[ids[i]].push_back(note);
      as_checked_in[ids[i]] = resp.complaint();
    }
  }
  auto check = [&](const std::string& read, const v1::Complaint& c) {
    SCOPED_TRACE(absl::StrCat(read, ": complaint ", c.id()));
    ASSERT_TRUE(as_checked_in.count(c.id()));
    const v1::Complaint& expected = as_checked_in[c.id()];
    std::vector<std::string> got;
    for (const auto& ci : c.check_ins()) got.push_back(ci.note());
    EXPECT_EQ(got, notes[c.id()]);
    ASSERT_EQ(c.check_ins_size(), expected.check_ins_size());
    for (int k = 0; k < c.check_ins_size(); ++k) {
      EXPECT_TRUE(MessageDifferencer::Equals(c.check_ins(k), expected.check_ins(k)))
          << c.check_ins(k).DebugString() << " vs " << expected.check_ins(k).DebugString();
    }
    // The latest pain score (what `complaints list` shows) is that of the last check-in.
    EXPECT_EQ(c.check_ins(c.check_ins_size() - 1).symptoms().pain(),
              expected.check_ins(expected.check_ins_size() - 1).symptoms().pain());
  };

  for (int64_t id : ids) check("GetComplaint", Get(id));
  std::set<int64_t> seen_by_player, seen_by_squad, seen_by_export;
  v1::ListComplaintsRequest req;
  req.set_player_id(player);
  v1::ListComplaintsResponse by_player;
  ASSERT_TRUE(List(req, &by_player).ok());
  for (const auto& c : by_player.complaints()) {
    check("player's ListComplaints", c);
    seen_by_player.insert(c.id());
  }
  EXPECT_EQ(seen_by_player, std::set<int64_t>(ids.begin(), ids.begin() + 5));
  req.Clear();
  req.set_squad_id(squad);
  v1::ListComplaintsResponse by_squad;
  ASSERT_TRUE(List(req, &by_squad).ok());
  for (const auto& c : by_squad.complaints()) {
    check("squad's ListComplaints", c);
    seen_by_squad.insert(c.id());
  }
  EXPECT_EQ(seen_by_squad, std::set<int64_t>(ids.begin(), ids.end()));

  auto exports = v1::ExportService::NewStub(channel_);
  v1::ExportRecordsRequest export_req;
  export_req.set_squad_id(squad);
  export_req.add_kinds(v1::RECORD_KIND_COMPLAINT);
  auto ctx = Ctx();
  auto reader = exports->ExportRecords(ctx.get(), export_req);
  v1::ExportRecordsResponse message;
  while (reader->Read(&message)) {
    for (const auto& r : message.records()) {
      ASSERT_TRUE(r.has_complaint());
      check("ExportRecords", r.complaint());
      seen_by_export.insert(r.complaint().id());
    }
  }
  const grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(seen_by_export, std::set<int64_t>(ids.begin(), ids.end()));
}

TEST_F(ComplaintApiTest, ListPagesWithTokens) {
  const int64_t squad = MakeSquad();
  const int64_t p1 = MakePlayer(squad, "Ava");
  const int64_t p2 = MakePlayer(squad, "Ben");
  const int64_t c1 = MakeComplaint(p1, v1::SIDE_LEFT, Day(2026, 10, 1)).id();
  const int64_t c2 = MakeComplaint(p2, v1::SIDE_LEFT, Day(2026, 10, 2)).id();
  const int64_t c3 = MakeComplaint(p1, v1::SIDE_RIGHT, Day(2026, 10, 3)).id();

  v1::ListComplaintsRequest req;
  req.set_squad_id(squad);
  req.set_page_size(1);
  std::vector<int64_t> seen;
  std::vector<std::string> tokens;
  for (int page = 0; page < 5; ++page) {
    v1::ListComplaintsResponse resp;
    auto status = List(req, &resp);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(resp.complaints_size(), 1);
    seen.push_back(resp.complaints(0).id());
    if (resp.next_page_token().empty()) break;
    tokens.push_back(resp.next_page_token());
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_THAT(seen, ElementsAre(c1, c2, c3));
  EXPECT_EQ(tokens.size(), 2u);

  // page_size 2 then the rest.
  req.set_page_token("");
  req.set_page_size(2);
  v1::ListComplaintsResponse first, second;
  ASSERT_TRUE(List(req, &first).ok());
  ASSERT_EQ(first.complaints_size(), 2);
  ASSERT_FALSE(first.next_page_token().empty());
  req.set_page_token(first.next_page_token());
  ASSERT_TRUE(List(req, &second).ok());
  ASSERT_EQ(second.complaints_size(), 1);
  EXPECT_EQ(second.complaints(0).id(), c3);
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(ComplaintApiTest, ListRejectsBadRequests) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Ava");
  MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 1));
  v1::ListComplaintsResponse resp;

  v1::ListComplaintsRequest req;
  req.set_player_id(player);
  req.set_page_token("garbage!token");
  auto status = List(req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_token"));

  // Valid base64, but not a token the server issued.
  req.set_page_token("aGVsbG8gd29ybGQ");
  status = List(req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_token"));

  req.clear_page_token();
  req.set_page_size(-1);
  status = List(req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_size"));

  v1::ListComplaintsRequest neither;
  EXPECT_EQ(List(neither, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListComplaintsRequest both;
  both.set_player_id(player);
  both.set_squad_id(squad);
  EXPECT_EQ(List(both, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::ListComplaintsRequest unknown_player;
  unknown_player.set_player_id(kUnknownId);
  EXPECT_EQ(List(unknown_player, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ListComplaintsRequest unknown_squad;
  unknown_squad.set_squad_id(kUnknownId);
  EXPECT_EQ(List(unknown_squad, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// UpdateComplaint / ListAmendments

TEST_F(ComplaintApiTest, UpdateAmendsMaskedFieldsAndKeepsHistory) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const absl::Time onset = Day(2026, 10, 20);
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, onset);  // pain 3, tightness
  clock_.Advance(absl::Hours(2));

  v1::UpdateComplaintRequest req;
  auto* c = req.mutable_complaint();
  c->set_id(created.id());
  c->set_side(v1::SIDE_RIGHT);
  c->mutable_symptoms()->set_pain(6);
  c->mutable_symptoms()->set_ache(true);
  // Not in the mask: must not change (even though invalid here).
  c->set_onset_kind(v1::ONSET_KIND_UNSPECIFIED);
  c->set_osiics_code("not valid");
  req.mutable_update_mask()->add_paths("side");
  req.mutable_update_mask()->add_paths("symptoms");
  req.set_reason("Re-examined: it is the right leg");
  v1::UpdateComplaintResponse resp;
  auto status = complaints_->UpdateComplaint(Ctx("physio.ben").get(), req, &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const v1::Complaint& out = resp.complaint();
  EXPECT_EQ(out.side(), v1::SIDE_RIGHT);
  EXPECT_EQ(out.symptoms().pain(), 6);
  EXPECT_TRUE(out.symptoms().ache());
  EXPECT_FALSE(out.symptoms().tightness());  // the whole symptoms message is replaced
  EXPECT_EQ(out.onset_kind(), v1::ONSET_KIND_GRADUAL);
  EXPECT_EQ(out.osiics_code(), "");
  EXPECT_EQ(service::FromProto(out.onset_time()), onset);
  EXPECT_EQ(out.created_by(), "physio.anna");
  EXPECT_EQ(out.updated_by(), "physio.ben");
  EXPECT_EQ(service::FromProto(out.create_time()), Start());
  EXPECT_EQ(service::FromProto(out.update_time()), Start() + absl::Hours(2));
  EXPECT_TRUE(MessageDifferencer::Equals(Get(created.id()), out));

  const auto history = Amendments(created.id());
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].action(), v1::AMENDMENT_ACTION_CREATE);
  EXPECT_EQ(history[0].amended_by(), "physio.anna");
  EXPECT_EQ(history[1].action(), v1::AMENDMENT_ACTION_UPDATE);
  EXPECT_EQ(history[1].amended_by(), "physio.ben");
  EXPECT_EQ(history[1].reason(), "Re-examined: it is the right leg");
  EXPECT_EQ(service::FromProto(history[1].amend_time()), Start() + absl::Hours(2));
  EXPECT_LT(history[0].id(), history[1].id());
  std::vector<std::string> changed;
  for (const auto& ch : history[1].changes()) changed.push_back(ch.field());
  EXPECT_THAT(changed, UnorderedElementsAre("side", "symptoms.ache", "symptoms.tightness",
                                            "symptoms.pain"));
  const v1::FieldChange* side = FindChange(history[1], "side");
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->old_value(), "left");
  EXPECT_EQ(side->new_value(), "right");
  const v1::FieldChange* pain = FindChange(history[1], "symptoms.pain");
  ASSERT_NE(pain, nullptr);
  EXPECT_EQ(pain->old_value(), "3");
  EXPECT_EQ(pain->new_value(), "6");
  const v1::FieldChange* tight = FindChange(history[1], "symptoms.tightness");
  ASSERT_NE(tight, nullptr);
  EXPECT_EQ(tight->old_value(), "true");
  EXPECT_EQ(tight->new_value(), "false");

  // Amendment history pages too.
  v1::ListAmendmentsRequest page_req;
  page_req.set_complaint_id(created.id());
  page_req.set_page_size(1);
  v1::ListAmendmentsResponse p1, p2;
  ASSERT_TRUE(complaints_->ListAmendments(Ctx().get(), page_req, &p1).ok());
  ASSERT_EQ(p1.amendments_size(), 1);
  EXPECT_EQ(p1.amendments(0).action(), v1::AMENDMENT_ACTION_CREATE);
  ASSERT_FALSE(p1.next_page_token().empty());
  page_req.set_page_token(p1.next_page_token());
  ASSERT_TRUE(complaints_->ListAmendments(Ctx().get(), page_req, &p2).ok());
  ASSERT_EQ(p2.amendments_size(), 1);
  EXPECT_EQ(p2.amendments(0).action(), v1::AMENDMENT_ACTION_UPDATE);
  EXPECT_TRUE(p2.next_page_token().empty());
}

TEST_F(ComplaintApiTest, UpdateOnsetTimeIsRecordedAsText) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));
  v1::UpdateComplaintRequest req;
  req.mutable_complaint()->set_id(created.id());
  *req.mutable_complaint()->mutable_onset_time() = Ts(Day(2026, 10, 18, 9, 15));
  req.mutable_update_mask()->add_paths("onset_time");
  v1::UpdateComplaintResponse resp;
  ASSERT_TRUE(complaints_->UpdateComplaint(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(service::FromProto(resp.complaint().onset_time()), Day(2026, 10, 18, 9, 15));
  const auto history = Amendments(created.id());
  ASSERT_EQ(history.size(), 2u);
  ASSERT_EQ(history[1].changes_size(), 1);
  EXPECT_EQ(history[1].changes(0).field(), "onset_time");
  EXPECT_EQ(history[1].changes(0).old_value(), "2026-10-20T00:00:00Z");
  EXPECT_EQ(history[1].changes(0).new_value(), "2026-10-18T09:15:00Z");
  EXPECT_EQ(history[1].reason(), "");
}

TEST_F(ComplaintApiTest, UpdateRejectsMissingOrUnknownMaskAndBadValues) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));
  v1::UpdateComplaintResponse resp;

  v1::UpdateComplaintRequest no_mask;
  no_mask.mutable_complaint()->set_id(created.id());
  no_mask.mutable_complaint()->set_side(v1::SIDE_RIGHT);
  auto status = complaints_->UpdateComplaint(Ctx().get(), no_mask, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("update_mask"));

  v1::UpdateComplaintRequest unknown_path = no_mask;
  unknown_path.mutable_update_mask()->add_paths("player_id");
  status = complaints_->UpdateComplaint(Ctx().get(), unknown_path, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("update_mask"));

  // A valid path alongside an unknown one changes nothing either.
  unknown_path.mutable_update_mask()->add_paths("side");
  status = complaints_->UpdateComplaint(Ctx().get(), unknown_path, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("update_mask"));

  v1::UpdateComplaintRequest bad_value;
  bad_value.mutable_complaint()->set_id(created.id());
  bad_value.mutable_complaint()->set_side(v1::SIDE_UNSPECIFIED);
  bad_value.mutable_complaint()->mutable_symptoms()->set_pain(11);
  bad_value.mutable_update_mask()->add_paths("side");
  bad_value.mutable_update_mask()->add_paths("symptoms");
  status = complaints_->UpdateComplaint(Ctx().get(), bad_value, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status),
              UnorderedElementsAre("complaint.side", "complaint.symptoms.pain"));

  v1::UpdateComplaintRequest long_reason = no_mask;
  long_reason.mutable_update_mask()->add_paths("side");
  long_reason.set_reason(std::string(2001, 'r'));
  status = complaints_->UpdateComplaint(Ctx().get(), long_reason, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("reason"));

  v1::UpdateComplaintRequest future_onset;
  future_onset.mutable_complaint()->set_id(created.id());
  *future_onset.mutable_complaint()->mutable_onset_time() = Ts(Start() + absl::Hours(48));
  future_onset.mutable_update_mask()->add_paths("onset_time");
  status = complaints_->UpdateComplaint(Ctx().get(), future_onset, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("complaint.onset_time"));

  v1::UpdateComplaintRequest unknown = no_mask;
  unknown.mutable_complaint()->set_id(kUnknownId);
  unknown.mutable_update_mask()->add_paths("side");
  EXPECT_EQ(complaints_->UpdateComplaint(Ctx().get(), unknown, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Nothing was amended.
  const v1::Complaint got = Get(created.id());
  EXPECT_EQ(got.side(), v1::SIDE_LEFT);
  EXPECT_EQ(got.symptoms().pain(), 3);
  EXPECT_EQ(Amendments(created.id()).size(), 1u);
}

TEST_F(ComplaintApiTest, UpdateCannotMoveOnsetPastFirstCheckInOrResolution) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));
  v1::CreateCheckInResponse checked;
  ASSERT_TRUE(CheckIn(created.id(), Day(2026, 10, 22), 2, &checked).ok());

  v1::UpdateComplaintRequest req;
  req.mutable_complaint()->set_id(created.id());
  *req.mutable_complaint()->mutable_onset_time() = Ts(Day(2026, 10, 23));
  req.mutable_update_mask()->add_paths("onset_time");
  v1::UpdateComplaintResponse resp;
  auto status = complaints_->UpdateComplaint(Ctx().get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("complaint.onset_time"));
  EXPECT_EQ(service::FromProto(Get(created.id()).onset_time()), Day(2026, 10, 20));
}

TEST_F(ComplaintApiTest, UpdateCannotMoveOnsetPastResolution) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));
  ASSERT_TRUE(Resolve(created.id(), Day(2026, 10, 25)).ok());
  v1::UpdateComplaintRequest req;
  req.mutable_complaint()->set_id(created.id());
  *req.mutable_complaint()->mutable_onset_time() = Ts(Day(2026, 10, 26));
  req.mutable_update_mask()->add_paths("onset_time");
  v1::UpdateComplaintResponse resp;
  auto status = complaints_->UpdateComplaint(Ctx().get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("complaint.onset_time"));
  EXPECT_EQ(service::FromProto(Get(created.id()).onset_time()), Day(2026, 10, 20));
  EXPECT_EQ(Amendments(created.id()).size(), 2u);  // CREATE, RESOLVE
}

TEST_F(ComplaintApiTest, UpdateWithNoActualChangeAddsNoAmendment) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));
  v1::UpdateComplaintRequest req;
  req.mutable_complaint()->set_id(created.id());
  req.mutable_complaint()->set_side(v1::SIDE_LEFT);
  req.mutable_update_mask()->add_paths("side");
  v1::UpdateComplaintResponse resp;
  ASSERT_TRUE(complaints_->UpdateComplaint(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(Amendments(created.id()).size(), 1u);
}

TEST_F(ComplaintApiTest, ListAmendmentsErrors) {
  v1::ListAmendmentsRequest req;
  v1::ListAmendmentsResponse resp;
  auto status = complaints_->ListAmendments(Ctx().get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("complaint_id"));
  req.set_complaint_id(kUnknownId);
  EXPECT_EQ(complaints_->ListAmendments(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);

  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  req.set_complaint_id(MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20)).id());
  req.set_page_token("%%%");
  status = complaints_->ListAmendments(Ctx().get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_token"));
}

// ---------------------------------------------------------------------------------------------
// CreateCheckIn

TEST_F(ComplaintApiTest, CheckInAppearsOnTheComplaintAndInItsHistory) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 25));
  clock_.Advance(absl::Minutes(5));

  v1::CreateCheckInRequest req;
  req.set_complaint_id(created.id());
  *req.mutable_check_in()->mutable_check_time() = Ts(Day(2026, 10, 28, 8));
  req.mutable_check_in()->mutable_symptoms()->set_pain(5);
  req.mutable_check_in()->mutable_symptoms()->set_spasm(true);
  req.mutable_check_in()->set_note("sore after Tuesday training");
  req.mutable_check_in()->set_recorded_by("mallory");  // set by the server
  req.mutable_check_in()->set_id(4242);                 // set by the server
  v1::CreateCheckInResponse resp;
  auto status = complaints_->CreateCheckIn(Ctx("physio.ben").get(), req, &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(resp.complaint().check_ins_size(), 1);
  const v1::CheckIn& ci = resp.complaint().check_ins(0);
  EXPECT_GT(ci.id(), 0);
  EXPECT_NE(ci.id(), 4242);
  EXPECT_EQ(service::FromProto(ci.check_time()), Day(2026, 10, 28, 8));
  EXPECT_EQ(ci.symptoms().pain(), 5);
  EXPECT_TRUE(ci.symptoms().spasm());
  EXPECT_EQ(ci.note(), "sore after Tuesday training");
  EXPECT_EQ(ci.recorded_by(), "physio.ben");
  EXPECT_EQ(resp.complaint().updated_by(), "physio.ben");
  EXPECT_EQ(service::FromProto(resp.complaint().update_time()), Start() + absl::Minutes(5));

  // An earlier check-in added later is listed first (oldest first).
  v1::CreateCheckInResponse second;
  ASSERT_TRUE(CheckIn(created.id(), Day(2026, 10, 26), 4, &second).ok());
  const v1::Complaint got = Get(created.id());
  ASSERT_EQ(got.check_ins_size(), 2);
  EXPECT_EQ(service::FromProto(got.check_ins(0).check_time()), Day(2026, 10, 26));
  EXPECT_EQ(got.check_ins(1).id(), ci.id());
  EXPECT_TRUE(got.open());

  const auto history = Amendments(created.id());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].action(), v1::AMENDMENT_ACTION_CHECK_IN);
  EXPECT_EQ(history[1].amended_by(), "physio.ben");
  EXPECT_EQ(history[2].action(), v1::AMENDMENT_ACTION_CHECK_IN);
}

TEST_F(ComplaintApiTest, CheckInValidation) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 25));
  v1::CreateCheckInResponse resp;

  auto status = CheckIn(created.id(), Day(2026, 10, 24, 23), 2, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(ViolatedFields(status), ElementsAre("check_in.check_time"));

  status = CheckIn(created.id(), Day(2026, 10, 26), 11, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("check_in.symptoms.pain"));

  status = CheckIn(created.id(), Start() + absl::Hours(25), 2, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("check_in.check_time"));

  status = CheckIn(created.id(), Day(2026, 10, 26), 2, &resp, std::string(2001, 'n'));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("check_in.note"));

  v1::CreateCheckInRequest no_time;
  no_time.set_complaint_id(created.id());
  no_time.mutable_check_in()->mutable_symptoms()->set_pain(-1);
  status = complaints_->CreateCheckIn(Ctx().get(), no_time, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status),
              UnorderedElementsAre("check_in.check_time", "check_in.symptoms.pain"));

  status = CheckIn(0, Day(2026, 10, 26), 2, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("complaint_id"));

  EXPECT_EQ(CheckIn(kUnknownId, Day(2026, 10, 26), 2, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);

  EXPECT_THAT(Get(created.id()).check_ins(), IsEmpty());
  EXPECT_EQ(Amendments(created.id()).size(), 1u);
}

TEST_F(ComplaintApiTest, CheckInAfterResolutionNeedsReopen) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));
  ASSERT_TRUE(Resolve(created.id(), Day(2026, 10, 28)).ok());
  v1::CreateCheckInResponse resp;
  EXPECT_EQ(CheckIn(created.id(), Day(2026, 10, 30), 2, &resp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // A check-in dated before the resolution may still be recorded.
  EXPECT_TRUE(CheckIn(created.id(), Day(2026, 10, 25), 2, &resp).ok());
  v1::ReopenComplaintResponse reopened;
  ASSERT_TRUE(Reopen(created.id(), "pain back at training", &reopened).ok());
  EXPECT_TRUE(CheckIn(created.id(), Day(2026, 10, 30), 2, &resp).ok());
  EXPECT_EQ(Get(created.id()).check_ins_size(), 2);
}

// ---------------------------------------------------------------------------------------------
// ResolveComplaint / ReopenComplaint

TEST_F(ComplaintApiTest, ResolveValidatesAndResolvesOnce) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 25));

  auto status = Resolve(created.id(), Day(2026, 10, 24));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_THAT(ViolatedFields(status), ElementsAre("resolve_time"));
  EXPECT_TRUE(Get(created.id()).open());
  EXPECT_FALSE(Get(created.id()).has_resolve_time());

  status = Resolve(created.id(), Start() + absl::Hours(25));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("resolve_time"));

  v1::ResolveComplaintRequest no_time;
  no_time.set_complaint_id(created.id());
  v1::ResolveComplaintResponse resp;
  status = complaints_->ResolveComplaint(Ctx().get(), no_time, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("resolve_time"));
  EXPECT_EQ(Amendments(created.id()).size(), 1u);

  clock_.Advance(absl::Hours(1));
  v1::ResolveComplaintRequest req;
  req.set_complaint_id(created.id());
  *req.mutable_resolve_time() = Ts(Day(2026, 10, 31));
  req.set_reason("Completed return-to-play criteria");
  status = complaints_->ResolveComplaint(Ctx("physio.ben").get(), req, &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(resp.complaint().open());
  EXPECT_EQ(service::FromProto(resp.complaint().resolve_time()), Day(2026, 10, 31));
  EXPECT_EQ(resp.complaint().updated_by(), "physio.ben");
  EXPECT_TRUE(MessageDifferencer::Equals(Get(created.id()), resp.complaint()));

  status = Resolve(created.id(), Day(2026, 11, 1));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(service::FromProto(Get(created.id()).resolve_time()), Day(2026, 10, 31));

  EXPECT_EQ(Resolve(kUnknownId, Day(2026, 10, 31)).error_code(), grpc::StatusCode::NOT_FOUND);

  const auto history = Amendments(created.id());
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].action(), v1::AMENDMENT_ACTION_RESOLVE);
  EXPECT_EQ(history[1].reason(), "Completed return-to-play criteria");
  EXPECT_EQ(history[1].amended_by(), "physio.ben");
}

TEST_F(ComplaintApiTest, ResolveNotBeforeLastCheckIn) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));
  v1::CreateCheckInResponse checked;
  ASSERT_TRUE(CheckIn(created.id(), Day(2026, 10, 27), 2, &checked).ok());
  auto status = Resolve(created.id(), Day(2026, 10, 26));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("resolve_time"));
  EXPECT_TRUE(Get(created.id()).open());
  EXPECT_TRUE(Resolve(created.id(), Day(2026, 10, 27)).ok());
}

TEST_F(ComplaintApiTest, ReopenRequiresReasonAndAResolvedComplaint) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const v1::Complaint created = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));
  v1::ReopenComplaintResponse resp;

  EXPECT_EQ(Reopen(created.id(), "still open", &resp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  ASSERT_TRUE(Resolve(created.id(), Day(2026, 10, 30)).ok());

  auto status = Reopen(created.id(), "", &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("reason"));
  status = Reopen(created.id(), "  \t ", &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("reason"));
  status = Reopen(created.id(), std::string(2001, 'x'), &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("reason"));
  EXPECT_FALSE(Get(created.id()).open());

  EXPECT_EQ(Reopen(kUnknownId, "why", &resp).error_code(), grpc::StatusCode::NOT_FOUND);

  clock_.Advance(absl::Hours(3));
  status = Reopen(created.id(), "Tightness returned at Monday training", &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(resp.complaint().open());
  EXPECT_FALSE(resp.complaint().has_resolve_time());
  EXPECT_TRUE(Get(created.id()).open());

  // Reopened: resolving again works, reopening again does not.
  EXPECT_EQ(Reopen(created.id(), "again", &resp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  const auto history = Amendments(created.id());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].action(), v1::AMENDMENT_ACTION_CREATE);
  EXPECT_EQ(history[1].action(), v1::AMENDMENT_ACTION_RESOLVE);
  ASSERT_EQ(history[1].changes_size(), 1);
  EXPECT_EQ(history[1].changes(0).field(), "resolve_time");
  EXPECT_EQ(history[1].changes(0).old_value(), "");
  EXPECT_EQ(history[1].changes(0).new_value(), "2026-10-30T00:00:00Z");
  EXPECT_EQ(history[2].action(), v1::AMENDMENT_ACTION_REOPEN);
  EXPECT_EQ(history[2].reason(), "Tightness returned at Monday training");
  EXPECT_EQ(history[2].amended_by(), "physio.anna");
  EXPECT_EQ(service::FromProto(history[2].amend_time()), Start() + absl::Hours(3));
  ASSERT_EQ(history[2].changes_size(), 1);
  EXPECT_EQ(history[2].changes(0).field(), "resolve_time");
  EXPECT_EQ(history[2].changes(0).old_value(), "2026-10-30T00:00:00Z");
  EXPECT_EQ(history[2].changes(0).new_value(), "");

  EXPECT_TRUE(Resolve(created.id(), Day(2026, 11, 1)).ok());
  EXPECT_FALSE(Get(created.id()).open());
}

TEST_F(ComplaintApiTest, EveryMethodIsNotFoundForAnUnknownComplaint) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20));  // ids exist, just not this one

  {
    v1::GetComplaintRequest req;
    req.set_id(kUnknownId);
    v1::GetComplaintResponse resp;
    EXPECT_EQ(complaints_->GetComplaint(Ctx().get(), req, &resp).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    v1::UpdateComplaintRequest req;
    req.mutable_complaint()->set_id(kUnknownId);
    req.mutable_complaint()->set_osiics_code("TM1");
    req.mutable_update_mask()->add_paths("osiics_code");
    v1::UpdateComplaintResponse resp;
    EXPECT_EQ(complaints_->UpdateComplaint(Ctx().get(), req, &resp).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    v1::CreateCheckInResponse resp;
    EXPECT_EQ(CheckIn(kUnknownId, Day(2026, 10, 25), 1, &resp).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(Resolve(kUnknownId, Day(2026, 10, 25)).error_code(), grpc::StatusCode::NOT_FOUND);
  {
    v1::ReopenComplaintResponse resp;
    EXPECT_EQ(Reopen(kUnknownId, "reason", &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    v1::ListAmendmentsRequest req;
    req.set_complaint_id(kUnknownId);
    v1::ListAmendmentsResponse resp;
    EXPECT_EQ(complaints_->ListAmendments(Ctx().get(), req, &resp).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
}

// ---------------------------------------------------------------------------------------------
// Computed pelvic origin

TEST_F(ComplaintApiTest, SuspectedPelvicOriginAfterAwkwardLineoutLanding) {
  const int64_t squad = MakeSquad();
  const int64_t lock = MakePlayer(squad, "Big Lock", v1::POSITION_GROUP_FORWARD);
  const int64_t other = MakePlayer(squad, "Other Lock", v1::POSITION_GROUP_FORWARD);
  const absl::Time onset = Day(2026, 10, 25, 18);

  const int64_t awkward =
      MakeEvent(lock, v1::CONTACT_KIND_LINEOUT_LANDING, onset - absl::Hours(24 * 4), true);
  // Outside the 14-day window, and a non-pelvic kind: neither is cited.
  MakeEvent(lock, v1::CONTACT_KIND_LINEOUT_LANDING, onset - absl::Hours(24 * 15), true);
  MakeEvent(lock, v1::CONTACT_KIND_RUCK, onset - absl::Hours(24 * 2), true);
  MakeEvent(other, v1::CONTACT_KIND_LINEOUT_LANDING, onset - absl::Hours(24 * 4), false);

  const v1::Complaint suspected = MakeComplaint(lock, v1::SIDE_LEFT, onset);
  EXPECT_TRUE(suspected.suspected_pelvic_origin());
  EXPECT_THAT(suspected.pelvic_origin_event_ids(), ElementsAre(awkward));
  const v1::Complaint got = Get(suspected.id());
  EXPECT_TRUE(got.suspected_pelvic_origin());
  EXPECT_THAT(got.pelvic_origin_event_ids(), ElementsAre(awkward));

  const v1::Complaint clean = MakeComplaint(other, v1::SIDE_LEFT, onset);
  const v1::Complaint clean_got = Get(clean.id());
  EXPECT_FALSE(clean_got.suspected_pelvic_origin());
  EXPECT_THAT(clean_got.pelvic_origin_event_ids(), IsEmpty());

  // ListComplaints computes it the same way.
  v1::ListComplaintsRequest list;
  list.set_squad_id(squad);
  v1::ListComplaintsResponse resp;
  ASSERT_TRUE(List(list, &resp).ok());
  ASSERT_EQ(resp.complaints_size(), 2);
  EXPECT_TRUE(resp.complaints(0).suspected_pelvic_origin());
  EXPECT_FALSE(resp.complaints(1).suspected_pelvic_origin());
}

TEST_F(ComplaintApiTest, PelvicOriginFollowsAnAmendedOnset) {
  const int64_t player = MakePlayer(MakeSquad(), "Big Lock", v1::POSITION_GROUP_FORWARD);
  const absl::Time onset = Day(2026, 10, 25);
  MakeEvent(player, v1::CONTACT_KIND_SCRUM, onset - absl::Hours(24 * 20), true);
  const v1::Complaint c = MakeComplaint(player, v1::SIDE_RIGHT, onset);
  EXPECT_FALSE(c.suspected_pelvic_origin());

  // The onset was actually earlier: the scrum now falls within the window.
  v1::UpdateComplaintRequest req;
  req.mutable_complaint()->set_id(c.id());
  *req.mutable_complaint()->mutable_onset_time() = Ts(onset - absl::Hours(24 * 10));
  req.mutable_update_mask()->add_paths("onset_time");
  v1::UpdateComplaintResponse resp;
  ASSERT_TRUE(complaints_->UpdateComplaint(Ctx().get(), req, &resp).ok());
  EXPECT_TRUE(resp.complaint().suspected_pelvic_origin());
  EXPECT_TRUE(Get(c.id()).suspected_pelvic_origin());
}

}  // namespace
}  // namespace touchline::testing
