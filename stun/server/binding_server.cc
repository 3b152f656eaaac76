#include "stun/server/binding_server.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "stun/attribute_type.h"
#include "stun/attributes.h"
#include "stun/byte_io.h"
#include "stun/message_type.h"

namespace pinhole::stun {
namespace {

constexpr MessageType kSuccessType{Method::kBinding,
                                   MessageClass::kSuccessResponse};
constexpr MessageType kErrorType{Method::kBinding,
                                 MessageClass::kErrorResponse};

// The largest UDP payload over IPv4 (65535 - 20 - 8). RFC 5780 §7.6: "PADDING
// MUST NOT be longer than the length that brings the total IP datagram size
// to 64K".
constexpr size_t kMaxUdpPayload = 65507;
// What may follow PADDING: MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 (the
// larger counted), then FINGERPRINT.
constexpr size_t kMaxClosingAttributes =
    kAttributeHeaderSize + kMessageIntegritySha256MaxSize +
    kAttributeHeaderSize + kFingerprintSize;
// Parse()'s list plus the three RFC 5780 request attributes.
constexpr size_t kMaxUnknown = MessageView::kMaxUnknownReported + 3;

// The header rules of RFC 8489 §5 that §6.3 checks before anything else: at
// least a header, the two top bits zero, and a length field that is a
// multiple of 4 and counts exactly the bytes after the header. The magic
// cookie is not required: RFC 3489 messages lack it (RFC 8489 §12.2).
bool HeaderIsWellFormed(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize || (bytes[0] & 0xC0) != 0) return false;
  const size_t length = LoadBe16(bytes.data() + 2);
  return length % 4 == 0 && kHeaderSize + length == bytes.size();
}

// RFC 3489's SOURCE-ADDRESS and CHANGED-ADDRESS (RFC 8489 §18.3 keeps their
// codes reserved): written to classic clients only, never parsed.
using Rfc3489SourceAddress = PlainAddressAttribute<0x0004>;
using Rfc3489ChangedAddress = PlainAddressAttribute<0x0005>;

bool IsRfc3489(absl::Span<const uint8_t> bytes) {
  return LoadBe32(bytes.data() + 4) != kMagicCookie;
}

}  // namespace

absl::StatusOr<BindingServer> BindingServer::Create(
    BindingServerConfig config) {
  if (absl::Status status = ValidateBindingServerConfig(config); !status.ok()) {
    return status;
  }
  absl::StatusOr<ShortTermCredentials> credentials =
      ShortTermCredentials::Create(config.short_term_users);
  if (!credentials.ok()) return credentials.status();
  return BindingServer(std::move(config), *std::move(credentials));
}

BindingServer::BindingServer(BindingServerConfig config,
                             ShortTermCredentials credentials)
    : config_(std::move(config)),
      addresses_(config_),
      credentials_(std::move(credentials)),
      builder_(kSuccessType, TransactionId{}) {}

std::vector<net::TransportAddress> BindingServer::LocalAddresses() const {
  const absl::Span<const net::TransportAddress> all = addresses_.all();
  return std::vector<net::TransportAddress>(all.begin(), all.end());
}

void BindingServer::HandleTimeout(net::Time /*now*/) {}

std::optional<net::Time> BindingServer::NextTimeout() const {
  return std::nullopt;
}

std::optional<net::Datagram> BindingServer::PollTransmit() {
  return transmits_.Pop();
}

std::optional<BindingServer::Event> BindingServer::PollEvent() {
  return events_.Pop();
}

void BindingServer::HandleDatagram(net::Time /*now*/,
                                   const net::DatagramView& datagram) {
  ++stats_.datagrams;
  const std::optional<int> arrival =
      addresses_.ArrivalIndex(datagram.destination);
  if (!arrival.has_value()) {
    return Drop(datagram, "sent to an address this server does not serve");
  }
  // Answering either would send to nowhere or to the server itself.
  if (datagram.source.port() == 0) return Drop(datagram, "source port is 0");
  if (addresses_.Contains(datagram.source)) {
    return Drop(datagram, "sent from the server's own address");
  }
  const absl::Span<const uint8_t> bytes = datagram.payload;
  if (!HeaderIsWellFormed(bytes)) {
    return Drop(datagram, "not a STUN message (RFC 8489 §6.3)");
  }
  const MessageType type = MessageType::FromWire(LoadBe16(bytes.data()));
  if (type.method != Method::kBinding) {
    // RFC 8489 §6.3: an agent checks "that the method value is a supported
    // method"; "if any errors are detected, the message is silently
    // discarded".
    return Drop(datagram, "unsupported method (RFC 8489 §6.3)",
                MethodName(type.method));
  }
  absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
  if (!message.ok()) {
    if (type.message_class == MessageClass::kRequest) {
      return HandleMalformedRequest(datagram, *arrival,
                                    message.status().message());
    }
    return Drop(datagram, "malformed STUN message", message.status().message());
  }
  HandleMessage(datagram, *arrival, *message);
}

