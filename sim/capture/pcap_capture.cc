#include "sim/capture/pcap_capture.h"

#include <utility>

#include "net/time.h"
#include "sim/packet.h"

namespace pinhole::sim {

struct PcapCapture::State {
  std::unique_ptr<pcap::PcapWriter> writer;  // Null once closed.
  uint64_t written = 0;
  absl::Status first_error;
  bool closed = false;

  void Write(net::Time time, const Packet& packet) {
    if (closed) return;
    absl::Status status = writer->Write(time, packet);
    if (status.ok()) {
      ++written;
    } else if (first_error.ok()) {
      first_error = std::move(status);
    }
  }
};

absl::StatusOr<std::unique_ptr<PcapCapture>> PcapCapture::OpenFile(
    absl::string_view path) {
  absl::StatusOr<std::unique_ptr<pcap::PcapWriter>> writer =
      pcap::PcapWriter::Open(path);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<PcapCapture>(new PcapCapture(*std::move(writer)));
}

std::unique_ptr<PcapCapture> PcapCapture::InMemory(std::string* out) {
  return std::unique_ptr<PcapCapture>(
      new PcapCapture(pcap::PcapWriter::InMemory(out)));
}

PcapCapture::PcapCapture(std::unique_ptr<pcap::PcapWriter> writer)
    : state_(std::make_shared<State>()) {
  state_->writer = std::move(writer);
}

PcapCapture::~PcapCapture() { (void)Close(); }

PacketTap PcapCapture::MakeTap() const {
  return [state = state_](net::Time time, const Packet& packet) {
    state->Write(time, packet);
  };
}

void PcapCapture::AttachToLinkDirection(Link& link, LinkEnd from,
                                        TapPoint point) {
  link.AddTap(from, point, MakeTap());
}

void PcapCapture::AttachToLinkEnd(Link& link, LinkEnd end) {
  link.AddTap(end, TapPoint::kEnter, MakeTap());
  link.AddTap(OtherEnd(end), TapPoint::kExit, MakeTap());
}

absl::Status PcapCapture::AttachToHostInterface(Host& host, int interface) {
  return host.AddInterfaceTap(interface, MakeTap());
}

uint64_t PcapCapture::packets_written() const { return state_->written; }

absl::Status PcapCapture::status() const { return state_->first_error; }

absl::Status PcapCapture::Close() {
  if (!state_->closed) {
    state_->closed = true;
    absl::Status status = state_->writer->Close();
    if (state_->first_error.ok()) state_->first_error = std::move(status);
    state_->writer.reset();
  }
  return state_->first_error;
}

}  // namespace pinhole::sim
