// STUN message layer benchmarks. Run optimised:
//   ./bazelw run --config=opt //bench:stun_bench
//
// Targets (issue: STUN message layer): parse a Binding request <= 25 ns;
// build a response with MESSAGE-INTEGRITY and FINGERPRINT <= 400 ns; verify
// MESSAGE-INTEGRITY <= 300 ns; no heap allocation on the parse path (that
// one is asserted by //stun:parse_allocation_test).
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "net/transport_address.h"
#include "stun/attributes.h"
#include "stun/channel_data.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/testing/hex.h"
#include "stun/testing/rfc5769_vectors.h"

namespace pinhole::stun {
namespace {

namespace vectors = ::pinhole::stun::testing;

// RFC 5769 §2.1: a 108-byte ICE Binding request with SOFTWARE, PRIORITY,
// ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY and FINGERPRINT.
void BM_ParseBindingRequest(benchmark::State& state) {
  const std::vector<uint8_t> bytes = testing::FromHex(vectors::kSampleRequest);
  for (auto _ : state) {
    absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
    benchmark::DoNotOptimize(message);
  }
}
BENCHMARK(BM_ParseBindingRequest);

// RFC 5769 §2.2, and the mapped address decoded.
void BM_ParseBindingResponseWithXorMappedAddress(benchmark::State& state) {
  const std::vector<uint8_t> bytes =
      testing::FromHex(vectors::kSampleIpv4Response);
  for (auto _ : state) {
    absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
    absl::StatusOr<XorMappedAddress> mapped = message->Get<XorMappedAddress>();
    benchmark::DoNotOptimize(mapped);
  }
}
BENCHMARK(BM_ParseBindingResponseWithXorMappedAddress);

// What a server does per request: a success response with
// XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT into a reused
// builder, sent from builder.bytes().
void BM_BuildBindingResponseWithIntegrityAndFingerprint(
    benchmark::State& state) {
  const IntegrityKey key =
      IntegrityKey::ShortTerm(vectors::kShortTermPassword).value();
  const net::TransportAddress mapped =
      net::TransportAddress::Parse("192.0.2.1:32853").value();
  const TransactionId id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  MessageBuilder builder({Method::kBinding, MessageClass::kSuccessResponse},
                         id);
  for (auto _ : state) {
    builder.Reset({Method::kBinding, MessageClass::kSuccessResponse}, id);
    builder.Add(XorMappedAddress{mapped})
        .AddMessageIntegrity(key)
        .AddFingerprint();
    benchmark::DoNotOptimize(builder.bytes().data());
  }
}
BENCHMARK(BM_BuildBindingResponseWithIntegrityAndFingerprint);

// The same, taking ownership of each message with Finish() (one allocation).
void BM_BuildAndFinishBindingResponse(benchmark::State& state) {
  const IntegrityKey key =
      IntegrityKey::ShortTerm(vectors::kShortTermPassword).value();
  const net::TransportAddress mapped =
      net::TransportAddress::Parse("192.0.2.1:32853").value();
  const TransactionId id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  for (auto _ : state) {
    absl::StatusOr<std::vector<uint8_t>> bytes =
        MessageBuilder({Method::kBinding, MessageClass::kSuccessResponse}, id)
            .Add(XorMappedAddress{mapped})
            .AddMessageIntegrity(key)
            .AddFingerprint()
            .Finish();
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(BM_BuildAndFinishBindingResponse);

// Parse, then check MESSAGE-INTEGRITY, of the RFC 5769 §2.1 request.
void BM_VerifyMessageIntegrity(benchmark::State& state) {
  const std::vector<uint8_t> bytes = testing::FromHex(vectors::kSampleRequest);
  const IntegrityKey key =
      IntegrityKey::ShortTerm(vectors::kShortTermPassword).value();
  for (auto _ : state) {
    absl::StatusOr<MessageView> message = MessageView::Parse(bytes);
    absl::Status status = VerifyMessageIntegrity(*message, key);
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_VerifyMessageIntegrity);

void BM_VerifyFingerprint(benchmark::State& state) {
  const std::vector<uint8_t> bytes = testing::FromHex(vectors::kSampleRequest);
  const MessageView message = MessageView::Parse(bytes).value();
  for (auto _ : state) {
    absl::Status status = VerifyFingerprint(message);
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_VerifyFingerprint);

// A TURN ChannelData message carrying 160 bytes (20 ms of 64 kbit/s audio).
void BM_ParseChannelData(benchmark::State& state) {
  const std::vector<uint8_t> payload(160, 0xAB);
  const std::vector<uint8_t> bytes =
      SerializeChannelData(0x4001, payload, /*pad=*/false).value();
  for (auto _ : state) {
    absl::StatusOr<ChannelDataView> view = ParseChannelData(bytes);
    benchmark::DoNotOptimize(view);
  }
}
BENCHMARK(BM_ParseChannelData);

}  // namespace
}  // namespace pinhole::stun
