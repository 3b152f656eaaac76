// BindingServer with RFC 5780 behaviour discovery: the address a response is
// sent from (CHANGE-REQUEST), where it goes (RESPONSE-PORT), RESPONSE-ORIGIN,
// OTHER-ADDRESS and PADDING.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/transport_address.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"
#include "stun/server/binding_server.h"
#include "stun/server/binding_server_testing.h"

namespace pinhole::stun {
namespace {

using ::pinhole::stun::testing::Addr;
using ::pinhole::stun::testing::Bytes;
using ::pinhole::stun::testing::Client;
using ::pinhole::stun::testing::Deliver;
using ::pinhole::stun::testing::Exchange;
using ::pinhole::stun::testing::Ip;
using ::pinhole::stun::testing::MakeServer;
using ::pinhole::stun::testing::Primary;
using ::pinhole::stun::testing::Request;
using ::pinhole::stun::testing::Rfc5780Config;
using ::testing::ElementsAre;
using Kind = BindingServer::Event::Kind;

// The four served addresses, by index (bit 1: alternate IP, bit 0: port).
const net::TransportAddress kServed[4] = {
    Addr("192.0.2.1:3478"), Addr("192.0.2.1:3479"), Addr("192.0.2.2:3478"),
    Addr("192.0.2.2:3479")};

int ErrorCodeOf(const MessageView& message) {
  absl::StatusOr<ErrorCode> error = message.Get<ErrorCode>();
  return error.ok() ? error->code : -1;
}

TEST(BindingServerRfc5780Test, ServesFourAddressesInOrder) {
  BindingServer server = MakeServer(Rfc5780Config());
  EXPECT_THAT(server.LocalAddresses(),
              ElementsAre(kServed[0], kServed[1], kServed[2], kServed[3]));
}

struct ChangeCase {
  int arrival;  // Index of the address the request arrives on.
  bool change_ip;
  bool change_port;
  int expected_from;
};

std::string CaseName(const ::testing::TestParamInfo<ChangeCase>& info) {
  const ChangeCase& c = info.param;
  return "Arrival" + std::to_string(c.arrival) +
         (c.change_ip ? "ChangeIp" : "") + (c.change_port ? "ChangePort" : "") +
         (!c.change_ip && !c.change_port ? "NoChange" : "");
}

class ChangeRequestTest : public ::testing::TestWithParam<ChangeCase> {};

// RFC 5780 §6.1, Table 1, from each of the four arrival addresses.
TEST_P(ChangeRequestTest, AnswersFromTheChangedAddress) {
  const ChangeCase& c = GetParam();
  BindingServer server = MakeServer(Rfc5780Config());
  MessageBuilder request = Request();
  request.Add(ChangeRequest{c.change_ip, c.change_port});
  const Exchange exchange =
      Deliver(server, Bytes(request), Client(), kServed[c.arrival]);

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_EQ(exchange.response().source, kServed[c.expected_from]);
  EXPECT_EQ(exchange.response().destination, Client());
  const MessageView response = exchange.message();
  EXPECT_EQ(response.Get<ResponseOrigin>()->address, kServed[c.expected_from]);
  // OTHER-ADDRESS is Ca:Cp of the arrival address, whatever the flags.
  EXPECT_EQ(response.Get<OtherAddress>()->address, kServed[c.arrival ^ 3]);
  EXPECT_EQ(response.Get<XorMappedAddress>()->address, Client());
  EXPECT_EQ(response.Get<MappedAddress>()->address, Client());
  EXPECT_EQ(exchange.event().response_source, kServed[c.expected_from]);
}

std::vector<ChangeCase> AllChangeCases() {
  std::vector<ChangeCase> cases;
  for (int arrival = 0; arrival < 4; ++arrival) {
    for (int flags = 0; flags < 4; ++flags) {
      const bool change_ip = (flags & 2) != 0;
      const bool change_port = (flags & 1) != 0;
      cases.push_back({arrival, change_ip, change_port,
                       arrival ^ (change_ip ? 2 : 0) ^ (change_port ? 1 : 0)});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllArrivalsAndFlags, ChangeRequestTest,
                         ::testing::ValuesIn(AllChangeCases()), CaseName);

TEST(BindingServerRfc5780Test, SpotChecksTable1) {
  // Written out, so the table above is not only checked against itself.
  EXPECT_EQ(AllChangeCases()[0 * 4 + 3].expected_from, 3);  // A1:P1 both.
  EXPECT_EQ(AllChangeCases()[1 * 4 + 2].expected_from, 3);  // A1:P2 IP.
  EXPECT_EQ(AllChangeCases()[2 * 4 + 1].expected_from, 3);  // A2:P1 port.
  EXPECT_EQ(AllChangeCases()[3 * 4 + 3].expected_from, 0);  // A2:P2 both.
}

TEST(BindingServerRfc5780Test, PlainRequestStillGetsOriginAndOtherAddress) {
  BindingServer server = MakeServer(Rfc5780Config());
  MessageBuilder request = Request();
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const MessageView response = exchange.message();
  EXPECT_EQ(response.Get<ResponseOrigin>()->address, kServed[0]);
  EXPECT_EQ(response.Get<OtherAddress>()->address, kServed[3]);
}

TEST(BindingServerRfc5780Test, ResponsePortRedirectsToTheSourceIp) {
  BindingServer server = MakeServer(Rfc5780Config());
  MessageBuilder request = Request();
  request.Add(ResponsePort{5555}).Add(ChangeRequest{true, true});
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_EQ(exchange.response().destination,
            net::TransportAddress(Client().ip(), 5555));
  EXPECT_EQ(exchange.response().source, kServed[3]);
  // XOR-MAPPED-ADDRESS is still the request's source (RFC 5780 §4.6).
  EXPECT_EQ(exchange.message().Get<XorMappedAddress>()->address, Client());
  EXPECT_EQ(exchange.event().response_destination,
            net::TransportAddress(Client().ip(), 5555));
}

TEST(BindingServerRfc5780Test, ResponsePortWithPaddingGets400AtTheSource) {
  BindingServer server = MakeServer(Rfc5780Config());
  MessageBuilder request = Request();
  request.Add(ResponsePort{5555}).Add(Padding{100});
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_EQ(exchange.response().destination, Client());
  EXPECT_EQ(exchange.response().source, Primary());
  EXPECT_EQ(ErrorCodeOf(exchange.message()), error::kBadRequest);
  EXPECT_FALSE(exchange.message().Has(attr::kPadding));
}

TEST(BindingServerRfc5780Test, BadResponsePortOrChangeRequestGets400) {
  BindingServer server = MakeServer(Rfc5780Config());
  MessageBuilder zero_port = Request();
  zero_port.Add(ResponsePort{0});
  MessageBuilder short_port = Request();
  const uint8_t three[3] = {0x13, 0x88, 0};
  short_port.AddRaw(attr::kResponsePort, three);
  MessageBuilder short_change = Request();
  short_change.AddRaw(attr::kChangeRequest, three);
  for (MessageBuilder* request : {&zero_port, &short_port, &short_change}) {
    const Exchange exchange = Deliver(server, Bytes(*request));
    ASSERT_EQ(exchange.transmits.size(), 1u);
    EXPECT_EQ(exchange.response().destination, Client());
    EXPECT_EQ(ErrorCodeOf(exchange.message()), error::kBadRequest);
  }
}

TEST(BindingServerRfc5780Test, NeverSendsToItsOwnAddress) {
  BindingServer server = MakeServer(Rfc5780Config());
  MessageBuilder request = Request();
  request.Add(ResponsePort{3479});
  // A client on the server's own IP asks for the response at 192.0.2.1:3479.
  const Exchange exchange =
      Deliver(server, Bytes(request), Addr("192.0.2.1:6000"));
  EXPECT_TRUE(exchange.transmits.empty());
  EXPECT_EQ(exchange.event().kind, Kind::kDropped);
}

TEST(BindingServerRfc5780Test, PaddingIsEchoedAtTheRequestsLength) {
  BindingServer server = MakeServer(Rfc5780Config());
  MessageBuilder request = Request();
  request.Add(Padding{1401}).AddFingerprint();
  const std::vector<uint8_t> bytes = Bytes(request);
  const Exchange exchange = Deliver(server, bytes);

  ASSERT_EQ(exchange.transmits.size(), 1u);
  const MessageView response = exchange.message();
  ASSERT_TRUE(response.Has(attr::kPadding));
  EXPECT_EQ(response.Find(attr::kPadding)->size(), 1404u);
  EXPECT_GE(exchange.response().payload.size(), bytes.size());
  EXPECT_TRUE(VerifyFingerprint(response).ok());
}

TEST(BindingServerRfc5780Test, PaddingKeepsTheResponseWithinOneUdpDatagram) {
  BindingServer server = MakeServer(Rfc5780Config());
  MessageBuilder request = Request();
  request.Add(Padding{65400});
  const Exchange exchange = Deliver(server, Bytes(request));

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_LE(exchange.response().payload.size(), 65507u);
  EXPECT_GT(exchange.message().Find(attr::kPadding)->size(), 64000u);
}

TEST(BindingServerRfc5780Test, DropsDatagramsForOtherAddresses) {
  BindingServer server = MakeServer(Rfc5780Config());
  MessageBuilder request = Request();
  const Exchange exchange =
      Deliver(server, Bytes(request), Client(), Addr("192.0.2.3:3478"));
  EXPECT_TRUE(exchange.transmits.empty());
  EXPECT_EQ(exchange.event().kind, Kind::kDropped);
}

TEST(BindingServerRfc5780Test, WorksOverIpv6) {
  BindingServerConfig config;
  config.primary = Addr("[2001:db8::1]:3478");
  config.alternate_ip = Ip("2001:db8::2");
  config.alternate_port = 3479;
  BindingServer server = MakeServer(config);
  const net::TransportAddress client = Addr("[2001:db8:9::5]:40000");
  MessageBuilder request = Request();
  request.Add(ChangeRequest{true, false});
  const Exchange exchange =
      Deliver(server, Bytes(request), client, config.primary);

  ASSERT_EQ(exchange.transmits.size(), 1u);
  EXPECT_EQ(exchange.response().source, Addr("[2001:db8::2]:3478"));
  EXPECT_EQ(exchange.message().Get<OtherAddress>()->address,
            Addr("[2001:db8::2]:3479"));
  EXPECT_EQ(exchange.message().Get<XorMappedAddress>()->address, client);
}

}  // namespace
}  // namespace pinhole::stun
