// The two worlds Pinhole's engines run in, behind one interface, so a test
// can run the same exchange in both (STYLE.md rule 9):
//
// - `Simulated`: `sim::BehindNat` without a NAT: client 203.0.113.10, server
//   198.51.100.1 and 198.51.100.2, 15 ms apart.
// - `Real`: one `net::real::RealNetwork` on this machine's loopback: client
//   127.0.0.1, server 127.0.0.1 and 127.0.0.2. Ports are always chosen by
//   the system; every run is bounded by a deadline.
//
// Test-only.
#ifndef PINHOLE_CONFORMANCE_BACKENDS_H_
#define PINHOLE_CONFORMANCE_BACKENDS_H_

#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "net/ip_address.h"
#include "net/network.h"
#include "net/time.h"

namespace pinhole::conformance {

class Backend {
 public:
  virtual ~Backend() = default;

  virtual net::Network& client() = 0;
  virtual net::Network& server() = 0;
  virtual net::IpAddress client_ip() const = 0;
  virtual net::IpAddress server_ip() const = 0;
  virtual net::IpAddress server_alternate_ip() const = 0;

  // Runs the world until `done()` or `limit` passes on its clock; returns
  // done().
  virtual bool RunUntil(absl::FunctionRef<bool()> done,
                        net::Duration limit) = 0;
};

enum class BackendKind { kSimulated, kReal };

std::string BackendName(BackendKind kind);
absl::StatusOr<std::unique_ptr<Backend>> MakeBackend(BackendKind kind);

}  // namespace pinhole::conformance

#endif  // PINHOLE_CONFORMANCE_BACKENDS_H_
