// Gathering (RFC 8445 §5.1): host candidates from the bases, server-reflexive
// ones from Binding requests to the STUN servers, relayed ones from TURN
// allocations; priorities (§5.1.2), foundations (§5.1.1.3) and redundancy
// elimination (§5.1.3).
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ice/agent.h"
#include "ice/agent_internal.h"
#include "stun/address_attributes.h"
#include "stun/demux.h"
#include "stun/message.h"

namespace pinhole::ice {
namespace {

// Relayed candidates through UDP are preferred to TCP, and TCP to TLS (each
// adds a hop's worth of head-of-line blocking or handshakes).
uint32_t RelayTransportRank(net::TransportProtocol protocol) {
  switch (protocol) {
    case net::TransportProtocol::kUdp:
      return 0;
    case net::TransportProtocol::kTcp:
      return 1;
    case net::TransportProtocol::kTls:
      return 2;
  }
  return 2;
}

}  // namespace

absl::Status Agent::StartGathering(net::Time now) {
  if (gathering_started_) {
    return absl::FailedPreconditionError(
        "gathering has started already (Restart gathers again)");
  }
  if (closed_) return absl::FailedPreconditionError("the agent is closed");
  for (uint32_t component = 1; component <= config_.components; ++component) {
    if (std::none_of(bases_.begin(), bases_.end(), [component](const Base& b) {
          return b.component == component;
        })) {
      return absl::FailedPreconditionError(
          absl::StrCat("component ", component, " has no host address"));
    }
  }
  gathering_started_ = true;
  StartHostCandidates(now);
  Pump(now);
  return absl::OkStatus();
}

void Agent::StartHostCandidates(net::Time now) {
  if (config_.candidate_policy != CandidatePolicy::kRelayOnly) {
    for (const Base& base : bases_) {
      Candidate host;
      host.component = base.component;
      host.type = CandidateType::kHost;
      host.address = base.address;
      host.base = base.address;
      host.priority =
          CandidatePriority(config_.type_preferences.host,
                            LocalPreference(base.address, {}), base.component);
      host.foundation = Foundation(CandidateType::kHost, base.address.ip(),
                                   net::IpAddress(), base.address.protocol());
      AddLocalCandidate(now, std::move(host));
    }
  }
  if (config_.lite) return;  // Lite agents gather host candidates only.
  StartServerReflexive(now);
  StartRelays(now);
}

void Agent::StartServerReflexive(net::Time now) {
  if (config_.candidate_policy == CandidatePolicy::kRelayOnly) return;
  for (const Base& base : bases_) {
    for (const net::TransportAddress& server : config_.stun_servers) {
      if (server.family() != base.address.family()) continue;
      stun::StunClient::Request request;
      request.local = base.address;
      request.server = server;
      request.software = config_.software;
      request.retransmission = config_.gathering_retransmission;
      absl::StatusOr<stun::StunClient::RequestId> id =
          stun_.Start(now, std::move(request));
      if (!id.ok()) {
        gathering_status_ = id.status();
        continue;
      }
      auto pending = std::make_unique<Request>();
      pending->kind = Request::Kind::kGather;
      pending->generation = generation_;
      pending->base = base.address;
      pending->remote = server;
      requests_[*id] = std::move(pending);
      ++gathering_pending_;
    }
  }
}

void Agent::StartRelays(net::Time now) {
  for (const Base& base : bases_) {
    for (const TurnServerConfig& server : config_.turn_servers) {
      if (server.address.family() != base.address.family()) continue;
      if (ReuseRelay(now, base.address, server)) continue;
      turn::TurnClientConfig turn;
      turn.server = server.address;
      turn.credential = server.credential;
      // Over UDP the allocation shares the base's socket (its 5-tuple is the
      // base's); over TCP or TLS a connection from the base's IP.
      turn.local = server.address.protocol() == net::TransportProtocol::kUdp
                       ? base.address
                       : net::TransportAddress(base.address.ip(), 0,
                                               server.address.protocol());
      if (!config_.software.empty()) turn.software = config_.software;
      absl::StatusOr<std::unique_ptr<turn::TurnClient>> client =
          turn::TurnClient::Create(random_, std::move(turn));
      if (!client.ok()) {
        gathering_status_ = client.status();
        continue;
      }
      auto relay = std::make_unique<Relay>();
      relay->component = base.component;
      relay->base = base.address;
      relay->server = &server;
      relay->generation = generation_;
      relay->client = *std::move(client);
      if (absl::Status status = relay->client->Allocate(now); !status.ok()) {
        gathering_status_ = status;
        continue;
      }
      ++gathering_pending_;
      relays_.push_back(std::move(relay));
    }
  }
}

void Agent::OnGatheringResponse(net::Time now, const Request& request,
                                const stun::StunClient::Event& event) {
  if (request.generation != generation_) return;
  --gathering_pending_;
  if (!event.status.ok() || !event.response.has_value()) {
    gathering_status_ =
        absl::Status(event.status.code(),
                     absl::StrCat("STUN server ", request.remote.ToString(),
                                  ": ", event.status.message()));
    return;
  }
  const stun::MessageView response = event.response->view();
  absl::StatusOr<stun::XorMappedAddress> mapped =
      response.Get<stun::XorMappedAddress>();
  if (!mapped.ok()) {
    gathering_status_ = absl::InvalidArgumentError(
        absl::StrCat("STUN server ", request.remote.ToString(),
                     " answered without XOR-MAPPED-ADDRESS"));
    return;
  }
  const std::optional<uint32_t> component = ComponentOf(request.base);
  if (!component.has_value()) return;
  Candidate srflx;
  srflx.component = *component;
  srflx.type = CandidateType::kServerReflexive;
  srflx.address = mapped->address;
  srflx.base = request.base;
  srflx.related = request.base;
  srflx.priority =
      CandidatePriority(config_.type_preferences.server_reflexive,
                        LocalPreference(request.base, {}), *component);
  srflx.foundation =
      Foundation(CandidateType::kServerReflexive, request.base.ip(),
                 request.remote.ip(), request.base.protocol());
  AddLocalCandidate(now, std::move(srflx));
}

void Agent::OnRelayEvent(net::Time now, Relay& relay,
                         turn::TurnClientEvent event) {
  using Kind = turn::TurnClientEvent::Kind;
  switch (event.kind) {
    case Kind::kAllocated: {
      if (relay.gathering) {
        relay.gathering = false;
        --gathering_pending_;
      }
      // The relayed address of the base's family when the server gave one;
      // otherwise the one it gave: an IPv6-only host asking without
      // REQUESTED-ADDRESS-FAMILY gets an IPv4 relayed address (RFC 8656
      // §7.2), which is how it reaches IPv4-only peers.
      relay.relayed = relay.client->relayed_address(relay.base.family());
      if (!relay.relayed.has_value() &&
          !relay.client->relayed_addresses().empty()) {
        relay.relayed = relay.client->relayed_addresses().front();
      }
      if (relay.generation != generation_ || closed_) return;
      AddRelayedCandidate(now, relay);
      return;
    }
    case Kind::kAllocateFailed:
      if (relay.gathering) {
        relay.gathering = false;
        --gathering_pending_;
      }
      relay.retired = true;
      if (relay.generation == generation_) {
        gathering_status_ = absl::Status(
            event.status.code(),
            absl::StrCat("TURN server ", relay.server->address.ToString(), ": ",
                         event.status.message()));
      }
      return;
    case Kind::kAllocationLost:
      // Checks and consent through it fail by themselves from now on.
      relay.retired = true;
      return;
    case Kind::kData: {
      if (!relay.relayed.has_value()) return;
      HandleFromNetwork(now,
                        net::DatagramView{event.peer, *relay.relayed,
                                          absl::MakeConstSpan(event.data)});
      return;
    }
    default:
      return;  // Refreshes, permissions and channels run by themselves.
  }
}

bool Agent::ReuseRelay(net::Time now, const net::TransportAddress& base,
                       const TurnServerConfig& server) {
  // A TURN server knows an allocation by its 5-tuple (RFC 8656 §2.2): a
  // second Allocate from the same base would get 437. After a restart the
  // allocation that is alive (or still being made) serves the new session
  // too; only a lost one is replaced.
  for (std::unique_ptr<Relay>& relay : relays_) {
    if (relay->retired || relay->base != base || relay->server != &server) {
      continue;
    }
    relay->generation = generation_;
    if (relay->client->state() == turn::TurnClient::State::kAllocating) {
      relay->gathering = true;
      ++gathering_pending_;
    } else if (relay->relayed.has_value()) {
      AddRelayedCandidate(now, *relay);
    }
    return true;
  }
  return false;
}

void Agent::AddRelayedCandidate(net::Time now, const Relay& relay) {
  if (!relay.relayed.has_value()) return;
  Candidate candidate;
  candidate.component = relay.component;
  candidate.type = CandidateType::kRelayed;
  candidate.address = *relay.relayed;
  candidate.base = *relay.relayed;
  candidate.related = relay.client->mapped_address();
  candidate.relay_protocol = relay.server->address.protocol();
  candidate.priority = CandidatePriority(
      config_.type_preferences.relayed,
      LocalPreference(relay.base, relay.server->address.protocol()),
      relay.component);
  candidate.foundation =
      Foundation(CandidateType::kRelayed, relay.base.ip(),
                 relay.server->address.ip(), relay.server->address.protocol());
  AddLocalCandidate(now, std::move(candidate));
}

std::optional<size_t> Agent::AddLocalCandidate(net::Time now,
                                               Candidate candidate) {
  // RFC 8445 §5.1.3: a candidate with the same address and base as one
  // already there (a server-reflexive address equal to its host address,
  // when there is no NAT) is redundant.
  for (const Candidate& known : locals_) {
    if (known.address == candidate.address && known.base == candidate.base) {
      return std::nullopt;
    }
  }
  candidate.generation = generation_;
  candidate.ufrag = local_.ufrag;
  locals_.push_back(candidate);
  const size_t local = locals_.size() - 1;
  if (candidate.type != CandidateType::kPeerReflexive) {
    Emit(Event{.kind = Event::Kind::kLocalCandidate, .candidate = candidate});
  }
  for (size_t remote = 0; remote < remotes_.size(); ++remote) {
    FormPairs(now, local, remote);
  }
  StartChecksIfReady(now);
  return local;
}

std::string Agent::Foundation(CandidateType type, const net::IpAddress& base,
                              const net::IpAddress& server,
                              net::TransportProtocol protocol) {
  // §5.1.1.3: the same type, base IP, server and transport give the same
  // foundation. Numbered in order of first use: deterministic, and short.
  const std::string key = absl::StrCat(
      CandidateTypeName(type), " ", base.ToString(), " ", server.ToString(),
      " ", net::TransportProtocolName(protocol));
  const auto [it, inserted] =
      foundations_.emplace(key, static_cast<int>(foundations_.size()) + 1);
  return absl::StrCat(it->second);
}

uint32_t Agent::LocalPreference(
    const net::TransportAddress& base,
    std::optional<net::TransportProtocol> relay) const {
  // §5.1.2.1: 65535 for a single address; each further base of the
  // component (in the order the driver added them) a step lower, and
  // relays over TCP and TLS below relays over UDP.
  uint32_t index = 0;
  for (const Base& b : bases_) {
    if (b.address == base) index = b.index;
  }
  uint32_t preference = 65535 - std::min<uint32_t>(index, 200) * 256;
  if (relay.has_value()) preference -= RelayTransportRank(*relay) * 64;
  return preference;
}

void Agent::MaybeFinishGathering() {
  if (!gathering_started_ || gathering_complete_ || gathering_pending_ > 0) {
    return;
  }
  gathering_complete_ = true;
  Emit(Event{.kind = Event::Kind::kGatheringComplete,
             .status = gathering_status_});
}

}  // namespace pinhole::ice
