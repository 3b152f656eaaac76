#include "stun/client.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "stun/attributes.h"

namespace pinhole::stun {
namespace {

// RFC 8489 §9.2: the nonce cookie that announces the security features.
constexpr absl::string_view kNonceCookie = "obMatJos2";
// Bits of the security feature set (RFC 8489 §18.1: bit 0 first, most
// significant).
constexpr uint8_t kFeaturePasswordAlgorithms = 0x80;
constexpr uint8_t kFeatureUsernameAnonymity = 0x40;
// How often one request follows 438 (Stale Nonce) before giving up.
constexpr int kMaxStaleNonceRetries = 3;

std::string ToString(absl::string_view view) {
  return std::string(view.data(), view.size());
}

// The security feature set of a nonce with the cookie, or 0.
uint8_t SecurityFeatures(absl::string_view nonce) {
  if (!absl::StartsWith(nonce, kNonceCookie) ||
      nonce.size() < kNonceCookie.size() + 4) {
    return 0;
  }
  std::string features;
  if (!absl::Base64Unescape(nonce.substr(kNonceCookie.size(), 4), &features) ||
      features.empty()) {
    return 0;
  }
  return static_cast<uint8_t>(features[0]);
}

absl::Status ErrorStatus(const MessageView& response,
                         const net::TransportAddress& server) {
  absl::StatusOr<ErrorCode> error = response.Get<ErrorCode>();
  if (!error.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "error response from ", server.ToString(),
        " without a valid ERROR-CODE: ", error.status().message()));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("STUN error ", error->code, " (", error->reason, ") from ",
                   server.ToString()));
}

}  // namespace

MessageView StunClient::Response::view() const {
  return *MessageView::Parse(bytes);
}

absl::StatusOr<StunClient::RequestId> StunClient::Start(net::Time now,
                                                        Request request) {
  if (request.local.family() != request.server.family()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot reach ", request.server.ToString(), " from ",
                     request.local.ToString(), ": address families differ"));
  }
  if (request.local.protocol() != request.server.protocol()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot reach ", request.server.ToString(), " from ",
                     request.local.ToString(), ": transports differ"));
  }
  if (request.long_term.has_value() && request.short_term.has_value()) {
    return absl::InvalidArgumentError(
        "a request takes a long-term or a short-term credential, not both");
  }
  if (absl::Status valid = request.retransmission.Validate(); !valid.ok()) {
    return valid;
  }
  const RequestId id = next_id_++;
  Pending& pending = pending_[id];
  pending.request = std::move(request);
  if (absl::Status sent = Send(now, pending); !sent.ok()) {
    pending_.erase(id);
    return sent;
  }
  return id;
}

void StunClient::Cancel(RequestId id) { pending_.erase(id); }

void StunClient::StopRetransmitting(RequestId id) {
  const auto it = pending_.find(id);
  if (it == pending_.end() || !it->second.transaction.has_value()) return;
  it->second.transaction->StopRetransmitting();
}

std::optional<TransactionId> StunClient::transaction_id(RequestId id) const {
  const auto it = pending_.find(id);
  if (it == pending_.end()) return std::nullopt;
  return it->second.transaction_id;
}

absl::Status StunClient::Send(net::Time now, Pending& pending) {
  Request& request = pending.request;
  random_.Fill(absl::MakeSpan(pending.transaction_id));
  MessageBuilder builder({request.method, MessageClass::kRequest},
                         pending.transaction_id);
  if (request.add_attributes) request.add_attributes(builder);
  if (!request.software.empty()) builder.Add(Software{request.software});
  pending.key.reset();
  pending.used_sha256_integrity = false;
  if (request.short_term.has_value()) {
    builder.Add(Username{request.short_term->username})
        .AddMessageIntegrity(request.short_term->key);
    pending.key = request.short_term->key;
  } else if (request.long_term.has_value()) {
    if (absl::Status auth = AddLongTermAuth(pending, builder); !auth.ok()) {
      return auth;
    }
  }
  if (request.fingerprint) builder.AddFingerprint();
  absl::StatusOr<std::vector<uint8_t>> bytes = builder.Finish();
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot build the request: ", bytes.status().message()));
  }
  pending.transaction.emplace(
      now, net::Datagram{request.local, request.server, *std::move(bytes)},
      request.retransmission);
  return absl::OkStatus();
}

