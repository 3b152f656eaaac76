#include "stun/probe/nat_probe.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "net/datagram.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/client.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/message_type.h"

namespace pinhole::stun {
namespace {

constexpr int kMaxLifetimeProbes = 32;
// Each round narrows the bracket (lifetime_probes + 1) times; 20 rounds is far
// more than any resolution needs.
constexpr int kMaxLifetimeRounds = 20;

// The address the server saw: XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from an
// RFC 3489-era server.
std::optional<net::TransportAddress> MappedOf(const MessageView& response) {
  if (absl::StatusOr<XorMappedAddress> xored = response.Get<XorMappedAddress>();
      xored.ok()) {
    return xored->address;
  }
  if (absl::StatusOr<MappedAddress> plain = response.Get<MappedAddress>();
      plain.ok()) {
    return plain->address;
  }
  return std::nullopt;
}

// Whether a datagram that arrived at `arrived` came in on `socket`, which may
// be bound to the wildcard address.
bool OnSocket(const net::TransportAddress& arrived,
              const net::TransportAddress& socket) {
  return arrived.port() == socket.port() &&
         (socket.ip().IsUnspecified() || arrived.ip() == socket.ip());
}

std::string Text(const std::optional<net::TransportAddress>& address) {
  return address.has_value() ? address->ToString() : "";
}

}  // namespace

absl::Status NatProbeOptions::Validate() const {
  if (server.protocol() != net::TransportProtocol::kUdp || server.port() == 0 ||
      server.ip().IsUnspecified()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the server must be a UDP address with a port, not ",
                     server.ToString()));
  }
  if (discover_lifetime) {
    if (lifetime_probes < 1 || lifetime_probes > kMaxLifetimeProbes) {
      return absl::InvalidArgumentError(
          absl::StrCat("lifetime probes must be 1 to ", kMaxLifetimeProbes));
    }
    if (lifetime_resolution <= net::Duration::Zero() ||
        lifetime_max <= lifetime_resolution) {
      return absl::InvalidArgumentError(
          "the lifetime resolution must be positive and below the maximum");
    }
  }
  return retransmission.Validate();
}

NatProbe::NatProbe(net::Random& random, NatProbeOptions options)
    : options_(std::move(options)), client_(random) {}

int NatProbe::SocketCount() const {
  return 2 + (options_.discover_lifetime ? options_.lifetime_probes + 1 : 0);
}

absl::Status NatProbe::Start(
    net::Time now, const std::vector<net::TransportAddress>& sockets) {
  if (started_) return absl::FailedPreconditionError("the probe has started");
  if (absl::Status valid = options_.Validate(); !valid.ok()) return valid;
  if (static_cast<int>(sockets.size()) != SocketCount()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the probe needs ", SocketCount(), " sockets, not ", sockets.size()));
  }
  for (const net::TransportAddress& socket : sockets) {
    if (socket.protocol() != net::TransportProtocol::kUdp ||
        socket.ip() != sockets.front().ip() ||
        socket.family() != options_.server.family()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "probe sockets must be UDP on one local IP of the server's family; ",
          socket.ToString(), " is not"));
    }
  }
  started_ = true;
  socket_m_ = sockets[0];
  socket_f_ = sockets[1];
  for (int i = 0; options_.discover_lifetime && i < options_.lifetime_probes;
       ++i) {
    lifetime_.push_back(LifetimeProbe{sockets[2 + i]});
  }
  if (options_.discover_lifetime) socket_y_ = sockets.back();
  result_.set_server(options_.server.ToString());
  result_.set_local_address(socket_m_->ToString());
  Progress(absl::StrCat("test I: Binding to ", options_.server.ToString(),
                        " from ", socket_m_->ToString(), " and ",
                        socket_f_->ToString()));
  absl::Status sent = Send(now, {Test::kMappingI, *socket_m_, options_.server});
  if (sent.ok()) {
    sent = Send(now, {Test::kFilteringI, *socket_f_, options_.server});
  }
  if (!sent.ok()) Fail(sent);
  return absl::OkStatus();
}

