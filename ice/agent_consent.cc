// Consent freshness (RFC 7675) on the selected pairs: a Binding request
// every 4 to 6 s (5 s × a uniform factor in [0.8, 1.2]), consent lost 30 s
// after the last answer. The checks are also ICE's keepalives (RFC 8445
// §11).
#include <utility>

#include "absl/strings/str_cat.h"
#include "ice/agent.h"
#include "ice/agent_internal.h"
#include "stun/ice_attributes.h"
#include "stun/message_builder.h"

namespace pinhole::ice {

void Agent::StartConsent(net::Time now, Selected& selected) {
  // RFC 7675 §5.1: the interval is randomised so that peers do not fall
  // into step.
  const net::Duration interval = config_.consent_interval;
  selected.next_consent =
      now + random_.UniformDuration(interval * 4 / 5, interval * 6 / 5);
}

std::optional<net::Time> Agent::ConsentDeadline() const {
  if (config_.lite) return std::nullopt;
  std::optional<net::Time> next;
  for (const auto& [component, selected] : selected_) {
    if (selected.consent_lost) continue;
    for (net::Time t : {selected.next_consent,
                        selected.last_response + config_.consent_timeout}) {
      if (!next.has_value() || t < *next) next = t;
    }
  }
  return next;
}

void Agent::OnConsentTimer(net::Time now) {
  if (config_.lite || closed_) return;
  for (auto& [component, selected] : selected_) {
    if (selected.consent_lost) continue;
    if (now >= selected.last_response + config_.consent_timeout) {
      // §5.1: consent expired; no more data goes to the peer.
      selected.consent_lost = true;
      if (selected.consent_request.has_value()) {
        stun_.Cancel(*selected.consent_request);
        requests_.erase(*selected.consent_request);
        selected.consent_request.reset();
      }
      continue;
    }
    if (now < selected.next_consent || !selected.key.has_value()) continue;
    StartConsent(now, selected);
    stun::StunClient::Request request;
    request.local = selected.base;
    request.server = selected.remote;
    request.add_attributes =
        CheckAttributes(selected.prflx_priority, /*use_candidate=*/false);
    request.short_term =
        stun::ShortTermCredential{selected.username, *selected.key};
    request.software = config_.software;
    request.retransmission = config_.consent_retransmission;
    absl::StatusOr<stun::StunClient::RequestId> id =
        stun_.Start(now, std::move(request));
    if (!id.ok()) continue;
    auto pending = std::make_unique<Request>();
    pending->kind = Request::Kind::kConsent;
    pending->generation = generation_;
    pending->component = component;
    pending->local = selected.base;
    pending->remote = selected.remote;
    requests_[*id] = std::move(pending);
    selected.consent_request = *id;
    ++stats_.consent_checks_sent;
  }
}

void Agent::OnConsentResponse(net::Time now, const Request& request,
                              const stun::StunClient::Event& event) {
  const auto it = selected_.find(request.component);
  if (it == selected_.end()) return;
  Selected& selected = it->second;
  if (selected.consent_lost || selected.base != request.local ||
      selected.remote != request.remote) {
    return;
  }
  if (selected.consent_request == event.id) selected.consent_request.reset();
  if (event.status.ok() && event.response.has_value() &&
      event.response->source == request.remote &&
      event.response->destination == request.local) {
    selected.last_response = now;
    selected.disconnected = false;
    return;
  }
  // Unanswered (or refused): disconnected until an answer comes, lost
  // when none has come for the consent timeout.
  selected.disconnected = true;
}

}  // namespace pinhole::ice
