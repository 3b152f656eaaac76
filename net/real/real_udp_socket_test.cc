// UDP over the real network, on loopback only (127.0.0.0/8 and ::1), ports
// always chosen by the system, every run bounded.
#include "net/real/real_udp_socket.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/real/real_network.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"

namespace pinhole::net::real {
namespace {

constexpr Duration kBound = Duration::Seconds(5);

struct Received {
  TransportAddress source;
  TransportAddress destination;
  std::string payload;
};

TransportAddress Udp(absl::string_view text) {
  absl::StatusOr<TransportAddress> address = TransportAddress::Parse(text);
  EXPECT_TRUE(address.ok()) << address.status();
  return *address;
}

absl::Span<const uint8_t> Bytes(absl::string_view text) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(text.data()),
                             text.size());
}

class UdpTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RealNetwork>> network =
        RealNetwork::Create();
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = *std::move(network);
  }

  // A socket that records what it receives.
  absl::StatusOr<std::unique_ptr<UdpSocket>> Bind(const TransportAddress& local,
                                                  std::vector<Received>& into) {
    return network_->BindUdp(local, [&into](const DatagramView& d) {
      into.push_back({d.source, d.destination,
                      std::string(d.payload.begin(), d.payload.end())});
    });
  }

  bool RunUntil(std::function<bool()> done) {
    return network_->RunUntil(done, network_->clock().Now() + kBound);
  }

  // Whether `address` can be bound here (::1 may be missing without IPv6).
  bool Bindable(absl::string_view address) {
    return network_->BindUdp(Udp(address), [](const DatagramView&) {}).ok();
  }

  std::unique_ptr<RealNetwork> network_;
};

void ExpectEcho(RealNetwork& network, absl::string_view host) {
  std::unique_ptr<UdpSocket> server;
  absl::StatusOr<std::unique_ptr<UdpSocket>> bound = network.BindUdp(
      Udp(absl::StrCat(host, ":0")), [&server](const DatagramView& d) {
        ASSERT_TRUE(server->SendTo(d.source, d.payload).ok());
      });
  ASSERT_TRUE(bound.ok()) << bound.status();
  server = *std::move(bound);
  std::vector<Received> replies;
  absl::StatusOr<std::unique_ptr<UdpSocket>> client = network.BindUdp(
      Udp(absl::StrCat(host, ":0")), [&](const DatagramView& d) {
        replies.push_back({d.source, d.destination,
                           std::string(d.payload.begin(), d.payload.end())});
      });
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_NE(server->local_address().port(), 0);
  EXPECT_NE((*client)->local_address().port(), 0);
  ASSERT_TRUE((*client)->SendTo(server->local_address(), Bytes("hello")).ok());
  ASSERT_TRUE(network.RunUntil([&] { return !replies.empty(); },
                               network.clock().Now() + kBound));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].source, server->local_address());
  EXPECT_EQ(replies[0].destination, (*client)->local_address());
  EXPECT_EQ(replies[0].payload, "hello");
}

TEST_F(UdpTest, EchoOverIpv4Loopback) { ExpectEcho(*network_, "127.0.0.1"); }

TEST_F(UdpTest, EchoOverIpv6Loopback) {
  if (!Bindable("[::1]:0")) GTEST_SKIP() << "no IPv6 loopback here";
  ExpectEcho(*network_, "[::1]");
}

TEST_F(UdpTest, AWildcardSocketReportsTheAddressEachDatagramWasSentTo) {
  std::vector<Received> received;
  absl::StatusOr<std::unique_ptr<UdpSocket>> server =
      Bind(Udp("0.0.0.0:0"), received);
  ASSERT_TRUE(server.ok()) << server.status();
  const uint16_t port = (*server)->local_address().port();
  EXPECT_EQ((*server)->local_address(), Udp(absl::StrCat("0.0.0.0:", port)));

  // The whole of 127.0.0.0/8 is local on Linux; 127.0.0.2 may still be
  // refused in an unusual sandbox.
  std::vector<std::string> hosts = {"127.0.0.1"};
  if (Bindable("127.0.0.2:0")) hosts.push_back("127.0.0.2");
  std::vector<std::unique_ptr<UdpSocket>> clients;
  std::vector<Received> ignored;
  for (const std::string& host : hosts) {
    absl::StatusOr<std::unique_ptr<UdpSocket>> client =
        Bind(Udp(absl::StrCat(host, ":0")), ignored);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE((*client)
                    ->SendTo(Udp(absl::StrCat(host, ":", port)), Bytes(host))
                    .ok());
    clients.push_back(*std::move(client));
  }
  ASSERT_TRUE(RunUntil([&] { return received.size() == hosts.size(); }));
  for (size_t i = 0; i < hosts.size(); ++i) {
    EXPECT_EQ(received[i].payload, hosts[i]);
    EXPECT_EQ(received[i].destination, Udp(absl::StrCat(hosts[i], ":", port)));
    EXPECT_EQ(received[i].source, clients[i]->local_address());
  }
}

