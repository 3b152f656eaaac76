// `SimulatorTimer`: a `net::Timer` over the simulator's event queue.
//
// It honours net/timer.h: arming schedules an event and never runs the
// callback inline (a deadline in the past fires at `Now()`, after the events
// already queued for `Now()`); re-arming cancels the earlier arming; `Cancel()`
// and destruction stop it; the callback may re-arm or destroy the timer.
#ifndef PINHOLE_SIM_SIMULATOR_TIMER_H_
#define PINHOLE_SIM_SIMULATOR_TIMER_H_

#include <optional>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "net/time.h"
#include "net/timer.h"
#include "sim/simulator.h"

namespace pinhole::sim {

class SimulatorTimer final : public net::Timer {
 public:
  SimulatorTimer(Simulator& simulator, absl::AnyInvocable<void()> on_fire)
      : simulator_(simulator), on_fire_(std::move(on_fire)) {}
  SimulatorTimer(const SimulatorTimer&) = delete;
  SimulatorTimer& operator=(const SimulatorTimer&) = delete;
  ~SimulatorTimer() override { simulator_.Cancel(event_); }

  void SetAt(net::Time deadline) override {
    simulator_.Cancel(event_);
    deadline_ = deadline;
    event_ = simulator_.Schedule(deadline, [this] { Fire(); });
  }
  void Cancel() override {
    simulator_.Cancel(event_);
    event_ = EventId();
    deadline_.reset();
  }
  std::optional<net::Time> deadline() const override { return deadline_; }

 private:
  void Fire() {
    event_ = EventId();
    deadline_.reset();
    on_fire_();  // Last: it may destroy this timer.
  }

  Simulator& simulator_;
  absl::AnyInvocable<void()> on_fire_;
  EventId event_;
  std::optional<net::Time> deadline_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_SIMULATOR_TIMER_H_
