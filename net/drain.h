// `DrainEngine`: the "drain, then wait" half of every driver's run loop
// (STYLE.md rule 1), shared by the UDP and stream drivers. It hands each
// datagram the engine wants sent to `send` and each event to `on_event` (when
// set), until both queues are empty (an event callback may call into the
// engine, making more output), then arms `timer` at the engine's next
// deadline, or cancels it.
#ifndef PINHOLE_NET_DRAIN_H_
#define PINHOLE_NET_DRAIN_H_

#include <optional>
#include <utility>

#include "net/datagram.h"
#include "net/time.h"
#include "net/timer.h"

namespace pinhole::net {

template <typename Engine, typename Send, typename OnEvent>
void DrainEngine(Engine& engine, Send&& send, OnEvent& on_event, Timer& timer) {
  bool progressed = true;
  while (progressed) {
    progressed = false;
    while (std::optional<Datagram> datagram = engine.PollTransmit()) {
      send(*datagram);
      progressed = true;
    }
    while (std::optional<typename Engine::Event> event = engine.PollEvent()) {
      if (on_event) on_event(*std::move(event));
      progressed = true;
    }
  }
  if (const std::optional<Time> next = engine.NextTimeout()) {
    timer.SetAt(*next);
  } else {
    timer.Cancel();
  }
}

}  // namespace pinhole::net

#endif  // PINHOLE_NET_DRAIN_H_
