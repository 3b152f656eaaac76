// Addresses written in tests: parsed from text, aborting on a typo (a test
// address must parse; a failure here is a bug in the test, not a result).
// Test-only.
#ifndef PINHOLE_NET_TESTING_ADDRESSES_H_
#define PINHOLE_NET_TESTING_ADDRESSES_H_

#include <cstdlib>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"
#include "net/transport_address.h"

namespace pinhole::net::testing {

inline TransportAddress Addr(absl::string_view text) {
  absl::StatusOr<TransportAddress> address = TransportAddress::Parse(text);
  if (!address.ok()) std::abort();
  return *address;
}

inline IpAddress Ip(absl::string_view text) {
  absl::StatusOr<IpAddress> ip = IpAddress::Parse(text);
  if (!ip.ok()) std::abort();
  return *ip;
}

}  // namespace pinhole::net::testing

#endif  // PINHOLE_NET_TESTING_ADDRESSES_H_
