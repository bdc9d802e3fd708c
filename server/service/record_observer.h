// Told after every committed write that can change a player's flags (complaints, check-ins,
// resolutions, contact events), so flags are re-evaluated without anyone asking.
#pragma once

#include "server/domain/model.h"

namespace touchline::service {

class PlayerRecordObserver {
 public:
  virtual ~PlayerRecordObserver() = default;
  // Called after the write committed, on the writing thread; must return quickly (no I/O).
  virtual void PlayerRecordChanged(domain::Id player_id) = 0;
};

}  // namespace touchline::service
