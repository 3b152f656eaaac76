// tshark reads the pcap files the simulator wrote during the NAT-chain STUN
// exchange (nat_chain.h): one captured on the client's interface, one on the
// server's link. Wireshark's dissectors must find well-formed IPv4/UDP with
// good checksums and decode the STUN Binding request and response in both,
// with the client's private addresses on one side and the CGN's translated
// ones on the other. Both files are kept in the test's outputs.
//
// Needs /usr/bin/tshark; fails (never skips) without it.
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/capture/pcap_capture.h"
#include "sim/integration/nat_chain.h"
#include "sim/integration/stun_endpoints.h"
#include "sim/link.h"
#include "sim/pcap/tshark.h"
#include "sim/simulator.h"
#include "stun/message.h"

namespace pinhole::sim {
namespace {

using Frames = std::vector<std::map<std::string, std::string>>;

const std::vector<std::string>& Fields() {
  static const auto* fields = new std::vector<std::string>{
      "frame.time_epoch",
      "ip.src",
      "ip.dst",
      "ip.ttl",
      "ip.checksum.status",
      "udp.srcport",
      "udp.dstport",
      "udp.checksum.status",
      "stun.type",
      "stun.id",
      "stun.att.type",
      "stun.att.software",
      "stun.att.ipv4",
      "stun.att.port",
      "stun.att.crc32.status",
      "_ws.malformed",
      "_ws.expert.severity",
      "_ws.expert.message",
  };
  return *fields;
}

std::string Hex(const stun::TransactionId& id) {
  std::string hex;
  for (uint8_t b : id) absl::StrAppend(&hex, absl::Hex(b, absl::kZeroPad2));
  return hex;
}

// What the exchange produced, for every test.
struct Outcome {
  std::string failure;  // Empty when all went well.
  stun::TransactionId id{};
  net::TransportAddress cgn_mapped;
  net::Time request_sent, request_at_server, response_sent, response_back;
  Frames client, server;
  std::string client_path, server_path;
};

Outcome RunAndDecode() {
  Outcome out;
  auto chain = NatChain::Create();
  if (!chain.ok()) return {.failure = chain.status().ToString()};
  out.client_path = pcap::TestOutputDir() + "/nat_chain_client.pcap";
  out.server_path = pcap::TestOutputDir() + "/nat_chain_server.pcap";
  auto client_capture = PcapCapture::OpenFile(out.client_path);
  auto server_capture = PcapCapture::OpenFile(out.server_path);
  if (!client_capture.ok() || !server_capture.ok()) {
    return {.failure = absl::StrCat(client_capture.status().ToString(), " ",
                                    server_capture.status().ToString())};
  }
  // The client's side as the client host sees it; the server's side as the
  // wire at the server's end of its link.
  if (absl::Status s =
          (*client_capture)->AttachToHostInterface((*chain)->client(), 0);
      !s.ok()) {
    return {.failure = s.ToString()};
  }
  (*server_capture)->AttachToLinkEnd((*chain)->server_lan(), LinkEnd::kB);

  Simulator& sim = (*chain)->sim();
  auto server = StunServer::Bind((*chain)->server(),
                                 *net::TransportAddress::Parse("0.0.0.0:3478"));
  auto client = UdpEndpoint::Bind(
      (*chain)->client(), *net::TransportAddress::Parse("0.0.0.0:50000"));
  if (!server.ok() || !client.ok()) return {.failure = "bind failed"};
  const net::TransportAddress to(NatChain::ServerIp(), 3478,
                                 net::TransportProtocol::kUdp);
  out.request_sent = sim.Now();
  absl::StatusOr<stun::TransactionId> id = (*client)->SendBindingRequest(to);
  if (!id.ok()) return {.failure = id.status().ToString()};
  out.id = *id;
  if (!sim.RunUntil([&] { return !(*client)->received().empty(); },
                    sim.Now() + net::Duration::Seconds(1))) {
    return {.failure = "no response:\n" + sim.trace().ToText()};
  }
  absl::StatusOr<net::TransportAddress> mapped =
      ParseBindingResponse((*client)->received()[0].payload, out.id);
  if (!mapped.ok()) return {.failure = mapped.status().ToString()};
  out.cgn_mapped = *mapped;
  out.request_at_server = (*server)->requests()[0].time;
  out.response_sent = out.request_at_server;
  out.response_back = (*client)->received()[0].time;
  for (auto* capture : {&*client_capture, &*server_capture}) {
    if (absl::Status s = (*capture)->Close(); !s.ok()) {
      return {.failure = s.ToString()};
    }
  }
  absl::StatusOr<Frames> client_frames =
      pcap::TsharkFields(out.client_path, Fields());
  if (!client_frames.ok())
    return {.failure = client_frames.status().ToString()};
  absl::StatusOr<Frames> server_frames =
      pcap::TsharkFields(out.server_path, Fields());
  if (!server_frames.ok())
    return {.failure = server_frames.status().ToString()};
  out.client = *std::move(client_frames);
  out.server = *std::move(server_frames);
  return out;
}

class StunPcapTsharkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { outcome_ = new Outcome(RunAndDecode()); }
  static void TearDownTestSuite() { delete outcome_; }
  void SetUp() override {
    ASSERT_EQ(outcome_->failure, "");
    ASSERT_EQ(outcome_->client.size(), 2u);
    ASSERT_EQ(outcome_->server.size(), 2u);
  }
  static const Outcome& out() { return *outcome_; }

