#include "server/storage/record_changes.h"

namespace touchline::storage {

const std::vector<TableOwnership>& AllTableOwnership() {
  static const std::vector<TableOwnership> kRules = {
      {"squads", RowOwner::kEveryPlayer},
      {"players", RowOwner::kEveryPlayer},  // names, order and membership of every board
      {"sessions", RowOwner::kEveryPlayer},
      // Written only together with its sessions row (reported, every player).
      {"session_participations", RowOwner::kUnreported},
      {"contact_events", RowOwner::kPlayer, "SELECT player_id FROM contact_events WHERE id = ?"},
      {"complaints", RowOwner::kPlayer, "SELECT player_id FROM complaints WHERE id = ?"},
      {"check_ins", RowOwner::kPlayer,
       "SELECT c.player_id FROM check_ins k JOIN complaints c ON c.id = k.complaint_id"
       " WHERE k.id = ?"},
      {"amendments", RowOwner::kPlayer,
       "SELECT c.player_id FROM amendments a JOIN complaints c ON c.id = a.complaint_id"
       " WHERE a.id = ?"},
      // Written only together with its amendments row (reported, same player).
      {"amendment_changes", RowOwner::kUnreported},
      {"readiness_overrides", RowOwner::kPlayer,
       "SELECT player_id FROM readiness_overrides WHERE id = ?"},
      {"protocol_assignments", RowOwner::kPlayer,
       "SELECT player_id FROM protocol_assignments WHERE id = ?"},
      {"protocol_prescriptions", RowOwner::kPlayer,
       "SELECT a.player_id FROM protocol_prescriptions p"
       " JOIN protocol_assignments a ON a.id = p.assignment_id WHERE p.id = ?"},
      {"protocol_adherence", RowOwner::kPlayer,
       "SELECT a.player_id FROM protocol_adherence d"
       " JOIN protocol_prescriptions p ON p.id = d.prescription_id"
       " JOIN protocol_assignments a ON a.id = p.assignment_id WHERE d.id = ?"},
      {"flag_changes", RowOwner::kPlayer, "SELECT player_id FROM flag_changes WHERE sequence = ?"},
      // Flags held and their acknowledgements: derived from the records; no cached answer reads
      // them (the readiness board evaluates flags from the records themselves).
      {"flag_states", RowOwner::kUnreported},
      {"access_tokens", RowOwner::kNone},
      {"audit_events", RowOwner::kNone},
      {"audit_event_players", RowOwner::kNone},
      {"store_identity", RowOwner::kNone},
      // A request's first answer, kept for retries; the records it wrote are reported themselves.
      {"request_results", RowOwner::kUnreported},
      {"sqlite_sequence", RowOwner::kNone},
      {"assessments", RowOwner::kPlayer, "SELECT player_id FROM assessments WHERE id = ?"},
      // Written only together with its assessments row (reported, same player).
      {"assessment_sides", RowOwner::kUnreported},
      // Return to play: the stages reached drive readiness; every part is the plan's player's.
      {"return_to_play_plans", RowOwner::kPlayer,
       "SELECT player_id FROM return_to_play_plans WHERE id = ?"},
      {"return_to_play_planned_dates", RowOwner::kPlayer,
       "SELECT p.player_id FROM return_to_play_planned_dates d"
       " JOIN return_to_play_plans p ON p.id = d.plan_id WHERE d.id = ?"},
      {"return_to_play_criteria", RowOwner::kPlayer,
       "SELECT p.player_id FROM return_to_play_criteria c"
       " JOIN return_to_play_plans p ON p.id = c.plan_id WHERE c.id = ?"},
      {"return_to_play_marks", RowOwner::kPlayer,
       "SELECT p.player_id FROM return_to_play_marks m"
       " JOIN return_to_play_criteria c ON c.id = m.criterion_id"
       " JOIN return_to_play_plans p ON p.id = c.plan_id WHERE m.id = ?"},
      {"return_to_play_stages", RowOwner::kPlayer,
       "SELECT p.player_id FROM return_to_play_stages s"
       " JOIN return_to_play_plans p ON p.id = s.plan_id WHERE s.id = ?"},
  };
  return kRules;
}

std::optional<TableOwnership> OwnershipOfTable(std::string_view table) {
  for (const TableOwnership& rule : AllTableOwnership()) {
    if (rule.table == table) return rule;
  }
  return std::nullopt;
}

}  // namespace touchline::storage
