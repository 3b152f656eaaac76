#include "turn/client_messages.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/message_type.h"

namespace pinhole::turn {
namespace {

net::TransportAddress WithProtocol(const net::TransportAddress& address,
                                   net::TransportProtocol protocol) {
  return net::TransportAddress(address.ip(), address.port(), protocol);
}

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

// Every XOR-RELAYED-ADDRESS, in wire order: RFC 8656 §7.2 sends two for a
// dual allocation, which MessageView::Get (first occurrence only) would miss.
absl::StatusOr<std::vector<net::TransportAddress>> RelayedAddresses(
    const stun::MessageView& response) {
  std::vector<net::TransportAddress> relayed;
  for (const stun::RawAttribute attribute : response.attributes()) {
    if (attribute.type != stun::attr::kXorRelayedAddress) continue;
    absl::StatusOr<stun::XorRelayedAddress> address =
        stun::XorRelayedAddress::Decode(attribute.value, response);
    if (!address.ok()) return address.status();
    for (const net::TransportAddress& seen : relayed) {
      if (seen.family() == address->address.family()) {
        return Malformed(
            absl::StrCat("two ", net::AddressFamilyName(seen.family()),
                         " XOR-RELAYED-ADDRESS attributes in one allocation"));
      }
    }
    if (relayed.size() == 2) {
      return Malformed("more than two XOR-RELAYED-ADDRESS attributes");
    }
    relayed.push_back(
        WithProtocol(address->address, net::TransportProtocol::kUdp));
  }
  if (relayed.empty()) return Malformed("no XOR-RELAYED-ADDRESS");
  return relayed;
}

}  // namespace

void AddAllocateAttributes(const TurnClientConfig& config,
                           stun::MessageBuilder& builder) {
  builder.Add(stun::RequestedTransport{stun::RequestedTransport::kUdp});
  if (config.requested_family.has_value()) {
    builder.Add(stun::RequestedAddressFamily::Of(*config.requested_family));
  }
  if (config.additional_ipv6) {
    builder.Add(stun::AdditionalAddressFamily::Of(net::AddressFamily::kIpv6));
  }
  if (config.requested_lifetime.has_value()) {
    builder.Add(stun::Lifetime{
        static_cast<uint32_t>(config.requested_lifetime->ToSeconds())});
  }
  if (config.even_port || config.reserve_next_port) {
    builder.Add(stun::EvenPort{config.reserve_next_port});
  }
  if (config.reservation_token.has_value()) {
    builder.Add(stun::ReservationToken{*config.reservation_token});
  }
  if (config.dont_fragment) builder.Add(stun::DontFragment{});
}

void AddRefreshAttributes(net::Duration lifetime,
                          stun::MessageBuilder& builder) {
  const int64_t seconds =
      std::clamp<int64_t>(lifetime.ToSeconds(), 0, int64_t{UINT32_MAX});
  builder.Add(stun::Lifetime{static_cast<uint32_t>(seconds)});
}

absl::StatusOr<AllocateSuccess> ParseAllocateSuccess(
    const stun::MessageView& response, net::TransportProtocol protocol) {
  AllocateSuccess success;
  absl::StatusOr<std::vector<net::TransportAddress>> relayed =
      RelayedAddresses(response);
  if (!relayed.ok()) return relayed.status();
  success.relayed = *std::move(relayed);
  absl::StatusOr<net::Duration> lifetime = ParseLifetime(response);
  if (!lifetime.ok()) return lifetime.status();
  success.lifetime = *lifetime;
  if (response.Has(stun::attr::kXorMappedAddress)) {
    absl::StatusOr<stun::XorMappedAddress> mapped =
        response.Get<stun::XorMappedAddress>();
    if (!mapped.ok()) return mapped.status();
    success.mapped = WithProtocol(mapped->address, protocol);
  }
  if (response.Has(stun::attr::kReservationToken)) {
    absl::StatusOr<stun::ReservationToken> token =
        response.Get<stun::ReservationToken>();
    if (!token.ok()) return token.status();
    success.reservation_token = token->value;
  }
  if (response.Has(stun::attr::kAddressErrorCode)) {
    absl::StatusOr<stun::AddressErrorCode> error =
        response.Get<stun::AddressErrorCode>();
    if (!error.ok()) return error.status();
    success.address_error = AddressFamilyError{error->family, error->code,
                                               std::string(error->reason)};
  }
  return success;
}

absl::StatusOr<net::Duration> ParseLifetime(const stun::MessageView& response) {
  if (!response.Has(stun::attr::kLifetime)) return kDefaultAllocationLifetime;
  absl::StatusOr<stun::Lifetime> lifetime = response.Get<stun::Lifetime>();
  if (!lifetime.ok()) return lifetime.status();
  return std::min(net::Duration::Seconds(lifetime->value), kMaxTrackedLifetime);
}

std::optional<net::TransportAddress> ParseAlternateServer(
    const stun::MessageView& response, net::TransportProtocol protocol) {
  absl::StatusOr<stun::AlternateServer> alternate =
      response.Get<stun::AlternateServer>();
  if (!alternate.ok()) return std::nullopt;
  return WithProtocol(alternate->address, protocol);
}

int ErrorCodeOf(const stun::StunClient::Event& event) {
  if (!event.response.has_value()) return 0;
  const stun::MessageView view = event.response->view();
  if (view.message_class() != stun::MessageClass::kErrorResponse) return 0;
  absl::StatusOr<stun::ErrorCode> error = view.Get<stun::ErrorCode>();
  return error.ok() ? error->code : 0;
}

absl::Status DescribeFailure(absl::string_view what,
                             const stun::StunClient::Event& event,
                             const net::TransportAddress& server) {
  std::string detail(event.status.message());
  if (event.response.has_value() &&
      event.status.code() == absl::StatusCode::kFailedPrecondition) {
    const stun::MessageView view = event.response->view();
    absl::StatusOr<stun::ErrorCode> error = view.Get<stun::ErrorCode>();
    if (view.message_class() == stun::MessageClass::kErrorResponse &&
        error.ok()) {
      const absl::string_view reason =
          error->reason.empty() ? stun::StandardReasonPhrase(error->code)
                                : error->reason;
      detail = absl::StrCat(error->code, reason.empty() ? "" : " ", reason,
                            " from ", server.ToString());
    }
  }
  return absl::Status(event.status.code(), absl::StrCat(what, ": ", detail));
}

absl::StatusOr<std::vector<uint8_t>> BuildSendIndication(
    const stun::TransactionId& id, const net::TransportAddress& peer,
    absl::Span<const uint8_t> data, bool dont_fragment) {
  stun::MessageBuilder builder(
      {stun::Method::kSend, stun::MessageClass::kIndication}, id);
  builder.Add(stun::XorPeerAddress{peer}).Add(stun::Data{data});
  if (dont_fragment) builder.Add(stun::DontFragment{});
  return builder.Finish();
}

absl::StatusOr<DataIndication> ParseDataIndication(
    const stun::MessageView& indication) {
  absl::StatusOr<stun::XorPeerAddress> peer =
      indication.Get<stun::XorPeerAddress>();
  if (!peer.ok()) return peer.status();
  if (indication.Has(stun::attr::kIcmp)) {
    return Malformed("a Data indication reporting ICMP carries no data");
  }
  absl::StatusOr<stun::Data> data = indication.Get<stun::Data>();
  if (!data.ok()) return data.status();
  return DataIndication{
      WithProtocol(peer->address, net::TransportProtocol::kUdp), data->value};
}

}  // namespace pinhole::turn