  static Outcome* outcome_;
};

Outcome* StunPcapTsharkTest::outcome_ = nullptr;

TEST_F(StunPcapTsharkTest, ClientSideShowsPrivateAddressesAndTheMapping) {
  const auto& request = out().client[0];
  EXPECT_EQ(request.at("frame.time_epoch"), out().request_sent.ToString());
  EXPECT_EQ(request.at("ip.src"), "192.168.1.2");
  EXPECT_EQ(request.at("ip.dst"), "198.51.100.1");
  EXPECT_EQ(request.at("ip.ttl"), "64");
  EXPECT_EQ(request.at("udp.srcport"), "50000");
  EXPECT_EQ(request.at("udp.dstport"), "3478");
  EXPECT_EQ(request.at("stun.type"), "0x0001");  // Binding request.
  EXPECT_EQ(request.at("stun.id"), Hex(out().id));
  EXPECT_EQ(request.at("stun.att.software"), "pinhole integration");

  const auto& response = out().client[1];
  EXPECT_EQ(response.at("frame.time_epoch"), out().response_back.ToString());
  EXPECT_EQ(response.at("ip.src"), "198.51.100.1");
  EXPECT_EQ(response.at("ip.dst"), "192.168.1.2");
  EXPECT_EQ(response.at("ip.ttl"), "63");  // One router on the way.
  EXPECT_EQ(response.at("udp.srcport"), "3478");
  EXPECT_EQ(response.at("udp.dstport"), "50000");
  EXPECT_EQ(response.at("stun.type"), "0x0101");  // Binding success.
  EXPECT_EQ(response.at("stun.id"), Hex(out().id));
  // Wireshark undoes the XOR: the CGN's mapping in the clear.
  EXPECT_EQ(response.at("stun.att.ipv4"), "203.0.113.1");
  EXPECT_EQ(response.at("stun.att.port"),
            std::to_string(out().cgn_mapped.port()));
}

TEST_F(StunPcapTsharkTest, ServerSideShowsTheTranslatedAddresses) {
  const std::string cgn_port = std::to_string(out().cgn_mapped.port());
  const auto& request = out().server[0];
  EXPECT_EQ(request.at("frame.time_epoch"), out().request_at_server.ToString());
  EXPECT_EQ(request.at("ip.src"), "203.0.113.1");
  EXPECT_EQ(request.at("ip.dst"), "198.51.100.1");
  EXPECT_EQ(request.at("ip.ttl"), "63");
  EXPECT_EQ(request.at("udp.srcport"), cgn_port);
  EXPECT_EQ(request.at("udp.dstport"), "3478");
  EXPECT_EQ(request.at("stun.type"), "0x0001");
  EXPECT_EQ(request.at("stun.id"), Hex(out().id));

  const auto& response = out().server[1];
  EXPECT_EQ(response.at("frame.time_epoch"), out().response_sent.ToString());
  EXPECT_EQ(response.at("ip.src"), "198.51.100.1");
  EXPECT_EQ(response.at("ip.dst"), "203.0.113.1");
  EXPECT_EQ(response.at("ip.ttl"), "64");
  EXPECT_EQ(response.at("udp.srcport"), "3478");
  EXPECT_EQ(response.at("udp.dstport"), cgn_port);
  EXPECT_EQ(response.at("stun.type"), "0x0101");
  EXPECT_EQ(response.at("stun.att.ipv4"), "203.0.113.1");
  EXPECT_EQ(response.at("stun.att.port"), cgn_port);
}

TEST_F(StunPcapTsharkTest, NothingMalformedAndEveryChecksumGood) {
  for (const Frames* frames : {&out().client, &out().server}) {
    for (const auto& frame : *frames) {
      SCOPED_TRACE(absl::StrCat(frame.at("frame.time_epoch"), " ",
                                frame.at("ip.src"), " -> ",
                                frame.at("ip.dst")));
      EXPECT_EQ(frame.at("_ws.malformed"), "");
      // Chat and Note are fine; Warn (0x00600000) and Error (a bad
      // checksum) are not.
      for (absl::string_view severity : absl::StrSplit(
               frame.at("_ws.expert.severity"), ',', absl::SkipEmpty())) {
        EXPECT_LT(std::strtol(std::string(severity).c_str(), nullptr, 0),
                  0x00600000)
            << frame.at("_ws.expert.message");
      }
      EXPECT_EQ(frame.at("ip.checksum.status"), "1");  // Good.
      EXPECT_EQ(frame.at("udp.checksum.status"), "1");
      EXPECT_EQ(frame.at("stun.att.crc32.status"), "1");  // FINGERPRINT.
    }
  }
}

}  // namespace
}  // namespace pinhole::sim
