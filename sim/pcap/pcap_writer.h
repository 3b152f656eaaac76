// `PcapWriter`: records the packets crossing a point of the virtual network as
// a classic libpcap file that Wireshark, tshark and tcpdump open.
//
// The format (https://www.tcpdump.org/manpages/pcap-savefile.5.html; IETF
// draft-ietf-opsawg-pcap):
// - a 24-byte global header: magic 0xa1b23c4d (timestamps in nanoseconds, the
//   unit of `net::Time`, so simulated instants are recorded exactly), version
//   2.4, thiszone 0, sigfigs 0, snaplen `kSnapLength`, link type
//   LINKTYPE_RAW (101: each packet starts at its IPv4 or IPv6 header, told
//   apart by the version nibble);
// - per packet, a 16-byte record header (seconds, nanoseconds, captured length,
//   original length; the two lengths are always equal: nothing is truncated)
//   followed by the bytes of `SerializeIpPacket`.
// Every field is written little-endian, whatever the host, so the same packets
// give the same file on every machine. A timestamp is the simulated time since
// `net::Time`'s epoch: Wireshark shows a simulation starting in January 1970.
//
// Writes go straight to the file (through stdio's buffer) or to the string;
// nothing is kept per packet. One thread, like the simulator that calls it.
#ifndef PINHOLE_SIM_PCAP_PCAP_WRITER_H_
#define PINHOLE_SIM_PCAP_PCAP_WRITER_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/time.h"
#include "sim/packet.h"

namespace pinhole::sim::pcap {

class PcapWriter {
 public:
  static constexpr uint32_t kMagicNanoseconds = 0xa1b23c4d;
  static constexpr uint16_t kVersionMajor = 2;
  static constexpr uint16_t kVersionMinor = 4;
  // Larger than any packet the writer can be given (an IPv6 packet with a full
  // 65535-byte payload is 65575 bytes); tcpdump's default.
  static constexpr uint32_t kSnapLength = 262144;
  static constexpr uint32_t kLinkTypeRaw = 101;
  static constexpr size_t kGlobalHeaderSize = 24;
  static constexpr size_t kRecordHeaderSize = 16;

  // Creates (or truncates) the file at `path` and writes the global header.
  // Errors name the path and the system's reason (NotFound for a missing
  // directory, PermissionDenied, ...).
  static absl::StatusOr<std::unique_ptr<PcapWriter>> Open(
      absl::string_view path);

  // Appends to `*out`, which must outlive the writer: the global header at
  // once, then each packet as it is written. `*out` is a complete pcap file
  // after every call.
  static std::unique_ptr<PcapWriter> InMemory(std::string* out);

  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;
  // Closes the file if `Close` was not called; an error then is lost.
  ~PcapWriter();

  // Records `packet` as seen at simulated time `time`. Records need not be in
  // time order (pcap does not require it), but a capture point sees them so.
  // - InvalidArgument, and nothing written, for a packet with no IP form (see
  //   `WhyNotSerializable`) or a time before the epoch or past 2^32 seconds;
  //   the writer stays usable.
  // - FailedPrecondition after `Close`.
  // - An I/O error fails this call and every later one with the same status,
  //   `Close` included: a capture hook that drops this result still learns of
  //   a lost capture when it closes the writer.
  absl::Status Write(net::Time time, const sim::Packet& packet);

  // Pushes buffered records to the file, so a reader sees every packet written
  // so far. Returns the first I/O error, if any.
  absl::Status Flush();

  // Flushes and closes the file. Returns the first I/O error of the writer's
  // life, if any; later calls return the same.
  absl::Status Close();

 private:
  PcapWriter(std::string name, std::FILE* file, std::string* memory);

  // Appends `bytes` to the output; an I/O error becomes sticky.
  absl::Status Emit(absl::string_view bytes);

  const std::string name_;  // The path, or "<memory>"; for error messages.
  std::FILE* file_;         // Exactly one of `file_` and `memory_` is set
  std::string* memory_;     // until `Close`, then neither.
  absl::Status io_error_;   // The first I/O error; sticky.
};

}  // namespace pinhole::sim::pcap

#endif  // PINHOLE_SIM_PCAP_PCAP_WRITER_H_
