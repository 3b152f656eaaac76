#include "net/real/loop_timer.h"

#include <optional>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "net/real/event_loop.h"
#include "net/real/liveness.h"
#include "net/time.h"

namespace pinhole::net::real {

LoopTimer::LoopTimer(EventLoop& loop, absl::AnyInvocable<void()> on_fire)
    : loop_(loop), on_fire_(std::move(on_fire)) {
  ++loop_.live_timers_;
}

LoopTimer::~LoopTimer() {
  loop_.timers_.Remove(*this);
  --loop_.live_timers_;
}

void LoopTimer::SetAt(Time deadline) {
  loop_.timers_.Schedule(*this, deadline);
}

void LoopTimer::Cancel() { loop_.timers_.Remove(*this); }

std::optional<Time> LoopTimer::deadline() const {
  if (!queued()) return std::nullopt;
  return when();
}

void LoopTimer::Expire() {
  if (!on_fire_) return;
  // Held here while it runs, so that it may destroy this timer.
  absl::AnyInvocable<void()> on_fire = std::move(on_fire_);
  Liveness::Scope scope(liveness_);
  on_fire();
  if (scope.alive()) on_fire_ = std::move(on_fire);
}

}  // namespace pinhole::net::real
