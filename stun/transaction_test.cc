// The RFC 8489 §6.2 schedule of one client transaction, to the microsecond.
#include "stun/transaction.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "net/datagram.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::stun {
namespace {

using net::Duration;
using net::Time;

const Time kStart = Time::FromNanosecondsSinceEpoch(1'000'000'000'000);

net::Datagram Request(net::TransportProtocol protocol) {
  return net::Datagram{
      *net::TransportAddress::Parse("192.0.2.1:50000"),
      net::TransportAddress(*net::IpAddress::Parse("198.51.100.1"), 3478,
                            protocol),
      {0x00, 0x01, 0x00, 0x00}};
}

struct Schedule {
  std::vector<int64_t> send_us;  // Microseconds after the start.
  std::optional<int64_t> timeout_us;
};

// Drives `transaction` as a driver does: wake at each NextTimeout, drain the
// sends, until it is over.
Schedule Drive(ClientTransaction& transaction) {
  Schedule schedule;
  Time now = kStart;
  for (int step = 0; step < 100; ++step) {
    transaction.HandleTimeout(now);
    while (transaction.PollTransmit().has_value()) {
      schedule.send_us.push_back((now - kStart).ToMicroseconds());
    }
    if (transaction.state() == ClientTransaction::State::kTimedOut) {
      schedule.timeout_us = (now - kStart).ToMicroseconds();
      return schedule;
    }
    const std::optional<Time> next = transaction.NextTimeout();
    if (!next.has_value()) return schedule;
    now = *next;
  }
  ADD_FAILURE() << "the transaction did not end within 100 wake-ups";
  return schedule;
}

TEST(ClientTransactionTest, UdpDefaultsFollowRfc8489) {
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kUdp),
                                RetransmissionOptions{});
  const Schedule schedule = Drive(transaction);
  EXPECT_EQ(schedule.send_us,
            (std::vector<int64_t>{0, 500'000, 1'500'000, 3'500'000, 7'500'000,
                                  15'500'000, 31'500'000}));
  EXPECT_EQ(schedule.timeout_us, 39'500'000);
  EXPECT_EQ(transaction.sends(), 7);
  EXPECT_FALSE(transaction.reliable());
}

TEST(ClientTransactionTest, UdpCustomRtoRcAndRm) {
  RetransmissionOptions options;
  options.initial_rto = Duration::Microseconds(100'250);
  options.max_sends = 3;
  options.final_wait_factor = 4;
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kUdp),
                                options);
  const Schedule schedule = Drive(transaction);
  // 0, RTO, RTO + 2 RTO; then Rm x RTO after the last send.
  EXPECT_EQ(schedule.send_us, (std::vector<int64_t>{0, 100'250, 300'750}));
  EXPECT_EQ(schedule.timeout_us, 300'750 + 4 * 100'250);
}

TEST(ClientTransactionTest, OneSendMeansOneFinalWait) {
  RetransmissionOptions options;
  options.max_sends = 1;
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kUdp),
                                options);
  const Schedule schedule = Drive(transaction);
  EXPECT_EQ(schedule.send_us, (std::vector<int64_t>{0}));
  EXPECT_EQ(schedule.timeout_us, 16 * 500'000);
}

TEST(ClientTransactionTest, TcpSendsOnceAndWaitsTi) {
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kTcp),
                                RetransmissionOptions{});
  EXPECT_TRUE(transaction.reliable());
  const Schedule schedule = Drive(transaction);
  EXPECT_EQ(schedule.send_us, (std::vector<int64_t>{0}));
  EXPECT_EQ(schedule.timeout_us, 39'500'000);
}

TEST(ClientTransactionTest, TlsIsReliableToo) {
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kTls),
                                RetransmissionOptions{});
  EXPECT_TRUE(transaction.reliable());
}

TEST(ClientTransactionTest, CompleteStopsSendsAndTimeout) {
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kUdp),
                                RetransmissionOptions{});
  ASSERT_TRUE(transaction.PollTransmit().has_value());
  transaction.Complete();
  EXPECT_EQ(transaction.state(), ClientTransaction::State::kCompleted);
  EXPECT_EQ(transaction.NextTimeout(), std::nullopt);
  transaction.HandleTimeout(kStart + Duration::Seconds(60));
  EXPECT_FALSE(transaction.PollTransmit().has_value());
  EXPECT_EQ(transaction.state(), ClientTransaction::State::kCompleted);
}

TEST(ClientTransactionTest, EarlyWakeUpSendsNothing) {
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kUdp),
                                RetransmissionOptions{});
  ASSERT_TRUE(transaction.PollTransmit().has_value());
  transaction.HandleTimeout(kStart + Duration::Microseconds(499'999));
  EXPECT_FALSE(transaction.PollTransmit().has_value());
  EXPECT_EQ(transaction.NextTimeout(), kStart + Duration::Milliseconds(500));
}

// A driver that wakes late sends late, but the schedule keeps its instants:
// the next retransmission is still due at 1.5 s.
TEST(ClientTransactionTest, LateWakeUpDoesNotStretchTheSchedule) {
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kUdp),
                                RetransmissionOptions{});
  ASSERT_TRUE(transaction.PollTransmit().has_value());
  transaction.HandleTimeout(kStart + Duration::Milliseconds(700));
  ASSERT_TRUE(transaction.PollTransmit().has_value());
  EXPECT_EQ(transaction.NextTimeout(), kStart + Duration::Milliseconds(1500));
}

// RFC 8445 §7.3.1.4: a cancelled check sends no more, but its response still
// counts until the instant the whole schedule would have failed (39.5 s).
TEST(ClientTransactionTest, StopRetransmittingKeepsTheFinalDeadline) {
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kUdp),
                                RetransmissionOptions{});
  ASSERT_TRUE(transaction.PollTransmit().has_value());
  transaction.HandleTimeout(kStart + Duration::Milliseconds(500));
  ASSERT_TRUE(transaction.PollTransmit().has_value());
  transaction.StopRetransmitting();
  EXPECT_EQ(transaction.NextTimeout(), kStart + Duration::Milliseconds(39500));
  const Schedule rest = Drive(transaction);
  EXPECT_TRUE(rest.send_us.empty());
  EXPECT_EQ(transaction.sends(), 2);
  EXPECT_EQ(transaction.state(), ClientTransaction::State::kTimedOut);
}

// A send that is due and not yet taken is dropped too.
TEST(ClientTransactionTest, StopRetransmittingDropsADueSend) {
  ClientTransaction transaction(kStart, Request(net::TransportProtocol::kUdp),
                                RetransmissionOptions{});
  ASSERT_TRUE(transaction.PollTransmit().has_value());
  transaction.HandleTimeout(kStart + Duration::Milliseconds(500));
  transaction.StopRetransmitting();
  EXPECT_FALSE(transaction.PollTransmit().has_value());
  EXPECT_EQ(transaction.NextTimeout(), kStart + Duration::Milliseconds(39500));
}

TEST(RetransmissionOptionsTest, ValidateRefusesNonsense) {
  EXPECT_TRUE(RetransmissionOptions{}.Validate().ok());
  RetransmissionOptions options;
  options.initial_rto = Duration::Zero();
  EXPECT_FALSE(options.Validate().ok());
  options = {};
  options.max_sends = 0;
  EXPECT_FALSE(options.Validate().ok());
  options = {};
  options.final_wait_factor = 0;
  EXPECT_FALSE(options.Validate().ok());
  options = {};
  options.reliable_timeout = Duration::Seconds(-1);
  EXPECT_FALSE(options.Validate().ok());
}

}  // namespace
}  // namespace pinhole::stun
