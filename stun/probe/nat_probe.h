// `NatProbe`: RFC 5780 NAT behaviour discovery, as a sans-IO engine. It asks
// an RFC 5780 STUN server (one with two addresses and two ports) the questions
// of RFC 5780 §4 and reports the answers in RFC 4787 terms:
//
// - whether there is a NAT at all (the mapped address equals the local one);
// - mapping behaviour (§4.3): endpoint-independent, address-dependent or
//   address-and-port-dependent, from the mapped addresses seen by the
//   server's primary address, its other IP, and its other IP and port;
// - filtering behaviour (§4.4): which of CHANGE-REQUEST's answers (from the
//   other IP and port, from the other port) get through;
// - hairpinning (§4.5): whether a request sent to the client's own mapped
//   address comes back, and with which source (RFC 4787 §6 REQ-9 a wants the
//   mapped, external one);
// - binding lifetime (§4.6), when asked: how long a mapping survives without
//   outbound traffic, bracketed to a chosen resolution.
//
// Sockets. Mapping tests run on socket M, filtering tests on socket F (the
// mapping tests would open F's filter to the other address), and the
// lifetime tests on `lifetime_probes` sockets X plus one socket Y. The driver
// binds `SocketCount()` UDP sockets on one local IP address (or all on the
// wildcard address: the probe learns its real address from where the first
// answer arrives) and hands their bound addresses to `Start`.
//
// Lifetime (§4.6). Each X sends a Binding request, learning its mapping; a
// chosen time T later, Y asks the server (RESPONSE-PORT) to answer to X's
// mapped port at the NAT's address. If X receives the answer, the mapping
// was alive after T of silence. The probe runs the X sockets in parallel at
// evenly spaced T, then narrows the bracket between the longest T still alive
// and the shortest T found dead, round after round, until it is no wider than
// `lifetime_resolution`.
//
// Run loop, as for every Pinhole engine: call Start / HandleDatagram /
// HandleTimeout, then drain PollTransmit and PollEvent, then wait until
// NextTimeout. The probe emits progress events and, at the end, one event with
// the result. Randomness (transaction IDs) only from the `net::Random` given.
#ifndef PINHOLE_STUN_PROBE_NAT_PROBE_H_
#define PINHOLE_STUN_PROBE_NAT_PROBE_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/datagram.h"
#include "net/random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/client.h"
#include "stun/probe/nat_probe_result.h"
#include "stun/probe/nat_probe_result.pb.h"
#include "stun/transaction.h"

namespace pinhole::stun {

struct NatProbeOptions {
  // The server's primary transport address (UDP).
  net::TransportAddress server;
  bool test_hairpinning = true;
  bool discover_lifetime = false;
  // Lifetime search: the longest silence tried, the resolution wanted and the
  // number of mappings tested at once.
  net::Duration lifetime_max = net::Duration::Seconds(300);
  net::Duration lifetime_resolution = net::Duration::Seconds(1);
  int lifetime_probes = 8;
  // Retransmission of every test request. A test whose answer never comes
  // (a filtered CHANGE-REQUEST answer, a dead mapping) waits out the whole
  // schedule, so the probe sends fewer requests than RFC 8489's Rc = 7: RTO
  // 500 ms, sends at 0, 0.5, 1.5 and 3.5 s, a verdict at 5.5 s.
  RetransmissionOptions retransmission = {net::Duration::Milliseconds(500), 4,
                                          4,
                                          net::Duration::Milliseconds(39500)};
  std::string software = "Pinhole NAT probe";

  // InvalidArgument naming the first bad field.
  absl::Status Validate() const;
};

class NatProbe {
 public:
  struct Event {
    // A step began or ended ("mapping test II: ..."), or the probe ended.
    std::string message;
    // Set only on the last event.
    std::optional<NatProbeResult> result;
  };

  NatProbe(net::Random& random, NatProbeOptions options);
  NatProbe(const NatProbe&) = delete;
  NatProbe& operator=(const NatProbe&) = delete;

  // How many local sockets `Start` needs.
  int SocketCount() const;

