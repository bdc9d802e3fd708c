// OutcomeService through a real server with the built-in plugins (issue 19 item 8): a squad's
// complaints treated over months (assignments by the real plugins, adherence recorded as the
// clock moves), then outcomes by protocol checked against an independent computation from what
// ProtocolService and ComplaintService themselves report; what physio, analyst and coach get.
// Also the same-site rule and the BAMIC grade as the complaint API shows them (item 7).
#include <algorithm>
#include <functional>
#include <optional>
#include <map>
#include <set>
#include <tuple>

#include "SQLiteCpp/Database.h"
#include "server/common/caller.h"
#include "server/storage/audit_log_store.h"
#include "tests/api/server_fixture.h"
#include "touchline/v1/outcome.grpc.pb.h"

namespace touchline::testing {
namespace {

namespace pv1 = touchline::plugin::v1;
using common::Role;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::Duration Days(int d) { return absl::Hours(24 * d); }

class OutcomeApiTest : public ServerTest {
 protected:
  void ConfigureServer(api::ServerOptions& options) override {
    options.plugins.plugin_paths = {TOUCHLINE_BUILTIN_DIR};
    options.plugins.host_executable = TOUCHLINE_HOST_PATH;
    options.plugins.deadline = absl::Seconds(5);
    options.plugins.on_refused = [](const pv1::RefusedPlugin&) {};
  }

  void SetUp() override {
    ServerTest::SetUp();
    outcomes_ = v1::OutcomeService::NewStub(channel_);
    squad_ = MakeSquad();
  }

