// `StreamDriver` serving a Binding server over simulated TCP: requests
// pipelined on one connection are all answered on it, in order; a stream that
// loses its framing is closed.
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/testing/behind_nat.h"
#include "stun/channel_data.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/server/binding_service.h"

namespace pinhole::stun {
namespace {

using net::Duration;
using net::TransportAddress;

class StreamDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<sim::BehindNat>> network =
        sim::BehindNat::Create();
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = *std::move(network);
    BindingServerConfig config;
    config.primary = TransportAddress(sim::BehindNat::ServerIp(), 3478,
                                      net::TransportProtocol::kTcp);
    absl::StatusOr<std::unique_ptr<BindingService>> service =
        BindingService::Start(network_->server(), config);
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = *std::move(service);
    absl::StatusOr<std::unique_ptr<net::TcpStream>> stream =
        network_->client().ConnectTcp(
            TransportAddress(network_->client_ip(), 0,
                             net::TransportProtocol::kTcp),
            config.primary,
            {[this] { connected_ = true; },
             [this](absl::Span<const uint8_t> data) {
               ASSERT_EQ(framer_.Append(data), data.size());
               while (true) {
                 absl::StatusOr<std::optional<Frame>> frame = framer_.Next();
                 if (!frame.ok() || !frame->has_value()) break;
                 absl::StatusOr<MessageView> message =
                     MessageView::Parse((*frame)->bytes);
                 ASSERT_TRUE(message.ok());
                 answered_.push_back(message->transaction_id());
               }
             },
             [this](const absl::Status& status) { closed_ = status; }});
    ASSERT_TRUE(stream.ok()) << stream.status();
    stream_ = *std::move(stream);
  }

  void TearDown() override {
    stream_.reset();
    service_.reset();
  }

  static std::vector<uint8_t> Request(uint8_t id) {
    TransactionId transaction{};
    transaction[0] = id;
    return MessageBuilder({Method::kBinding, MessageClass::kRequest},
                          transaction)
        .Finish()
        .value();
  }

  void Run() { network_->sim().RunFor(Duration::Seconds(2)); }

  std::unique_ptr<sim::BehindNat> network_;
  std::unique_ptr<BindingService> service_;
  std::unique_ptr<net::TcpStream> stream_;
  StreamFramer framer_;
  bool connected_ = false;
  std::optional<absl::Status> closed_;
  std::vector<TransactionId> answered_;
};

TEST_F(StreamDriverTest, PipelinedRequestsAreAnsweredInOrder) {
  std::vector<uint8_t> bytes = Request(1);
  for (uint8_t id = 2; id <= 3; ++id) {
    const std::vector<uint8_t> more = Request(id);
    bytes.insert(bytes.end(), more.begin(), more.end());
  }
  ASSERT_TRUE(stream_->Write(bytes).ok());
  Run();
  ASSERT_TRUE(connected_);
  ASSERT_EQ(answered_.size(), 3u);
  EXPECT_EQ(answered_[0][0], 1);
  EXPECT_EQ(answered_[1][0], 2);
  EXPECT_EQ(answered_[2][0], 3);
  EXPECT_FALSE(closed_.has_value());
  EXPECT_EQ(service_->server().stats().successes, 3u);
}

TEST_F(StreamDriverTest, BrokenFramingClosesTheConnection) {
  std::vector<uint8_t> bytes = Request(1);
  bytes.push_back(0xFF);  // Neither STUN (0-3) nor ChannelData (0x40-0x4F).
  bytes.resize(bytes.size() + 3, 0);
  ASSERT_TRUE(stream_->Write(bytes).ok());
  Run();
  EXPECT_EQ(answered_.size(), 1u);  // What came before still counts.
  ASSERT_TRUE(closed_.has_value());
  EXPECT_TRUE(closed_->ok()) << *closed_;  // An orderly close (FIN).
}

// RFC 8489 §6.2.2: a connection that stays silent is closed by the server,
// BindingService::kTcpIdleTimeout after its last traffic.
TEST_F(StreamDriverTest, SilentConnectionIsClosedAfterTheIdleTimeout) {
  const net::Time start = network_->sim().Now();
  ASSERT_TRUE(stream_->Write(Request(1)).ok());
  network_->sim().RunFor(Duration::Seconds(1));
  ASSERT_EQ(answered_.size(), 1u);
  // The request arrived, and was answered, 15 ms after the handshake (which
  // took 30 ms): the last traffic was at 45 ms.
  const net::Duration last = Duration::Milliseconds(45);
  network_->sim().RunUntil([&] { return closed_.has_value(); },
                           start + last + BindingService::kTcpIdleTimeout);
  EXPECT_FALSE(closed_.has_value());
  // The FIN takes 15 ms to arrive.
  network_->sim().RunUntil([&] { return closed_.has_value(); },
                           start + last + BindingService::kTcpIdleTimeout +
                               Duration::Milliseconds(16));
  ASSERT_TRUE(closed_.has_value());
  EXPECT_TRUE(closed_->ok()) << *closed_;
}

}  // namespace
}  // namespace pinhole::stun