  // Begins probing from `sockets` (SocketCount() bound addresses, one local
  // IP, UDP, the server's family). InvalidArgument otherwise.
  absl::Status Start(net::Time now,
                     const std::vector<net::TransportAddress>& sockets);

  void HandleDatagram(net::Time now, const net::DatagramView& datagram);
  void HandleTimeout(net::Time now);
  std::optional<net::Datagram> PollTransmit();
  std::optional<Event> PollEvent();
  std::optional<net::Time> NextTimeout() const;

  bool done() const { return done_; }

 private:
  enum class Test : uint8_t {
    kMappingI,
    kMappingII,
    kMappingIII,
    kFilteringI,
    kFilteringII,
    kFilteringIII,
    kHairpin,
    kLifetimeBind,
    kLifetimeCheck,
  };
  // One test request: from which socket, to where, with which RFC 5780
  // attributes.
  struct TestRequest {
    TestRequest(Test test, net::TransportAddress from, net::TransportAddress to,
                bool change_ip = false, bool change_port = false,
                std::optional<uint16_t> response_port = std::nullopt,
                int probe = -1)
        : test(test),
          from(from),
          to(to),
          change_ip(change_ip),
          change_port(change_port),
          response_port(response_port),
          probe(probe) {}
    Test test;
    net::TransportAddress from;
    net::TransportAddress to;
    bool change_ip = false;
    bool change_port = false;
    std::optional<uint16_t> response_port;
    int probe = -1;  // Lifetime: which X socket.
  };
  struct Outstanding {
    StunClient::RequestId id;
    Test test;
    int probe = -1;
  };
  // One lifetime measurement: X binds, then Y checks after `silence`.
  struct LifetimeProbe {
    explicit LifetimeProbe(net::TransportAddress socket) : socket(socket) {}
    net::TransportAddress socket;
    net::Duration silence;
    std::optional<net::TransportAddress> mapped;
    std::optional<net::Time> check_at;
    bool checking = false;
    std::optional<bool> alive;
  };

  absl::Status Send(net::Time now, const TestRequest& test);
  void Drain(net::Time now);
  void OnOutcome(net::Time now, const Outstanding& test,
                 const StunClient::Event& event);
  void OnTestI(net::Time now, Test test, const StunClient::Event& event);
  void StartBehaviourTests(net::Time now);
  void OnMapping(Test test, const StunClient::Event& event);
  void OnFiltering(Test test, const StunClient::Event& event);
  // True when `datagram` is the hairpinned request.
  bool OnHairpin(const net::DatagramView& datagram);
  void MaybeEndBehaviourTests(net::Time now);
  void StartLifetimeRound(net::Time now);
  void OnLifetime(net::Time now, const Outstanding& test,
                  const StunClient::Event& event);
  void FinishLifetimeRound(net::Time now);
  void Progress(std::string message);
  void Fail(absl::Status status);
  void Finish();

  const NatProbeOptions options_;
  StunClient client_;
  std::vector<Outstanding> outstanding_;
  std::deque<Event> events_;
  NatProbeResult result_;
  bool started_ = false;
  bool done_ = false;
  std::optional<net::TransportAddress> socket_m_, socket_f_, socket_y_;
  // Test I: socket M's local address (as the answer arrived: a real IP even
  // for a wildcard socket), its mapping and the server's other address.
  std::optional<net::TransportAddress> local_m_, mapped_i_, other_;
  bool filtering_i_done_ = false;
  std::optional<net::TransportAddress> mapped_ii_, mapped_iii_;
  bool mapping_ii_done_ = false;
  bool mapping_iii_done_ = false;
  std::optional<bool> filtering_ii_ok_, filtering_iii_ok_;
  std::optional<TransactionId> hairpin_id_;
  // Lifetime search: the longest silence survived, the shortest one found
  // fatal (the maximum until one is), and the largest bind round trip seen.
  std::vector<LifetimeProbe> lifetime_;
  bool lifetime_running_ = false;
  int lifetime_rounds_ = 0;
  net::Duration lifetime_low_;
  net::Duration lifetime_high_;
  bool lifetime_high_seen_ = false;
  net::Time lifetime_round_start_;
  net::Duration lifetime_rtt_;
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_PROBE_NAT_PROBE_H_