void BindingServer::HandleMessage(const net::DatagramView& datagram,
                                  int arrival, const MessageView& message) {
  // RFC 8489 §6.3: a FINGERPRINT that does not match means the message is
  // silently discarded (it may belong to another protocol).
  if (message.fingerprint_offset().has_value() &&
      !VerifyFingerprint(message).ok()) {
    return Drop(datagram, "FINGERPRINT does not match (RFC 8489 §6.3)");
  }
  switch (message.message_class()) {
    case MessageClass::kRequest:
      return HandleRequest(datagram, arrival, message);
    case MessageClass::kIndication: {
      // RFC 8489 §6.3.2: no response to an indication; a Binding
      // indication is a keepalive, and consuming it is all there is to do.
      ++stats_.indications;
      Event event;
      event.kind = Event::Kind::kIndication;
      event.source = datagram.source;
      event.destination = datagram.destination;
      return PushEvent(std::move(event));
    }
    case MessageClass::kSuccessResponse:
    case MessageClass::kErrorResponse:
      break;
  }
  Drop(datagram, "a response; the server has no transactions (RFC 8489 §6.3)");
}

void BindingServer::HandleRequest(const net::DatagramView& datagram,
                                  int arrival, const MessageView& request) {
  ++stats_.requests;
  if (transmits_.full()) {
    ++stats_.dropped_queue_full;
    return Drop(datagram, "transmit queue full");
  }
  // RFC 8489 §6.3: authentication first, then unknown attributes.
  ResponseIntegrity integrity;
  if (std::optional<Refusal> refusal = Authenticate(request, integrity)) {
    // RFC 8489 §9.1.3: a failed check cannot name the key, so the error
    // carries no MESSAGE-INTEGRITY.
    return SendError(datagram, arrival, request, refusal->error_code,
                     refusal->reason, ResponseIntegrity{});
  }
  uint16_t unknown[kMaxUnknown];
  const size_t unknown_count = UnknownAttributes(request, unknown);
  if (unknown_count > 0) {
    return SendError(datagram, arrival, request, error::kUnknownAttribute,
                     "Unknown Attribute", integrity,
                     absl::MakeConstSpan(unknown, unknown_count));
  }
  Route route;
  if (std::optional<Refusal> refusal =
          ChooseRoute(datagram, arrival, request, route)) {
    if (refusal->error_code == 0) return Drop(datagram, refusal->reason);
    return SendError(datagram, arrival, request, refusal->error_code,
                     refusal->reason, integrity);
  }
  BuildSuccess(request, datagram.source, arrival, route, integrity);
  Send(datagram, route.from, route.to, Answer{}, request.is_rfc3489());
}

void BindingServer::HandleMalformedRequest(const net::DatagramView& datagram,
                                           int arrival,
                                           absl::string_view detail) {
  ++stats_.requests;
  if (transmits_.full()) {
    ++stats_.dropped_queue_full;
    return Drop(datagram, "transmit queue full");
  }
  // The header is sound (HandleDatagram checked it), so the transaction ID
  // is known; FINGERPRINT and integrity cannot be trusted, so the answer
  // has neither.
  TransactionId id;
  std::memcpy(id.data(), datagram.payload.data() + 8, id.size());
  builder_.Reset(kErrorType, id);
  constexpr absl::string_view kReason = "Malformed request";
  builder_.Add(ErrorCode{error::kBadRequest, kReason});
  AddSoftware(IsRfc3489(datagram.payload));
  Send(datagram, arrival, datagram.source,
       Answer{error::kBadRequest, kReason, detail},
       IsRfc3489(datagram.payload));
}

