#include "net/real/local_addresses.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "net/ip_address.h"
#include "net/real/posix_error.h"
#include "net/real/socket_address.h"
#include "net/transport_address.h"

namespace pinhole::net::real {
namespace {

// The index of the interface named `name`; an IPv4 alias label ("eth0:1")
// counts as its interface.
unsigned InterfaceIndex(const char* name) {
  if (const unsigned index = if_nametoindex(name); index != 0) return index;
  std::string base(name);
  base = base.substr(0, base.find(':'));
  return if_nametoindex(base.c_str());
}

std::optional<IpAddress> AddressOf(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  const socklen_t size = address->sa_family == AF_INET ? sizeof(sockaddr_in)
                                                       : sizeof(sockaddr_in6);
  const std::optional<TransportAddress> transport =
      ToTransportAddress(address, size, TransportProtocol::kUdp);
  if (!transport.has_value()) return std::nullopt;
  return transport->ip();
}

}  // namespace

absl::StatusOr<std::vector<IpAddress>> ListLocalAddresses() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return PosixError(errno, "getifaddrs");
  // (interface index, address): IpAddress orders IPv4 before IPv6.
  std::vector<std::tuple<unsigned, IpAddress>> found;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if ((i->ifa_flags & IFF_UP) == 0) continue;
    const std::optional<IpAddress> address = AddressOf(i->ifa_addr);
    if (!address.has_value()) continue;
    if (address->is_v6() && address->IsLinkLocal()) continue;
    found.emplace_back(InterfaceIndex(i->ifa_name), *address);
  }
  freeifaddrs(list);
  std::sort(found.begin(), found.end());
  std::vector<IpAddress> addresses;
  for (const auto& [index, address] : found) {
    if (std::find(addresses.begin(), addresses.end(), address) ==
        addresses.end()) {
      addresses.push_back(address);
    }
  }
  return addresses;
}

}  // namespace pinhole::net::real
