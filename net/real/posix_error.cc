#include "net/real/posix_error.h"

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace pinhole::net::real {

absl::StatusCode PosixErrorCode(int error_number) {
  switch (error_number) {
    case EADDRINUSE:
      return absl::StatusCode::kAlreadyExists;
    case EADDRNOTAVAIL:
    case EINVAL:
    case EAFNOSUPPORT:
    case EMSGSIZE:
    case EDESTADDRREQ:
      return absl::StatusCode::kInvalidArgument;
    case EAGAIN:
    case ENOBUFS:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
      return absl::StatusCode::kResourceExhausted;
    case ECONNREFUSED:
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
    case ENOTCONN:
      return absl::StatusCode::kUnavailable;
    case ETIMEDOUT:
      return absl::StatusCode::kDeadlineExceeded;
    case EACCES:
    case EPERM:
      return absl::StatusCode::kPermissionDenied;
    default:
      return absl::ErrnoToStatusCode(error_number);
  }
}

absl::Status PosixError(int error_number, absl::string_view what) {
  char buffer[128];
  // The GNU strerror_r: returns the text, in `buffer` or a static string.
  const char* text = strerror_r(error_number, buffer, sizeof(buffer));
  const char* name = strerrorname_np(error_number);
  return absl::Status(
      PosixErrorCode(error_number),
      absl::StrCat(what, ": ", text, " (", name != nullptr ? name : "errno ",
                   name != nullptr ? "" : absl::StrCat(error_number), ")"));
}

}  // namespace pinhole::net::real
