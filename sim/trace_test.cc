#include "sim/trace.h"

#include <string>

#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/packet.h"

namespace pinhole::sim {
namespace {

net::TransportAddress Address(const char* text) {
  return *net::TransportAddress::Parse(text);
}

Packet UdpPacket(uint64_t id) {
  Packet p;
  p.id = id;
  p.source = Address("10.0.0.1:5000");
  p.destination = Address("[2001:db8::1]:3478");
  p.payload.resize(20);
  return p;
}

constexpr net::Time kT = net::Time::FromNanosecondsSinceEpoch(1000'000'500'000);

TEST(TraceTest, LinesHaveTheDocumentedForm) {
  Trace trace;
  const Trace::NodeId alice = *trace.RegisterNode("alice");
  const Trace::NodeId wan = *trace.RegisterNode("wan");
  Packet p = UdpPacket(7);
  trace.Sent(kT, alice, p);
  trace.Dropped(kT, wan, p, DropReason::kQueueFull);
  trace.Duplicated(kT, wan, UdpPacket(8), 7);
  p.source = Address("10.0.0.1:80/tcp");
  p.destination = Address("10.0.0.2:443/tcp");
  trace.Forwarded(kT, wan, p);
  trace.Delivered(kT, alice, p);
  trace.Event(kT, wan, "went\ndown");
  trace.Note(kT, wan, UdpPacket(9), "mapping created");
  EXPECT_EQ(trace.ToText(),
            "1000.000500000 alice sent udp 10.0.0.1:5000 [2001:db8::1]:3478 "
            "id=7 size=48\n"
            "1000.000500000 wan dropped udp 10.0.0.1:5000 [2001:db8::1]:3478 "
            "id=7 size=48 reason=queue full\n"
            "1000.000500000 wan duplicated udp 10.0.0.1:5000 "
            "[2001:db8::1]:3478 id=8 size=48 of=7\n"
            "1000.000500000 wan forwarded tcp 10.0.0.1:80 10.0.0.2:443 id=7 "
            "size=60\n"
            "1000.000500000 alice delivered tcp 10.0.0.1:80 10.0.0.2:443 id=7 "
            "size=60\n"
            "1000.000500000 wan event went down\n"
            "1000.000500000 wan note udp 10.0.0.1:5000 [2001:db8::1]:3478 "
            "id=9 size=48 text=mapping created\n");
  EXPECT_EQ(trace.CountDrops(DropReason::kQueueFull), 1u);
  EXPECT_EQ(trace.CountDrops(DropReason::kLinkLoss), 0u);
}

TEST(TraceTest, DigestIsSha256OfTheText) {
  Trace trace;
  // SHA-256 of the empty string.
  EXPECT_EQ(trace.Sha256Hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const Trace::NodeId n = *trace.RegisterNode("n");
  trace.Event(net::Time::Epoch(), n, "abc");
  // SHA-256 of "0.000000000 n event abc\n", computed with sha256sum.
  EXPECT_EQ(trace.ToText(), "0.000000000 n event abc\n");
  EXPECT_EQ(trace.Sha256Hex(),
            "e1526a3ab265d275f32a501e371a16639113fc6b205a241fae73ff7cb18d8e71");
}

TEST(TraceTest, DisabledTraceRecordsNothing) {
  Trace trace;
  const Trace::NodeId n = *trace.RegisterNode("n");
  trace.set_enabled(false);
  trace.Sent(kT, n, UdpPacket(1));
  trace.Event(kT, n, "x");
  EXPECT_TRUE((trace.record_count() == 0));
  trace.set_enabled(true);
  trace.Sent(kT, n, UdpPacket(1));
  EXPECT_EQ(trace.record_count(), 1u);
}

TEST(TraceTest, ClearForgetsRecordsAndReusesTheirSpace) {
  Trace trace;
  const Trace::NodeId n = *trace.RegisterNode("n");
  for (int i = 0; i < 5000; ++i) {  // More than one chunk.
    trace.Dropped(kT, n, UdpPacket(i), DropReason::kLinkLoss);
  }
  EXPECT_EQ(trace.record_count(), 5000u);
  EXPECT_EQ(trace.record(4500).packet_id, 4500u);
  trace.Clear();
  EXPECT_EQ(trace.record_count(), 0u);
  trace.Sent(kT, n, UdpPacket(1));
  trace.Event(kT, n, "after");
  EXPECT_EQ(trace.ToText(),
            "1000.000500000 n sent udp 10.0.0.1:5000 [2001:db8::1]:3478 id=1 "
            "size=48\n"
            "1000.000500000 n event after\n");
}

TEST(TraceTest, NodeNamesMustBeUniqueNonEmptyWords) {
  Trace trace;
  EXPECT_TRUE(trace.RegisterNode("host/alice").ok());
  EXPECT_EQ(trace.RegisterNode("host/alice").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(trace.RegisterNode("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(trace.RegisterNode("two words").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(trace.RegisterNode("tab\tname").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pinhole::sim
