#include "ice/agent_event.h"

namespace pinhole::ice {

absl::string_view PairStateName(PairState state) {
  switch (state) {
    case PairState::kFrozen:
      return "frozen";
    case PairState::kWaiting:
      return "waiting";
    case PairState::kInProgress:
      return "in-progress";
    case PairState::kSucceeded:
      return "succeeded";
    case PairState::kFailed:
      return "failed";
  }
  return "invalid pair state";
}

absl::string_view ConnectionStateName(ConnectionState state) {
  switch (state) {
    case ConnectionState::kNew:
      return "new";
    case ConnectionState::kChecking:
      return "checking";
    case ConnectionState::kConnected:
      return "connected";
    case ConnectionState::kCompleted:
      return "completed";
    case ConnectionState::kFailed:
      return "failed";
    case ConnectionState::kDisconnected:
      return "disconnected";
    case ConnectionState::kClosed:
      return "closed";
  }
  return "invalid connection state";
}

}  // namespace pinhole::ice