absl::Status NatProbe::Send(net::Time now, const TestRequest& test) {
  StunClient::Request request;
  request.local = test.from;
  request.server = test.to;
  request.software = options_.software;
  request.retransmission = options_.retransmission;
  request.add_attributes = [test](MessageBuilder& builder) {
    if (test.change_ip || test.change_port) {
      builder.Add(ChangeRequest{test.change_ip, test.change_port});
    }
    if (test.response_port.has_value()) {
      builder.Add(ResponsePort{*test.response_port});
    }
  };
  absl::StatusOr<StunClient::RequestId> id =
      client_.Start(now, std::move(request));
  if (!id.ok()) return id.status();
  outstanding_.push_back(Outstanding{*id, test.test, test.probe});
  if (test.test == Test::kHairpin) hairpin_id_ = client_.transaction_id(*id);
  return absl::OkStatus();
}

void NatProbe::HandleDatagram(net::Time now,
                              const net::DatagramView& datagram) {
  if (done_) return;
  if (!client_.HandleDatagram(now, datagram) && OnHairpin(datagram)) {
    MaybeEndBehaviourTests(now);
  }
  Drain(now);
}

void NatProbe::HandleTimeout(net::Time now) {
  if (done_) return;
  client_.HandleTimeout(now);
  for (size_t i = 0; i < lifetime_.size(); ++i) {
    LifetimeProbe& probe = lifetime_[i];
    if (!probe.check_at.has_value() || probe.checking ||
        now < *probe.check_at) {
      continue;
    }
    probe.checking = true;
    // RFC 5780 §4.6: from Y, ask for the answer at X's mapped port.
    const absl::Status sent =
        Send(now, {Test::kLifetimeCheck, *socket_y_, options_.server, false,
                   false, probe.mapped->port(), static_cast<int>(i)});
    if (!sent.ok()) return Fail(sent);
  }
  Drain(now);
}

void NatProbe::Drain(net::Time now) {
  while (std::optional<StunClient::Event> event = client_.PollEvent()) {
    const auto it = std::find_if(
        outstanding_.begin(), outstanding_.end(),
        [&](const Outstanding& test) { return test.id == event->id; });
    if (it == outstanding_.end()) continue;
    const Outstanding test = *it;
    outstanding_.erase(it);
    OnOutcome(now, test, *event);
    if (done_) return;
  }
}

void NatProbe::OnOutcome(net::Time now, const Outstanding& test,
                         const StunClient::Event& event) {
  switch (test.test) {
    case Test::kMappingI:
    case Test::kFilteringI:
      return OnTestI(now, test.test, event);
    case Test::kMappingII:
    case Test::kMappingIII:
      OnMapping(test.test, event);
      break;
    case Test::kFilteringII:
    case Test::kFilteringIII:
      OnFiltering(test.test, event);
      break;
    case Test::kHairpin:
      // Nobody answers a request sent to oneself: the end of its schedule
      // means it never came back.
      if (result_.hairpinning() == HAIRPINNING_NOT_TESTED) {
        result_.set_hairpinning(HAIRPINNING_NOT_OBSERVED);
        Progress(
            "hairpinning: the request to the mapped address never "
            "came back");
      }
      break;
    case Test::kLifetimeBind:
    case Test::kLifetimeCheck:
      return OnLifetime(now, test, event);
  }
  MaybeEndBehaviourTests(now);
}

void NatProbe::OnTestI(net::Time now, Test test,
                       const StunClient::Event& event) {
  const bool mapping = test == Test::kMappingI;
  if (!event.status.ok()) {
    return Fail(absl::UnavailableError(absl::StrCat(
        "test I from ", (mapping ? socket_m_ : socket_f_)->ToString(),
        " got no answer: ", event.status.message(),
        " (UDP blocked, or the server is down)")));
  }
  const MessageView response = event.response->view();
  const std::optional<net::TransportAddress> mapped = MappedOf(response);
  if (!mapped.has_value()) {
    return Fail(absl::DataLossError(
        "the server's answer to test I carries no mapped address"));
  }
  if (mapping) {
    mapped_i_ = mapped;
    // The address the answer arrived at is M's own, even when M is bound to
    // the wildcard address.
    local_m_ = event.response->destination;
    result_.set_local_address(local_m_->ToString());
    result_.set_mapped_address(mapped->ToString());
    result_.set_nat_present(*mapped != *local_m_);
    Progress(absl::StrCat("test I: ", local_m_->ToString(), " is mapped to ",
                          mapped->ToString()));
    const absl::StatusOr<OtherAddress> other = response.Get<OtherAddress>();
    if (!other.ok()) {
      return Fail(absl::FailedPreconditionError(
          "the server does not support RFC 5780: its answer has no "
          "OTHER-ADDRESS"));
    }
    other_ = other->address;
    result_.set_other_address(other_->ToString());
  } else {
    filtering_i_done_ = true;
  }
  if (mapped_i_.has_value() && filtering_i_done_) StartBehaviourTests(now);
}