TEST_F(UdpTest, AnIpv6WildcardSocketReportsTheIpv6Destination) {
  if (!Bindable("[::1]:0")) GTEST_SKIP() << "no IPv6 loopback here";
  std::vector<Received> received;
  absl::StatusOr<std::unique_ptr<UdpSocket>> server =
      Bind(Udp("[::]:0"), received);
  ASSERT_TRUE(server.ok()) << server.status();
  std::vector<Received> ignored;
  absl::StatusOr<std::unique_ptr<UdpSocket>> client =
      Bind(Udp("[::1]:0"), ignored);
  ASSERT_TRUE(client.ok()) << client.status();
  const TransportAddress to(IpAddress::V6Loopback(),
                            (*server)->local_address().port());
  ASSERT_TRUE((*client)->SendTo(to, Bytes("v6")).ok());
  ASSERT_TRUE(RunUntil([&] { return !received.empty(); }));
  EXPECT_EQ(received[0].destination, to);
}

TEST_F(UdpTest, APortInUseIsAlreadyExistsNamingTheAddress) {
  std::vector<Received> ignored;
  absl::StatusOr<std::unique_ptr<UdpSocket>> first =
      Bind(Udp("127.0.0.1:0"), ignored);
  ASSERT_TRUE(first.ok()) << first.status();
  const TransportAddress taken = (*first)->local_address();
  absl::StatusOr<std::unique_ptr<UdpSocket>> second = Bind(taken, ignored);
  ASSERT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists)
      << second.status();
  EXPECT_NE(second.status().message().find(taken.HostPort()), std::string::npos)
      << second.status();
}

