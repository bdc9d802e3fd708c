#include "server/access/minimiser.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

#include "google/protobuf/descriptor.h"
#include "touchline/v1/privacy.pb.h"
#include "server/domain/coach_wording.h"
#include "touchline/v1/readiness.pb.h"

namespace touchline::access {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using common::Role;

v1::Privacy PrivacyOf(const FieldDescriptor* field) {
  return field->options().GetExtension(v1::privacy);
}

bool Strips(common::Role role, v1::Privacy privacy) {
  switch (role) {
    case common::Role::kCoach:
      return privacy == v1::PRIVACY_CLINICAL || privacy == v1::PRIVACY_FREE_TEXT;
    case common::Role::kAnalyst:
      return privacy == v1::PRIVACY_FREE_TEXT || privacy == v1::PRIVACY_IDENTIFYING ||
             privacy == v1::PRIVACY_STAFF_TEXT;
    case common::Role::kNone:  // never reached: unauthenticated calls get no data at all
      return true;
    case common::Role::kAdmin:
    case common::Role::kPhysio:
      break;
  }
  return false;
}

// Coaches learn that a reason is medical, never which complaint or flag it is; of a return to
// play, the stage and what the player may do (domain::CoachReturnToPlayText), never the leg.
void ReduceReasonsForCoach(v1::PlayerReadiness& readiness) {
  bool medical = false;
  bool override_ = false;
  std::vector<v1::ReturnToPlayStage> stages;
  for (const v1::ReadinessReason& r : readiness.reasons()) {
    if (r.code() == v1::READINESS_REASON_CODE_OVERRIDE) {
      override_ = true;
    } else if (r.code() == v1::READINESS_REASON_CODE_RETURN_TO_PLAY &&
               v1::ReturnToPlayStage_IsValid(r.return_to_play_stage()) &&
               r.return_to_play_stage() != v1::RETURN_TO_PLAY_STAGE_UNSPECIFIED) {
      stages.push_back(r.return_to_play_stage());
    } else if (r.code() != v1::READINESS_REASON_CODE_UNSPECIFIED) {
      medical = true;
    }
  }
  readiness.clear_reasons();
  if (override_) {
    auto* r = readiness.add_reasons();
    r->set_code(v1::READINESS_REASON_CODE_OVERRIDE);
    r->set_text("Availability set by the medical staff");
  }
  for (v1::ReturnToPlayStage stage : stages) {
    auto* r = readiness.add_reasons();
    r->set_code(v1::READINESS_REASON_CODE_RETURN_TO_PLAY);
    r->set_return_to_play_stage(stage);
    r->set_text(domain::CoachReturnToPlayText(static_cast<domain::ReturnToPlayStage>(stage)));
  }
  if (medical) {
    auto* r = readiness.add_reasons();
    r->set_code(v1::READINESS_REASON_CODE_MEDICAL);
    r->set_text("Medical reason (details with the medical staff)");
  }
}

}  // namespace

bool NeedsMinimising(common::Role role) { return role != common::Role::kAdmin && role != common::Role::kPhysio; }

void Minimise(Message& message, common::Role role, const Pseudonymizer& pseudonyms) {
  if (!NeedsMinimising(role)) return;
  const auto* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  // Unknown fields carry nothing a role may rely on, and could carry anything.
  reflection->MutableUnknownFields(&message)->Clear();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const v1::Privacy privacy = PrivacyOf(field);
    if (Strips(role, privacy)) {
      reflection->ClearField(&message, field);
      continue;
    }
    if (role == common::Role::kAnalyst && privacy == v1::PRIVACY_PLAYER_ID) {
      if (!field->is_repeated() && field->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
        const int64_t id = reflection->GetInt64(message, field);
        const FieldDescriptor* pseudonym = descriptor->FindFieldByName("player_pseudonym");
        if (id != 0 && pseudonym != nullptr &&
            pseudonym->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          reflection->SetString(&message, pseudonym, pseudonyms.Pseudonym(id));
        }
      }
      reflection->ClearField(&message, field);
      continue;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
        Minimise(*reflection->MutableRepeatedMessage(&message, field, j), role, pseudonyms);
      }
    } else if (reflection->HasField(message, field)) {
      Minimise(*reflection->MutableMessage(&message, field), role, pseudonyms);
    }
  }
  if (role == common::Role::kCoach) {
    if (auto* readiness = dynamic_cast<v1::PlayerReadiness*>(&message)) {
      ReduceReasonsForCoach(*readiness);
    }
  }
}

