// `StunClient` through the simulator: a Binding request to a server that
// never answers is sent at exactly the RFC 8489 §6.2.1 instants (arriving
// 15 ms later, the path's latency) and fails at exactly 39.5 s; a server that
// answers only the fourth send ends the transaction at that answer.
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_driver.h"
#include "net/udp_socket.h"
#include "sim/testing/behind_nat.h"
#include "stun/attributes.h"
#include "stun/client.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/stream_driver.h"

namespace pinhole::stun {
namespace {

using net::Duration;
using net::Time;
using net::TransportAddress;

class ClientSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<sim::BehindNat>> network =
        sim::BehindNat::Create();
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = *std::move(network);
    server_address_ = TransportAddress(sim::BehindNat::ServerIp(), 3478,
                                       net::TransportProtocol::kUdp);
    absl::StatusOr<std::unique_ptr<net::UdpSocket>> socket =
        network_->server().BindUdp(server_address_,
                                   [this](const net::DatagramView& datagram) {
                                     OnServerDatagram(datagram);
                                   });
    ASSERT_TRUE(socket.ok()) << socket.status();
    server_socket_ = *std::move(socket);
    client_ = std::make_unique<StunClient>(network_->client().random());
    driver_ = std::make_unique<net::UdpDriver<StunClient>>(
        network_->client(), *client_, [this](StunClient::Event event) {
          outcome_ = std::move(event);
          outcome_at_ = Now();
        });
    absl::StatusOr<TransportAddress> local = driver_->Bind(TransportAddress(
        network_->client_ip(), 0, net::TransportProtocol::kUdp));
    ASSERT_TRUE(local.ok()) << local.status();
    local_ = *local;
  }

  void TearDown() override {
    driver_.reset();
    server_socket_.reset();
  }

  Time Now() { return network_->sim().Now(); }

  // Records each request's arrival; answers the `answer_send`-th (1-based).
  void OnServerDatagram(const net::DatagramView& datagram) {
    arrivals_.push_back(Now());
    if (static_cast<int>(arrivals_.size()) != answer_send_) return;
    absl::StatusOr<MessageView> request = MessageView::Parse(datagram.payload);
    ASSERT_TRUE(request.ok());
    const std::vector<uint8_t> response =
        MessageBuilder({Method::kBinding, MessageClass::kSuccessResponse},
                       request->transaction_id())
            .Add(XorMappedAddress{datagram.source})
            .Finish()
            .value();
    ASSERT_TRUE(server_socket_->SendTo(datagram.source, response).ok());
  }

  void StartBinding() {
    StunClient::Request request;
    request.local = local_;
    request.server = server_address_;
    start_ = Now();
    ASSERT_TRUE(client_->Start(start_, std::move(request)).ok());
    driver_->Flush();
  }

  std::vector<int64_t> ArrivalMicroseconds() const {
    std::vector<int64_t> out;
    for (const Time at : arrivals_)
      out.push_back((at - start_).ToMicroseconds());
    return out;
  }

  std::unique_ptr<sim::BehindNat> network_;
  TransportAddress server_address_, local_;
  std::unique_ptr<net::UdpSocket> server_socket_;
  std::unique_ptr<StunClient> client_;
  std::unique_ptr<net::UdpDriver<StunClient>> driver_;
  std::vector<Time> arrivals_;
  int answer_send_ = 0;  // Never.
  Time start_;
  std::optional<StunClient::Event> outcome_;
  Time outcome_at_;
};

TEST_F(ClientSimTest, RetransmitsOnScheduleThenTimesOut) {
  StartBinding();
  ASSERT_TRUE(network_->sim().RunUntil([&] { return outcome_.has_value(); },
                                       start_ + Duration::Seconds(60)));
  // Sent at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s; each arrives 15 ms later.
  EXPECT_EQ(ArrivalMicroseconds(),
            (std::vector<int64_t>{15'000, 515'000, 1'515'000, 3'515'000,
                                  7'515'000, 15'515'000, 31'515'000}));
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(outcome_at_ - start_, Duration::Milliseconds(39'500));
}

TEST_F(ClientSimTest, AnswerToARetransmissionEndsTheTransaction) {
  answer_send_ = 4;
  StartBinding();
  ASSERT_TRUE(network_->sim().RunUntil([&] { return outcome_.has_value(); },
                                       start_ + Duration::Seconds(60)));
  ASSERT_TRUE(outcome_->status.ok()) << outcome_->status;
  // The fourth send left at 3.5 s; its answer is back one round trip later.
  EXPECT_EQ(outcome_at_ - start_, Duration::Milliseconds(3'530));
  EXPECT_EQ(outcome_->response->view().Get<XorMappedAddress>()->address,
            local_);
  network_->sim().RunFor(Duration::Seconds(60));
  EXPECT_EQ(arrivals_.size(), 4u);  // No send after the answer.
}

// RFC 8489 §6.2.2: over TCP the request goes once, on a connection the
// driver opens, and the transaction fails Ti = 39.5 s after it started when
// the server accepts the connection but never answers.
TEST(ClientSimTcpTest, OneSendThenTimeoutAfterTi) {
  absl::StatusOr<std::unique_ptr<sim::BehindNat>> network =
      sim::BehindNat::Create();
  ASSERT_TRUE(network.ok()) << network.status();
  const TransportAddress server(sim::BehindNat::ServerIp(), 3478,
                                net::TransportProtocol::kTcp);
  std::vector<std::unique_ptr<net::TcpStream>> accepted;
  size_t bytes_received = 0;
  absl::StatusOr<std::unique_ptr<net::TcpListener>> listener =
      (*network)->server().ListenTcp(
          server, [&](std::unique_ptr<net::TcpStream> stream) {
            stream->SetCallbacks({{},
                                  [&](absl::Span<const uint8_t> data) {
                                    bytes_received += data.size();
                                  },
                                  {}});
            accepted.push_back(std::move(stream));
          });
  ASSERT_TRUE(listener.ok()) << listener.status();

  StunClient client((*network)->client().random());
  std::optional<StunClient::Event> outcome;
  Time outcome_at;
  StreamDriver<StunClient> driver((*network)->client(), client,
                                  [&](StunClient::Event event) {
                                    outcome = std::move(event);
                                    outcome_at = (*network)->sim().Now();
                                  });
  StunClient::Request request;
  request.local = TransportAddress((*network)->client_ip(), 0,
                                   net::TransportProtocol::kTcp);
  request.server = server;
  const Time start = (*network)->sim().Now();
  ASSERT_TRUE(client.Start(start, std::move(request)).ok());
  driver.Flush();
  ASSERT_TRUE((*network)->sim().RunUntil([&] { return outcome.has_value(); },
                                         start + Duration::Seconds(60)));
  EXPECT_EQ(outcome->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(outcome->status.message(),
            "no response from 198.51.100.1:3478/tcp to 1 request");
  EXPECT_EQ(outcome_at - start, Duration::Milliseconds(39'500));
  EXPECT_EQ(accepted.size(), 1u);
  EXPECT_EQ(bytes_received, 20u + 8u);  // Header and FINGERPRINT, sent once.
  EXPECT_EQ(driver.connections(), 1u);
}

}  // namespace
}  // namespace pinhole::stun
