// Every typed attribute: a round trip through MessageBuilder and
// MessageView, its exact wire form where the RFC fixes one, and the malformed
// values a receiver must reject.
#include "stun/attributes.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/transport_address.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/testing/hex.h"

namespace pinhole::stun {
namespace {

using ::pinhole::stun::testing::FromHex;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr TransactionId kId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                               0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

// Builds a message holding `attribute`, and keeps its bytes alive.
class Built {
 public:
  template <typename A>
  explicit Built(const A& attribute) {
    MessageBuilder builder({Method::kBinding, MessageClass::kRequest}, kId);
    builder.Add(attribute);
    absl::StatusOr<std::vector<uint8_t>> bytes = builder.Finish();
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    if (bytes.ok()) bytes_ = *std::move(bytes);
  }
  MessageView view() const { return MessageView::Parse(bytes_).value(); }
  // The attribute's value bytes as written (without header and padding).
  std::vector<uint8_t> value(uint16_t type) const {
    const absl::Span<const uint8_t> v = *view().Find(type);
    return std::vector<uint8_t>(v.begin(), v.end());
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

template <typename A>
absl::StatusOr<A> RoundTrip(const A& attribute, const Built& built) {
  (void)attribute;
  return built.view().template Get<A>();
}

// A message holding one raw attribute of `type` with `value`.
class Raw {
 public:
  Raw(uint16_t type, const std::string& hex_value) {
    MessageBuilder builder({Method::kBinding, MessageClass::kRequest}, kId);
    builder.AddRaw(type, FromHex(hex_value));
    bytes_ = builder.Finish().value();
  }
  template <typename A>
  absl::Status Decode() const {
    return MessageView::Parse(bytes_).value().Get<A>().status();
  }

 private:
  std::vector<uint8_t> bytes_;
};

template <typename A>
std::string BuildError(const A& attribute) {
  MessageBuilder builder({Method::kBinding, MessageClass::kRequest}, kId);
  builder.Add(attribute);
  absl::StatusOr<std::vector<uint8_t>> bytes = builder.Finish();
  EXPECT_FALSE(bytes.ok());
  return bytes.ok() ? "" : std::string(bytes.status().message());
}

net::TransportAddress Address(const char* text) {
  return net::TransportAddress::Parse(text).value();
}

// --- Address attributes.

TEST(AddressAttributesTest, XorMappedAddressIpv4HasTheRfcWireForm) {
  // RFC 5769 §2.2: 192.0.2.1:32853.
  const Built built(XorMappedAddress{Address("192.0.2.1:32853")});
  EXPECT_EQ(built.value(attr::kXorMappedAddress),
            FromHex("00 01 a1 47 e1 12 a6 43"));
  EXPECT_EQ(built.view().Get<XorMappedAddress>()->address,
            Address("192.0.2.1:32853"));
}

TEST(AddressAttributesTest, XorMappedAddressIpv6UsesTheTransactionId) {
  const char* text = "[2001:db8:1234:5678:11:2233:4455:6677]:32853";
  const Built built(XorMappedAddress{Address(text)});
  EXPECT_EQ(built.value(attr::kXorMappedAddress),
            FromHex("00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 "
                    "d9"));
  EXPECT_EQ(built.view().Get<XorMappedAddress>()->address, Address(text));
}

TEST(AddressAttributesTest, PlainAddressesAreNotXored) {
  const Built built(MappedAddress{Address("192.0.2.1:32853")});
  EXPECT_EQ(built.value(attr::kMappedAddress),
            FromHex("00 01 80 55 c0 00 02 01"));
}

template <typename A>
void ExpectAddressRoundTrip(const char* text) {
  const Built built(A{Address(text)});
  absl::StatusOr<A> decoded = built.view().template Get<A>();
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->address, Address(text)) << AttributeTypeName(A::kType);
}

TEST(AddressAttributesTest, EveryAddressAttributeRoundTripsBothFamilies) {
  for (const char* text :
       {"203.0.113.9:3478", "[2001:db8::9]:49152", "0.0.0.0:0", "[::]:65535"}) {
    ExpectAddressRoundTrip<MappedAddress>(text);
    ExpectAddressRoundTrip<AlternateServer>(text);
    ExpectAddressRoundTrip<ResponseOrigin>(text);
    ExpectAddressRoundTrip<OtherAddress>(text);
    ExpectAddressRoundTrip<XorMappedAddress>(text);
    ExpectAddressRoundTrip<XorPeerAddress>(text);
    ExpectAddressRoundTrip<XorRelayedAddress>(text);
  }
}

TEST(AddressAttributesTest, MalformedAddressesAreRejected) {
  EXPECT_THAT(
      Raw(attr::kXorMappedAddress, "").Decode<XorMappedAddress>().message(),
      HasSubstr("0 bytes, too short"));
  EXPECT_THAT(Raw(attr::kXorMappedAddress, "00 03 00 01 01 02 03 04")
                  .Decode<XorMappedAddress>()
                  .message(),
              HasSubstr("unknown address family 0x03"));
  EXPECT_THAT(Raw(attr::kMappedAddress, "00 01 00 01 01 02 03")
                  .Decode<MappedAddress>()
                  .message(),
              HasSubstr("7 bytes, but an IPv4 address takes 8"));
  EXPECT_THAT(Raw(attr::kMappedAddress, "00 02 00 01 01 02 03 04")
                  .Decode<MappedAddress>()
                  .message(),
              HasSubstr("an IPv6 address takes 20"));
  EXPECT_THAT(Raw(attr::kXorPeerAddress,
                  "00 01 00 01 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
                  "10")
                  .Decode<XorPeerAddress>()
                  .message(),
              HasSubstr("an IPv4 address takes 8"));
}

// --- Text attributes.

TEST(TextAttributesTest, RoundTripWithoutPaddingInTheValue) {
  const Built built(Software{"pinhole 1.0"});
  EXPECT_EQ(built.view().Get<Software>()->value, "pinhole 1.0");
  EXPECT_EQ(built.bytes().size(), 20u + 4u + 12u);
  EXPECT_EQ(Built(Username{"alice:bob"}).view().Get<Username>()->value,
            "alice:bob");
  EXPECT_EQ(Built(Realm{"example.org"}).view().Get<Realm>()->value,
            "example.org");
  EXPECT_EQ(Built(Nonce{"obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"})
                .view()
                .Get<Nonce>()
                ->value,
            "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
  EXPECT_EQ(Built(AlternateDomain{"turn.example.org"})
                .view()
                .Get<AlternateDomain>()
                ->value,
            "turn.example.org");
}

TEST(TextAttributesTest, EmptyValuesAreRejectedWhereForbidden) {
  EXPECT_THAT(BuildError(Username{""}),
              HasSubstr("USERNAME: must not be empty"));
  EXPECT_THAT(BuildError(Realm{""}), HasSubstr("REALM: must not be empty"));
  EXPECT_THAT(BuildError(Nonce{""}), HasSubstr("NONCE: must not be empty"));
  EXPECT_THAT(Raw(attr::kUsername, "").Decode<Username>().message(),
              HasSubstr("must not be empty"));
  EXPECT_TRUE(Raw(attr::kSoftware, "").Decode<Software>().ok());
}

TEST(TextAttributesTest, LimitsFollowRfc8489) {
  EXPECT_TRUE(
      Built(Username{std::string(508, 'u')}).view().Has(attr::kUsername));
  EXPECT_THAT(BuildError(Username{std::string(509, 'u')}),
              HasSubstr("509 bytes, at most 508"));
  // 127 characters of 3 bytes each: 381 bytes, allowed.
  std::string long_realm;
  for (int i = 0; i < 127; ++i) long_realm += "\xE3\x83\x9E";
  EXPECT_TRUE(Built(Realm{long_realm}).view().Get<Realm>().ok());
  EXPECT_THAT(BuildError(Realm{std::string(128, 'r')}),
              HasSubstr("128 characters, at most 127"));
  EXPECT_THAT(BuildError(Software{std::string(510, 's')}),
              HasSubstr("510 bytes, at most 509"));
  EXPECT_THAT(BuildError(AlternateDomain{std::string(256, 'd')}),
              HasSubstr("256 bytes, at most 255"));
}

TEST(TextAttributesTest, InvalidUtf8IsRejected) {
  EXPECT_THAT(Raw(attr::kRealm, "ff fe").Decode<Realm>().message(),
              HasSubstr("REALM: not valid UTF-8"));
  EXPECT_THAT(BuildError(Software{"\xC0\xAF"}), HasSubstr("not valid UTF-8"));
}

// --- ERROR-CODE and ADDRESS-ERROR-CODE.

TEST(ErrorCodeTest, WireFormSplitsClassAndNumber) {
  const Built built(ErrorCode::Standard(error::kStaleNonce));
  EXPECT_EQ(built.value(attr::kErrorCode),
            FromHex("00 00 04 26 53 74 61 6c 65 20 4e 6f 6e 63 65"));
  absl::StatusOr<ErrorCode> decoded = built.view().Get<ErrorCode>();
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->code, 438);
  EXPECT_EQ(decoded->reason, "Stale Nonce");
}

TEST(ErrorCodeTest, EveryStandardCodeRoundTrips) {
  for (int code : {300, 400, 401, 403, 420, 437, 438, 440, 441, 442, 443, 446,
                   447, 486, 487, 500, 508}) {
    EXPECT_FALSE(StandardReasonPhrase(code).empty()) << code;
    const Built built(ErrorCode::Standard(code));  // The reason views it.
    absl::StatusOr<ErrorCode> decoded = built.view().Get<ErrorCode>();
    ASSERT_TRUE(decoded.ok()) << code;
    EXPECT_EQ(decoded->code, code);
    EXPECT_EQ(decoded->reason, StandardReasonPhrase(code));
  }
}

TEST(ErrorCodeTest, OutOfRangeCodesAreRejected) {
  EXPECT_THAT(BuildError(ErrorCode{299, "x"}), HasSubstr("code 299"));
  EXPECT_THAT(BuildError(ErrorCode{700, "x"}), HasSubstr("code 700"));
  EXPECT_THAT(
      Raw(attr::kErrorCode, "00 00 02 00").Decode<ErrorCode>().message(),
      HasSubstr("class 2 is outside 3-6"));
  EXPECT_THAT(
      Raw(attr::kErrorCode, "00 00 04 64").Decode<ErrorCode>().message(),
      HasSubstr("number 100 is outside 0-99"));
  EXPECT_THAT(Raw(attr::kErrorCode, "00 00 04").Decode<ErrorCode>().message(),
              HasSubstr("3 bytes, at least 4"));
}

TEST(ErrorCodeTest, AddressErrorCodeCarriesTheFamily) {
  const Built built(AddressErrorCode{net::AddressFamily::kIpv6, 440,
                                     "Address Family not Supported"});
  EXPECT_EQ(built.value(attr::kAddressErrorCode)[0], 0x02);
  absl::StatusOr<AddressErrorCode> decoded =
      built.view().Get<AddressErrorCode>();
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->family, net::AddressFamily::kIpv6);
  EXPECT_EQ(decoded->code, 440);
  EXPECT_EQ(decoded->reason, "Address Family not Supported");
  EXPECT_THAT(Raw(attr::kAddressErrorCode, "05 00 04 08")
                  .Decode<AddressErrorCode>()
                  .message(),
              HasSubstr("unknown address family 0x05"));
}

// --- ICE.

TEST(IceAttributesTest, RoundTrip) {
  EXPECT_EQ(Built(Priority{0x6e0001ff}).view().Get<Priority>()->value,
            0x6e0001ffu);
  EXPECT_EQ(Built(Priority{0x6e0001ff}).value(attr::kPriority),
            FromHex("6e 00 01 ff"));
  EXPECT_TRUE(Built(UseCandidate{}).view().Get<UseCandidate>().ok());
  EXPECT_EQ(Built(IceControlled{0x932ff9b151263b36})
                .view()
                .Get<IceControlled>()
                ->value,
            0x932ff9b151263b36u);
  EXPECT_EQ(Built(IceControlling{1}).value(attr::kIceControlling),
            FromHex("00 00 00 00 00 00 00 01"));
}

TEST(IceAttributesTest, WrongSizesAreRejected) {
  EXPECT_THAT(Raw(attr::kPriority, "00 00 01").Decode<Priority>().message(),
              HasSubstr("PRIORITY: 3 bytes, must be 4"));
  EXPECT_THAT(
      Raw(attr::kUseCandidate, "00 00 00 01").Decode<UseCandidate>().message(),
      HasSubstr("USE-CANDIDATE: 4 bytes, must be 0"));
  EXPECT_THAT(Raw(attr::kIceControlling, "00 00 00 01")
                  .Decode<IceControlling>()
                  .message(),
              HasSubstr("must be 8"));
}

// --- RFC 5780.

TEST(NatBehaviorAttributesTest, ChangeRequestFlags) {
  EXPECT_EQ(Built(ChangeRequest{true, true}).value(attr::kChangeRequest),
            FromHex("00 00 00 06"));
  EXPECT_EQ(Built(ChangeRequest{true, false}).value(attr::kChangeRequest),
            FromHex("00 00 00 04"));
  const absl::StatusOr<ChangeRequest> decoded =
      Built(ChangeRequest{false, true}).view().Get<ChangeRequest>();
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->change_ip);
  EXPECT_TRUE(decoded->change_port);
  EXPECT_FALSE(Raw(attr::kChangeRequest, "06").Decode<ChangeRequest>().ok());
}

TEST(NatBehaviorAttributesTest, ResponsePortAndPadding) {
  EXPECT_EQ(Built(ResponsePort{40000}).value(attr::kResponsePort),
            FromHex("9c 40 00 00"));
  EXPECT_EQ(Built(ResponsePort{40000}).view().Get<ResponsePort>()->port, 40000);
  EXPECT_EQ(Raw(attr::kResponsePort, "9c 40").Decode<ResponsePort>(),
            absl::OkStatus());
  EXPECT_FALSE(Raw(attr::kResponsePort, "9c").Decode<ResponsePort>().ok());
  const Built padded(Padding{1200});
  EXPECT_EQ(padded.view().Get<Padding>()->length, 1200u);
  EXPECT_EQ(padded.bytes().size(), 20u + 4u + 1200u);
}

// --- TURN.

TEST(TurnAttributesTest, RoundTrip) {
  EXPECT_EQ(Built(ChannelNumber{0x4001}).value(attr::kChannelNumber),
            FromHex("40 01 00 00"));
  EXPECT_EQ(Built(ChannelNumber{0x4FFF}).view().Get<ChannelNumber>()->number,
            0x4FFF);
  EXPECT_EQ(Built(Lifetime{600}).view().Get<Lifetime>()->value, 600u);
  const std::vector<uint8_t> payload = {1, 2, 3, 4, 5};
  const Built data(Data{payload});
  EXPECT_THAT(data.view().Get<Data>()->value, ElementsAreArray(payload));
  EXPECT_TRUE(Built(Data{}).view().Get<Data>()->value.empty());
  EXPECT_EQ(Built(RequestedAddressFamily::Of(net::AddressFamily::kIpv6))
                .value(attr::kRequestedAddressFamily),
            FromHex("02 00 00 00"));
  EXPECT_EQ(Built(AdditionalAddressFamily::Of(net::AddressFamily::kIpv6))
                .view()
                .Get<AdditionalAddressFamily>()
                ->address_family(),
            net::AddressFamily::kIpv6);
  EXPECT_EQ(Built(EvenPort{true}).value(attr::kEvenPort), FromHex("80"));
  EXPECT_FALSE(Built(EvenPort{false}).view().Get<EvenPort>()->reserve_next);
  EXPECT_EQ(Built(RequestedTransport{}).value(attr::kRequestedTransport),
            FromHex("11 00 00 00"));
  EXPECT_EQ(Built(RequestedTransport{RequestedTransport::kTcp})
                .view()
                .Get<RequestedTransport>()
                ->protocol,
            6);
  EXPECT_TRUE(Built(DontFragment{}).view().Get<DontFragment>().ok());
  EXPECT_EQ(Built(ReservationToken{0x0102030405060708})
                .value(attr::kReservationToken),
            FromHex("01 02 03 04 05 06 07 08"));
  EXPECT_EQ(Built(ConnectionId{0xCAFE}).view().Get<ConnectionId>()->value,
            0xCAFEu);
}

TEST(TurnAttributesTest, UnknownFamilyIsKeptForA440Answer) {
  absl::StatusOr<RequestedAddressFamily> family =
      MessageView::Parse(
          MessageBuilder({Method::kAllocate, MessageClass::kRequest}, kId)
              .AddRaw(attr::kRequestedAddressFamily, FromHex("07 00 00 00"))
              .bytes())
          .value()
          .Get<RequestedAddressFamily>();
  ASSERT_TRUE(family.ok());
  EXPECT_EQ(family->family, 7);
  EXPECT_FALSE(family->address_family().has_value());
}

TEST(TurnAttributesTest, IcmpPacksTypeAndCodeAsTheRfcFigureShows) {
  const Built built(Icmp{3, 4, 1400});
  // Type 3 in the top 7 bits, code 4 in the low 9: 0000011 000000100.
  EXPECT_EQ(built.value(attr::kIcmp), FromHex("00 00 06 04 00 00 05 78"));
  const absl::StatusOr<Icmp> decoded = built.view().Get<Icmp>();
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->icmp_type, 3);
  EXPECT_EQ(decoded->icmp_code, 4);
  EXPECT_EQ(decoded->error_data, 1400u);
  EXPECT_THAT(BuildError(Icmp{128, 0, 0}), HasSubstr("exceed 7 / 9 bits"));
}