// RFC 8489 §9.2.3: the first request to a server goes without credentials;
// once a 401 or 438 named the realm and nonce, requests carry them.
absl::Status StunClient::AddLongTermAuth(Pending& pending,
                                         MessageBuilder& builder) {
  const auto it = server_auth_.find(pending.request.server);
  if (it == server_auth_.end()) return absl::OkStatus();
  const ServerAuth& auth = it->second;
  const LongTermCredential& credential = *pending.request.long_term;
  absl::StatusOr<IntegrityKey> key = IntegrityKey::LongTerm(
      credential.username, auth.realm, credential.password,
      auth.sha256 ? PasswordAlgorithm::kSha256 : PasswordAlgorithm::kMd5);
  if (!key.ok()) return key.status();
  if (auth.userhash) {
    absl::StatusOr<Userhash> hash =
        Userhash::Compute(credential.username, auth.realm);
    if (!hash.ok()) return hash.status();
    builder.Add(*hash);
  } else {
    builder.Add(Username{credential.username});
  }
  builder.Add(Realm{auth.realm}).Add(Nonce{auth.nonce});
  if (!auth.algorithms_raw.empty()) {
    builder.AddRaw(attr::kPasswordAlgorithms, auth.algorithms_raw);
    PasswordAlgorithmAttribute chosen;
    chosen.entry.algorithm = static_cast<uint16_t>(
        auth.sha256 ? PasswordAlgorithm::kSha256 : PasswordAlgorithm::kMd5);
    builder.Add(chosen);
    // A server that announces the security features speaks RFC 8489, and so
    // takes MESSAGE-INTEGRITY-SHA256 (§14.6).
    builder.AddMessageIntegritySha256(*key);
    pending.used_sha256_integrity = true;
  } else {
    builder.AddMessageIntegrity(*key);
  }
  pending.key = *std::move(key);
  return absl::OkStatus();
}

bool StunClient::HandleDatagram(net::Time now,
                                const net::DatagramView& datagram) {
  if (!LooksLikeStun(datagram.payload)) return false;
  absl::StatusOr<MessageView> message = MessageView::Parse(datagram.payload);
  if (!message.ok() || message->is_rfc3489()) return false;
  const MessageClass message_class = message->message_class();
  if (message_class != MessageClass::kSuccessResponse &&
      message_class != MessageClass::kErrorResponse) {
    return false;
  }
  for (auto& [id, pending] : pending_) {
    if (pending.transaction_id != message->transaction_id() ||
        !pending.transaction.has_value() ||
        pending.transaction->state() != ClientTransaction::State::kWaiting) {
      continue;
    }
    if (message->method() != pending.request.method ||
        !Accept(*message, pending)) {
      return true;  // Ours, but not a valid answer: as if never received.
    }
    OnResponse(now, id, pending, *message, datagram);
    return true;
  }
  return false;
}

// RFC 8489 §7.3.3 and §9.2.5: a FINGERPRINT that does not match, or a
// missing or wrong integrity on the answer to an authenticated request, means
// the response is discarded. Error responses to authenticated requests may
// lack integrity (a 401 cannot carry it).
bool StunClient::Accept(const MessageView& response,
                        const Pending& pending) const {
  if (response.Has(attr::kFingerprint) && !VerifyFingerprint(response).ok()) {
    return false;
  }
  if (!pending.key.has_value()) return true;
  const bool has_sha256 = response.Has(attr::kMessageIntegritySha256);
  const bool has_sha1 = response.Has(attr::kMessageIntegrity);
  if (has_sha256) {
    return VerifyMessageIntegritySha256(response, *pending.key).ok();
  }
  if (has_sha1) return VerifyMessageIntegrity(response, *pending.key).ok();
  return response.message_class() == MessageClass::kErrorResponse;
}

void StunClient::OnResponse(net::Time now, RequestId id, Pending& pending,
                            const MessageView& response,
                            const net::DatagramView& datagram) {
  pending.transaction->Complete();
  Response owned{
      datagram.source, datagram.destination,
      std::vector<uint8_t>(datagram.payload.begin(), datagram.payload.end())};
  // RFC 8489 §7.3.3 and §7.3.4: unknown comprehension-required attributes
  // in a response mean the transaction failed.
  if (!response.unknown_comprehension_required().empty()) {
    Finish(id,
           absl::FailedPreconditionError(absl::StrCat(
               "response from ", pending.request.server.ToString(),
               " carries unknown comprehension-required attribute 0x",
               absl::Hex(response.unknown_comprehension_required().front(),
                         absl::kZeroPad4))),
           std::move(owned));
    return;
  }
  if (response.message_class() == MessageClass::kSuccessResponse) {
    Finish(id, absl::OkStatus(), std::move(owned));
    return;
  }
  const absl::StatusOr<ErrorCode> error = response.Get<ErrorCode>();
  const int code = error.ok() ? error->code : 0;
  if ((code == error::kUnauthenticated || code == error::kStaleNonce) &&
      pending.request.long_term.has_value() &&
      RetryAuthentication(now, pending, response, code)) {
    return;
  }
  absl::Status status = ErrorStatus(response, pending.request.server);
  if (code == error::kUnauthenticated && pending.key.has_value()) {
    status = absl::UnauthenticatedError(absl::StrCat(
        pending.request.server.ToString(), " rejected the credentials of ",
        pending.request.long_term->username, " (401)"));
  }
  Finish(id, std::move(status), std::move(owned));
}

