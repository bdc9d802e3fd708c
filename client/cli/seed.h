// "touchline seed": a deterministic synthetic squad, a season of contact events and complaints.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "touchline/v1/assessment.pb.h"
#include "touchline/v1/complaint.pb.h"
#include "touchline/v1/contact_event.pb.h"
#include "touchline/v1/exposure.pb.h"
#include "touchline/v1/return_to_play.pb.h"
#include "touchline/v1/squad.pb.h"

namespace touchline::cli {

struct SeedOptions {
  int players = 50;
  uint64_t seed = 42;
  absl::Time now;
  std::string squad_name = "First XV";
};

struct SeedPlayer {
  std::string name;
  touchline::v1::PositionGroup group = touchline::v1::POSITION_GROUP_UNSPECIFIED;
  std::string position;
  std::string external_id;  // "seed42-p007"
};

struct SeedEvent {
  int player = 0;                     // index into SeedPlan::players
  touchline::v1::ContactEvent event;  // player_id left 0; filled in when sent
};

struct SeedComplaint {
  int player = 0;
  std::string scenario;                  // e.g. "persistent", "early-recurrence (index)"
  touchline::v1::Complaint complaint;    // player_id left 0
  std::vector<touchline::v1::CheckIn> check_ins;
  std::optional<absl::Time> resolve_time;
  std::string resolve_reason;
};

// A match or training session for exposure (ExposureService.RecordSession).
struct SeedSession {
  touchline::v1::Session session;  // squad_id and participations' player_id left 0
  std::vector<int> players;        // index into SeedPlan::players, one per participation
};

// An objective assessment (AssessmentService.CreateAssessment), issue 19.
struct SeedAssessment {
  int player = 0;                        // index into SeedPlan::players
  int complaint = -1;                    // index into SeedPlan::complaints it belongs to; -1: none
  std::string scenario;                  // e.g. "pre-season Nordic baseline"
  touchline::v1::Assessment assessment;  // player_id and complaint_id left 0
};

// A return-to-play plan (ReturnToPlayService.CreateReturnToPlayPlan), issue 19 item 5.
struct SeedReturnToPlay {
  int complaint = 0;                                     // index into SeedPlan::complaints
  touchline::v1::CreateReturnToPlayPlanRequest request;  // complaint_id left 0
};

struct SeedPlan {
  std::string squad_name;
  std::string external_id_prefix;  // "seed42-"
  std::vector<SeedPlayer> players;
  // Season events, sent through one ImportContactEvents stream.
  std::vector<SeedEvent> events;
  // Events recorded one by one with CreateContactEvent (the awkward lineout landing).
  std::vector<SeedEvent> explicit_events;
  // Events recorded one by one after the season's import, so the ids above stay as they were: the
  // awkward tackle whose pelvic screen is overdue (issue 19).
  std::vector<SeedEvent> late_events;
  // In creation order; a recurrence's index complaint comes before the recurrence.
  std::vector<SeedComplaint> complaints;
  int matches = 0;
  int training_sessions = 0;
  // Exposure: every match and training day (Mon-Fri training, Saturday matches) with minutes and,
  // for training, contact drill minutes. Drawn from a generator of its own, so the events and
  // complaints above are the same with or without it.
  std::vector<SeedSession> sessions;
  // Objective assessments, oldest first: a pre-season Nordic baseline for everyone, then the tests
  // of the scenario players (drawn from a generator of their own, like the sessions).
  std::vector<SeedAssessment> assessments;
  // Return-to-play plans, made after the assessments.
  std::vector<SeedReturnToPlay> return_to_play;
};

// Builds the plan; the same options always give the same plan. players must be >= 12.
SeedPlan BuildSeedPlan(const SeedOptions& options);

}  // namespace touchline::cli
