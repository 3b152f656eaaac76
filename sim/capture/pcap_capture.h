// `PcapCapture`: records the packets crossing one or more points of a
// simulated network into one pcap file (sim/pcap/pcap_writer.h), through the
// taps links and hosts already offer.
//
//   auto capture = *sim::PcapCapture::OpenFile(dir + "/client.pcap");
//   capture->AttachToHostInterface(*client, 0);  // Sent and received.
//   ... run the simulation ...
//   ASSERT_TRUE(capture->Close().ok());  // The first error, if any.
//
// Capture points:
// - `AttachToLinkDirection(link, from, point)`: one direction of a link, as
//   packets enter it (`TapPoint::kEnter`, after the down and MTU checks, so a
//   packet the loss model drops is still seen) or leave it at the far end
//   (`kExit`, only what arrived).
// - `AttachToLinkEnd(link, end)`: the wire at one end, both directions: what
//   the node at `end` sends into the link (at entry) and what arrives there
//   (at exit). This is what a capture on that node's interface would show.
// - `AttachToHostInterface(host, interface)`: what the host sends and
//   receives on that interface (`Host::AddInterfaceTap`).
// One capture may attach to several points; their packets share the file in
// the order the simulation sees them (time order, then event order), which
// is how one file per capture point is usually meant: attach each capture
// once.
//
// Errors: `PcapWriter::Write` errors (a packet with no IP form, an I/O error)
// are kept, the first one wins, and `Close()` returns it (or the writer's own
// error at close); nothing is lost silently. `status()` shows it earlier.
//
// Lifetime: links and hosts cannot remove a tap, so each tap shares the
// capture's state and does nothing once the capture is closed or destroyed:
// the capture may go before or after the elements it is attached to. The
// destructor closes the file (an error then is lost: call `Close()`). One
// thread, like the simulator; deterministic: the same packets at the same
// times give the same bytes.
#ifndef PINHOLE_SIM_CAPTURE_PCAP_CAPTURE_H_
#define PINHOLE_SIM_CAPTURE_PCAP_CAPTURE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/packet_sink.h"
#include "sim/pcap/pcap_writer.h"

namespace pinhole::sim {

class PcapCapture {
 public:
  // Creates (or truncates) the file at `path`; errors name the path.
  static absl::StatusOr<std::unique_ptr<PcapCapture>> OpenFile(
      absl::string_view path);
  // Appends to `*out` (a complete pcap file after every packet), which must
  // outlive the capture.
  static std::unique_ptr<PcapCapture> InMemory(std::string* out);

  PcapCapture(const PcapCapture&) = delete;
  PcapCapture& operator=(const PcapCapture&) = delete;
  ~PcapCapture();

  void AttachToLinkDirection(Link& link, LinkEnd from, TapPoint point);
  void AttachToLinkEnd(Link& link, LinkEnd end);
  // Fails (and attaches nothing) for an unknown interface.
  absl::Status AttachToHostInterface(Host& host, int interface);

  // Packets written so far.
  uint64_t packets_written() const;
  // The first error so far; OK while all is well.
  absl::Status status() const;

  // Stops capturing, flushes and closes the file. Returns the first error of
  // the capture's life, if any; later calls return the same.
  absl::Status Close();

 private:
  struct State;
  explicit PcapCapture(std::unique_ptr<pcap::PcapWriter> writer);
  PacketTap MakeTap() const;

  std::shared_ptr<State> state_;
};

}  // namespace pinhole::sim

#endif  // PINHOLE_SIM_CAPTURE_PCAP_CAPTURE_H_