TEST(TurnAttributesTest, WrongSizesAreRejected) {
  EXPECT_FALSE(Raw(attr::kChannelNumber, "40 01").Decode<ChannelNumber>().ok());
  EXPECT_FALSE(Raw(attr::kLifetime, "").Decode<Lifetime>().ok());
  EXPECT_FALSE(Raw(attr::kEvenPort, "").Decode<EvenPort>().ok());
  EXPECT_FALSE(
      Raw(attr::kRequestedTransport, "11").Decode<RequestedTransport>().ok());
  EXPECT_FALSE(Raw(attr::kDontFragment, "00").Decode<DontFragment>().ok());
  EXPECT_FALSE(Raw(attr::kReservationToken, "00 00 00 00")
                   .Decode<ReservationToken>()
                   .ok());
  EXPECT_FALSE(Raw(attr::kIcmp, "00 00 00 00").Decode<Icmp>().ok());
  EXPECT_FALSE(Raw(attr::kConnectionId, "00").Decode<ConnectionId>().ok());
  EXPECT_FALSE(Raw(attr::kRequestedAddressFamily, "01")
                   .Decode<RequestedAddressFamily>()
                   .ok());
}

TEST(TurnAttributesTest, ChannelNumberRange) {
  EXPECT_FALSE(IsValidChannelNumber(0x3FFF));
  EXPECT_TRUE(IsValidChannelNumber(0x4000));
  EXPECT_TRUE(IsValidChannelNumber(0x4FFF));
  EXPECT_FALSE(IsValidChannelNumber(0x5000));
}