std::optional<BindingServer::Refusal> BindingServer::Authenticate(
    const MessageView& request, ResponseIntegrity& integrity) const {
  if (credentials_.empty()) return std::nullopt;
  if (request.is_rfc3489()) {
    return Refusal{error::kBadRequest,
                   "RFC 3489 requests cannot carry short-term credentials"};
  }
  const std::optional<absl::Span<const uint8_t>> username =
      request.Find(attr::kUsername);
  const std::optional<absl::Span<const uint8_t>> sha256 =
      request.Find(attr::kMessageIntegritySha256);
  const bool sha1 = request.message_integrity_offset().has_value();
  if (!username.has_value() || (!sha1 && !sha256.has_value())) {
    return Refusal{error::kBadRequest,
                   "USERNAME and MESSAGE-INTEGRITY(-SHA256) required "
                   "(RFC 8489 §9.1.3)"};
  }
  const IntegrityKey* key = credentials_.Find(absl::string_view(
      reinterpret_cast<const char*>(username->data()), username->size()));
  if (key == nullptr) {
    return Refusal{error::kUnauthenticated,
                   "Unknown USERNAME (RFC 8489 §9.1.3)"};
  }
  // RFC 8489 §9.1.3: MESSAGE-INTEGRITY-SHA256 when present, otherwise
  // MESSAGE-INTEGRITY; the response uses the same one.
  if (sha256.has_value()) {
    if (!VerifyMessageIntegritySha256(request, *key).ok()) {
      return Refusal{error::kUnauthenticated,
                     "MESSAGE-INTEGRITY-SHA256 does not match"};
    }
    integrity.sha256 = true;
    integrity.sha256_length = sha256->size();
  } else if (!VerifyMessageIntegrity(request, *key).ok()) {
    return Refusal{error::kUnauthenticated, "MESSAGE-INTEGRITY does not match"};
  }
  integrity.key = key;
  return std::nullopt;
}

size_t BindingServer::UnknownAttributes(const MessageView& request,
                                        uint16_t* unknown) const {
  size_t count = 0;
  for (const uint16_t type : request.unknown_comprehension_required()) {
    unknown[count++] = type;
  }
  if (addresses_.behavior_discovery() && request.is_rfc3489()) {
    // RFC 3489 §11.2.4: CHANGE-REQUEST is the classic NAT-type test too, and
    // a server with two addresses and two ports answers it the same way; the
    // rest of RFC 5780 (RESPONSE-PORT, PADDING) did not exist then.
    if (request.Has(attr::kResponsePort)) {
      unknown[count++] = attr::kResponsePort;
    }
    if (request.Has(attr::kPadding)) unknown[count++] = attr::kPadding;
    return count;
  }
  if (addresses_.behavior_discovery()) return count;
  // Without RFC 5780 its request attributes are unknown ones. RFC 5780 §6 says
  // a server without alternate addresses "MUST respond with a 420 (Unknown
  // Attribute) to any Request with a CHANGE-REQUEST attribute"; Pinhole departs
  // from that for a CHANGE-REQUEST asking for no change, which it honours
  // trivially: the basic test of stuntman's stunclient (and JSTUN's) sends one
  // in every request, and coturn answers it too.
  if (request.Has(attr::kChangeRequest)) {
    const absl::StatusOr<ChangeRequest> change = request.Get<ChangeRequest>();
    if (!change.ok() || change->change_ip || change->change_port) {
      unknown[count++] = attr::kChangeRequest;
    }
  }
  // RFC 5780 §7.5: "Server support for RESPONSE-PORT is optional", and §5
  // tells clients to expect a 420; PADDING belongs to the same usage.
  if (request.Has(attr::kResponsePort)) unknown[count++] = attr::kResponsePort;
  if (request.Has(attr::kPadding)) unknown[count++] = attr::kPadding;
  return count;
}

