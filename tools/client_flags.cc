#include "tools/client_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, server, "",
          "The server's address, IP:PORT (IPv6 as [IP]:PORT): for probe an "
          "RFC 5780 STUN server over UDP; for turn-client a TURN server, over "
          "UDP unless suffixed /tcp or /tls. Required.");
ABSL_FLAG(std::string, local, "",
          "The local IP address to use. Default: any (the wildcard address of "
          "the server's family; the system picks the route).");