// --- Authentication.

TEST(AuthAttributesTest, UserhashIsSha256OfUsernameColonRealm) {
  // SHA-256("user:example.org"), computed independently.
  const absl::StatusOr<Userhash> hash =
      Userhash::Compute("user", "example.org");
  ASSERT_TRUE(hash.ok());
  const Built built(*hash);
  EXPECT_EQ(built.view().Get<Userhash>()->hash, hash->hash);
  EXPECT_FALSE(Raw(attr::kUserhash, "00 01").Decode<Userhash>().ok());
  EXPECT_FALSE(Userhash::Compute("", "example.org").ok());
}

TEST(AuthAttributesTest, PasswordAlgorithmsListRoundTrips) {
  const std::vector<uint8_t> params = {0xAA};
  const Built built(
      PasswordAlgorithms{{{0x0002, {}}, {0x0001, {}}, {0x7777, params}}});
  EXPECT_EQ(built.value(attr::kPasswordAlgorithms),
            FromHex("00 02 00 00 00 01 00 00 77 77 00 01 aa 00 00 00"));
  const absl::StatusOr<PasswordAlgorithms> decoded =
      built.view().Get<PasswordAlgorithms>();
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->entries.size(), 3u);
  EXPECT_EQ(decoded->entries[0].algorithm, 0x0002);
  EXPECT_EQ(decoded->entries[1].algorithm, 0x0001);
  EXPECT_THAT(decoded->entries[2].parameters, ElementsAre(0xAA));
}

