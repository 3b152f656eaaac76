#include "tools/client_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, server, "",
          "The server's address, IP:PORT (IPv6 as [IP]:PORT): for probe an "
          "RFC 5780 STUN server over UDP; for turn-client a TURN server, over "
          "UDP unless suffixed /tcp or /tls. Required.");
ABSL_FLAG(std::string, local, "",
          "The local IP address to use. probe and turn-client: one address; "
          "default: any (the wildcard address of the server's family; the "
          "system picks the route). ice-peer: comma-separated addresses to "
          "gather host candidates on; default: every address of this "
          "machine's interfaces that are up, loopback excepted.");
ABSL_FLAG(int, size, 100,
          "Bytes per message: turn-client 4-65500, ice-peer 12-65500 (an "
          "RTP-like 12-byte header first).");
ABSL_FLAG(absl::Duration, interval, absl::Milliseconds(20),
          "Time between two messages.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(20),
          "How long the work may take: turn-client everything, allocation "
          "included; ice-peer connecting, and with --send the echoes too.");
ABSL_FLAG(std::string, ca_file, "",
          "TLS to a TURN server: the PEM certificate authorities to trust; "
          "default: the system's.");
ABSL_FLAG(bool, insecure, false,
          "TLS to a TURN server: do not check its certificate (tests only).");
ABSL_FLAG(bool, json, false, "Print the result as one JSON object.");

namespace pinhole::tools {

std::optional<std::pair<std::string, std::string>> SplitCredential(
    absl::string_view text) {
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos || colon == 0) return std::nullopt;
  return std::make_pair(std::string(text.substr(0, colon)),
                        std::string(text.substr(colon + 1)));
}

}  // namespace pinhole::tools
