// Printable names of `Event::Type` and `Connection::State`, for traces and
// test output.
#include "absl/strings/string_view.h"
#include "sim/tcp/connection.h"

namespace pinhole::sim::tcp {

using State = Connection::State;

absl::string_view EventTypeName(Event::Type type) {
  switch (type) {
    case Event::Type::kConnected:
      return "connected";
    case Event::Type::kData:
      return "data";
    case Event::Type::kPeerClosed:
      return "peer-closed";
    case Event::Type::kClosed:
      return "closed";
    case Event::Type::kReset:
      return "reset";
    case Event::Type::kRefused:
      return "refused";
    case Event::Type::kTimedOut:
      return "timed-out";
  }
  return "?";
}

absl::string_view StateName(State state) {
  switch (state) {
    case State::kSynSent:
      return "SYN-SENT";
    case State::kSynReceived:
      return "SYN-RECEIVED";
    case State::kEstablished:
      return "ESTABLISHED";
    case State::kFinWait1:
      return "FIN-WAIT-1";
    case State::kFinWait2:
      return "FIN-WAIT-2";
    case State::kClosing:
      return "CLOSING";
    case State::kTimeWait:
      return "TIME-WAIT";
    case State::kCloseWait:
      return "CLOSE-WAIT";
    case State::kLastAck:
      return "LAST-ACK";
    case State::kClosed:
      return "CLOSED";
  }
  return "?";
}

}  // namespace pinhole::sim::tcp
