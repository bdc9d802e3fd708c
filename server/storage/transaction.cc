#include "server/storage/transaction.h"

#include "absl/strings/str_cat.h"

namespace touchline::storage {

absl::Status StatusFromStoreError(const StoreError& error) {
  if (error.kind() == StoreErrorKind::kMisuse) {
    return absl::InternalError(absl::StrCat("storage error: ", error.what()));
  }
  const std::string detail =
      error.backend_detail().empty()
          ? std::string(error.what())
          : absl::StrCat(error.what(), " (", error.backend_detail(), ")");
  switch (error.kind()) {
    case StoreErrorKind::kDiskFull:
      return absl::ResourceExhaustedError(absl::StrCat("database or disk is full: ", detail));
    case StoreErrorKind::kOutOfMemory:
      return absl::ResourceExhaustedError(absl::StrCat("out of memory: ", detail));
    case StoreErrorKind::kBusy:
      return absl::UnavailableError(
          absl::StrCat("database is locked by another connection: ", detail));
    case StoreErrorKind::kReadOnly:
      return absl::UnavailableError(absl::StrCat("database is read-only: ", detail));
    case StoreErrorKind::kIo:
      return absl::UnavailableError(absl::StrCat(kIoErrorPrefix, detail));
    case StoreErrorKind::kConnectionLost:
      return absl::UnavailableError(absl::StrCat("database connection lost: ", detail));
    case StoreErrorKind::kCannotOpen:
      return absl::UnavailableError(absl::StrCat("cannot open the database file: ", detail));
    case StoreErrorKind::kUniqueViolation:
    case StoreErrorKind::kPrimaryKeyViolation:
      return absl::AlreadyExistsError(absl::StrCat("record already exists: ", detail));
    case StoreErrorKind::kForeignKeyViolation:
      return absl::FailedPreconditionError(
          absl::StrCat("referenced record does not exist: ", detail));
    case StoreErrorKind::kRefusedByTrigger:
      return absl::FailedPreconditionError(absl::StrCat("refused by the database: ", detail));
    case StoreErrorKind::kConstraintViolation:
      return absl::InternalError(absl::StrCat("constraint violated: ", detail));
    case StoreErrorKind::kCorrupt:
      return absl::InternalError(absl::StrCat("database file is damaged: ", detail));
    case StoreErrorKind::kMisuse:
    case StoreErrorKind::kOther:
      break;
  }
  return absl::InternalError(absl::StrCat("database error: ", detail));
}

absl::Status StatusFromStorageException(const std::exception& error) {
  if (const auto* e = dynamic_cast<const StoreError*>(&error)) return StatusFromStoreError(*e);
  return absl::InternalError(absl::StrCat("storage error: ", error.what()));
}

}  // namespace touchline::storage
