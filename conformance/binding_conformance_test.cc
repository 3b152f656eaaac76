// STUN Binding exchanges, run unchanged through the simulator and through
// real sockets on loopback (STYLE.md rule 9): the same engines (StunClient,
// BindingServer, NatProbe) and the same driver must give the same results in
// both worlds.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "conformance/backends.h"
#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_driver.h"
#include "stun/attributes.h"
#include "stun/client.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/probe/nat_probe.h"
#include "stun/probe/nat_probe_result.h"
#include "stun/server/binding_service.h"
#include "stun/stream_driver.h"

namespace pinhole::conformance {
namespace {

using net::Duration;
using net::TransportAddress;

constexpr Duration kLimit = Duration::Seconds(10);

TransportAddress Udp(const net::IpAddress& ip, uint16_t port) {
  return TransportAddress(ip, port, net::TransportProtocol::kUdp);
}

class BindingConformanceTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Backend>> backend = MakeBackend(GetParam());
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = *std::move(backend);
  }
  void TearDown() override {
    // Sockets and timers go before the networks that made them.
    client_driver_.reset();
    client_.reset();
    service_.reset();
    backend_.reset();
  }

  void StartServer(
      bool rfc5780,
      std::vector<std::pair<std::string, std::string>> users = {}) {
    stun::BindingServerConfig config;
    config.primary = Udp(backend_->server_ip(), 0);
    if (rfc5780) {
      config.alternate_ip = backend_->server_alternate_ip();
      config.alternate_port = 0;
    }
    config.short_term_users = std::move(users);
    absl::StatusOr<std::unique_ptr<stun::BindingService>> service =
        stun::BindingService::Start(backend_->server(), config);
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = *std::move(service);
  }

