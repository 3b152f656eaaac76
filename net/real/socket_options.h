// Setting the boolean socket options this package uses (SO_REUSEADDR,
// IPV6_V6ONLY, TCP_NODELAY, IP_PKTINFO, ...).
#ifndef PINHOLE_NET_REAL_SOCKET_OPTIONS_H_
#define PINHOLE_NET_REAL_SOCKET_OPTIONS_H_

#include "absl/status/status.h"

namespace pinhole::net::real {

// setsockopt(fd, level, name, 1); the error names the option as `what`.
absl::Status EnableSocketOption(int fd, int level, int name, const char* what);

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_SOCKET_OPTIONS_H_
