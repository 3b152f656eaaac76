#include "sim/pcap/pcap_writer.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/time.h"
#include "sim/packet.h"
#include "sim/pcap/ip_packet.h"

namespace pinhole::sim::pcap {
namespace {

constexpr int64_t kNanosecondsPerSecond = 1'000'000'000;
// pcap's seconds field is an unsigned 32-bit count.
constexpr int64_t kMaxSeconds = 0xffffffff;

void PutLe16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value & 0xff));
  out.push_back(static_cast<char>(value >> 8));
}

void PutLe32(std::string& out, uint32_t value) {
  PutLe16(out, static_cast<uint16_t>(value & 0xffff));
  PutLe16(out, static_cast<uint16_t>(value >> 16));
}

std::string GlobalHeader() {
  std::string header;
  PutLe32(header, PcapWriter::kMagicNanoseconds);
  PutLe16(header, PcapWriter::kVersionMajor);
  PutLe16(header, PcapWriter::kVersionMinor);
  PutLe32(header, 0);  // thiszone: timestamps are in UTC (unused by readers).
  PutLe32(header, 0);  // sigfigs: always 0.
  PutLe32(header, PcapWriter::kSnapLength);
  PutLe32(header, PcapWriter::kLinkTypeRaw);
  return header;
}

absl::Status CheckTime(net::Time time) {
  const int64_t ns = time.NanosecondsSinceEpoch();
  if (ns < 0 || ns / kNanosecondsPerSecond > kMaxSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("pcap cannot record time ", time.ToString(),
                     ": it holds 0 to 2^32 seconds since the epoch"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PcapWriter>> PcapWriter::Open(
    absl::string_view path) {
  std::string name(path);
  std::FILE* file = std::fopen(name.c_str(), "wb");
  if (file == nullptr) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("cannot open pcap file ", name, " for writing"));
  }
  std::unique_ptr<PcapWriter> writer(
      new PcapWriter(std::move(name), file, nullptr));
  if (absl::Status status = writer->Emit(GlobalHeader()); !status.ok()) {
    return status;
  }
  return writer;
}

std::unique_ptr<PcapWriter> PcapWriter::InMemory(std::string* out) {
  std::unique_ptr<PcapWriter> writer(new PcapWriter("<memory>", nullptr, out));
  writer->Emit(GlobalHeader()).IgnoreError();  // Appending cannot fail.
  return writer;
}

PcapWriter::PcapWriter(std::string name, std::FILE* file, std::string* memory)
    : name_(std::move(name)), file_(file), memory_(memory) {}

PcapWriter::~PcapWriter() { Close().IgnoreError(); }

absl::Status PcapWriter::Write(net::Time time, const sim::Packet& packet) {
  if (!io_error_.ok()) return io_error_;
  if (file_ == nullptr && memory_ == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("pcap writer for ", name_, " is closed"));
  }
  if (absl::Status status = CheckTime(time); !status.ok()) return status;
  if (absl::string_view why = WhyNotSerializable(packet); !why.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pcap cannot record packet ", packet.id, " (", packet.source.ToString(),
        " -> ", packet.destination.ToString(), "): ", why));
  }
  const std::vector<uint8_t> bytes = SerializeIpPacket(packet);
  const int64_t ns = time.NanosecondsSinceEpoch();
  std::string record;
  record.reserve(kRecordHeaderSize + bytes.size());
  PutLe32(record, static_cast<uint32_t>(ns / kNanosecondsPerSecond));
  PutLe32(record, static_cast<uint32_t>(ns % kNanosecondsPerSecond));
  PutLe32(record, static_cast<uint32_t>(bytes.size()));  // Captured length.
  PutLe32(record, static_cast<uint32_t>(bytes.size()));  // Original length.
  record.append(bytes.begin(), bytes.end());
  return Emit(record);
}

absl::Status PcapWriter::Emit(absl::string_view bytes) {
  if (memory_ != nullptr) {
    memory_->append(bytes.data(), bytes.size());
    return absl::OkStatus();
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    io_error_ = absl::ErrnoToStatus(
        errno, absl::StrCat("cannot write pcap file ", name_));
  }
  return io_error_;
}

absl::Status PcapWriter::Flush() {
  if (file_ != nullptr && io_error_.ok() && std::fflush(file_) != 0) {
    io_error_ = absl::ErrnoToStatus(
        errno, absl::StrCat("cannot write pcap file ", name_));
  }
  return io_error_;
}

absl::Status PcapWriter::Close() {
  memory_ = nullptr;
  if (file_ == nullptr) return io_error_;
  Flush().IgnoreError();  // Kept in `io_error_`.
  if (std::fclose(file_) != 0 && io_error_.ok()) {
    io_error_ = absl::ErrnoToStatus(
        errno, absl::StrCat("cannot close pcap file ", name_));
  }
  file_ = nullptr;
  return io_error_;
}

}  // namespace pinhole::sim::pcap
