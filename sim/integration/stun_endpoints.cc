#include "sim/integration/stun_endpoints.h"

#include <utility>

#include "absl/status/status.h"
#include "net/datagram.h"
#include "stun/attributes.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"

namespace pinhole::sim {
namespace {

constexpr char kSoftware[] = "pinhole integration";

ReceivedDatagram Copy(net::Time now, const net::DatagramView& d) {
  return {now, d.source, d.destination,
          std::vector<uint8_t>(d.payload.begin(), d.payload.end())};
}

}  // namespace

absl::StatusOr<std::unique_ptr<UdpEndpoint>> UdpEndpoint::Bind(
    Host& host, const net::TransportAddress& local) {
  std::unique_ptr<UdpEndpoint> endpoint(new UdpEndpoint(host));
  UdpEndpoint* self = endpoint.get();
  absl::StatusOr<std::unique_ptr<net::UdpSocket>> socket =
      host.BindUdp(local, [self](const net::DatagramView& d) {
        self->received_.push_back(Copy(self->host_.clock().Now(), d));
      });
  if (!socket.ok()) return socket.status();
  endpoint->socket_ = *std::move(socket);
  return endpoint;
}

absl::StatusOr<stun::TransactionId> UdpEndpoint::SendBindingRequest(
    const net::TransportAddress& server) {
  stun::TransactionId id;
  host_.random().Fill(absl::MakeSpan(id));
  absl::StatusOr<std::vector<uint8_t>> request =
      stun::MessageBuilder(
          {stun::Method::kBinding, stun::MessageClass::kRequest}, id)
          .Add(stun::Software{kSoftware})
          .AddFingerprint()
          .Finish();
  if (!request.ok()) return request.status();
  if (absl::Status s = socket_->SendTo(server, *request); !s.ok()) return s;
  return id;
}

absl::StatusOr<net::TransportAddress> ParseBindingResponse(
    absl::Span<const uint8_t> bytes, const stun::TransactionId& id) {
  absl::StatusOr<stun::MessageView> message = stun::MessageView::Parse(bytes);
  if (!message.ok()) return message.status();
  if (message->method() != stun::Method::kBinding ||
      message->message_class() != stun::MessageClass::kSuccessResponse) {
    return absl::InvalidArgumentError("not a Binding success response");
  }
  if (message->transaction_id() != id) {
    return absl::InvalidArgumentError("another transaction's response");
  }
  absl::StatusOr<stun::XorMappedAddress> mapped =
      message->Get<stun::XorMappedAddress>();
  if (!mapped.ok()) return mapped.status();
  return mapped->address;
}

absl::StatusOr<std::unique_ptr<StunServer>> StunServer::Bind(
    Host& host, const net::TransportAddress& local) {
  std::unique_ptr<StunServer> server(new StunServer);
  StunServer* self = server.get();
  net::Clock const* clock = &host.clock();
  absl::StatusOr<std::unique_ptr<net::UdpSocket>> socket =
      host.BindUdp(local, [self, clock](const net::DatagramView& d) {
        self->requests_.push_back(Copy(clock->Now(), d));
        self->OnDatagram(d);
      });
  if (!socket.ok()) return socket.status();
  server->socket_ = *std::move(socket);
  return server;
}

void StunServer::OnDatagram(const net::DatagramView& datagram) {
  absl::StatusOr<stun::MessageView> message =
      stun::MessageView::Parse(datagram.payload);
  if (!message.ok() || message->method() != stun::Method::kBinding ||
      message->message_class() != stun::MessageClass::kRequest) {
    requests_.pop_back();  // Not a request: nothing answered.
    return;
  }
  absl::StatusOr<std::vector<uint8_t>> response =
      stun::MessageBuilder(
          {stun::Method::kBinding, stun::MessageClass::kSuccessResponse},
          message->transaction_id())
          .Add(stun::XorMappedAddress{datagram.source})
          .Add(stun::Software{kSoftware})
          .AddFingerprint()
          .Finish();
  if (response.ok()) (void)socket_->SendTo(datagram.source, *response);
}

}  // namespace pinhole::sim
