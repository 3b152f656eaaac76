// The TURN messages of `TurnClient`: what an Allocate success may hold, Data
// indications, and failures put into words.
#include "turn/client_messages.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/client.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"

namespace pinhole::turn {
namespace {

const stun::TransactionId kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

net::TransportAddress Addr(const char* text) {
  return *net::TransportAddress::Parse(text);
}

class Message {
 public:
  explicit Message(stun::MessageType type) : builder_(type, kId) {}
  stun::MessageBuilder& builder() { return builder_; }
  stun::MessageView view() {
    bytes_ = *builder_.Finish();
    return *stun::MessageView::Parse(bytes_);
  }

 private:
  stun::MessageBuilder builder_;
  std::vector<uint8_t> bytes_;
};

Message SuccessMessage() {
  return Message(
      {stun::Method::kAllocate, stun::MessageClass::kSuccessResponse});
}

TEST(ParseAllocateSuccessTest, ReadsEverything) {
  Message message = SuccessMessage();
  message.builder()
      .Add(stun::XorRelayedAddress{Addr("198.51.100.1:49152")})
      .Add(stun::XorRelayedAddress{Addr("[2001:db8::1]:49153")})
      .Add(stun::Lifetime{1200})
      .Add(stun::ReservationToken{0xAABBCCDD00112233})
      .Add(stun::XorMappedAddress{Addr("203.0.113.9:6000")});
  absl::StatusOr<AllocateSuccess> success =
      ParseAllocateSuccess(message.view(), net::TransportProtocol::kTls);
  ASSERT_TRUE(success.ok()) << success.status();
  EXPECT_EQ(success->relayed,
            (std::vector<net::TransportAddress>{Addr("198.51.100.1:49152"),
                                                Addr("[2001:db8::1]:49153")}));
  EXPECT_EQ(success->mapped, Addr("203.0.113.9:6000/tls"));
  EXPECT_EQ(success->lifetime, net::Duration::Seconds(1200));
  EXPECT_EQ(success->reservation_token, 0xAABBCCDD00112233u);
}

TEST(ParseAllocateSuccessTest, RefusesWhatCannotBeAnAllocation) {
  const auto error = [](Message message) {
    return std::string(
        ParseAllocateSuccess(message.view(), net::TransportProtocol::kUdp)
            .status()
            .message());
  };
  EXPECT_EQ(error(SuccessMessage()), "no XOR-RELAYED-ADDRESS");
  Message same_family = SuccessMessage();
  same_family.builder()
      .Add(stun::XorRelayedAddress{Addr("198.51.100.1:49152")})
      .Add(stun::XorRelayedAddress{Addr("198.51.100.1:49153")});
  EXPECT_EQ(error(std::move(same_family)),
            "two IPv4 XOR-RELAYED-ADDRESS attributes in one allocation");
  Message three = SuccessMessage();
  three.builder()
      .Add(stun::XorRelayedAddress{Addr("198.51.100.1:49152")})
      .Add(stun::XorRelayedAddress{Addr("[2001:db8::1]:49153")})
      .Add(stun::XorRelayedAddress{Addr("[2001:db8::1]:49153")});
  EXPECT_FALSE(error(std::move(three)).empty());
  Message bad_lifetime = SuccessMessage();
  const uint8_t two_bytes[2] = {0, 1};
  bad_lifetime.builder()
      .Add(stun::XorRelayedAddress{Addr("198.51.100.1:49152")})
      .AddRaw(stun::attr::kLifetime, two_bytes);
  EXPECT_FALSE(error(std::move(bad_lifetime)).empty());
}

TEST(ParseLifetimeTest, DefaultWhenAbsentAndCapped) {
  Message none = SuccessMessage();
  EXPECT_EQ(*ParseLifetime(none.view()), kDefaultAllocationLifetime);
  Message huge = SuccessMessage();
  huge.builder().Add(stun::Lifetime{0xFFFFFFFF});
  EXPECT_EQ(*ParseLifetime(huge.view()), kMaxTrackedLifetime);
}

TEST(DataIndicationTest, NeedsPeerAndDataButNotIcmp) {
  const std::vector<uint8_t> data = {7, 7, 7};
  Message good({stun::Method::kData, stun::MessageClass::kIndication});
  good.builder()
      .Add(stun::XorPeerAddress{Addr("192.0.2.77:7000")})
      .Add(stun::Data{data});
  absl::StatusOr<DataIndication> indication = ParseDataIndication(good.view());
  ASSERT_TRUE(indication.ok());
  EXPECT_EQ(indication->peer, Addr("192.0.2.77:7000"));
  EXPECT_EQ(
      std::vector<uint8_t>(indication->data.begin(), indication->data.end()),
      data);
  Message no_peer({stun::Method::kData, stun::MessageClass::kIndication});
  no_peer.builder().Add(stun::Data{data});
  EXPECT_FALSE(ParseDataIndication(no_peer.view()).ok());
  Message icmp({stun::Method::kData, stun::MessageClass::kIndication});
  icmp.builder()
      .Add(stun::XorPeerAddress{Addr("192.0.2.77:7000")})
      .Add(stun::Icmp{3, 4, 1400});
  EXPECT_FALSE(ParseDataIndication(icmp.view()).ok());
}

TEST(SendIndicationTest, CarriesPeerDataAndDontFragment) {
  const std::vector<uint8_t> data = {1, 2, 3};
  const std::vector<uint8_t> bytes =
      *BuildSendIndication(kId, Addr("192.0.2.77:7000"), data, true);
  const stun::MessageView view = *stun::MessageView::Parse(bytes);
  EXPECT_EQ(view.method(), stun::Method::kSend);
  EXPECT_EQ(view.message_class(), stun::MessageClass::kIndication);
  EXPECT_EQ(view.Get<stun::XorPeerAddress>()->address, Addr("192.0.2.77:7000"));
  EXPECT_TRUE(view.Has(stun::attr::kDontFragment));
  EXPECT_FALSE(view.Has(stun::attr::kFingerprint));
}

TEST(DescribeFailureTest, ErrorResponsesTimeoutsAndMissingReasons) {
  Message error({stun::Method::kAllocate, stun::MessageClass::kErrorResponse});
  error.builder().Add(stun::ErrorCode{508, ""});
  const stun::MessageView view = error.view();
  stun::StunClient::Event event;
  event.status = absl::FailedPreconditionError("STUN error 508");
  event.response = stun::StunClient::Response{
      {}, {}, std::vector<uint8_t>(view.bytes().begin(), view.bytes().end())};
  const net::TransportAddress server = Addr("198.51.100.1:3478");
  EXPECT_EQ(ErrorCodeOf(event), 508);
  EXPECT_EQ(DescribeFailure("allocate failed", event, server).message(),
            "allocate failed: 508 Insufficient Capacity from "
            "198.51.100.1:3478/udp");
  stun::StunClient::Event timeout;
  timeout.status = absl::DeadlineExceededError("no response");
  EXPECT_EQ(ErrorCodeOf(timeout), 0);
  const absl::Status status =
      DescribeFailure("refresh failed", timeout, server);
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(status.message(), "refresh failed: no response");
}

}  // namespace
}  // namespace pinhole::turn
