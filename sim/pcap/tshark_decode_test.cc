// Wireshark's own dissectors, through tshark, read a pcap written by
// `PcapWriter`: they must find the IPv4, IPv6, UDP and TCP headers well formed
// with correct checksums, decode the STUN messages inside, and show each frame
// at the simulated instant it was written at.
//
// tshark is the Debian package `tshark`, which ./bazelw installs. Without it
// this test fails: it never skips.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/packet.h"
#include "sim/pcap/pcap_writer.h"
#include "sim/pcap/tshark.h"

namespace pinhole::sim::pcap {
namespace {

using ::testing::IsEmpty;

// --- STUN, built by hand from RFC 8489 §5 and §14.

constexpr uint16_t kBindingRequest = 0x0001;
constexpr uint16_t kBindingSuccessResponse = 0x0101;
constexpr uint16_t kXorMappedAddress = 0x0020;
constexpr uint16_t kSoftware = 0x8022;
constexpr uint32_t kMagicCookie = 0x2112a442;

void Put16(std::vector<uint8_t>& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

void Put32(std::vector<uint8_t>& out, uint32_t value) {
  Put16(out, static_cast<uint16_t>(value >> 16));
  Put16(out, static_cast<uint16_t>(value));
}

struct Attribute {
  uint16_t type;
  std::vector<uint8_t> value;
};

// A 20-byte header (type, length, magic cookie, transaction id) and the
// attributes, each padded to a multiple of 4 bytes.
std::vector<uint8_t> StunMessage(uint16_t type, uint8_t id_seed,
                                 const std::vector<Attribute>& attributes) {
  std::vector<uint8_t> body;
  for (const Attribute& attribute : attributes) {
    Put16(body, attribute.type);
    Put16(body, static_cast<uint16_t>(attribute.value.size()));
    body.insert(body.end(), attribute.value.begin(), attribute.value.end());
    while (body.size() % 4 != 0) body.push_back(0);
  }
  std::vector<uint8_t> message;
  Put16(message, type);
  Put16(message, static_cast<uint16_t>(body.size()));
  Put32(message, kMagicCookie);
  for (uint8_t i = 0; i < 12; ++i) message.push_back(id_seed + i);
  message.insert(message.end(), body.begin(), body.end());
  return message;
}

std::string TransactionIdHex(uint8_t id_seed) {
  std::string hex;
  for (uint8_t i = 0; i < 12; ++i) {
    absl::StrAppend(&hex, absl::Hex(id_seed + i, absl::kZeroPad2));
  }
  return hex;
}

Attribute Software(absl::string_view text) {
  return {kSoftware, std::vector<uint8_t>(text.begin(), text.end())};
}

// RFC 8489 §14.2: the port XORed with the cookie's top 16 bits, an IPv6
// address with the cookie followed by the transaction id.
Attribute XorMappedAddressV6(const net::TransportAddress& mapped,
                             uint8_t id_seed) {
  std::vector<uint8_t> value = {0x00, 0x02};  // Reserved, family IPv6.
  Put16(value, mapped.port() ^ static_cast<uint16_t>(kMagicCookie >> 16));
  std::vector<uint8_t> mask;
  Put32(mask, kMagicCookie);
  for (uint8_t i = 0; i < 12; ++i) mask.push_back(id_seed + i);
  const absl::Span<const uint8_t> address = mapped.ip().bytes();
  for (size_t i = 0; i < 16; ++i) value.push_back(address[i] ^ mask[i]);
  return {kXorMappedAddress, value};
}

// --- The capture.

net::TransportAddress Udp(absl::string_view text) {
  return net::TransportAddress::Parse(text, net::TransportProtocol::kUdp)
      .value();
}
net::TransportAddress Tcp(absl::string_view text) {
  return net::TransportAddress::Parse(text, net::TransportProtocol::kTcp)
      .value();
}

struct Frame {
  net::Time time;
  sim::Packet packet;
};

constexpr uint8_t kRequestId = 0x10;
constexpr uint8_t kResponseId = 0x40;
constexpr uint8_t kTcpRequestId = 0x70;

sim::Packet Segment(uint64_t id, const net::TransportAddress& from,
                    const net::TransportAddress& to, uint32_t seq, uint32_t ack,
                    uint8_t flags, std::vector<uint8_t> payload = {}) {
  sim::Packet packet;
  packet.id = id;
  packet.source = from;
  packet.destination = to;
  packet.tcp = {seq, ack, flags, 64240};
  packet.payload = std::move(payload);
  return packet;
}

// Frame times are distinct to the nanosecond, which microsecond pcap could not
// show.
std::vector<Frame> Capture() {
  std::vector<Frame> frames;
  const net::Time start =
      net::Time::FromNanosecondsSinceEpoch(1'000'123'456'789);

  sim::Packet request;
  request.id = 1;
  request.source = Udp("192.0.2.10:50000");
  request.destination = Udp("198.51.100.1:3478");
  request.payload =
      StunMessage(kBindingRequest, kRequestId, {Software("pinhole")});
  frames.push_back({start, request});

  sim::Packet response;
  response.id = 2;
  response.source = Udp("[2001:db8::1]:3478");
  response.destination = Udp("[2001:db8:1::10]:50000");
  response.hop_limit = 57;
  response.payload = StunMessage(
      kBindingSuccessResponse, kResponseId,
      {XorMappedAddressV6(Udp("[2001:db8:1::10]:50000"), kResponseId)});
  frames.push_back({start + net::Duration::Nanoseconds(20'000'001), response});

  const net::TransportAddress client = Tcp("192.0.2.10:50001");
  const net::TransportAddress server = Tcp("198.51.100.1:3478");
  constexpr uint32_t c = 1000, s = 5000;  // Initial sequence numbers.
  const std::vector<uint8_t> data =
      StunMessage(kBindingRequest, kTcpRequestId, {Software("pinhole tcp")});
  const net::Time t = start + net::Duration::Milliseconds(100);
  frames.push_back({t, Segment(3, client, server, c, 0, TcpHeader::kSyn)});
  frames.push_back({t + net::Duration::Microseconds(10'001),
                    Segment(4, server, client, s, c + 1,
                            TcpHeader::kSyn | TcpHeader::kAck)});
  frames.push_back({t + net::Duration::Microseconds(20'002),
                    Segment(5, client, server, c + 1, s + 1, TcpHeader::kAck)});
  frames.push_back({t + net::Duration::Nanoseconds(20'002'003),
                    Segment(6, client, server, c + 1, s + 1,
                            TcpHeader::kPsh | TcpHeader::kAck, data)});
  return frames;
}

// --- tshark.

// The fields asked of tshark, in column order.
const std::vector<std::string>& Fields() {
  static const auto* fields = new std::vector<std::string>{
      "frame.number",
      "frame.time_epoch",
      "frame.len",
      "ip.version",
      "ip.src",
      "ip.dst",
      "ip.ttl",
      "ip.checksum.status",
      "ipv6.src",
      "ipv6.dst",
      "ipv6.hlim",
      "udp.srcport",
      "udp.dstport",
      "udp.checksum.status",
      "tcp.srcport",
      "tcp.dstport",
      "tcp.flags",
      "tcp.seq_raw",
      "tcp.ack_raw",
      "tcp.checksum.status",
      "stun.type",
      "stun.id",
      "stun.att.type",
      "stun.att.software",
      "stun.att.family",
      "stun.att.ipv6",
      "stun.att.port",
      "_ws.malformed",
      "_ws.expert.severity",
      "_ws.expert.message",
  };
  return *fields;
}

// Writes the capture and runs tshark over it once, for all the tests.
class TsharkDecodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    raw_ = new std::string;
    decoded_ = new std::vector<std::map<std::string, std::string>>;
    if (access(kTshark, X_OK) != 0) return;  // SetUp fails each test.
    // Bazel keeps this directory's files, so the capture can be opened in
    // Wireshark after the test.
    const std::string path = TestOutputDir() + "/tshark_decode_test.pcap";
    absl::StatusOr<std::unique_ptr<PcapWriter>> writer = PcapWriter::Open(path);
    if (!writer.ok()) {
      *raw_ = writer.status().ToString();
      return;
    }
    for (const Frame& frame : Capture()) {
      const absl::Status status = (*writer)->Write(frame.time, frame.packet);
      if (!status.ok()) *raw_ = status.ToString();
    }
    const absl::Status status = (*writer)->Close();
    if (!status.ok()) *raw_ = status.ToString();
    if (!raw_->empty()) return;
    absl::StatusOr<std::vector<std::map<std::string, std::string>>> decoded =
        TsharkFields(path, Fields());
    if (decoded.ok()) {
      *decoded_ = *std::move(decoded);
    } else {
      *raw_ = decoded.status().ToString();
    }
  }

  static void TearDownTestSuite() {
    delete raw_;
    delete decoded_;
  }

  void SetUp() override {
    ASSERT_EQ(access(kTshark, X_OK), 0)
        << kTshark << " is missing: run ./bazelw, which installs the Debian "
        << "package tshark, then run this test again";
    ASSERT_EQ(decoded_->size(), frames_.size()) << *raw_;
  }

  const std::map<std::string, std::string>& Decoded(size_t frame_number) {
    return decoded_->at(frame_number - 1);
  }

  static std::string* raw_;  // What went wrong before decoding, if anything.
  static std::vector<std::map<std::string, std::string>>* decoded_;
  const std::vector<Frame> frames_ = Capture();
};

std::string* TsharkDecodeTest::raw_ = nullptr;
std::vector<std::map<std::string, std::string>>* TsharkDecodeTest::decoded_ =
    nullptr;

TEST_F(TsharkDecodeTest, TimestampsAreTheSimulatedTimes) {
  for (size_t i = 0; i < frames_.size(); ++i) {
    // Both print seconds with nine decimals.
    EXPECT_EQ((*decoded_)[i].at("frame.time_epoch"), frames_[i].time.ToString())
        << "frame " << i + 1;
    EXPECT_EQ((*decoded_)[i].at("frame.len"),
              std::to_string(frames_[i].packet.ip_size()));
  }
}

TEST_F(TsharkDecodeTest, NothingMalformedAndEveryChecksumGood) {
  for (size_t i = 0; i < frames_.size(); ++i) {
    const auto& frame = (*decoded_)[i];
    SCOPED_TRACE(absl::StrCat("frame ", i + 1));
    EXPECT_THAT(frame.at("_ws.malformed"), IsEmpty());
    // Expert infos of severity Chat (0x00200000: "connection establish
    // request") and Note are fine; Warn (0x00600000) and Error (0x00800000:
    // a bad checksum) are not.
    for (absl::string_view severity : absl::StrSplit(
             frame.at("_ws.expert.severity"), ',', absl::SkipEmpty())) {
      EXPECT_LT(std::strtol(std::string(severity).c_str(), nullptr, 0),
                0x00600000)
          << frame.at("_ws.expert.message");
    }
    // 1 is "Good" (0 "Bad", 2 "Unverified").
    const bool v4 = frames_[i].packet.family() == net::AddressFamily::kIpv4;
    EXPECT_EQ(frame.at("ip.checksum.status"), v4 ? "1" : "");
    const bool tcp = frames_[i].packet.is_tcp();
    EXPECT_EQ(frame.at("udp.checksum.status"), tcp ? "" : "1");
    EXPECT_EQ(frame.at("tcp.checksum.status"), tcp ? "1" : "");
  }
}

TEST_F(TsharkDecodeTest, Ipv4StunBindingRequest) {
  const auto& frame = Decoded(1);
  EXPECT_EQ(frame.at("ip.version"), "4");
  EXPECT_EQ(frame.at("ip.src"), "192.0.2.10");
  EXPECT_EQ(frame.at("ip.dst"), "198.51.100.1");
  EXPECT_EQ(frame.at("ip.ttl"), "64");
  EXPECT_EQ(frame.at("udp.srcport"), "50000");
  EXPECT_EQ(frame.at("udp.dstport"), "3478");
  EXPECT_EQ(frame.at("stun.type"), "0x0001");
  EXPECT_EQ(frame.at("stun.id"), TransactionIdHex(kRequestId));
  EXPECT_EQ(frame.at("stun.att.type"), "0x8022");
  EXPECT_EQ(frame.at("stun.att.software"), "pinhole");
}

TEST_F(TsharkDecodeTest, Ipv6StunBindingSuccessResponse) {
  const auto& frame = Decoded(2);
  EXPECT_EQ(frame.at("ip.version"), "6");  // Raw IP's version nibble.
  EXPECT_EQ(frame.at("ipv6.src"), "2001:db8::1");
  EXPECT_EQ(frame.at("ipv6.dst"), "2001:db8:1::10");
  EXPECT_EQ(frame.at("ipv6.hlim"), "57");
  EXPECT_EQ(frame.at("udp.srcport"), "3478");
  EXPECT_EQ(frame.at("udp.dstport"), "50000");
  EXPECT_EQ(frame.at("stun.type"), "0x0101");
  EXPECT_EQ(frame.at("stun.id"), TransactionIdHex(kResponseId));
  EXPECT_EQ(frame.at("stun.att.type"), "0x0020");
  // Wireshark undoes the XOR: the mapped address in the clear.
  EXPECT_EQ(frame.at("stun.att.family"), "0x02");
  EXPECT_EQ(frame.at("stun.att.ipv6"), "2001:db8:1::10");
  EXPECT_EQ(frame.at("stun.att.port"), "50000");
}

TEST_F(TsharkDecodeTest, TcpHandshakeAndStunOverTcp) {
  // Flags, raw sequence and acknowledgement numbers of each segment.
  const std::vector<std::vector<std::string>> expected = {
      {"0x0002", "1000", "0"},
      {"0x0012", "5000", "1001"},
      {"0x0010", "1001", "5001"},
      {"0x0018", "1001", "5001"},
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& frame = Decoded(3 + i);
    SCOPED_TRACE(absl::StrCat("frame ", 3 + i));
    EXPECT_EQ(frame.at("tcp.srcport"), i == 1 ? "3478" : "50001");
    EXPECT_EQ(frame.at("tcp.dstport"), i == 1 ? "50001" : "3478");
    EXPECT_EQ(frame.at("tcp.flags"), expected[i][0]);
    EXPECT_EQ(frame.at("tcp.seq_raw"), expected[i][1]);
    EXPECT_EQ(frame.at("tcp.ack_raw"), expected[i][2]);
  }
  const auto& data = Decoded(6);
  EXPECT_EQ(data.at("stun.type"), "0x0001");
  EXPECT_EQ(data.at("stun.id"), TransactionIdHex(kTcpRequestId));
  EXPECT_EQ(data.at("stun.att.software"), "pinhole tcp");
}

}  // namespace
}  // namespace pinhole::sim::pcap