// RFC 5780 §4.3 (mapping), §4.4 (filtering) and §4.5 (hairpinning), all at
// once: each runs on its own socket or towards its own address.
void NatProbe::StartBehaviourTests(net::Time now) {
  const net::TransportAddress other_ip_primary_port(
      other_->ip(), options_.server.port(), net::TransportProtocol::kUdp);
  const net::TransportAddress other_ip_and_port(other_->ip(), other_->port(),
                                                net::TransportProtocol::kUdp);
  Progress(absl::StrCat("mapping tests II and III: Binding to ",
                        other_ip_primary_port.ToString(), " and ",
                        other_ip_and_port.ToString()));
  Progress(
      "filtering tests II and III: answers asked from the other address and "
      "port, and from the other port");
  std::vector<TestRequest> tests = {
      {Test::kMappingII, *socket_m_, other_ip_primary_port},
      {Test::kMappingIII, *socket_m_, other_ip_and_port},
      {Test::kFilteringII, *socket_f_, options_.server, true, true},
      {Test::kFilteringIII, *socket_f_, options_.server, false, true},
  };
  // Without a NAT there is nothing to hairpin through.
  if (options_.test_hairpinning && result_.nat_present()) {
    Progress(absl::StrCat("hairpinning: Binding to our own mapped address ",
                          mapped_i_->ToString()));
    tests.push_back({Test::kHairpin, *socket_m_, *mapped_i_});
  }
  for (const TestRequest& test : tests) {
    if (absl::Status sent = Send(now, test); !sent.ok()) return Fail(sent);
  }
}

void NatProbe::OnMapping(Test test, const StunClient::Event& event) {
  std::optional<net::TransportAddress> mapped;
  if (event.status.ok()) mapped = MappedOf(event.response->view());
  const bool second = test == Test::kMappingII;
  (second ? mapped_ii_ : mapped_iii_) = mapped;
  (second ? mapping_ii_done_ : mapping_iii_done_) = true;
  if (second) {
    result_.set_mapped_address_other_ip(Text(mapped));
  } else {
    result_.set_mapped_address_other_ip_and_port(Text(mapped));
  }
  Progress(absl::StrCat(second ? "mapping test II" : "mapping test III", ": ",
                        mapped.has_value()
                            ? "mapped to " + mapped->ToString()
                            : std::string(event.status.message())));
  if (!mapping_ii_done_ || !mapping_iii_done_) return;
  if (!mapped_ii_.has_value()) return;  // Unknown: the other IP is silent.
  if (*mapped_ii_ == *mapped_i_) {
    result_.set_mapping(MAPPING_ENDPOINT_INDEPENDENT);
  } else if (mapped_iii_.has_value() && *mapped_iii_ == *mapped_ii_) {
    result_.set_mapping(MAPPING_ADDRESS_DEPENDENT);
  } else if (mapped_iii_.has_value()) {
    result_.set_mapping(MAPPING_ADDRESS_AND_PORT_DEPENDENT);
  }
}