bool StunClient::RetryAuthentication(net::Time now, Pending& pending,
                                     const MessageView& response, int code) {
  if (code == error::kUnauthenticated) {
    // A 401 to a request that already carried credentials: they are wrong.
    if (pending.key.has_value() || pending.unauthorized_retries >= 1) {
      return false;
    }
    ++pending.unauthorized_retries;
  } else if (++pending.stale_nonce_retries > kMaxStaleNonceRetries) {
    return false;
  }
  const absl::StatusOr<Realm> realm = response.Get<Realm>();
  const absl::StatusOr<Nonce> nonce = response.Get<Nonce>();
  ServerAuth& auth = server_auth_[pending.request.server];
  if (realm.ok()) auth.realm = ToString(realm->value);
  if (!nonce.ok() || auth.realm.empty()) return false;
  auth.nonce = ToString(nonce->value);
  const uint8_t features = SecurityFeatures(auth.nonce);
  auth.userhash = (features & kFeatureUsernameAnonymity) != 0;
  auth.sha256 = false;
  auth.algorithms_raw.clear();
  // RFC 8489 §9.2.4: PASSWORD-ALGORITHMS counts only under the cookie's
  // "Password algorithms" bit (otherwise it may be a downgrade attack).
  const std::optional<absl::Span<const uint8_t>> raw =
      response.Find(attr::kPasswordAlgorithms);
  if ((features & kFeaturePasswordAlgorithms) != 0 && raw.has_value()) {
    absl::StatusOr<PasswordAlgorithms> offered =
        response.Get<PasswordAlgorithms>();
    if (!offered.ok()) return false;
    bool md5 = false;
    for (const PasswordAlgorithmEntry& entry : offered->entries) {
      const auto algorithm = static_cast<PasswordAlgorithm>(entry.algorithm);
      auth.sha256 |= algorithm == PasswordAlgorithm::kSha256;
      md5 |= algorithm == PasswordAlgorithm::kMd5;
    }
    if (!auth.sha256 && !md5) return false;
    auth.algorithms_raw.assign(raw->begin(), raw->end());
  }
  return Send(now, pending).ok();
}

void StunClient::Finish(RequestId id, absl::Status status,
                        std::optional<Response> response) {
  const auto it = pending_.find(id);
  if (it == pending_.end()) return;
  events_.push_back(Event{id, std::move(status), std::move(response),
                          it->second.transaction_id});
  pending_.erase(it);
}

void StunClient::HandleTimeout(net::Time now) {
  std::vector<RequestId> timed_out;
  for (auto& [id, pending] : pending_) {
    pending.transaction->HandleTimeout(now);
    if (pending.transaction->state() == ClientTransaction::State::kTimedOut) {
      timed_out.push_back(id);
    }
  }
  for (const RequestId id : timed_out) {
    const Pending& pending = pending_.at(id);
    const ClientTransaction& transaction = *pending.transaction;
    Finish(id,
           absl::DeadlineExceededError(absl::StrCat(
               "no response from ", pending.request.server.ToString(), " to ",
               transaction.sends(),
               transaction.sends() == 1 ? " request" : " requests")),
           std::nullopt);
  }
}

std::optional<net::Datagram> StunClient::PollTransmit() {
  for (auto& [id, pending] : pending_) {
    if (std::optional<net::Datagram> datagram =
            pending.transaction->PollTransmit()) {
      return datagram;
    }
  }
  return std::nullopt;
}

std::optional<StunClient::Event> StunClient::PollEvent() {
  if (events_.empty()) return std::nullopt;
  Event event = std::move(events_.front());
  events_.pop_front();
  return event;
}

std::optional<net::Time> StunClient::NextTimeout() const {
  std::optional<net::Time> earliest;
  for (const auto& [id, pending] : pending_) {
    const std::optional<net::Time> next = pending.transaction->NextTimeout();
    if (next.has_value() && (!earliest.has_value() || *next < *earliest)) {
      earliest = next;
    }
  }
  return earliest;
}

}  // namespace pinhole::stun
