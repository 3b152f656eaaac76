#include "net/real/socket_address.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "net/real/posix_error.h"
#include "net/transport_address.h"

namespace pinhole::net::real {

SocketAddress SocketAddress::From(const TransportAddress& address) {
  SocketAddress result;
  const absl::Span<const uint8_t> bytes = address.ip().bytes();
  if (address.ip().is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&result.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(address.port());
    std::memcpy(&in->sin_addr, bytes.data(), bytes.size());
    result.size = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&result.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(address.port());
    std::memcpy(&in6->sin6_addr, bytes.data(), bytes.size());
    result.size = sizeof(sockaddr_in6);
  }
  return result;
}

int SocketDomain(AddressFamily family) {
  return family == AddressFamily::kIpv4 ? AF_INET : AF_INET6;
}

std::optional<TransportAddress> ToTransportAddress(const sockaddr* address,
                                                   socklen_t size,
                                                   TransportProtocol protocol) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET && size >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof(in));
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &in.sin_addr, bytes.size());
    return TransportAddress(IpAddress::FromV4Bytes(bytes), ntohs(in.sin_port),
                            protocol);
  }
  if (address->sa_family == AF_INET6 && size >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof(in6));
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    return TransportAddress(IpAddress::FromV6Bytes(bytes), ntohs(in6.sin6_port),
                            protocol);
  }
  return std::nullopt;
}

namespace {

using NameCall = int (*)(int, sockaddr*, socklen_t*);

absl::StatusOr<TransportAddress> AddressOf(int fd, TransportProtocol protocol,
                                           NameCall call, const char* name) {
  SocketAddress address;
  if (call(fd, address.get(), &address.size) != 0) {
    return PosixError(errno, absl::StrCat(name, " of socket ", fd));
  }
  std::optional<TransportAddress> result =
      ToTransportAddress(address.get(), address.size, protocol);
  if (!result.has_value()) {
    return absl::InternalError(absl::StrCat(name, " of socket ", fd,
                                            " is not an IPv4 or IPv6 address"));
  }
  return *result;
}

}  // namespace

absl::StatusOr<TransportAddress> LocalAddressOf(int fd,
                                                TransportProtocol protocol) {
  return AddressOf(fd, protocol, ::getsockname, "getsockname");
}

absl::StatusOr<TransportAddress> PeerAddressOf(int fd,
                                               TransportProtocol protocol) {
  return AddressOf(fd, protocol, ::getpeername, "getpeername");
}

}  // namespace pinhole::net::real
