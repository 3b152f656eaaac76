// `PosixError`: an `absl::Status` for a failed system call, with a status code
// chosen the way the simulator reports the same fault, so code written against
// `net/` sees one vocabulary on both backends:
//
//   EADDRINUSE                                 AlreadyExists ("port in use")
//   EADDRNOTAVAIL, EINVAL, EAFNOSUPPORT,
//   EMSGSIZE, EDESTADDRREQ                     InvalidArgument
//   EAGAIN, ENOBUFS, ENOMEM, EMFILE, ENFILE    ResourceExhausted
//   ECONNREFUSED, ECONNRESET, EPIPE,
//   ECONNABORTED, ENETUNREACH, EHOSTUNREACH,
//   ENETDOWN, EHOSTDOWN, ENOTCONN              Unavailable
//   ETIMEDOUT                                  DeadlineExceeded
//   EACCES, EPERM                              PermissionDenied
//   anything else                              absl::ErrnoToStatusCode's choice
//
// The message is "`what`: strerror text (errno NAME)".
#ifndef PINHOLE_NET_REAL_POSIX_ERROR_H_
#define PINHOLE_NET_REAL_POSIX_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pinhole::net::real {

absl::StatusCode PosixErrorCode(int error_number);
absl::Status PosixError(int error_number, absl::string_view what);

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_POSIX_ERROR_H_
