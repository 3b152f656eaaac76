#include "net/real/event_loop.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "net/real/posix_error.h"
#include "net/real/scoped_fd.h"
#include "net/time.h"

namespace pinhole::net::real {
namespace {

// A broken invariant of the loop itself (epoll refusing a descriptor it
// accepted before): nothing sensible can continue.
[[noreturn]] void Die(const char* what, int error_number) {
  std::fprintf(stderr, "pinhole::net::real::EventLoop: %s: %s\n", what,
               std::strerror(error_number));
  std::abort();
}

uint64_t Token(uint32_t index, uint32_t generation) {
  return uint64_t{generation} << 32 | index;
}

}  // namespace

// --- FdWatch.

absl::Status FdWatch::Start(EventLoop& loop, int fd, uint32_t events,
                            FdHandler& handler) {
  if (active()) {
    return absl::FailedPreconditionError(
        absl::StrCat("descriptor ", fd_, " is watched already"));
  }
  absl::StatusOr<uint64_t> token = loop.AddWatch(fd, events, handler);
  if (!token.ok()) return token.status();
  loop_ = &loop;
  fd_ = fd;
  token_ = *token;
  events_ = events;
  return absl::OkStatus();
}

void FdWatch::SetEvents(uint32_t events) {
  if (events == events_) return;
  loop_->ModifyWatch(token_, fd_, events);
  events_ = events;
}

void FdWatch::Stop() {
  if (!active()) return;
  loop_->RemoveWatch(token_, fd_);
  loop_ = nullptr;
  fd_ = -1;
  events_ = 0;
}

// --- EventLoop.

class EventLoop::RunScope {
 public:
  explicit RunScope(EventLoop& loop) : loop_(loop) {
    if (loop.running_) {
      std::fprintf(stderr,
                   "pinhole::net::real::EventLoop: Run or RunUntil called "
                   "from a callback of the same loop; runs do not nest\n");
      std::abort();
    }
    loop.running_ = true;
    loop.stop_requested_ = false;
    loop.stop_signal_.reset();
  }
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;
  ~RunScope() { loop_.running_ = false; }

 private:
  EventLoop& loop_;
};

absl::StatusOr<std::unique_ptr<EventLoop>> EventLoop::Create() {
  ScopedFd epoll_fd(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_fd.valid()) return PosixError(errno, "epoll_create1");
  return std::unique_ptr<EventLoop>(new EventLoop(std::move(epoll_fd)));
}

EventLoop::EventLoop(ScopedFd epoll_fd) : epoll_fd_(std::move(epoll_fd)) {
  sigemptyset(&signals_);
  sigemptyset(&unblock_at_exit_);
}

EventLoop::~EventLoop() {
  // Adopted objects hold watches and timers of their own.
  adopted_.clear();
  disowned_.clear();
  signal_watch_.Stop();
  signal_fd_.reset();
  const size_t live_watches = static_cast<size_t>(
      std::count_if(slots_.begin(), slots_.end(),
                    [](const Slot& slot) { return slot.handler != nullptr; }));
  if (live_timers_ != 0 || live_watches != 0) {
    std::fprintf(stderr,
                 "pinhole::net::real::EventLoop destroyed with %zu timers and "
                 "%zu sockets still alive: destroy every timer, socket, "
                 "listener and stream before the network that made them "
                 "(net/network.h)\n",
                 live_timers_, live_watches);
    std::abort();
  }
  // Signals taken over by StopOnSignals go back to their earlier state.
  pthread_sigmask(SIG_UNBLOCK, &unblock_at_exit_, nullptr);
}

void EventLoop::Run() {
  RunScope scope(*this);
  while (!stop_requested_) RunBatch(std::nullopt);
}

bool EventLoop::RunUntil(absl::FunctionRef<bool()> done, Time deadline) {
  RunScope scope(*this);
  if (done()) return true;
  while (!stop_requested_ && Now() < deadline) {
    RunBatch(deadline);
    if (done()) return true;
  }
  return done();
}

void EventLoop::Stop() {
  if (running_) stop_requested_ = true;
}

void EventLoop::RunBatch(std::optional<Time> deadline) {
  epoll_event events[kMaxEventsPerBatch];
  const int ready = Wait(deadline, absl::MakeSpan(events));
  const Time now = Now();
  if (deadline.has_value() && now >= *deadline) return;
  for (int i = 0; i < ready && !stop_requested_; ++i) Dispatch(events[i]);
  FireDueTimers(now);
  disowned_.clear();
}

int EventLoop::Wait(std::optional<Time> deadline, absl::Span<epoll_event> out) {
  std::optional<Time> wake = deadline;
  if (const TimerHeap::Node* first = timers_.Top(); first != nullptr) {
    wake = wake.has_value() ? std::min(*wake, first->when()) : first->when();
  }
  const int capacity = static_cast<int>(out.size());
  std::optional<Duration> sleep;
  if (wake.has_value()) {
    const Time now = Now();
    sleep = *wake <= now ? Duration::Zero() : *wake - now;
  }
  int ready = -1;
  if (use_epoll_pwait2_) {
    timespec timeout;
    if (sleep.has_value()) {
      timeout.tv_sec = sleep->ToSeconds();
      timeout.tv_nsec = (*sleep % Duration::Seconds(1)).ToNanoseconds();
    }
    ready = epoll_pwait2(epoll_fd_.get(), out.data(), capacity,
                         sleep.has_value() ? &timeout : nullptr, nullptr);
    // Kernels before 5.11 lack it; some seccomp filters refuse it.
    if (ready >= 0 || (errno != ENOSYS && errno != EPERM)) {
      if (ready < 0 && errno != EINTR) Die("epoll_pwait2", errno);
      return std::max(ready, 0);
    }
    use_epoll_pwait2_ = false;
  }
  int timeout_ms = -1;
  if (sleep.has_value()) {
    // Rounded up: waking early would only spin.
    const Duration ms = Duration::Milliseconds(1);
    timeout_ms = static_cast<int>(std::min<int64_t>(
        (*sleep + ms - Duration::Nanoseconds(1)) / ms, INT_MAX));
  }
  ready = epoll_wait(epoll_fd_.get(), out.data(), capacity, timeout_ms);
  if (ready < 0 && errno != EINTR) Die("epoll_wait", errno);
  return std::max(ready, 0);
}

void EventLoop::Dispatch(const epoll_event& event) {
  const uint32_t index = static_cast<uint32_t>(event.data.u64);
  const uint32_t generation = static_cast<uint32_t>(event.data.u64 >> 32);
  if (index >= slots_.size()) return;
  const Slot& slot = slots_[index];
  // A slot stopped earlier in this batch, or stopped and reused, no longer
  // matches.
  if (slot.handler == nullptr || slot.generation != generation) return;
  slot.handler->OnFdEvents(event.events);
}

void EventLoop::FireDueTimers(Time now) {
  const uint64_t armed_before = timers_.next_sequence();
  while (!stop_requested_) {
    TimerHeap::Node* first = timers_.Top();
    if (first == nullptr || first->when() > now ||
        first->sequence() >= armed_before) {
      return;
    }
    timers_.Remove(*first);
    first->Expire();
  }
}

absl::StatusOr<uint64_t> EventLoop::AddWatch(int fd, uint32_t events,
                                             FdHandler& handler) {
  uint32_t index;
  if (free_slots_.empty()) {
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    index = free_slots_.back();
    free_slots_.pop_back();
  }
  Slot& slot = slots_[index];
  const uint64_t token = Token(index, slot.generation);
  epoll_event event{};  // Packed on x86-64: never bind a reference to a field.
  event.events = events;
  event.data.u64 = token;
  if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
    const int error_number = errno;
    free_slots_.push_back(index);
    return PosixError(error_number,
                      absl::StrCat("epoll_ctl(ADD) of descriptor ", fd));
  }
  slot.handler = &handler;
  return token;
}

