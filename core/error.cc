#include "core/error.h"

namespace accrochd {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConfig:
      return "configuration";
    case ErrorKind::kUsage:
      return "usage";
    case ErrorKind::kSourceUnavailable:
      return "source unavailable";
    case ErrorKind::kSourceQuery:
      return "source query";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kInvalidData:
      return "invalid data";
    case ErrorKind::kIo:
      return "i/o";
    case ErrorKind::kCancelled:
      return "cancelled";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "unknown";
}

Error Error::WithContext(std::string_view context) const {
  std::string message(context);
  message += ": ";
  message += message_;
  return Error(kind_, std::move(message));
}

}  // namespace accrochd
