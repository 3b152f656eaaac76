// What the ready-made networks of sim/testing share while they wire hosts,
// links, NATs and routers together: /32 routes, links with a latency, and
// early returns on the first error. Test-only.
#ifndef PINHOLE_SIM_TESTING_TOPOLOGY_BUILDING_H_
#define PINHOLE_SIM_TESTING_TOPOLOGY_BUILDING_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/time.h"
#include "sim/link.h"
#include "sim/simulator.h"

namespace pinhole::sim::testing {

// The route to one host.
inline net::IpPrefix Host32(const net::IpAddress& ip) {
  return *net::IpPrefix::Create(ip, 32);
}

// A lossless link with a fixed latency both ways.
inline absl::StatusOr<std::unique_ptr<Link>> MakeLink(Simulator& sim,
                                                      absl::string_view name,
                                                      net::Duration latency) {
  LinkConfig config;
  config.latency = latency;
  return Link::Create(sim, std::string(name), config);
}

}  // namespace pinhole::sim::testing

// Evaluates `expr` (an absl::Status) and returns it when it is an error.
#define PINHOLE_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    if (absl::Status s_ = (expr); !s_.ok()) return s_; \
  } while (false)

// Evaluates `expr` (an absl::StatusOr); returns its error, or moves its value
// into `lhs`.
#define PINHOLE_ASSIGN_OR_RETURN(lhs, expr) \
  do {                                      \
    auto v_ = (expr);                       \
    if (!v_.ok()) return v_.status();       \
    lhs = *std::move(v_);                   \
  } while (false)

#endif  // PINHOLE_SIM_TESTING_TOPOLOGY_BUILDING_H_
