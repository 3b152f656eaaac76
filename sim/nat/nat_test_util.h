// Helpers for translator-level NAT tests: hand-built packets, readable
// verdicts, and the addresses every test uses.
#ifndef PINHOLE_SIM_NAT_NAT_TEST_UTIL_H_
#define PINHOLE_SIM_NAT_NAT_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/deterministic_random.h"
#include "net/ip_address.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/drop_reason.h"
#include "sim/middlebox.h"
#include "sim/nat/nat.h"
#include "sim/nat/nat_behavior.pb.h"
#include "sim/packet.h"

namespace pinhole::sim::testing {

// An arbitrary non-zero instant: simulated clocks do not start at zero.
inline constexpr net::Time kT0 =
    net::Time::FromNanosecondsSinceEpoch(1000'000'000'000);

inline net::IpAddress Ip(const char* text) {
  return net::IpAddress::Parse(text).value();
}
inline net::TransportAddress Udp(const char* text) {
  return net::TransportAddress::Parse(text, net::TransportProtocol::kUdp)
      .value();
}
inline net::TransportAddress Tcp(const char* text) {
  return net::TransportAddress::Parse(text, net::TransportProtocol::kTcp)
      .value();
}

inline Packet MakePacket(const net::TransportAddress& source,
                         const net::TransportAddress& destination,
                         uint8_t tcp_flags = 0) {
  Packet packet;
  packet.id = 1;
  packet.source = source;
  packet.destination = destination;
  packet.tcp.flags = tcp_flags;
  packet.payload = {0x00, 0x01};
  return packet;
}

// "forward", "reflect" or "drop: <reason name>".
inline std::string Describe(const Verdict& verdict) {
  switch (verdict.action) {
    case Verdict::Action::kForward:
      return "forward";
    case Verdict::Action::kReflect:
      return "reflect";
    case Verdict::Action::kDrop:
      return "drop: " + std::string(DropReasonName(verdict.reason));
  }
  return "?";
}
inline std::string Dropped(DropReason reason) {
  return "drop: " + std::string(DropReasonName(reason));
}

// What came out of a middlebox: the verdict, described, and the packet as it
// left (rewritten).
struct Outcome {
  std::string verdict;
  Packet packet;
};

inline Outcome Run(Middlebox& box, net::Time now, Side side, Packet packet) {
  const Verdict verdict = box.Process(now, side, packet);
  return {Describe(verdict), std::move(packet)};
}
inline Outcome Out(Middlebox& box, net::Time now,
                   const net::TransportAddress& from,
                   const net::TransportAddress& to, uint8_t tcp_flags = 0) {
  return Run(box, now, Side::kInside, MakePacket(from, to, tcp_flags));
}
inline Outcome In(Middlebox& box, net::Time now,
                  const net::TransportAddress& from,
                  const net::TransportAddress& to, uint8_t tcp_flags = 0) {
  return Run(box, now, Side::kOutside, MakePacket(from, to, tcp_flags));
}

// A behaviour with the given mapping and filtering, port preservation falling
// back to sequential, and RFC defaults for everything else.
inline NatBehavior Behavior(NatBehavior::Mapping mapping,
                            NatBehavior::Filtering filtering) {
  NatBehavior behavior;
  behavior.set_mapping(mapping);
  behavior.set_filtering(filtering);
  behavior.set_port_assignment(NatBehavior::PORT_PRESERVATION);
  return behavior;
}

// A NAT and the random stream it draws from, kept together.
struct TestNat {
  explicit TestNat(const NatBehavior& behavior,
                   std::vector<net::IpAddress> external = {Ip("203.0.113.1")},
                   uint64_t seed = 1)
      : random(seed),
        nat(Nat::Create(behavior, std::move(external), random).value()) {}
  TestNat(const TestNat&) = delete;
  TestNat& operator=(const TestNat&) = delete;

  net::DeterministicRandom random;
  std::unique_ptr<Nat> nat;
};

}  // namespace pinhole::sim::testing

#endif  // PINHOLE_SIM_NAT_NAT_TEST_UTIL_H_