TEST_F(UdpTest, BindRefusesOtherProtocolsAndForeignAddresses) {
  std::vector<Received> ignored;
  EXPECT_EQ(Bind(Udp("127.0.0.1:0/tcp"), ignored).status().code(),
            absl::StatusCode::kInvalidArgument);
  // TEST-NET-3 (RFC 5737): not an address of this host.
  EXPECT_EQ(Bind(Udp("203.0.113.77:0"), ignored).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(UdpTest, SendToRefusesWhatNoDatagramCanBe) {
  std::vector<Received> ignored;
  absl::StatusOr<std::unique_ptr<UdpSocket>> socket =
      Bind(Udp("127.0.0.1:0"), ignored);
  ASSERT_TRUE(socket.ok()) << socket.status();
  const std::vector<uint8_t> big(RealUdpSocket::kMaxV4Payload + 1);
  const absl::Status wrong_family =
      (*socket)->SendTo(Udp("[::1]:9"), Bytes("x"));
  EXPECT_EQ(wrong_family.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_family.message().find("[::1]:9"), std::string::npos)
      << wrong_family;
  EXPECT_NE(wrong_family.message().find((*socket)->local_address().HostPort()),
            std::string::npos)
      << wrong_family;
  EXPECT_EQ((*socket)->SendTo(Udp("127.0.0.1:0"), Bytes("x")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*socket)->SendTo(Udp("0.0.0.0:9"), Bytes("x")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*socket)->SendTo(Udp("127.0.0.1:9/tcp"), Bytes("x")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*socket)->SendTo(Udp("127.0.0.1:9"), big).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(UdpTest, TheLargestDatagramsArriveWhole) {
  std::vector<std::pair<std::string, size_t>> cases = {
      {"127.0.0.1", RealUdpSocket::kMaxV4Payload}};
  if (Bindable("[::1]:0")) {
    cases.push_back({"[::1]", RealUdpSocket::kMaxV6Payload});
  }
  for (const auto& [host, size] : cases) {
    std::vector<Received> received;
    absl::StatusOr<std::unique_ptr<UdpSocket>> socket =
        Bind(Udp(absl::StrCat(host, ":0")), received);
    ASSERT_TRUE(socket.ok()) << socket.status();
    std::vector<uint8_t> payload(size);
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<uint8_t>(i * 7);
    ASSERT_TRUE((*socket)->SendTo((*socket)->local_address(), payload).ok());
    std::vector<uint8_t> too_big(size + 1);
    EXPECT_EQ((*socket)->SendTo((*socket)->local_address(), too_big).code(),
              absl::StatusCode::kInvalidArgument);
    ASSERT_TRUE(RunUntil([&] { return !received.empty(); })) << host;
    EXPECT_EQ(received[0].payload, std::string(payload.begin(), payload.end()));
  }
}

TEST_F(UdpTest, DatagramsToAClosedPortLeaveTheSocketWorking) {
  std::vector<Received> ignored;
  absl::StatusOr<std::unique_ptr<UdpSocket>> gone =
      Bind(Udp("127.0.0.1:0"), ignored);
  ASSERT_TRUE(gone.ok()) << gone.status();
  const TransportAddress closed = (*gone)->local_address();
  gone->reset();
  std::vector<Received> received;
  absl::StatusOr<std::unique_ptr<UdpSocket>> socket =
      Bind(Udp("127.0.0.1:0"), received);
  ASSERT_TRUE(socket.ok()) << socket.status();
  // Each draws an ICMP port unreachable; none may break the socket.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE((*socket)->SendTo(closed, Bytes("x")).ok());
  }
  ASSERT_TRUE((*socket)->SendTo((*socket)->local_address(), Bytes("y")).ok());
  ASSERT_TRUE(RunUntil([&] { return !received.empty(); }));
  EXPECT_EQ(received[0].payload, "y");
}

TEST_F(UdpTest, ABusySocketCannotStarveAnother) {
  std::vector<Received> busy_received;
  absl::StatusOr<std::unique_ptr<UdpSocket>> busy =
      Bind(Udp("127.0.0.1:0"), busy_received);
  ASSERT_TRUE(busy.ok()) << busy.status();
  std::optional<size_t> busy_count_when_quiet_got_one;
  absl::StatusOr<std::unique_ptr<UdpSocket>> quiet =
      network_->BindUdp(Udp("127.0.0.1:0"), [&](const DatagramView&) {
        busy_count_when_quiet_got_one = busy_received.size();
      });
  ASSERT_TRUE(quiet.ok()) << quiet.status();
  // Both are readable before the loop runs; the busy one has a backlog.
  constexpr size_t kBacklog = 150;
  for (size_t i = 0; i < kBacklog; ++i) {
    ASSERT_TRUE((*busy)->SendTo((*busy)->local_address(), Bytes("b")).ok());
  }
  ASSERT_TRUE((*busy)->SendTo((*quiet)->local_address(), Bytes("q")).ok());
  ASSERT_TRUE(RunUntil([&] {
    return busy_count_when_quiet_got_one.has_value() &&
           busy_received.size() == kBacklog;
  }));
  EXPECT_LE(*busy_count_when_quiet_got_one,
            RealUdpSocket::kMaxDatagramsPerWakeup);
}

TEST_F(UdpTest, TheReceiveCallbackMayDestroyItsSocket) {
  std::unique_ptr<UdpSocket> socket;
  int calls = 0;
  absl::StatusOr<std::unique_ptr<UdpSocket>> bound = network_->BindUdp(
      Udp("127.0.0.1:0"),
      [&, keep = std::make_unique<int>(1)](const DatagramView&) {
        ++calls;
        socket.reset();
        EXPECT_EQ(*keep, 1);  // The callback's captures are still alive.
      });
  ASSERT_TRUE(bound.ok()) << bound.status();
  socket = *std::move(bound);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(socket->SendTo(socket->local_address(), Bytes("x")).ok());
  }
  ASSERT_TRUE(RunUntil([&] { return socket == nullptr; }));
  network_->RunUntil([] { return false; },
                     network_->clock().Now() + Duration::Milliseconds(20));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace pinhole::net::real