void EventLoop::ModifyWatch(uint64_t token, int fd, uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = token;
  if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, fd, &event) != 0) {
    Die("epoll_ctl(MOD) of a watched descriptor", errno);
  }
}

void EventLoop::RemoveWatch(uint64_t token, int fd) {
  // Fails only if the descriptor was closed first, which removed it anyway.
  epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
  const uint32_t index = static_cast<uint32_t>(token);
  Slot& slot = slots_[index];
  slot.handler = nullptr;
  ++slot.generation;
  free_slots_.push_back(index);
}

absl::Span<uint8_t> EventLoop::receive_buffer() {
  if (receive_buffer_ == nullptr) {
    receive_buffer_ = std::make_unique<uint8_t[]>(kReceiveBufferSize);
  }
  return absl::MakeSpan(receive_buffer_.get(), kReceiveBufferSize);
}

void EventLoop::Adopt(std::unique_ptr<Adopted> object) {
  Adopted* key = object.get();
  adopted_.emplace(key, std::move(object));
}

void EventLoop::Disown(Adopted* object) {
  auto it = adopted_.find(object);
  if (it == adopted_.end()) return;
  disowned_.push_back(std::move(it->second));
  adopted_.erase(it);
}

// --- Signals.

absl::Status EventLoop::StopOnSignals(std::initializer_list<int> signals) {
  sigset_t added;
  sigemptyset(&added);
  for (int signal : signals) {
    if (signal == SIGKILL || signal == SIGSTOP || sigaddset(&added, signal)) {
      return absl::InvalidArgumentError(
          absl::StrCat("StopOnSignals: cannot catch signal ", signal));
    }
  }
  sigset_t previous;
  if (int error_number = pthread_sigmask(SIG_BLOCK, &added, &previous)) {
    return PosixError(error_number, "StopOnSignals: pthread_sigmask");
  }
  for (int signal : signals) {
    if (!sigismember(&previous, signal)) sigaddset(&unblock_at_exit_, signal);
  }
  sigorset(&signals_, &signals_, &added);
  const int fd = signalfd(signal_fd_.valid() ? signal_fd_.get() : -1, &signals_,
                          SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return PosixError(errno, "StopOnSignals: signalfd");
  if (signal_fd_.valid()) return absl::OkStatus();
  signal_fd_.reset(fd);
  absl::Status watched =
      signal_watch_.Start(*this, fd, EPOLLIN, signal_reader_);
  if (!watched.ok()) signal_fd_.reset();
  return watched;
}

void EventLoop::SignalReader::OnFdEvents(uint32_t /*events*/) {
  signalfd_siginfo info;
  while (read(loop_.signal_fd_.get(), &info, sizeof(info)) ==
         static_cast<ssize_t>(sizeof(info))) {
    loop_.stop_signal_ = static_cast<int>(info.ssi_signo);
    loop_.Stop();
  }
}

}  // namespace pinhole::net::real
