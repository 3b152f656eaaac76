#include "sim/integration/nat_chain_scenario.h"

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "net/network.h"
#include "net/time.h"
#include "net/timer.h"
#include "net/transport_address.h"
#include "sim/capture/pcap_capture.h"
#include "sim/integration/nat_chain.h"
#include "sim/integration/stun_endpoints.h"
#include "sim/link.h"
#include "sim/loss_model.h"
#include "sim/simulator.h"
#include "stun/message.h"

namespace pinhole::sim {
namespace {

using net::Duration;

constexpr int kRequests = 60;
constexpr int kStrangerPackets = 10;

LinkConfig Isp() {
  LinkConfig c;
  c.latency = NatChain::kIspLatency;
  c.jitter = Duration::Milliseconds(3);
  c.allow_reordering = true;
  c.loss = LossModel::Independent(net::Ratio::Percent(5));
  c.duplicate = net::Ratio::Percent(2);
  return c;
}

LinkConfig Uplink() {
  LinkConfig c;
  c.latency = NatChain::kUplinkLatency;
  c.jitter = Duration::Milliseconds(2);
  c.loss = LossModel::GilbertElliott(
      {net::Ratio::Percent(5), net::Ratio::Percent(30), net::Ratio::Never(),
       net::Ratio::Percent(60)});
  return c;
}

// Calls `tick(i)` for i = 0 .. count-1, one every `interval` from now, on a
// timer of `network`.
class Repeater {
 public:
  Repeater(net::Network& network, Duration interval, int count,
           absl::AnyInvocable<void(int)> tick)
      : network_(network),
        interval_(interval),
        count_(count),
        tick_(std::move(tick)),
        timer_(network.CreateTimer([this] { Fire(); })) {
    timer_->SetAt(network.clock().Now());
  }

 private:
  void Fire() {
    tick_(next_);
    if (++next_ < count_) timer_->SetAt(network_.clock().Now() + interval_);
  }

  net::Network& network_;
  const Duration interval_;
  const int count_;
  absl::AnyInvocable<void(int)> tick_;
  int next_ = 0;
  std::unique_ptr<net::Timer> timer_;
};

}  // namespace

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(),
             nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    absl::StrAppend(&hex, absl::Hex(digest[i], absl::kZeroPad2));
  }
  return hex;
}

NatChainOutcome RunNatChainScenario(uint64_t seed) {
  NatChainOutcome out;
  absl::StatusOr<std::unique_ptr<NatChain>> made =
      NatChain::Create({.seed = seed, .isp = Isp(), .uplink = Uplink()});
  if (!made.ok()) return {.error = made.status().ToString()};
  NatChain& chain = **made;
  Simulator& sim = chain.sim();

  auto client_capture = PcapCapture::InMemory(&out.client_pcap);
  auto server_capture = PcapCapture::InMemory(&out.server_pcap);
  if (absl::Status s = client_capture->AttachToHostInterface(chain.client(), 0);
      !s.ok()) {
    return {.error = s.ToString()};
  }
  server_capture->AttachToLinkEnd(chain.server_lan(), LinkEnd::kB);

  auto server = StunServer::Bind(chain.server(),
                                 *net::TransportAddress::Parse("0.0.0.0:3478"));
  auto client = UdpEndpoint::Bind(chain.client(),
                                  *net::TransportAddress::Parse("0.0.0.0:0"));
  auto stranger = UdpEndpoint::Bind(
      chain.stranger(), *net::TransportAddress::Parse("0.0.0.0:4000"));
  if (!server.ok() || !client.ok() || !stranger.ok()) {
    return {.error = "bind failed"};
  }
  const net::TransportAddress to(NatChain::ServerIp(), 3478,
                                 net::TransportProtocol::kUdp);
  absl::Status failure;
  {
    Repeater requests(chain.client(), Duration::Milliseconds(10), kRequests,
                      [&](int) {
                        absl::StatusOr<stun::TransactionId> id =
                            (*client)->SendBindingRequest(to);
                        if (!id.ok()) failure.Update(id.status());
                      });
    // The stranger aims at the mapping the server saw first, from 300 ms on.
    std::optional<Repeater> probes;
    sim.ScheduleIn(Duration::Milliseconds(300), [&] {
      if ((*server)->requests().empty()) return;
      const net::TransportAddress target = (*server)->requests()[0].source;
      probes.emplace(
          chain.stranger(), Duration::Milliseconds(7), kStrangerPackets,
          [&, target](int i) {
            const uint8_t byte = static_cast<uint8_t>(i);
            failure.Update((*stranger)->socket().SendTo(target, {byte}));
          });
    });
    if (absl::Status s = sim.Run(); !s.ok()) failure.Update(s);
  }
  if (absl::Status s = client_capture->Close(); !s.ok()) failure.Update(s);
  if (absl::Status s = server_capture->Close(); !s.ok()) failure.Update(s);
  if (!failure.ok()) out.error = failure.ToString();
  out.responses = static_cast<int>((*client)->received().size());
  out.trace = sim.trace().ToText();
  out.trace_sha256 = sim.trace().Sha256Hex();
  out.next_draw = chain.client().random().NextUint64();
  return out;
}

}  // namespace pinhole::sim
