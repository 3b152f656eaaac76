#include "turn/client_event.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace pinhole::turn {

absl::string_view TurnClientEventKindName(TurnClientEvent::Kind kind) {
  using Kind = TurnClientEvent::Kind;
  switch (kind) {
    case Kind::kAllocated:
      return "allocated";
    case Kind::kAllocateFailed:
      return "allocate failed";
    case Kind::kRefreshed:
      return "refreshed";
    case Kind::kAllocationLost:
      return "allocation lost";
    case Kind::kReleased:
      return "released";
    case Kind::kPermissionCreated:
      return "permission created";
    case Kind::kPermissionFailed:
      return "permission failed";
    case Kind::kChannelBound:
      return "channel bound";
    case Kind::kChannelFailed:
      return "channel failed";
    case Kind::kData:
      return "data";
  }
  return "invalid TurnClientEvent::Kind";
}

std::string ToString(const TurnClientEvent& event) {
  using Kind = TurnClientEvent::Kind;
  std::string out(TurnClientEventKindName(event.kind));
  switch (event.kind) {
    case Kind::kAllocated:
      absl::StrAppend(
          &out, ": relayed ",
          absl::StrJoin(event.relayed, ", ",
                        [](std::string* s, const net::TransportAddress& a) {
                          absl::StrAppend(s, a.ToString());
                        }));
      if (event.mapped.has_value()) {
        absl::StrAppend(&out, ", mapped ", event.mapped->ToString());
      }
      absl::StrAppend(&out, ", lifetime ", event.lifetime.ToSeconds(), "s");
      if (event.address_error.has_value()) {
        absl::StrAppend(&out, ", no ",
                        net::AddressFamilyName(event.address_error->family),
                        " relay: ", event.address_error->code, " ",
                        event.address_error->reason);
      }
      break;
    case Kind::kRefreshed:
      absl::StrAppend(&out, ": lifetime ", event.lifetime.ToSeconds(), "s");
      break;
    case Kind::kPermissionCreated:
      absl::StrAppend(&out, ": ", event.peer_ip.ToString());
      break;
    case Kind::kChannelBound:
      absl::StrAppend(&out, ": 0x", absl::Hex(event.channel, absl::kZeroPad4),
                      " to ", event.peer.ToString());
      break;
    case Kind::kData:
      absl::StrAppend(&out, ": ", event.data.size(), " bytes from ",
                      event.peer.ToString());
      break;
    default:
      break;
  }
  if (!event.status.ok()) absl::StrAppend(&out, ": ", event.status.message());
  return out;
}

}  // namespace pinhole::turn