std::optional<BindingServer::Refusal> BindingServer::ChooseRoute(
    const net::DatagramView& datagram, int arrival, const MessageView& request,
    Route& route) const {
  route.from = arrival;
  route.to = datagram.source;
  // UnknownAttributes() has answered 420 when RFC 5780 is off; what remains
  // is at most a CHANGE-REQUEST asking for no change.
  if (!addresses_.behavior_discovery()) return std::nullopt;
  // RFC 5780 §6.1, Table 1: change IP swaps the IP the request arrived on,
  // change port its port.
  if (request.Has(attr::kChangeRequest)) {
    const absl::StatusOr<ChangeRequest> change = request.Get<ChangeRequest>();
    if (!change.ok()) return Refusal{error::kBadRequest, "Bad CHANGE-REQUEST"};
    if (change->change_ip) route.from ^= BindingServerAddresses::kChangeIp;
    if (change->change_port) route.from ^= BindingServerAddresses::kChangePort;
  }
  if (!request.Has(attr::kResponsePort)) return std::nullopt;
  // RFC 5780 §6.1: PADDING and RESPONSE-PORT together get a 400; §10: this
  // "prevents an amplification attack that is targeted at the originating
  // address".
  if (request.Has(attr::kPadding)) {
    return Refusal{error::kBadRequest,
                   "RESPONSE-PORT with PADDING (RFC 5780 §6.1)"};
  }
  const absl::StatusOr<ResponsePort> port = request.Get<ResponsePort>();
  if (!port.ok()) return Refusal{error::kBadRequest, "Bad RESPONSE-PORT"};
  if (port->port == 0) return Refusal{error::kBadRequest, "RESPONSE-PORT is 0"};
  // RFC 5780 §7.5: to the request's source IP, at RESPONSE-PORT; never
  // anywhere else, so a client can aim only at its own address.
  route.to = net::TransportAddress(datagram.source.ip(), port->port,
                                   datagram.source.protocol());
  if (addresses_.Contains(route.to)) {
    return Refusal{0, "RESPONSE-PORT names the server's own address"};
  }
  return std::nullopt;
}

void BindingServer::BuildSuccess(const MessageView& request,
                                 const net::TransportAddress& client,
                                 int arrival, const Route& route,
                                 const ResponseIntegrity& integrity) {
  builder_.Reset(kSuccessType, request.transaction_id());
  // RFC 5780 §6.1 requires both mapped addresses; RFC 3489 clients read
  // only MAPPED-ADDRESS (RFC 8489 §12.2), and clients of RFC 5389 and 8489
  // XOR-MAPPED-ADDRESS. MAPPED-ADDRESS goes first, where RFC 3489 servers
  // put it.
  builder_.Add(MappedAddress{client});
  if (!request.is_rfc3489()) {
    builder_.Add(XorMappedAddress{client});
    if (addresses_.behavior_discovery()) {
      // RFC 5780 §6.1: the address the response is sent from, and the one
      // that both changes would use, whatever the request asked.
      builder_.Add(ResponseOrigin{addresses_.at(route.from)});
      builder_.Add(OtherAddress{addresses_.at(arrival ^ 3)});
    }
  } else if (addresses_.behavior_discovery()) {
    // RFC 3489 §11.2.3 and §11.2.5: the same two addresses under their
    // classic names, which RFC 5780's attributes replaced.
    builder_.Add(Rfc3489SourceAddress{addresses_.at(route.from)});
    builder_.Add(Rfc3489ChangedAddress{addresses_.at(arrival ^ 3)});
  }
  AddSoftware(request.is_rfc3489());
  if (addresses_.behavior_discovery() && !request.is_rfc3489()) {
    if (const std::optional<absl::Span<const uint8_t>> padding =
            request.Find(attr::kPadding)) {
      AddPadding(padding->size());
    }
  }
  Close(request, integrity);
}

void BindingServer::AddSoftware(bool classic) {
  if (config_.software.empty()) return;
  if (!classic) {
    builder_.Add(Software{config_.software});
    return;
  }
  // RFC 3489 §11.1: an attribute's length counts its padding ("MUST be a
  // multiple of 4"), and classic clients refuse other lengths; RFC 3489's
  // SERVER text (0x8022, today's SOFTWARE) is padded with spaces.
  std::string padded = config_.software;
  padded.resize((padded.size() + 3) / 4 * 4, ' ');
  builder_.Add(Software{padded});
}

void BindingServer::AddPadding(size_t requested) {
  // RFC 5780 §6.1: "If the Request contained a PADDING attribute, PADDING
  // MUST be included in the Binding Response. The server SHOULD use a length
  // of PADDING equal to the MTU on the outgoing interface". A sans-IO server
  // knows no interface, so it echoes the request's PADDING length: the
  // client sized that to its own MTU (RFC 5780 §5), and the response is then
  // no larger than the request plus the usual attributes, which keeps a
  // spoofed small request from drawing a large answer (§10: "servers should
  // not allocate more memory than the size of the received datagram").
  const size_t used =
      builder_.bytes().size() + kAttributeHeaderSize + kMaxClosingAttributes;
  const size_t room = used < kMaxUdpPayload ? (kMaxUdpPayload - used) & ~3u : 0;
  builder_.Add(Padding{std::min(PaddedLength(requested), room)});
}

