// Simulated TLS is deterministic and real: the same seed gives the same trace
// and the same pcap bytes, another seed other TLS bytes, and Wireshark's
// dissectors (tshark) read the capture as a TLS 1.3 handshake followed by
// application data.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "sim/capture/pcap_capture.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/pcap/tshark.h"
#include "sim/simulator.h"
#include "sim/tcp/host_tcp.h"
#include "sim/tcp/stream_recorder.h"
#include "sim/tls/install_tls.h"

namespace pinhole::sim::tls {
namespace {

using net::Duration;
using net::TransportAddress;

TransportAddress Tls(const char* text) {
  return *TransportAddress::Parse(text, net::TransportProtocol::kTls);
}
absl::Span<const uint8_t> Bytes(absl::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

struct Outcome {
  std::string trace_sha256;
  std::string pcap;
};

// A client and a server 10 ms apart: the client connects over TLS to port
// 443, writes, reads the echo and closes; the client's interface is
// captured.
Outcome RunScenario(uint64_t seed) {
  Outcome run;
  Simulator sim(seed);
  std::unique_ptr<Link> wire =
      *Link::Create(sim, "wire", {.latency = Duration::Milliseconds(10)});
  std::unique_ptr<Host> client = *Host::Create(sim, "client");
  std::unique_ptr<Host> server = *Host::Create(sim, "server");
  EXPECT_TRUE(client
                  ->AddInterface(*wire, LinkEnd::kA,
                                 {*net::IpAddress::Parse("10.0.0.1")})
                  .ok());
  EXPECT_TRUE(server
                  ->AddInterface(*wire, LinkEnd::kB,
                                 {*net::IpAddress::Parse("198.51.100.1")})
                  .ok());
  EXPECT_TRUE(client->SetDefaultRoute(0).ok());
  EXPECT_TRUE(server->SetDefaultRoute(0).ok());
  tcp::InstallTcp(*client);
  tcp::InstallTcp(*server);
  EXPECT_TRUE(InstallTls(*client).ok());
  EXPECT_TRUE(InstallTls(*server).ok());
  std::unique_ptr<PcapCapture> capture = PcapCapture::InMemory(&run.pcap);
  EXPECT_TRUE(capture->AttachToHostInterface(*client, 0).ok());

  std::vector<std::unique_ptr<net::TcpStream>> accepted;
  std::unique_ptr<tcp::StreamRecorder> server_log =
      std::make_unique<tcp::StreamRecorder>(sim);
  std::unique_ptr<net::TcpListener> listener = *server->ListenTcp(
      Tls("198.51.100.1:443"), [&](std::unique_ptr<net::TcpStream> stream) {
        net::TcpStream* raw = stream.get();
        server_log->also_on_data = [raw](absl::Span<const uint8_t> bytes) {
          EXPECT_TRUE(raw->Write(bytes).ok());
        };
        server_log->also_on_closed = [raw](const absl::Status&) {
          raw->Close();
        };
        stream->SetCallbacks(server_log->Callbacks());
        accepted.push_back(std::move(stream));
      });
  tcp::StreamRecorder log(sim);
  std::unique_ptr<net::TcpStream> stream = *client->ConnectTcp(
      Tls("0.0.0.0:0"), Tls("198.51.100.1:443"), log.Callbacks());
  EXPECT_TRUE(stream->Write(Bytes("hello over simulated TLS")).ok());
  sim.RunUntil([&] { return log.data.size() == 24; },
               sim.Now() + Duration::Seconds(10));
  EXPECT_EQ(log.data, "hello over simulated TLS");
  stream->Close();
  sim.RunUntil([&] { return log.is_closed(); },
               sim.Now() + Duration::Seconds(10));
  EXPECT_TRUE(log.closed.has_value() && log.closed->ok());
  sim.RunFor(Duration::Seconds(1));
  EXPECT_TRUE(capture->Close().ok());
  stream.reset();
  accepted.clear();
  listener.reset();
  run.trace_sha256 = sim.trace().Sha256Hex();
  return run;
}

TEST(TlsDeterminismTest, TheSameSeedGivesTheSameTraceAndPcap) {
  const Outcome first = RunScenario(7);
  const Outcome second = RunScenario(7);
  EXPECT_EQ(first.trace_sha256, second.trace_sha256);
  EXPECT_GT(first.pcap.size(), 1000u);
  EXPECT_TRUE(first.pcap == second.pcap) << "the pcaps differ";
  const Outcome other = RunScenario(8);
  // Other TCP initial sequence numbers and other TLS bytes.
  EXPECT_FALSE(first.pcap == other.pcap);
}

// Every frame's fields, decoded by tshark from `pcap`, written under `name`.
std::vector<std::map<std::string, std::string>> Decode(
    const std::string& pcap, const std::string& name) {
  const std::string path = absl::StrCat(pcap::TestOutputDir(), "/", name);
  {
    std::ofstream file(path, std::ios::binary);
    file.write(pcap.data(), static_cast<std::streamsize>(pcap.size()));
  }
  absl::StatusOr<std::vector<std::map<std::string, std::string>>> decoded =
      pcap::TsharkFields(
          path,
          {"tcp.srcport", "tcp.dstport", "tls.record.content_type",
           "tls.record.opaque_type", "tls.handshake.type",
           "tls.handshake.random", "tls.handshake.extensions.supported_version",
           "_ws.malformed"});
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  return decoded.ok() ? *std::move(decoded)
                      : std::vector<std::map<std::string, std::string>>{};
}

// The values of `field` over all frames, in order, "" fields left out.
std::vector<std::string> Values(
    const std::vector<std::map<std::string, std::string>>& frames,
    const std::string& field) {
  std::vector<std::string> values;
  for (const auto& frame : frames) {
    auto it = frame.find(field);
    if (it == frame.end() || it->second.empty()) continue;
    for (absl::string_view v : absl::StrSplit(it->second, ',')) {
      values.emplace_back(v);
    }
  }
  return values;
}

TEST(TlsPcapTest, TsharkDecodesTheHandshakeAndRecords) {
  const auto frames = Decode(RunScenario(7).pcap, "tls_seed7.pcap");
  ASSERT_FALSE(frames.empty());
  EXPECT_TRUE(Values(frames, "_ws.malformed").empty());
  // ClientHello (1), then ServerHello (2); the rest of TLS 1.3's handshake
  // is encrypted.
  const std::vector<std::string> types = Values(frames, "tls.handshake.type");
  ASSERT_GE(types.size(), 2u);
  EXPECT_EQ(types[0], "1");
  EXPECT_EQ(types[1], "2");
  // 0x0304: TLS 1.3 offered and chosen.
  const std::vector<std::string> versions =
      Values(frames, "tls.handshake.extensions.supported_version");
  EXPECT_NE(std::find(versions.begin(), versions.end(), "0x0304"),
            versions.end());
  // Handshake records (22) in the clear, then TLS 1.3's encrypted records,
  // whose outer type is application data (23): the rest of the handshake,
  // the data and each side's close_notify.
  const std::vector<std::string> clear =
      Values(frames, "tls.record.content_type");
  EXPECT_NE(std::find(clear.begin(), clear.end(), "22"), clear.end());
  const std::vector<std::string> opaque =
      Values(frames, "tls.record.opaque_type");
  EXPECT_GE(std::count(opaque.begin(), opaque.end(), "23"), 8);
}

TEST(TlsPcapTest, AnotherSeedGivesOtherHelloRandoms) {
  const auto seven = Values(Decode(RunScenario(7).pcap, "tls_seed7b.pcap"),
                            "tls.handshake.random");
  const auto again = Values(Decode(RunScenario(7).pcap, "tls_seed7c.pcap"),
                            "tls.handshake.random");
  const auto eight = Values(Decode(RunScenario(8).pcap, "tls_seed8.pcap"),
                            "tls.handshake.random");
  ASSERT_EQ(seven.size(), 2u);  // The client's and the server's.
  EXPECT_EQ(seven, again);
  ASSERT_EQ(eight.size(), 2u);
  EXPECT_NE(seven[0], eight[0]);
  EXPECT_NE(seven[1], eight[1]);
}

}  // namespace
}  // namespace pinhole::sim::tls