void NatProbe::OnFiltering(Test test, const StunClient::Event& event) {
  const bool second = test == Test::kFilteringII;
  // The answer must come from where it was asked to: test II from the other
  // IP and port, test III from the primary IP and the other port.
  const net::TransportAddress expected =
      second ? net::TransportAddress(other_->ip(), other_->port(),
                                     net::TransportProtocol::kUdp)
             : net::TransportAddress(options_.server.ip(), other_->port(),
                                     net::TransportProtocol::kUdp);
  const bool through = event.status.ok() && event.response->source == expected;
  if (!event.status.ok() && event.response.has_value()) {
    // An error answer (420: CHANGE-REQUEST unknown) says nothing of filters.
    return Fail(absl::FailedPreconditionError(absl::StrCat(
        "the server refused CHANGE-REQUEST: ", event.status.message())));
  }
  (second ? filtering_ii_ok_ : filtering_iii_ok_) = through;
  Progress(absl::StrCat(
      second ? "filtering test II" : "filtering test III",
      through ? ": the answer got through" : ": no answer got through"));
  if (!filtering_ii_ok_.has_value() || !filtering_iii_ok_.has_value()) return;
  if (*filtering_ii_ok_) {
    result_.set_filtering(FILTERING_ENDPOINT_INDEPENDENT);
  } else if (*filtering_iii_ok_) {
    result_.set_filtering(FILTERING_ADDRESS_DEPENDENT);
  } else {
    result_.set_filtering(FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  }
}

// The hairpin request, back on socket M: our own Binding request.
bool NatProbe::OnHairpin(const net::DatagramView& datagram) {
  if (!hairpin_id_.has_value() || !OnSocket(datagram.destination, *socket_m_)) {
    return false;
  }
  absl::StatusOr<MessageView> message = MessageView::Parse(datagram.payload);
  if (!message.ok() || message->message_class() != MessageClass::kRequest ||
      message->transaction_id() != *hairpin_id_) {
    return false;
  }
  // Through a NAT that maps per destination, the hairpinned request leaves on
  // a new mapping: an external source, though not the mapped address.
  const bool external = datagram.source.ip() != local_m_->ip();
  result_.set_hairpinning(external ? HAIRPINNING_EXTERNAL_SOURCE
                                   : HAIRPINNING_INTERNAL_SOURCE);
  Progress(absl::StrCat("hairpinning: the request came back from ",
                        datagram.source.ToString()));
  hairpin_id_.reset();
  for (auto it = outstanding_.begin(); it != outstanding_.end(); ++it) {
    if (it->test == Test::kHairpin) {
      client_.Cancel(it->id);
      outstanding_.erase(it);
      break;
    }
  }
  return true;
}

void NatProbe::MaybeEndBehaviourTests(net::Time now) {
  if (done_ || lifetime_running_ || !outstanding_.empty()) return;
  if (options_.discover_lifetime) {
    lifetime_running_ = true;
    lifetime_low_ = net::Duration::Zero();
    lifetime_high_ = options_.lifetime_max;
    StartLifetimeRound(now);
    return;
  }
  Finish();
}

void NatProbe::Progress(std::string message) {
  events_.push_back(Event{std::move(message), std::nullopt});
}

void NatProbe::Fail(absl::Status status) {
  result_.set_error(std::string(status.message()));
  Finish();
}

void NatProbe::Finish() {
  if (done_) return;
  done_ = true;
  for (const Outstanding& test : outstanding_) client_.Cancel(test.id);
  outstanding_.clear();
  events_.push_back(Event{Verdict(result_), result_});
}

std::optional<net::Datagram> NatProbe::PollTransmit() {
  return client_.PollTransmit();
}

std::optional<NatProbe::Event> NatProbe::PollEvent() {
  if (events_.empty()) return std::nullopt;
  Event event = std::move(events_.front());
  events_.pop_front();
  return event;
}

std::optional<net::Time> NatProbe::NextTimeout() const {
  if (done_) return std::nullopt;
  std::optional<net::Time> next = client_.NextTimeout();
  for (const LifetimeProbe& probe : lifetime_) {
    if (probe.check_at.has_value() && !probe.checking &&
        (!next.has_value() || *probe.check_at < *next)) {
      next = probe.check_at;
    }
  }
  return next;
}

}  // namespace pinhole::stun