  v1::Complaint Create(int64_t player, absl::Time onset, const std::string& code,
                       bool piriformis_spasm) {
    v1::CreateComplaintRequest req;
    auto* c = req.mutable_complaint();
    c->set_player_id(player);
    c->set_side(v1::SIDE_LEFT);
    *c->mutable_onset_time() = Ts(onset);
    c->set_onset_kind(v1::ONSET_KIND_GRADUAL);
    c->set_osiics_code(code);
    c->mutable_symptoms()->set_pain(3);
    c->mutable_findings()->set_piriformis_spasm(piriformis_spasm);
    v1::CreateComplaintResponse resp;
    const auto st = complaints_->CreateComplaint(Ctx().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.complaint();
  }

  void Resolve(int64_t complaint, absl::Time at) {
    v1::ResolveComplaintRequest req;
    req.set_complaint_id(complaint);
    *req.mutable_resolve_time() = Ts(at);
    v1::ResolveComplaintResponse resp;
    const auto st = complaints_->ResolveComplaint(Ctx().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }

  static bool AntiSpasm(const pv1::Prescription& p) {
    return p.phase() == pv1::PHASE_BIOMECHANICS && p.contraction() != pv1::CONTRACTION_NEURAL_GLIDE;
  }

  // Assigns the player's protocols now and reports `adherence` on the anti-spasm prescription for
  // `complaint` (there must be one: the piriformis 4-sign for a piriformis spasm).
  void AssignAndReport(int64_t player, int64_t complaint, pv1::Adherence adherence) {
    v1::AssignProtocolsRequest req;
    req.set_player_id(player);
    req.set_session_label("Tuesday training");
    req.set_session_kind(v1::SESSION_KIND_TRAINING);
    v1::AssignProtocolsResponse resp;
    const auto st = protocols_->AssignProtocols(Ctx().get(), req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(resp.assignments_size(), 1);
    const auto& a = resp.assignments(0);
    int64_t prescription = 0;
    for (const auto* list : {&a.pre(), &a.post()}) {
      for (const auto& p : *list) {
        if (p.prescription().complaint_id() == complaint && AntiSpasm(p.prescription())) {
          prescription = p.id();
        }
      }
    }
    ASSERT_NE(prescription, 0) << "no anti-spasm prescription for complaint " << complaint;
    v1::RecordAdherenceRequest ad;
    ad.set_assignment_id(a.id());
    ad.set_prescription_id(prescription);
    ad.set_adherence(adherence);
    ad.set_pain(2);
    v1::RecordAdherenceResponse ad_resp;
    const auto st2 = protocols_->RecordAdherence(Ctx().get(), ad, &ad_resp);
    ASSERT_TRUE(st2.ok()) << st2.error_message();
  }

  grpc::Status Outcomes(Role role, absl::Time from, absl::Time to,
                        v1::GetProtocolOutcomesResponse* resp, int64_t squad = 0) {
    v1::GetProtocolOutcomesRequest req;
    req.set_squad_id(squad != 0 ? squad : squad_);
    *req.mutable_start_time() = Ts(from);
    *req.mutable_end_time() = Ts(to);
    return outcomes_->GetProtocolOutcomes(CtxAs("reader", role).get(), req, resp);
  }

  std::unique_ptr<v1::OutcomeService::Stub> outcomes_;
  int64_t squad_ = 0;
};

// One player's story: a complaint (piriformis spasm, so the 4-sign is prescribed), protocols
// assigned and adherence reported on day `report_day` (DONE, or NOT_DONE for never), resolved on
// `resolve_day` (0: still open), then optionally a later complaint `later_days` after the return.
struct Story {
  std::string name;
  std::string code;
  int report_day;
  bool done;
  int resolve_day;
  int later_days = 0;
  std::string later_code;
};

TEST_F(OutcomeApiTest, OutcomesByProtocolMatchAnIndependentComputation) {
  const absl::Time t0 = Start() + Days(1);
  const std::vector<Story> stories = {
      {"A", "TM1", 3, true, 20, 30, "TM1"},    // starts early; same-site recurrence 30 d after
      {"B", "TM1", 10, true, 30, 20, "TT1"},   // early; a related complaint (tendon), no recurrence
      {"C", "", 20, true, 40},                 // early
      {"D", "TMW", 35, true, 60},              // early
      {"E", "TM1", 42, true, 70, 400, "TM1"},  // day 42 exactly: early; delayed recurrence only
      {"F", "TM1", 45, true, 90, 100, ""},     // after day 42; uncoded later: side+region: recurs
      {"G", "", 60, true, 0},                  // after day 42, still open
      {"H", "TM1", 5, false, 50},              // never started (NOT_DONE only)
      {"I", "", 8, false, 0},                  // never started, open
  };
  // Every step in time order, each run with the clock set to its time.
  std::vector<std::tuple<absl::Time, int, std::function<void()>>> steps;
  std::map<std::string, int64_t> player_of, complaint_of;
  int order = 0;
  for (size_t i = 0; i < stories.size(); ++i) {
    const Story& s = stories[i];
    player_of[s.name] = MakePlayer(squad_, "Player " + s.name);
    const absl::Time onset = t0 + Days(static_cast<int>(i)) + absl::Hours(9);
    steps.emplace_back(onset, order++, [&, s, onset] {
      complaint_of[s.name] = Create(player_of[s.name], onset, s.code, true).id();
    });
    steps.emplace_back(onset + Days(s.report_day), order++, [&, s] {
      AssignAndReport(player_of[s.name], complaint_of[s.name],
                      s.done ? pv1::ADHERENCE_DONE : pv1::ADHERENCE_NOT_DONE);
    });
    if (s.resolve_day > 0) {
      const absl::Time back = onset + Days(s.resolve_day);
      steps.emplace_back(back, order++, [&, s, back] { Resolve(complaint_of[s.name], back); });
      if (s.later_days > 0) {
        const absl::Time later = back + Days(s.later_days);
        steps.emplace_back(later, order++, [&, s, later] {
          Create(player_of[s.name], later, s.later_code, false);
        });
      }
    }
  }
  std::sort(steps.begin(), steps.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  for (auto& [at, unused, step] : steps) {
    clock_.Set(at);
    step();
    ASSERT_TRUE(server_->WaitForProtocolRefresh(absl::Seconds(30)));
  }
  clock_.Advance(Days(1));
  ASSERT_TRUE(server_->WaitForProtocolRefresh(absl::Seconds(30)));
  const absl::Time as_of = clock_.Now();
  const absl::Time from = Start();
  const absl::Time to = Start() + Days(30);  // the first complaints only, not the later ones

  // --- the independent computation, from what the other services report ---
  struct Cell {
    std::set<int64_t> ids;
    int resolved = 0, recurred = 0, incomplete = 0;
    std::vector<int64_t> days;
  };
  std::map<std::tuple<std::string, std::string, int>, Cell> expected;
  for (const auto& [name, player] : player_of) {
    v1::ListComplaintsRequest lc;
    lc.set_player_id(player);
    v1::ListComplaintsResponse complaints;
    ASSERT_TRUE(complaints_->ListComplaints(Ctx().get(), lc, &complaints).ok());
    v1::ListAssignmentsRequest la;
    la.set_player_id(player);
    v1::ListAssignmentsResponse assignments;
    ASSERT_TRUE(protocols_->ListAssignments(Ctx().get(), la, &assignments).ok());
    for (const v1::Complaint& c : complaints.complaints()) {
      const absl::Time onset = service::FromProto(c.onset_time());
      if (onset < from || onset >= to) continue;
      std::set<std::pair<std::string, std::string>> protocols;
      std::optional<absl::Time> started;
      for (const auto& a : assignments.assignments()) {
        for (const auto* list : {&a.pre(), &a.post()}) {
          for (const auto& p : *list) {
            if (p.prescription().complaint_id() != c.id()) continue;
            protocols.insert({p.prescription().plugin_name(), p.prescription().plugin_version()});
            if (!AntiSpasm(p.prescription())) continue;
            for (const auto& r : p.adherence_records()) {
              const absl::Time t = service::FromProto(r.record_time());
              const bool counts = r.adherence() == pv1::ADHERENCE_DONE ||
                                  r.adherence() == pv1::ADHERENCE_PARTLY;
              const bool in_episode =
                  t >= onset && (!c.has_resolve_time() || t <= service::FromProto(c.resolve_time()));
              if (counts && in_episode && (!started || t < *started)) started = t;
            }
          }
        }
      }
      const int bucket = !started ? 3 : (*started - onset <= Days(42) ? 1 : 2);
      // Recurrence: a later complaint of the player classified by the complaint API itself as a
      // recurrence of this one, within 365 days of the return.
      bool recurred = false;
      if (c.has_resolve_time()) {
        const absl::Time back = service::FromProto(c.resolve_time());
        for (const v1::Complaint& later : complaints.complaints()) {
          if (later.subsequent_kind() == v1::SUBSEQUENT_KIND_RECURRENCE &&
              later.subsequent_to_complaint_id() == c.id() &&
              service::FromProto(later.onset_time()) - back <= Days(365)) {
            recurred = true;
          }
        }
      }
      for (const auto& [plugin, version] : protocols) {
        Cell& cell = expected[{plugin, version, bucket}];
        cell.ids.insert(c.id());
        if (!c.has_resolve_time()) continue;
        const absl::Time back = service::FromProto(c.resolve_time());
        ++cell.resolved;
        cell.days.push_back((back - onset) / Days(1));
        if (recurred) {
          ++cell.recurred;
        } else if (as_of < back + Days(365)) {
          ++cell.incomplete;
        }
      }
    }
  }
  ASSERT_FALSE(expected.empty());
  // The scenario holds what the test is about: the 4-sign's three buckets are all populated.
  std::set<int> buckets_seen;
  for (const auto& [key, cell] : expected) buckets_seen.insert(std::get<2>(key));
  EXPECT_EQ(buckets_seen, (std::set<int>{1, 2, 3}));

  auto median = [](std::vector<int64_t> v) -> std::optional<double> {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? static_cast<double>(v[n / 2]) : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  };

  // --- physio: every figure and the complaint ids ---
  v1::GetProtocolOutcomesResponse physio;
  ASSERT_TRUE(Outcomes(Role::kPhysio, from, to, &physio).ok());
  EXPECT_EQ(physio.min_cell_size(), 0);
  std::set<std::pair<std::string, std::string>> plugins;
  for (const auto& [key, cell] : expected) plugins.insert({std::get<0>(key), std::get<1>(key)});
  ASSERT_EQ(physio.outcomes_size(), static_cast<int>(plugins.size() * 3));
  int total_cells_checked = 0;
  for (const v1::ProtocolOutcome& o : physio.outcomes()) {
    SCOPED_TRACE(absl::StrCat(o.plugin_name(), " ", o.plugin_version(), " ",
                              v1::AntiSpasmStart_Name(o.anti_spasm_start())));
    auto it = expected.find({o.plugin_name(), o.plugin_version(),
                             static_cast<int>(o.anti_spasm_start())});
    if (it == expected.end()) {
      EXPECT_EQ(o.complaint_count(), 0);
      EXPECT_FALSE(o.has_median_days_lost());
      continue;
    }
    const Cell& cell = it->second;
    ++total_cells_checked;
    EXPECT_EQ(o.complaint_count(), static_cast<int>(cell.ids.size()));
    EXPECT_EQ(std::set<int64_t>(o.complaint_ids().begin(), o.complaint_ids().end()), cell.ids);
    EXPECT_EQ(o.resolved_count(), cell.resolved);
    EXPECT_EQ(o.unresolved_count(), static_cast<int>(cell.ids.size()) - cell.resolved);
    EXPECT_EQ(o.recurrence_count(), cell.recurred);
    EXPECT_EQ(o.follow_up_incomplete_count(), cell.incomplete);
    const auto m = median(cell.days);
    ASSERT_EQ(o.has_median_days_lost(), m.has_value());
    if (m) {
      EXPECT_DOUBLE_EQ(o.median_days_lost(), *m);
    }
    EXPECT_FALSE(o.suppressed());
  }
  EXPECT_EQ(total_cells_checked, static_cast<int>(expected.size()));

  // --- analyst: no complaint ids, cells of 1-4 complaints suppressed ---
  v1::GetProtocolOutcomesResponse analyst;
  ASSERT_TRUE(Outcomes(Role::kAnalyst, from, to, &analyst).ok());
  EXPECT_EQ(analyst.min_cell_size(), 5);
  ASSERT_EQ(analyst.outcomes_size(), physio.outcomes_size());
  bool saw_suppressed = false, saw_shown = false;
  for (int i = 0; i < analyst.outcomes_size(); ++i) {
    const auto& a = analyst.outcomes(i);
    const auto& p = physio.outcomes(i);
    EXPECT_THAT(a.complaint_ids(), IsEmpty());
    EXPECT_EQ(a.complaint_count(), p.complaint_count());
    if (p.complaint_count() > 0 && p.complaint_count() < 5) {
      saw_suppressed = true;
      EXPECT_TRUE(a.suppressed());
      EXPECT_EQ(a.recurrence_count(), 0);
      EXPECT_FALSE(a.has_median_days_lost());
    } else {
      saw_shown = saw_shown || p.complaint_count() >= 5;
      EXPECT_FALSE(a.suppressed());
      EXPECT_EQ(a.recurrence_count(), p.recurrence_count());
      EXPECT_EQ(a.has_median_days_lost(), p.has_median_days_lost());
      if (p.has_median_days_lost()) {
        EXPECT_DOUBLE_EQ(a.median_days_lost(), p.median_days_lost());
      }
    }
  }
  EXPECT_TRUE(saw_suppressed);
  EXPECT_TRUE(saw_shown);  // the 4-sign's by-day-42 cell holds five complaints

  // --- coach: refused ---
  v1::GetProtocolOutcomesResponse coach;
  EXPECT_EQ(Outcomes(Role::kCoach, from, to, &coach).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(OutcomeApiTest, CallsAreAudited) {
  v1::GetProtocolOutcomesResponse resp;
  ASSERT_TRUE(Outcomes(Role::kPhysio, Start() - Days(30), Start(), &resp).ok());
  ASSERT_TRUE(Outcomes(Role::kAnalyst, Start() - Days(30), Start(), &resp).ok());
  const std::vector<std::string> rows = StoreRows(
      "SELECT method, outcome FROM audit_events WHERE method LIKE '%OutcomeService%' ORDER BY id",
      storage::StoreKind::kAuditLog);
  EXPECT_THAT(rows, ::testing::ElementsAre(
                        "/touchline.v1.OutcomeService/GetProtocolOutcomes OK",
                        "/touchline.v1.OutcomeService/GetProtocolOutcomes OK"));
}

TEST_F(OutcomeApiTest, BadRequestsAreRefusedWithTheField) {
  v1::GetProtocolOutcomesResponse resp;
  auto st = Outcomes(Role::kPhysio, Start(), Start() - Days(1), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ::testing::ElementsAre("end_time"));
  st = Outcomes(Role::kPhysio, Start(), Start() + Days(2000), &resp);
  EXPECT_THAT(ViolatedFields(st), ::testing::ElementsAre("end_time"));
  st = Outcomes(Role::kPhysio, Start(), Start() + Days(1), &resp, /*squad=*/-3);
  EXPECT_THAT(ViolatedFields(st), ::testing::ElementsAre("squad_id"));
  st = Outcomes(Role::kPhysio, Start(), Start() + Days(1), &resp, /*squad=*/9999);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  // A squad without protocols: no rows, not an error.
  ASSERT_TRUE(Outcomes(Role::kPhysio, Start() - Days(30), Start(), &resp).ok());
  EXPECT_THAT(resp.outcomes(), IsEmpty());
}

// Item 7 through the complaint API: the subsequent classification and the BAMIC grade.
TEST_F(OutcomeApiTest, SubsequentRelatedIsShownAndRaisesNoRecurrentFlag) {
  const int64_t player = MakePlayer(squad_, "Player R");
  const absl::Time onset = Start() - Days(60);
  const v1::Complaint first = Create(player, onset, "TM1", false);
  Resolve(first.id(), onset + Days(20));
  const v1::Complaint related = Create(player, onset + Days(40), "TT1", false);
  EXPECT_EQ(related.subsequent_kind(), v1::SUBSEQUENT_KIND_RELATED);
  EXPECT_EQ(related.subsequent_to_complaint_id(), first.id());
  EXPECT_THAT(related.subsequent_reason(), HasSubstr("subsequent related"));
  v1::ListFlagsRequest lf;
  lf.set_player_id(player);
  v1::ListFlagsResponse flags;
  ASSERT_TRUE(flags_->ListFlags(Ctx().get(), lf, &flags).ok());
  for (const auto& f : flags.flags()) {
    EXPECT_NE(f.kind(), v1::FLAG_KIND_RECURRENT);
    EXPECT_NE(f.kind(), v1::FLAG_KIND_EXACERBATION);
  }
  // Amending the code to the same tissue makes it a recurrence, flagged.
  v1::UpdateComplaintRequest up;
  up.mutable_complaint()->set_id(related.id());
  up.mutable_complaint()->set_osiics_code("TMW");
  up.mutable_update_mask()->add_paths("osiics_code");
  v1::UpdateComplaintResponse up_resp;
  ASSERT_TRUE(complaints_->UpdateComplaint(Ctx().get(), up, &up_resp).ok());
  EXPECT_EQ(up_resp.complaint().subsequent_kind(), v1::SUBSEQUENT_KIND_RECURRENCE);
  ASSERT_TRUE(flags_->ListFlags(Ctx().get(), lf, &flags).ok());
  int recurrent = 0;
  for (const auto& f : flags.flags()) recurrent += f.kind() == v1::FLAG_KIND_RECURRENT ? 1 : 0;
  EXPECT_EQ(recurrent, 1);
  // The first complaint is new; a coach never sees the classification (clinical).
  v1::GetComplaintRequest get;
  get.set_id(first.id());
  v1::GetComplaintResponse got;
  ASSERT_TRUE(complaints_->GetComplaint(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.complaint().subsequent_kind(), v1::SUBSEQUENT_KIND_NEW);
}

TEST_F(OutcomeApiTest, BamicGradeOnAcuteComplaintsOnlyAmendedWithHistory) {
  const int64_t player = MakePlayer(squad_, "Player S");
  v1::CreateComplaintRequest req;
  auto* c = req.mutable_complaint();
  c->set_player_id(player);
  c->set_side(v1::SIDE_RIGHT);
  *c->mutable_onset_time() = Ts(Start() - Days(3));
  c->set_onset_kind(v1::ONSET_KIND_GRADUAL);
  c->mutable_bamic()->set_grade(2);
  c->mutable_bamic()->set_site(v1::BAMIC_SITE_B);
  v1::CreateComplaintResponse resp;
  auto st = complaints_->CreateComplaint(Ctx().get(), req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ::testing::ElementsAre("complaint.bamic"));
  c->set_onset_kind(v1::ONSET_KIND_ACUTE);
  c->mutable_bamic()->set_grade(5);
  st = complaints_->CreateComplaint(Ctx().get(), req, &resp);
  EXPECT_THAT(ViolatedFields(st), ::testing::ElementsAre("complaint.bamic.grade"));
  c->mutable_bamic()->set_grade(0);
  c->mutable_bamic()->set_site(v1::BAMIC_SITE_C);
  st = complaints_->CreateComplaint(Ctx().get(), req, &resp);
  EXPECT_THAT(ViolatedFields(st), ::testing::ElementsAre("complaint.bamic.site"));
  // Nothing was stored by the refused requests.
  v1::ListComplaintsRequest lc;
  lc.set_player_id(player);
  v1::ListComplaintsResponse listed;
  ASSERT_TRUE(complaints_->ListComplaints(Ctx().get(), lc, &listed).ok());
  EXPECT_EQ(listed.complaints_size(), 0);

  c->mutable_bamic()->set_grade(2);
  c->mutable_bamic()->set_site(v1::BAMIC_SITE_B);
  ASSERT_TRUE(complaints_->CreateComplaint(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.complaint().bamic().grade(), 2);
  EXPECT_EQ(resp.complaint().bamic().site(), v1::BAMIC_SITE_B);
  const int64_t id = resp.complaint().id();

  // Amended to 3c by another physio, with a reason: the history keeps who, when and the old value.
  v1::UpdateComplaintRequest up;
  up.mutable_complaint()->set_id(id);
  up.mutable_complaint()->mutable_bamic()->set_grade(3);
  up.mutable_complaint()->mutable_bamic()->set_site(v1::BAMIC_SITE_C);
  up.mutable_update_mask()->add_paths("bamic");
  up.set_reason("MRI report");
  v1::UpdateComplaintResponse up_resp;
  ASSERT_TRUE(complaints_->UpdateComplaint(Ctx("physio.ben").get(), up, &up_resp).ok());
  EXPECT_EQ(up_resp.complaint().bamic().grade(), 3);
  v1::ListAmendmentsRequest la;
  la.set_complaint_id(id);
  v1::ListAmendmentsResponse history;
  ASSERT_TRUE(complaints_->ListAmendments(Ctx().get(), la, &history).ok());
  ASSERT_EQ(history.amendments_size(), 2);
  const auto& amend = history.amendments(1);
  EXPECT_EQ(amend.amended_by(), "physio.ben");
  EXPECT_EQ(amend.reason(), "MRI report");
  ASSERT_EQ(amend.changes_size(), 1);
  EXPECT_EQ(amend.changes(0).field(), "bamic");
  EXPECT_EQ(amend.changes(0).old_value(), "2b");
  EXPECT_EQ(amend.changes(0).new_value(), "3c");

  // A graded complaint cannot become gradual; nothing changes.
  v1::UpdateComplaintRequest gradual;
  gradual.mutable_complaint()->set_id(id);
  gradual.mutable_complaint()->set_onset_kind(v1::ONSET_KIND_GRADUAL);
  gradual.mutable_update_mask()->add_paths("onset_kind");
  st = complaints_->UpdateComplaint(Ctx().get(), gradual, &up_resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ::testing::ElementsAre("complaint.bamic"));
  ASSERT_TRUE(complaints_->ListAmendments(Ctx().get(), la, &history).ok());
  EXPECT_EQ(history.amendments_size(), 2);

  // Clearing it (mask names bamic, value unset) is an amendment too.
  v1::UpdateComplaintRequest clear;
  clear.mutable_complaint()->set_id(id);
  clear.mutable_update_mask()->add_paths("bamic");
  ASSERT_TRUE(complaints_->UpdateComplaint(Ctx().get(), clear, &up_resp).ok());
  EXPECT_FALSE(up_resp.complaint().has_bamic());
}

}  // namespace
}  // namespace touchline::testing
