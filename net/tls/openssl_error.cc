#include "net/tls/openssl_error.h"

#include <openssl/err.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace pinhole::net::tls {

std::string TakeOpenSslErrors() {
  std::string text;
  std::string previous;
  while (const unsigned long code = ERR_get_error()) {
    std::string reason;
    if (const char* r = ERR_reason_error_string(code); r != nullptr) {
      reason = r;
    } else {
      char buffer[256];
      ERR_error_string_n(code, buffer, sizeof(buffer));
      reason = buffer;
    }
    // Layers of OpenSSL often repeat their callee's reason.
    if (reason == previous) continue;
    absl::StrAppend(&text, text.empty() ? "" : "; ", reason);
    previous = std::move(reason);
  }
  return text.empty() ? "no reason given by OpenSSL" : text;
}

}  // namespace pinhole::net::tls