  // One request from a fresh client socket; its outcome.
  stun::StunClient::Event Exchange(stun::StunClient::Request request) {
    client_ = std::make_unique<stun::StunClient>(backend_->client().random());
    std::optional<stun::StunClient::Event> outcome;
    client_driver_ = std::make_unique<net::UdpDriver<stun::StunClient>>(
        backend_->client(), *client_,
        [&outcome](stun::StunClient::Event event) {
          outcome = std::move(event);
        });
    absl::StatusOr<TransportAddress> local =
        client_driver_->Bind(Udp(backend_->client_ip(), 0));
    EXPECT_TRUE(local.ok()) << local.status();
    client_local_ = local.value_or(TransportAddress());
    request.local = client_local_;
    request.server = service_->addresses().front();
    EXPECT_TRUE(
        client_->Start(backend_->client().clock().Now(), std::move(request))
            .ok());
    client_driver_->Flush();
    EXPECT_TRUE(backend_->RunUntil([&] { return outcome.has_value(); }, kLimit))
        << "no outcome within " << kLimit;
    return outcome.value_or(stun::StunClient::Event{});
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<stun::BindingService> service_;
  std::unique_ptr<stun::StunClient> client_;
  std::unique_ptr<net::UdpDriver<stun::StunClient>> client_driver_;
  TransportAddress client_local_;
};

TEST_P(BindingConformanceTest, BindingReturnsTheSourceAddress) {
  StartServer(/*rfc5780=*/false);
  const stun::StunClient::Event event = Exchange({});
  ASSERT_TRUE(event.status.ok()) << event.status;
  const stun::MessageView response = event.response->view();
  EXPECT_EQ(response.Get<stun::XorMappedAddress>()->address, client_local_);
  EXPECT_EQ(response.Get<stun::MappedAddress>()->address, client_local_);
  EXPECT_EQ(response.Get<stun::Software>()->value, "Pinhole");
  EXPECT_TRUE(stun::VerifyFingerprint(response).ok());
  EXPECT_EQ(event.response->source, service_->addresses().front());
  EXPECT_EQ(event.response->destination, client_local_);
  EXPECT_EQ(service_->server().stats().successes, 1u);
}

TEST_P(BindingConformanceTest, ChangeRequestIsAnsweredFromTheOtherAddress) {
  StartServer(/*rfc5780=*/true);
  stun::StunClient::Request request;
  request.add_attributes = [](stun::MessageBuilder& builder) {
    builder.Add(stun::ChangeRequest{true, true});
  };
  const stun::StunClient::Event event = Exchange(std::move(request));
  ASSERT_TRUE(event.status.ok()) << event.status;
  const TransportAddress other = service_->addresses().back();  // A.ip:A.port
  EXPECT_EQ(other.ip(), backend_->server_alternate_ip());
  EXPECT_EQ(event.response->source, other);
  const stun::MessageView response = event.response->view();
  EXPECT_EQ(response.Get<stun::ResponseOrigin>()->address, other);
  EXPECT_EQ(response.Get<stun::XorMappedAddress>()->address, client_local_);
}

TEST_P(BindingConformanceTest, UnknownComprehensionRequiredAttributeGets420) {
  StartServer(/*rfc5780=*/false);
  stun::StunClient::Request request;
  request.add_attributes = [](stun::MessageBuilder& builder) {
    const uint8_t value[4] = {1, 2, 3, 4};
    builder.AddRaw(0x7F01, value);
  };
  const stun::StunClient::Event event = Exchange(std::move(request));
  EXPECT_EQ(event.status.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(event.response.has_value());
  const stun::MessageView response = event.response->view();
  EXPECT_EQ(response.Get<stun::ErrorCode>()->code, 420);
  EXPECT_EQ(response.Get<stun::UnknownAttributes>()->types,
            std::vector<uint16_t>{0x7F01});
}

TEST_P(BindingConformanceTest, ShortTermCredentials) {
  StartServer(/*rfc5780=*/false, {{"alice", "wonderland"}});
  stun::StunClient::Request request;
  request.short_term = stun::ShortTermCredential{
      "alice", stun::IntegrityKey::ShortTerm("wonderland").value()};
  const stun::StunClient::Event good = Exchange(std::move(request));
  ASSERT_TRUE(good.status.ok()) << good.status;
  EXPECT_TRUE(stun::VerifyMessageIntegrity(
                  good.response->view(),
                  stun::IntegrityKey::ShortTerm("wonderland").value())
                  .ok());

  stun::StunClient::Request wrong;
  wrong.short_term = stun::ShortTermCredential{
      "alice", stun::IntegrityKey::ShortTerm("guess").value()};
  const stun::StunClient::Event bad = Exchange(std::move(wrong));
  ASSERT_TRUE(bad.response.has_value()) << bad.status;
  EXPECT_EQ(bad.response->view().Get<stun::ErrorCode>()->code, 401);
}

TEST_P(BindingConformanceTest, ProbeFindsNoNat) {
  StartServer(/*rfc5780=*/true);
  stun::NatProbeOptions options;
  options.server = service_->addresses().front();
  stun::NatProbe probe(backend_->client().random(), options);
  std::optional<stun::NatProbeResult> result;
  net::UdpDriver<stun::NatProbe> driver(backend_->client(), probe,
                                        [&result](stun::NatProbe::Event event) {
                                          if (event.result.has_value())
                                            result = *std::move(event.result);
                                        });
  std::vector<TransportAddress> sockets;
  for (int i = 0; i < probe.SocketCount(); ++i) {
    absl::StatusOr<TransportAddress> bound =
        driver.Bind(Udp(backend_->client_ip(), 0));
    ASSERT_TRUE(bound.ok()) << bound.status();
    sockets.push_back(*bound);
  }
  ASSERT_TRUE(probe.Start(backend_->client().clock().Now(), sockets).ok());
  driver.Flush();
  ASSERT_TRUE(backend_->RunUntil([&] { return result.has_value(); }, kLimit));
  EXPECT_EQ(result->error(), "");
  EXPECT_EQ(stun::Verdict(*result),
            "no NAT (endpoint-independent mapping and filtering)");
  EXPECT_EQ(result->mapped_address(), sockets.front().ToString());
  EXPECT_EQ(result->other_address(), service_->addresses().back().ToString());
}

// RFC 8489 §6.2.2: one request over a TCP connection, answered on it.
TEST_P(BindingConformanceTest, BindingOverTcp) {
  stun::BindingServerConfig config;
  config.primary =
      TransportAddress(backend_->server_ip(), 0, net::TransportProtocol::kTcp);
  absl::StatusOr<std::unique_ptr<stun::BindingService>> service =
      stun::BindingService::Start(backend_->server(), config);
  ASSERT_TRUE(service.ok()) << service.status();
  service_ = *std::move(service);
  EXPECT_EQ(service_->addresses().front().protocol(),
            net::TransportProtocol::kTcp);

  stun::StunClient client(backend_->client().random());
  std::optional<stun::StunClient::Event> outcome;
  stun::StreamDriver<stun::StunClient> driver(
      backend_->client(), client, [&outcome](stun::StunClient::Event event) {
        outcome = std::move(event);
      });
  stun::StunClient::Request request;
  request.local =
      TransportAddress(backend_->client_ip(), 0, net::TransportProtocol::kTcp);
  request.server = service_->addresses().front();
  ASSERT_TRUE(
      client.Start(backend_->client().clock().Now(), std::move(request)).ok());
  driver.Flush();
  ASSERT_TRUE(backend_->RunUntil([&] { return outcome.has_value(); }, kLimit));
  ASSERT_TRUE(outcome->status.ok()) << outcome->status;
  EXPECT_EQ(outcome->response->source, service_->addresses().front());
  // The server saw the connection's local address, as the client did.
  const TransportAddress mapped =
      outcome->response->view().Get<stun::XorMappedAddress>()->address;
  EXPECT_EQ(mapped.ip(), outcome->response->destination.ip());
  EXPECT_EQ(mapped.port(), outcome->response->destination.port());
  EXPECT_NE(mapped.port(), 0);
  EXPECT_EQ(service_->server().stats().successes, 1u);
  EXPECT_EQ(driver.send_failures(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, BindingConformanceTest,
                         ::testing::Values(BackendKind::kSimulated,
                                           BackendKind::kReal),
                         [](const auto& info) {
                           return BackendName(info.param);
                         });

}  // namespace
}  // namespace pinhole::conformance
