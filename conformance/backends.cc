#include "conformance/backends.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "net/real/real_network.h"
#include "sim/testing/behind_nat.h"

namespace pinhole::conformance {
namespace {

class SimulatedBackend final : public Backend {
 public:
  explicit SimulatedBackend(std::unique_ptr<sim::BehindNat> network)
      : network_(std::move(network)) {}

  net::Network& client() override { return network_->client(); }
  net::Network& server() override { return network_->server(); }
  net::IpAddress client_ip() const override { return network_->client_ip(); }
  net::IpAddress server_ip() const override {
    return sim::BehindNat::ServerIp();
  }
  net::IpAddress server_alternate_ip() const override {
    return sim::BehindNat::ServerAlternateIp();
  }
  bool RunUntil(absl::FunctionRef<bool()> done, net::Duration limit) override {
    return network_->sim().RunUntil(done, network_->sim().Now() + limit);
  }

 private:
  std::unique_ptr<sim::BehindNat> network_;
};

class RealBackend final : public Backend {
 public:
  explicit RealBackend(std::unique_ptr<net::real::RealNetwork> network)
      : network_(std::move(network)) {}

  net::Network& client() override { return *network_; }
  net::Network& server() override { return *network_; }
  net::IpAddress client_ip() const override { return Loopback(1); }
  net::IpAddress server_ip() const override { return Loopback(1); }
  net::IpAddress server_alternate_ip() const override { return Loopback(2); }
  bool RunUntil(absl::FunctionRef<bool()> done, net::Duration limit) override {
    return network_->RunUntil(done, network_->clock().Now() + limit);
  }

 private:
  static net::IpAddress Loopback(int last) {
    return net::IpAddress::FromV4Bytes({127, 0, 0, static_cast<uint8_t>(last)});
  }

  std::unique_ptr<net::real::RealNetwork> network_;
};

}  // namespace

std::string BackendName(BackendKind kind) {
  return kind == BackendKind::kSimulated ? "Simulated" : "Real";
}

absl::StatusOr<std::unique_ptr<Backend>> MakeBackend(BackendKind kind) {
  if (kind == BackendKind::kSimulated) {
    absl::StatusOr<std::unique_ptr<sim::BehindNat>> network =
        sim::BehindNat::Create();
    if (!network.ok()) return network.status();
    return std::make_unique<SimulatedBackend>(*std::move(network));
  }
  absl::StatusOr<std::unique_ptr<net::real::RealNetwork>> network =
      net::real::RealNetwork::Create();
  if (!network.ok()) return network.status();
  return std::make_unique<RealBackend>(*std::move(network));
}

}  // namespace pinhole::conformance
