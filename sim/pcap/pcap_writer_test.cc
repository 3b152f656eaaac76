#include "sim/pcap/pcap_writer.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/packet.h"
#include "sim/pcap/ip_packet.h"

namespace pinhole::sim::pcap {
namespace {

using ::testing::HasSubstr;

std::string Bytes(std::vector<uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

sim::Packet SmallPacket(uint64_t id) {
  sim::Packet packet;
  packet.id = id;
  packet.source = net::TransportAddress::Parse("192.0.2.1:5000").value();
  packet.destination = net::TransportAddress::Parse("192.0.2.2:3478").value();
  packet.payload = {'h', 'i'};
  return packet;
}

net::Time At(int64_t ns) { return net::Time::FromNanosecondsSinceEpoch(ns); }

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

const std::string kGlobalHeader = Bytes({
    0x4d, 0x3c, 0xb2, 0xa1,  // Magic 0xa1b23c4d: nanosecond timestamps.
    0x02, 0x00, 0x04, 0x00,  // Version 2.4.
    0x00, 0x00, 0x00, 0x00,  // thiszone.
    0x00, 0x00, 0x00, 0x00,  // sigfigs.
    0x00, 0x00, 0x04, 0x00,  // snaplen 262144.
    0x65, 0x00, 0x00, 0x00,  // LINKTYPE_RAW (101).
});

TEST(PcapWriterTest, GlobalHeaderBytes) {
  std::string out;
  auto writer = PcapWriter::InMemory(&out);
  EXPECT_EQ(out, kGlobalHeader);
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_EQ(out, kGlobalHeader);
}

TEST(PcapWriterTest, RecordHeaderBytes) {
  std::string out;
  auto writer = PcapWriter::InMemory(&out);
  const sim::Packet packet = SmallPacket(1);
  // 4660.000000001 s: 0x1234 seconds and one nanosecond.
  ASSERT_TRUE(writer->Write(At(4660'000'000'001), packet).ok());

  const std::string record_header = Bytes({
      0x34, 0x12, 0x00, 0x00,  // Seconds.
      0x01, 0x00, 0x00, 0x00,  // Nanoseconds.
      0x1e, 0x00, 0x00, 0x00,  // Captured length: 20 + 8 + 2 = 30.
      0x1e, 0x00, 0x00, 0x00,  // Original length.
  });
  const std::vector<uint8_t> ip = SerializeIpPacket(packet);
  EXPECT_EQ(out, kGlobalHeader + record_header + Bytes(ip));
}

TEST(PcapWriterTest, TimestampsSplitIntoSecondsAndNanoseconds) {
  std::string out;
  auto writer = PcapWriter::InMemory(&out);
  const sim::Packet packet = SmallPacket(1);
  ASSERT_TRUE(writer->Write(At(0), packet).ok());
  ASSERT_TRUE(writer->Write(At(999'999'999), packet).ok());
  // 2^32 - 1 seconds and 999999999 ns: the latest instant pcap holds.
  ASSERT_TRUE(writer->Write(At(4294967295'999'999'999), packet).ok());

  const size_t record = PcapWriter::kRecordHeaderSize + packet.ip_size();
  const size_t first = PcapWriter::kGlobalHeaderSize;
  EXPECT_EQ(out.substr(first, 8), Bytes({0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(out.substr(first + record, 8),
            Bytes({0, 0, 0, 0, 0xff, 0xc9, 0x9a, 0x3b}));
  EXPECT_EQ(out.substr(first + 2 * record, 8),
            Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x9a, 0x3b}));
}

TEST(PcapWriterTest, TimesPcapCannotHoldAreRefused) {
  std::string out;
  auto writer = PcapWriter::InMemory(&out);
  const absl::Status before = writer->Write(At(-1), SmallPacket(1));
  EXPECT_EQ(before.code(), absl::StatusCode::kInvalidArgument);
  const absl::Status after =
      writer->Write(At(4294967296'000'000'000), SmallPacket(1));
  EXPECT_EQ(after.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out, kGlobalHeader);  // Nothing written, and still usable:
  EXPECT_TRUE(writer->Write(At(1), SmallPacket(1)).ok());
}

TEST(PcapWriterTest, PacketsWithNoIpFormAreRefused) {
  std::string out;
  auto writer = PcapWriter::InMemory(&out);
  sim::Packet mixed = SmallPacket(42);
  mixed.destination = net::TransportAddress::Parse("[2001:db8::1]:1").value();
  const absl::Status status = writer->Write(At(1), mixed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("packet 42"));
  EXPECT_THAT(status.message(), HasSubstr("address family"));
  EXPECT_EQ(out, kGlobalHeader);
  EXPECT_TRUE(writer->Write(At(1), SmallPacket(43)).ok());
}

TEST(PcapWriterTest, SameInputGivesSameBytes) {
  auto write_all = [](std::string* out) {
    auto writer = PcapWriter::InMemory(out);
    for (int i = 0; i < 50; ++i) {
      sim::Packet packet = SmallPacket(static_cast<uint64_t>(i));
      packet.hop_limit = static_cast<uint8_t>(64 - i);
      packet.payload.resize(static_cast<size_t>(i), static_cast<uint8_t>(i));
      ASSERT_TRUE(writer->Write(At(1'000'000'000 + i * 1'500), packet).ok());
    }
    ASSERT_TRUE(writer->Close().ok());
  };
  std::string first, second;
  write_all(&first);
  write_all(&second);
  EXPECT_EQ(first, second);

  // A file gets the same bytes as memory.
  const std::string path = TempPath("same.pcap");
  {
    auto writer = PcapWriter::Open(path);
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (int i = 0; i < 50; ++i) {
      sim::Packet packet = SmallPacket(static_cast<uint64_t>(i));
      packet.hop_limit = static_cast<uint8_t>(64 - i);
      packet.payload.resize(static_cast<size_t>(i), static_cast<uint8_t>(i));
      ASSERT_TRUE((*writer)->Write(At(1'000'000'000 + i * 1'500), packet).ok());
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }
  EXPECT_EQ(ReadFile(path), first);
}

TEST(PcapWriterTest, FlushMakesRecordsVisible) {
  const std::string path = TempPath("flush.pcap");
  auto writer = PcapWriter::Open(path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE((*writer)->Write(At(5), SmallPacket(1)).ok());
  ASSERT_TRUE((*writer)->Flush().ok());
  EXPECT_EQ(ReadFile(path).size(),
            PcapWriter::kGlobalHeaderSize + PcapWriter::kRecordHeaderSize + 30);
}

TEST(PcapWriterTest, DestructorCloses) {
  const std::string path = TempPath("destructor.pcap");
  {
    auto writer = PcapWriter::Open(path);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)->Write(At(5), SmallPacket(1)).ok());
  }
  EXPECT_EQ(ReadFile(path).size(),
            PcapWriter::kGlobalHeaderSize + PcapWriter::kRecordHeaderSize + 30);
}

TEST(PcapWriterTest, OpenInMissingDirectoryFails) {
  const std::string path = TempPath("no/such/dir/x.pcap");
  auto writer = PcapWriter::Open(path);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(writer.status().message(), HasSubstr(path));
}

TEST(PcapWriterTest, OpenOnADirectoryFails) {
  const std::string path = TempPath("");
  auto writer = PcapWriter::Open(path);
  ASSERT_FALSE(writer.ok());
  EXPECT_THAT(writer.status().message(), HasSubstr("cannot open pcap file"));
  EXPECT_THAT(writer.status().message(), HasSubstr(path));
}

TEST(PcapWriterTest, WriteErrorsAreReportedAndSticky) {
  // /dev/full accepts the open and fails every write with ENOSPC.
  auto writer = PcapWriter::Open("/dev/full");
  ASSERT_TRUE(writer.ok()) << writer.status();  // The header sits in a buffer.
  const absl::Status flush = (*writer)->Flush();
  EXPECT_EQ(flush.code(), absl::StatusCode::kResourceExhausted) << flush;
  EXPECT_THAT(flush.message(), HasSubstr("/dev/full"));
  EXPECT_EQ((*writer)->Write(At(1), SmallPacket(1)), flush);
  EXPECT_EQ((*writer)->Close(), flush);
  EXPECT_EQ((*writer)->Close(), flush);
}

TEST(PcapWriterTest, WriteAfterCloseFails) {
  std::string out;
  auto writer = PcapWriter::InMemory(&out);
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_EQ(writer->Write(At(1), SmallPacket(1)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out, kGlobalHeader);
}

}  // namespace
}  // namespace pinhole::sim::pcap
