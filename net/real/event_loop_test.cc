#include "net/real/event_loop.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "net/real/loop_timer.h"
#include "net/real/scoped_fd.h"
#include "net/time.h"

namespace pinhole::net::real {
namespace {

// Every run in these tests is bounded: a broken loop fails instead of hanging.
constexpr Duration kBound = Duration::Seconds(5);

std::unique_ptr<EventLoop> NewLoop() {
  absl::StatusOr<std::unique_ptr<EventLoop>> loop = EventLoop::Create();
  EXPECT_TRUE(loop.ok()) << loop.status();
  return *std::move(loop);
}

TEST(EventLoopTest, TimersFireAtOrAfterTheirDeadlineByDeadlineThenArming) {
  auto loop = NewLoop();
  const Time start = loop->Now();
  std::vector<int> order;
  std::vector<Time> deadlines(3);
  std::vector<std::unique_ptr<LoopTimer>> timers;
  for (int i = 0; i < 3; ++i) {
    timers.push_back(std::make_unique<LoopTimer>(*loop, [&, i] {
      EXPECT_GE(loop->Now(), deadlines[i]);
      order.push_back(i);
    }));
  }
  deadlines = {start + Duration::Milliseconds(20),
               start + Duration::Milliseconds(10),
               start + Duration::Milliseconds(20)};
  for (int i = 0; i < 3; ++i) timers[i]->SetAt(deadlines[i]);
  EXPECT_EQ(timers[0]->deadline(), deadlines[0]);
  ASSERT_TRUE(
      loop->RunUntil([&] { return order.size() == 3; }, start + kBound));
  EXPECT_EQ(order, (std::vector<int>{1, 0, 2}));
  EXPECT_EQ(timers[0]->deadline(), std::nullopt);
}

TEST(EventLoopTest, ADeadlineInThePastFiresInTheNextRunNotInsideSetAt) {
  auto loop = NewLoop();
  int fired = 0;
  LoopTimer timer(*loop, [&] { ++fired; });
  timer.SetAt(loop->Now() - Duration::Seconds(1));
  EXPECT_EQ(fired, 0);
  ASSERT_TRUE(loop->RunUntil([&] { return fired > 0; }, loop->Now() + kBound));
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(timer.deadline(), std::nullopt);
}

TEST(EventLoopTest, ReArmingReplacesTheEarlierArming) {
  auto loop = NewLoop();
  const Time start = loop->Now();
  std::vector<Time> fired;
  LoopTimer timer(*loop, [&] { fired.push_back(loop->Now()); });
  timer.SetAt(start + Duration::Milliseconds(1));
  timer.SetAt(start + Duration::Milliseconds(30));
  LoopTimer later(*loop, [] {});
  later.SetAt(start + Duration::Milliseconds(60));
  ASSERT_TRUE(loop->RunUntil([&] { return !later.deadline().has_value(); },
                             start + kBound));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_GE(fired[0], start + Duration::Milliseconds(30));
}

TEST(EventLoopTest, CancelAndDestructionStopATimer) {
  auto loop = NewLoop();
  const Time soon = loop->Now() + Duration::Milliseconds(1);
  int fired = 0;
  LoopTimer cancelled(*loop, [&] { ++fired; });
  cancelled.SetAt(soon);
  cancelled.Cancel();
  EXPECT_EQ(cancelled.deadline(), std::nullopt);
  auto destroyed = std::make_unique<LoopTimer>(*loop, [&] { ++fired; });
  destroyed->SetAt(soon);
  destroyed.reset();
  bool sentinel = false;
  LoopTimer last(*loop, [&] { sentinel = true; });
  last.SetAt(soon + Duration::Milliseconds(5));
  ASSERT_TRUE(loop->RunUntil([&] { return sentinel; }, loop->Now() + kBound));
  EXPECT_EQ(fired, 0);
}

TEST(EventLoopTest, OnFireMayReArmCancelOrDestroyItsTimer) {
  auto loop = NewLoop();
  int count = 0;
  LoopTimer rearming(*loop, [&] {
    if (++count < 3) rearming.SetAt(loop->Now() + Duration::Milliseconds(1));
  });
  rearming.SetAt(loop->Now());
  std::unique_ptr<LoopTimer> self_destroying;
  int payload_seen = 0;
  auto payload = std::make_unique<int>(42);
  self_destroying =
      std::make_unique<LoopTimer>(*loop, [&, payload = std::move(payload)] {
        self_destroying.reset();
        payload_seen = *payload;  // Captures outlive the timer's destruction.
      });
  self_destroying->SetAt(loop->Now());
  ASSERT_TRUE(
      loop->RunUntil([&] { return count == 3 && self_destroying == nullptr; },
                     loop->Now() + kBound));
  EXPECT_EQ(payload_seen, 42);
  EXPECT_EQ(rearming.deadline(), std::nullopt);
}

// Makes a pipe whose read end is readable.
std::pair<ScopedFd, ScopedFd> ReadablePipe() {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  EXPECT_EQ(write(fds[1], "x", 1), 1);
  return {ScopedFd(fds[0]), ScopedFd(fds[1])};
}

class CountingHandler final : public FdHandler {
 public:
  explicit CountingHandler(std::function<void()> on_ready)
      : on_ready_(std::move(on_ready)) {}
  void OnFdEvents(uint32_t events) override {
    EXPECT_NE(events & EPOLLIN, 0u);
    ++calls;
    on_ready_();
  }
  int calls = 0;