namespace {

// The fields of a message type worth visiting for player ids: the ids themselves and the message
// fields whose type can contain one (transitively). Worked out once per type, so a squad's board
// is walked without looking at every timestamp, reason and option of fifty players.
struct PlayerIdFields {
  std::vector<const FieldDescriptor*> ids;
  std::vector<const FieldDescriptor*> messages;
};

bool MayHoldPlayerId(const google::protobuf::Descriptor* type,
                     absl::flat_hash_map<const google::protobuf::Descriptor*, bool>& known) {
  if (auto it = known.find(type); it != known.end()) return it->second;
  known[type] = true;  // a type that contains itself: assume it may (never skips an id)
  bool may = false;
  for (int i = 0; i < type->field_count() && !may; ++i) {
    const FieldDescriptor* field = type->field(i);
    may = PrivacyOf(field) == v1::PRIVACY_PLAYER_ID ||
          (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
           MayHoldPlayerId(field->message_type(), known));
  }
  known[type] = may;
  return may;
}

const PlayerIdFields& PlayerIdFieldsOf(const google::protobuf::Descriptor* type) {
  // Each thread remembers the plans it has used, so the shared table is locked once per type and
  // thread, not once per message.
  thread_local absl::flat_hash_map<const google::protobuf::Descriptor*, const PlayerIdFields*> seen;
  if (auto it = seen.find(type); it != seen.end()) return *it->second;
  static absl::Mutex mutex;
  static auto* plans = new absl::flat_hash_map<const google::protobuf::Descriptor*,
                                               std::unique_ptr<PlayerIdFields>>();
  static auto* may_hold = new absl::flat_hash_map<const google::protobuf::Descriptor*, bool>();
  absl::MutexLock lock(&mutex);
  std::unique_ptr<PlayerIdFields>& plan = (*plans)[type];
  if (plan == nullptr) {
    plan = std::make_unique<PlayerIdFields>();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (PrivacyOf(field) == v1::PRIVACY_PLAYER_ID && !field->is_repeated() &&
          field->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
        plan->ids.push_back(field);
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                 MayHoldPlayerId(field->message_type(), *may_hold)) {
        plan->messages.push_back(field);
      }
    }
  }
  seen[type] = plan.get();
  return *plan;
}

}  // namespace

void CollectPlayerIds(const Message& message, std::set<int64_t>& out) {
  const PlayerIdFields& fields = PlayerIdFieldsOf(message.GetDescriptor());
  const Reflection* reflection = message.GetReflection();
  for (const FieldDescriptor* field : fields.ids) {
    const int64_t id = reflection->GetInt64(message, field);
    if (id != 0) out.insert(id);
  }
  for (const FieldDescriptor* field : fields.messages) {
    if (field->is_repeated()) {
      for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
        CollectPlayerIds(reflection->GetRepeatedMessage(message, field, j), out);
      }
    } else if (reflection->HasField(message, field)) {
      CollectPlayerIds(reflection->GetMessage(message, field), out);
    }
  }
}

int64_t SquadIdOf(const Message& request) {
  const FieldDescriptor* field = request.GetDescriptor()->FindFieldByName("squad_id");
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_INT64) {
    return 0;
  }
  return request.GetReflection()->GetInt64(request, field);
}

}  // namespace touchline::access
