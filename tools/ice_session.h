// `RunIceSession`: what `pinhole ice-peer` does once its flags are read
// (tools/ice_peer_command.cc says what a user sees): one ICE agent on a
// `RealNetwork`, its signalling channel (tools/signalling_channel.h), and the
// datagrams it sends and echoes, until the session ends.
#ifndef PINHOLE_TOOLS_ICE_SESSION_H_
#define PINHOLE_TOOLS_ICE_SESSION_H_

#include <vector>

#include "ice/agent_config.h"
#include "net/ip_address.h"
#include "net/real/real_network.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::tools {

struct IceSessionOptions {
  ice::AgentConfig config;
  // The host addresses to gather on (one UDP socket per component each).
  std::vector<net::IpAddress> local;
  enum class Signal { kStdio, kListen, kConnect };
  Signal signal = Signal::kStdio;
  net::TransportAddress signal_address;  // TCP, for kListen and kConnect.
  bool echo = false;
  int send = 0;    // Datagrams to send once connected.
  int size = 100;  // Bytes each, at least kEchoHeaderSize.
  net::Duration interval = net::Duration::Milliseconds(20);
  net::Duration timeout = net::Duration::Seconds(20);
  bool json = false;
};

// The RTP-like header of the datagrams a session sends: version 2, payload
// type 96, a sequence number, a timestamp (the datagram's index) and the
// session's SSRC, which tells echoes of its own from the peer's datagrams.
inline constexpr int kEchoHeaderSize = 12;

// Runs the session to its end on `network` (which should stop on SIGINT and
// SIGTERM) and returns the process's exit status (tools/command.h), having
// printed why.
int RunIceSession(net::real::RealNetwork& network,
                  const IceSessionOptions& options);

}  // namespace pinhole::tools

#endif  // PINHOLE_TOOLS_ICE_SESSION_H_