namespace pinhole::stun {

// RFC 5780 §4.6, several silences at once: every X binds now, and Y checks
// each one `silence` after its answer arrived.
void NatProbe::StartLifetimeRound(net::Time now) {
  if (++lifetime_rounds_ > kMaxLifetimeRounds) {
    return Fail(absl::DeadlineExceededError(
        "binding lifetime: the search did not converge"));
  }
  const int count = static_cast<int>(lifetime_.size());
  // Strictly between the bounds once the upper one is known fatal; up to the
  // maximum itself before.
  const int slots = lifetime_high_seen_ ? count + 1 : count;
  const int64_t span_ms = (lifetime_high_ - lifetime_low_).ToMilliseconds();
  const int64_t step_ms = std::max<int64_t>(1, (span_ms + slots - 1) / slots);
  lifetime_round_start_ = now;
  for (int i = 0; i < count; ++i) {
    LifetimeProbe& probe = lifetime_[i];
    probe.silence =
        std::min(lifetime_low_ + net::Duration::Milliseconds(step_ms * (i + 1)),
                 options_.lifetime_max);
    probe.mapped.reset();
    probe.check_at.reset();
    probe.checking = false;
    probe.alive.reset();
  }
  Progress(absl::StrCat("binding lifetime: ", count, " mappings silent for ",
                        lifetime_[0].silence.ToString(), " to ",
                        lifetime_[count - 1].silence.ToString()));
  for (int i = 0; i < count; ++i) {
    const absl::Status sent =
        Send(now, {Test::kLifetimeBind, lifetime_[i].socket, options_.server,
                   false, false, std::nullopt, i});
    if (!sent.ok()) return Fail(sent);
  }
}

void NatProbe::OnLifetime(net::Time now, const Outstanding& test,
                          const StunClient::Event& event) {
  LifetimeProbe& probe = lifetime_[test.probe];
  if (test.test == Test::kLifetimeBind) {
    std::optional<net::TransportAddress> mapped;
    if (event.status.ok()) mapped = MappedOf(event.response->view());
    if (!mapped.has_value()) {
      return Fail(absl::UnavailableError(
          absl::StrCat("binding lifetime: no answer to ",
                       probe.socket.ToString(), ": ", event.status.message())));
    }
    lifetime_rtt_ = std::max(lifetime_rtt_, now - lifetime_round_start_);
    probe.mapped = mapped;
    probe.check_at = now + probe.silence;
    return;
  }
  // The answer Y asked for reached X: X's mapping was alive. An answer that
  // reached Y instead (its new mapping took X's old port) or none at all:
  // dead.
  probe.alive =
      event.status.ok() && OnSocket(event.response->destination, probe.socket);
  if (std::all_of(lifetime_.begin(), lifetime_.end(),
                  [](const LifetimeProbe& p) { return p.alive.has_value(); })) {
    FinishLifetimeRound(now);
  }
}

void NatProbe::FinishLifetimeRound(net::Time now) {
  std::optional<net::Duration> shortest_dead;
  for (const LifetimeProbe& probe : lifetime_) {
    if (!*probe.alive &&
        (!shortest_dead.has_value() || probe.silence < *shortest_dead)) {
      shortest_dead = probe.silence;
    }
  }
  for (const LifetimeProbe& probe : lifetime_) {
    // A survivor longer than a death is noise (a lost packet): ignored.
    if (*probe.alive && probe.silence > lifetime_low_ &&
        (!shortest_dead.has_value() || probe.silence < *shortest_dead)) {
      lifetime_low_ = probe.silence;
    }
  }
  if (shortest_dead.has_value() &&
      (!lifetime_high_seen_ || *shortest_dead < lifetime_high_)) {
    lifetime_high_ = *shortest_dead;
    lifetime_high_seen_ = true;
  }
  Progress(absl::StrCat(
      "binding lifetime: alive after ", lifetime_low_.ToString(),
      lifetime_high_seen_
          ? absl::StrCat(", dead after ", lifetime_high_.ToString())
          : std::string()));
  BindingLifetime* lifetime = result_.mutable_lifetime();
  if (!lifetime_high_seen_) {
    lifetime->set_lower_ms(lifetime_low_.ToMilliseconds());
    lifetime->set_exceeds_max(true);
    return Finish();
  }
  if (lifetime_high_ - lifetime_low_ <= options_.lifetime_resolution) {
    lifetime->set_lower_ms(lifetime_low_.ToMilliseconds());
    lifetime->set_upper_ms(
        (lifetime_high_ + lifetime_rtt_ * 2).ToMilliseconds());
    return Finish();
  }
  result_.clear_lifetime();
  StartLifetimeRound(now);
}

}  // namespace pinhole::stun