 private:
  std::function<void()> on_ready_;
};

TEST(EventLoopTest, ATimerReArmedInThePastCannotStarveDescriptors) {
  auto loop = NewLoop();
  int spins = 0;
  LoopTimer spinner(*loop, [&] {
    ++spins;
    spinner.SetAt(Time());
  });
  spinner.SetAt(Time());
  auto [read_end, write_end] = ReadablePipe();
  FdWatch watch;
  CountingHandler handler([&] { watch.Stop(); });
  ASSERT_TRUE(watch.Start(*loop, read_end.get(), EPOLLIN, handler).ok());
  ASSERT_TRUE(
      loop->RunUntil([&] { return handler.calls > 0; }, loop->Now() + kBound));
  EXPECT_EQ(handler.calls, 1);
  EXPECT_LE(spins, 2);
}

TEST(EventLoopTest, AWatchStoppedDuringABatchGetsNoMoreEvents) {
  auto loop = NewLoop();
  auto [read_a, write_a] = ReadablePipe();
  auto [read_b, write_b] = ReadablePipe();
  FdWatch watch_a, watch_b;
  // Both are ready in the same batch; whichever runs first stops the other.
  CountingHandler a([&] { watch_a.Stop(), watch_b.Stop(); });
  CountingHandler b([&] { watch_a.Stop(), watch_b.Stop(); });
  ASSERT_TRUE(watch_a.Start(*loop, read_a.get(), EPOLLIN, a).ok());
  ASSERT_TRUE(watch_b.Start(*loop, read_b.get(), EPOLLIN, b).ok());
  ASSERT_TRUE(loop->RunUntil([&] { return a.calls + b.calls > 0; },
                             loop->Now() + kBound));
  loop->RunUntil([] { return false; },
                 loop->Now() + Duration::Milliseconds(20));
  EXPECT_EQ(a.calls + b.calls, 1);
}

TEST(EventLoopTest, RunUntilReturnsAtItsDeadlineWithoutDispatchingLater) {
  auto loop = NewLoop();
  const Time deadline = loop->Now() + Duration::Milliseconds(50);
  int fired = 0;
  LoopTimer after(*loop, [&] { ++fired; });
  after.SetAt(deadline + Duration::Seconds(10));
  EXPECT_FALSE(loop->RunUntil([] { return false; }, deadline));
  EXPECT_GE(loop->Now(), deadline);
  EXPECT_EQ(fired, 0);
  EXPECT_TRUE(after.deadline().has_value());
}

TEST(EventLoopTest, RunUntilChecksDoneBeforeDispatching) {
  auto loop = NewLoop();
  int fired = 0;
  LoopTimer timer(*loop, [&] { ++fired; });
  timer.SetAt(Time());
  EXPECT_TRUE(loop->RunUntil([] { return true; }, loop->Now() + kBound));
  EXPECT_EQ(fired, 0);
}

TEST(EventLoopTest, StopFromACallbackEndsTheRunAfterThatCallback) {
  auto loop = NewLoop();
  std::vector<int> fired;
  LoopTimer first(*loop, [&] {
    fired.push_back(1);
    loop->Stop();
  });
  LoopTimer second(*loop, [&] { fired.push_back(2); });
  first.SetAt(loop->Now());
  second.SetAt(loop->Now());
  loop->Run();
  EXPECT_EQ(fired, std::vector<int>{1});
  EXPECT_EQ(loop->stop_signal(), std::nullopt);
  // The second timer stayed armed for the next run.
  ASSERT_TRUE(
      loop->RunUntil([&] { return fired.size() == 2; }, loop->Now() + kBound));
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
}

TEST(EventLoopTest, StopOutsideARunDoesNothing) {
  auto loop = NewLoop();
  loop->Stop();
  bool fired = false;
  LoopTimer timer(*loop, [&] { fired = true; });
  timer.SetAt(Time());
  EXPECT_TRUE(loop->RunUntil([&] { return fired; }, loop->Now() + kBound));
}

// Blocks `signal` in this thread for the test's duration, so that raising it
// is never fatal, and restores the mask afterwards.
class BlockedSignal {
 public:
  explicit BlockedSignal(int signal) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    pthread_sigmask(SIG_BLOCK, &set, &previous_);
  }
  ~BlockedSignal() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

