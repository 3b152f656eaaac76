#include "stun/message_type.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pinhole::stun {

std::string MethodName(Method method) {
  switch (method) {
    case Method::kBinding:
      return "Binding";
    case Method::kAllocate:
      return "Allocate";
    case Method::kRefresh:
      return "Refresh";
    case Method::kSend:
      return "Send";
    case Method::kData:
      return "Data";
    case Method::kCreatePermission:
      return "CreatePermission";
    case Method::kChannelBind:
      return "ChannelBind";
    case Method::kConnect:
      return "Connect";
    case Method::kConnectionBind:
      return "ConnectionBind";
    case Method::kConnectionAttempt:
      return "ConnectionAttempt";
  }
  return absl::StrFormat("0x%03X", static_cast<uint16_t>(method));
}

absl::string_view MessageClassName(MessageClass message_class) {
  switch (message_class) {
    case MessageClass::kRequest:
      return "request";
    case MessageClass::kIndication:
      return "indication";
    case MessageClass::kSuccessResponse:
      return "success response";
    case MessageClass::kErrorResponse:
      return "error response";
  }
  return "?";
}

std::string MessageTypeName(MessageType type) {
  return absl::StrCat(MethodName(type.method), " ",
                      MessageClassName(type.message_class));
}

std::ostream& operator<<(std::ostream& os, Method method) {
  return os << MethodName(method);
}
std::ostream& operator<<(std::ostream& os, MessageClass message_class) {
  return os << MessageClassName(message_class);
}
std::ostream& operator<<(std::ostream& os, MessageType type) {
  return os << MessageTypeName(type);
}

}  // namespace pinhole::stun
