#include "net/real/socket_options.h"

#include <sys/socket.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "net/real/posix_error.h"

namespace pinhole::net::real {

absl::Status EnableSocketOption(int fd, int level, int name, const char* what) {
  const int on = 1;
  if (setsockopt(fd, level, name, &on, sizeof(on)) != 0) {
    return PosixError(errno, absl::StrCat("setsockopt(", what, ")"));
  }
  return absl::OkStatus();
}

}  // namespace pinhole::net::real