 private:
  sigset_t previous_;
};

TEST(EventLoopTest, StopOnSignalsStopsRunAndNamesTheSignal) {
  BlockedSignal blocked(SIGTERM);
  auto loop = NewLoop();
  ASSERT_TRUE(loop->StopOnSignals({SIGINT, SIGTERM}).ok());
  LoopTimer raiser(*loop, [] { raise(SIGTERM); });
  raiser.SetAt(loop->Now() + Duration::Milliseconds(1));
  loop->Run();
  EXPECT_EQ(loop->stop_signal(), SIGTERM);
}

TEST(EventLoopTest, ASignalBeforeTheRunStopsItAtOnce) {
  BlockedSignal blocked(SIGUSR1);
  auto loop = NewLoop();
  ASSERT_TRUE(loop->StopOnSignals({SIGUSR1}).ok());
  raise(SIGUSR1);
  bool fired = false;
  LoopTimer never(*loop, [&] { fired = true; });
  never.SetAt(loop->Now() + Duration::Seconds(30));
  EXPECT_FALSE(loop->RunUntil([] { return false; }, loop->Now() + kBound));
  EXPECT_EQ(loop->stop_signal(), SIGUSR1);
  EXPECT_FALSE(fired);
}

TEST(EventLoopTest, StopOnSignalsRefusesWhatCannotBeCaught) {
  auto loop = NewLoop();
  EXPECT_EQ(loop->StopOnSignals({SIGKILL}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(loop->StopOnSignals({999}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EventLoopDeathTest, DestroyingTheLoopBeforeItsTimersAborts) {
  EXPECT_DEATH(
      {
        auto loop = NewLoop();
        new LoopTimer(*loop, [] {});  // Leaked on purpose.
        loop.reset();
      },
      "1 timers and 0 sockets still alive");
}

TEST(EventLoopDeathTest, RunsDoNotNest) {
  EXPECT_DEATH(
      {
        auto loop = NewLoop();
        LoopTimer nested(*loop, [&] {
          loop->RunUntil([] { return true; }, loop->Now() + kBound);
        });
        nested.SetAt(Time());
        loop->RunUntil([] { return false; }, loop->Now() + kBound);
      },
      "runs do not nest");
}

}  // namespace
}  // namespace pinhole::net::real