TEST(AuthAttributesTest, PasswordAlgorithmRoundTripsAndRejectsGarbage) {
  const Built built(PasswordAlgorithmAttribute{{0x0002, {}}});
  EXPECT_EQ(built.value(attr::kPasswordAlgorithm), FromHex("00 02 00 00"));
  EXPECT_EQ(built.view().Get<PasswordAlgorithmAttribute>()->entry.algorithm,
            0x0002);
  EXPECT_FALSE(Raw(attr::kPasswordAlgorithm, "00 02")
                   .Decode<PasswordAlgorithmAttribute>()
                   .ok());
  EXPECT_THAT(Raw(attr::kPasswordAlgorithm, "00 02 00 08 00 00")
                  .Decode<PasswordAlgorithmAttribute>()
                  .message(),
              HasSubstr("overrun"));
  EXPECT_THAT(
      Raw(attr::kPasswordAlgorithms, "").Decode<PasswordAlgorithms>().message(),
      HasSubstr("the list is empty"));
  EXPECT_THAT(BuildError(PasswordAlgorithms{}), HasSubstr("the list is empty"));
}

TEST(AuthAttributesTest, UnknownAttributesListRoundTrips) {
  const Built built(UnknownAttributes{{0x0033, 0x7fff, 0x0044}});
  EXPECT_EQ(built.value(attr::kUnknownAttributes),
            FromHex("00 33 7f ff 00 44"));
  EXPECT_THAT(built.view().Get<UnknownAttributes>()->types,
              ElementsAre(0x0033, 0x7fff, 0x0044));
  EXPECT_FALSE(
      Raw(attr::kUnknownAttributes, "00").Decode<UnknownAttributes>().ok());
  EXPECT_FALSE(
      Raw(attr::kUnknownAttributes, "").Decode<UnknownAttributes>().ok());
  EXPECT_THAT(BuildError(UnknownAttributes{}), HasSubstr("the list is empty"));
}

}  // namespace
}  // namespace pinhole::stun
