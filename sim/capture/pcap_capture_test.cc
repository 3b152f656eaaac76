#include "sim/capture/pcap_capture.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "net/udp_socket.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/loss_model.h"
#include "sim/pcap/pcap_writer.h"
#include "sim/simulator.h"

namespace pinhole::sim {
namespace {

using net::Duration;
using net::Time;

net::TransportAddress Addr(const char* text) {
  return *net::TransportAddress::Parse(text);
}

// One record of a pcap file: its timestamp and IP bytes' length.
struct Record {
  Time time;
  uint32_t length;
};

uint32_t Load32(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = v << 8 | static_cast<uint8_t>(bytes[at + i]);
  }
  return v;
}

std::vector<Record> Records(const std::string& pcap) {
  std::vector<Record> records;
  size_t at = pcap::PcapWriter::kGlobalHeaderSize;
  while (at + pcap::PcapWriter::kRecordHeaderSize <= pcap.size()) {
    const int64_t ns = int64_t{Load32(pcap, at)} * 1'000'000'000 +
                       int64_t{Load32(pcap, at + 4)};
    const uint32_t length = Load32(pcap, at + 8);
    records.push_back({Time::FromNanosecondsSinceEpoch(ns), length});
    at += pcap::PcapWriter::kRecordHeaderSize + length;
  }
  EXPECT_EQ(at, pcap.size());
  return records;
}

// alice 10.0.0.1 --wire (3 ms; from A, every packet lost)-- bob 10.0.0.2
class PcapCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wire_ = *Link::Create(sim_, "wire", {.latency = Duration::Milliseconds(3)});
    alice_ = *Host::Create(sim_, "alice");
    bob_ = *Host::Create(sim_, "bob");
    ASSERT_TRUE(alice_
                    ->AddInterface(*wire_, LinkEnd::kA,
                                   {*net::IpAddress::Parse("10.0.0.1")})
                    .ok());
    ASSERT_TRUE(bob_->AddInterface(*wire_, LinkEnd::kB,
                                   {*net::IpAddress::Parse("10.0.0.2")})
                    .ok());
    ASSERT_TRUE(alice_->SetDefaultRoute(0).ok());
    ASSERT_TRUE(bob_->SetDefaultRoute(0).ok());
    a_ = *alice_->BindUdp(Addr("0.0.0.0:1000"), [](const auto&) {});
    b_ = *bob_->BindUdp(Addr("0.0.0.0:2000"), [](const auto&) {});
  }

  // alice sends 10 bytes (lost on the wire), then bob sends 20 bytes 1 ms
  // later, which arrive 3 ms after that.
  void Exchange() {
    LinkConfig lossy = wire_->config(LinkEnd::kA);
    lossy.loss = LossModel::Independent(net::Ratio::Always());
    ASSERT_TRUE(wire_->SetConfig(LinkEnd::kA, lossy).ok());
    ASSERT_TRUE(
        a_->SendTo(Addr("10.0.0.2:2000"), std::vector<uint8_t>(10, 1)).ok());
    sim_.RunFor(Duration::Milliseconds(1));
    ASSERT_TRUE(
        b_->SendTo(Addr("10.0.0.1:1000"), std::vector<uint8_t>(20, 2)).ok());
    ASSERT_TRUE(sim_.Run().ok());
  }

  Simulator sim_{1};
  std::unique_ptr<Link> wire_;
  std::unique_ptr<Host> alice_, bob_;
  std::unique_ptr<net::UdpSocket> a_, b_;
};

TEST_F(PcapCaptureTest, EachPointSeesWhatCrossesIt) {
  std::string end_a, a_to_b_exit, bob_interface;
  auto at_end_a = PcapCapture::InMemory(&end_a);
  auto at_exit = PcapCapture::InMemory(&a_to_b_exit);
  auto at_bob = PcapCapture::InMemory(&bob_interface);
  at_end_a->AttachToLinkEnd(*wire_, LinkEnd::kA);
  at_exit->AttachToLinkDirection(*wire_, LinkEnd::kA, TapPoint::kExit);
  ASSERT_TRUE(at_bob->AttachToHostInterface(*bob_, 0).ok());
  Exchange();
  EXPECT_TRUE(at_end_a->Close().ok());
  EXPECT_TRUE(at_exit->Close().ok());
  EXPECT_TRUE(at_bob->Close().ok());

  // End A: alice's lost packet as it entered, bob's as it arrived.
  const std::vector<Record> a = Records(end_a);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].time, Simulator::kEpoch);
  EXPECT_EQ(a[0].length, 20u + 8 + 10);
  EXPECT_EQ(a[1].time, Simulator::kEpoch + Duration::Milliseconds(4));
  EXPECT_EQ(a[1].length, 20u + 8 + 20);
  EXPECT_EQ(at_end_a->packets_written(), 2u);
  // Nothing from A left the wire.
  EXPECT_TRUE(Records(a_to_b_exit).empty());
  // bob sent one packet and received none.
  const std::vector<Record> b = Records(bob_interface);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].time, Simulator::kEpoch + Duration::Milliseconds(1));
}

TEST_F(PcapCaptureTest, WritesAFileAndStopsAtClose) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/capture.pcap";
  auto capture = *PcapCapture::OpenFile(path);
  capture->AttachToLinkEnd(*wire_, LinkEnd::kB);
  Exchange();
  EXPECT_EQ(capture->packets_written(), 1u);  // bob's; alice's was lost.
  ASSERT_TRUE(capture->Close().ok());
  Exchange();  // The taps stay on the link, but write nothing now.
  EXPECT_EQ(capture->packets_written(), 1u);
  capture.reset();
  Exchange();  // Nor once the capture is gone.
}

TEST_F(PcapCaptureTest, OpenErrorsNameThePath) {
  const absl::StatusOr<std::unique_ptr<PcapCapture>> capture =
      PcapCapture::OpenFile("/nonexistent-dir/x.pcap");
  ASSERT_FALSE(capture.ok());
  EXPECT_NE(capture.status().message().find("/nonexistent-dir/x.pcap"),
            std::string::npos);
}

// /dev/full accepts the open and fails every write with ENOSPC: the buffered
// records fail at the latest when the file is closed, and Close says so.
TEST_F(PcapCaptureTest, WriteErrorsSurfaceAtClose) {
  auto capture = *PcapCapture::OpenFile("/dev/full");
  capture->AttachToLinkEnd(*wire_, LinkEnd::kB);
  Exchange();
  const absl::Status closed = capture->Close();
  EXPECT_FALSE(closed.ok());
  EXPECT_EQ(capture->Close(), closed);
  EXPECT_EQ(capture->status(), closed);
}

TEST_F(PcapCaptureTest, UnknownInterfaceIsRefused) {
  std::string out;
  auto capture = PcapCapture::InMemory(&out);
  EXPECT_FALSE(capture->AttachToHostInterface(*bob_, 7).ok());
}

}  // namespace
}  // namespace pinhole::sim
