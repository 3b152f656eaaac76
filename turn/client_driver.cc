#include "turn/client_driver.h"

#include <utility>

#include "absl/status/status.h"
#include "net/transport_address.h"

namespace pinhole::turn {

absl::StatusOr<std::unique_ptr<TurnClientDriver>> TurnClientDriver::Start(
    net::Network& network, TurnClient& client, EventCallback on_event) {
  std::unique_ptr<TurnClientDriver> driver(new TurnClientDriver());
  const net::TransportAddress& local = client.config().local;
  if (local.protocol() == net::TransportProtocol::kUdp) {
    driver->udp_ = std::make_unique<net::UdpDriver<TurnClient>>(
        network, client, std::move(on_event));
    absl::StatusOr<net::TransportAddress> bound = driver->udp_->Bind(local);
    if (!bound.ok()) return bound.status();
    if (absl::Status s = client.SetLocalAddress(*bound); !s.ok()) return s;
    return driver;
  }
  driver->stream_ = std::make_unique<stun::StreamDriver<TurnClient>>(
      network, client, std::move(on_event));
  stun::StreamDriver<TurnClient>* stream = driver->stream_.get();
  stream->set_on_closed(
      [&network, &client, stream](const net::TransportAddress& remote,
                                  const net::TransportAddress& /*local*/) {
        client.HandleConnectionClosed(network.clock().Now(), remote);
        stream->Flush();
      });
  return driver;
}

void TurnClientDriver::Flush() {
  if (udp_) udp_->Flush();
  if (stream_) stream_->Flush();
}

}  // namespace pinhole::turn