void BindingServer::Close(const MessageView& request,
                          const ResponseIntegrity& integrity) {
  if (integrity.key != nullptr) {
    // RFC 8489 §9.1.3: the response carries the integrity attribute the
    // request used, keyed with the password that authenticated it.
    // MESSAGE-INTEGRITY-SHA256 keeps the request's truncation (§14.6), so a
    // client that truncates accepts it.
    if (integrity.sha256) {
      builder_.AddMessageIntegritySha256(*integrity.key,
                                         integrity.sha256_length);
    } else {
      builder_.AddMessageIntegrity(*integrity.key);
    }
  }
  // RFC 8489 §7 makes FINGERPRINT optional for servers, and RFC 5780 §6.1
  // requires it only where STUN is multiplexed. Pinhole adds it exactly when
  // the request carried one, as coturn does: a client that sends FINGERPRINT
  // (ICE agents must, RFC 8445 §7.2.2) expects it back, and RFC 3489-era
  // parsers that sent none see nothing new. FINGERPRINT is not backwards
  // compatible with RFC 3489 (RFC 8489 §7), so classic answers never carry it.
  if (request.fingerprint_offset().has_value() && !request.is_rfc3489()) {
    builder_.AddFingerprint();
  }
}

void BindingServer::SendError(const net::DatagramView& datagram, int arrival,
                              const MessageView& request, int error_code,
                              absl::string_view reason,
                              const ResponseIntegrity& integrity,
                              absl::Span<const uint16_t> unknown) {
  builder_.Reset(kErrorType, request.transaction_id());
  builder_.Add(ErrorCode{error_code, reason});
  if (!unknown.empty()) {
    // UNKNOWN-ATTRIBUTES (RFC 8489 §14.13), written in place: no vector.
    absl::Span<uint8_t> out =
        builder_.AppendAttribute(attr::kUnknownAttributes, 2 * unknown.size());
    for (size_t i = 0; i < unknown.size() && !out.empty(); ++i) {
      StoreBe16(out.data() + 2 * i, unknown[i]);
    }
  }
  AddSoftware(request.is_rfc3489());
  Close(request, integrity);
  // Errors go back the way the request came: CHANGE-REQUEST and
  // RESPONSE-PORT shape only success responses (RFC 5780 §6.1).
  Send(datagram, arrival, datagram.source, Answer{error_code, reason, {}},
       request.is_rfc3489());
}

void BindingServer::Send(const net::DatagramView& datagram, int from,
                         const net::TransportAddress& to, const Answer& answer,
                         bool rfc3489) {
  if (!builder_.status().ok()) {
    return Drop(datagram, "could not build the response",
                builder_.status().message());
  }
  const absl::Span<const uint8_t> bytes = builder_.bytes();
  net::Datagram out{addresses_.at(from), to,
                    std::vector<uint8_t>(bytes.begin(), bytes.end())};
  if (rfc3489) {
    // RFC 8489 §12.2: the response echoes the request's 128-bit transaction
    // ID, whose first 32 bits sit where the magic cookie would.
    std::memcpy(out.payload.data() + 4, datagram.payload.data() + 4, 4);
  }
  Event event;
  event.source = datagram.source;
  event.destination = datagram.destination;
  event.response_source = out.source;
  event.response_destination = out.destination;
  if (answer.error_code == 0) {
    ++stats_.successes;
    event.kind = Event::Kind::kAnswered;
  } else {
    ++stats_.errors;
    if (answer.error_code == error::kBadRequest) ++stats_.errors_400;
    if (answer.error_code == error::kUnauthenticated) ++stats_.errors_401;
    if (answer.error_code == error::kUnknownAttribute) ++stats_.errors_420;
    event.kind = Event::Kind::kErrorResponse;
    event.error_code = answer.error_code;
    event.reason = answer.detail.empty()
                       ? std::string(answer.reason)
                       : absl::StrCat(answer.reason, ": ", answer.detail);
  }
  // HandleRequest() made sure there is room.
  transmits_.PushEvictingOldest(std::move(out));
  PushEvent(std::move(event));
}

void BindingServer::Drop(const net::DatagramView& datagram,
                         absl::string_view reason, absl::string_view detail) {
  ++stats_.dropped;
  Event event;
  event.kind = Event::Kind::kDropped;
  event.source = datagram.source;
  event.destination = datagram.destination;
  event.reason =
      detail.empty() ? std::string(reason) : absl::StrCat(reason, ": ", detail);
  PushEvent(std::move(event));
}

void BindingServer::PushEvent(Event event) {
  if (events_.PushEvictingOldest(std::move(event))) ++stats_.events_discarded;
}

}  // namespace pinhole::stun
