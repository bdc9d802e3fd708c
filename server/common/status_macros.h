// Abseil 20220623 ships no status macros; these two are all the project uses.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TL_STATUS_CONCAT_INNER(a, b) a##b
#define TL_STATUS_CONCAT(a, b) TL_STATUS_CONCAT_INNER(a, b)

#define TL_RETURN_IF_ERROR(expr)              \
  do {                                        \
    const absl::Status tl_status_ = (expr);   \
    if (!tl_status_.ok()) return tl_status_;  \
  } while (0)

#define TL_ASSIGN_OR_RETURN(lhs, expr) \
  TL_ASSIGN_OR_RETURN_IMPL(TL_STATUS_CONCAT(tl_statusor_, __LINE__), lhs, expr)

#define TL_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                             \
  if (!statusor.ok()) return statusor.status();       \
  lhs = std::move(statusor).value()
