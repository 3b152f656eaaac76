// Strong time types for Pinhole: `Duration` (a signed span) and `Time` (an
// instant on one clock).
//
// Both hold integer nanoseconds, never floating point, so simulated time is
// exact and arithmetic is reproducible on every machine. An int64 of
// nanoseconds spans ±292 years; callers keep within that (simulations last
// minutes, real clocks count from boot).
//
// A `Time` is only meaningful against the clock that produced it: the
// simulator's clock starts at a fixed non-zero epoch, the real-socket backend's
// counts CLOCK_MONOTONIC. Neither is wall time.
#ifndef PINHOLE_NET_TIME_H_
#define PINHOLE_NET_TIME_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace pinhole::net {

class Duration {
 public:
  constexpr Duration() = default;  // Zero.

  static constexpr Duration Zero() { return Duration(0); }
  static constexpr Duration Nanoseconds(int64_t n) { return Duration(n); }
  static constexpr Duration Microseconds(int64_t n) {
    return Duration(n * 1000);
  }
  static constexpr Duration Milliseconds(int64_t n) {
    return Duration(n * 1000'000);
  }
  static constexpr Duration Seconds(int64_t n) {
    return Duration(n * 1000'000'000);
  }
  static constexpr Duration Minutes(int64_t n) { return Seconds(n * 60); }
  static constexpr Duration Hours(int64_t n) { return Seconds(n * 3600); }

  // Truncates towards zero to whole nanoseconds. An infinite `absl::Duration`
  // saturates to the largest representable span of its sign.
  static Duration FromAbsl(absl::Duration d);
  absl::Duration ToAbsl() const { return absl::Nanoseconds(ns_); }

  // Conversions truncate towards zero.
  constexpr int64_t ToNanoseconds() const { return ns_; }
  constexpr int64_t ToMicroseconds() const { return ns_ / 1000; }
  constexpr int64_t ToMilliseconds() const { return ns_ / 1000'000; }
  constexpr int64_t ToSeconds() const { return ns_ / 1000'000'000; }

  constexpr Duration operator-() const { return Duration(-ns_); }
  constexpr Duration operator+(Duration o) const {
    return Duration(ns_ + o.ns_);
  }
  constexpr Duration operator-(Duration o) const {
    return Duration(ns_ - o.ns_);
  }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }
  // Truncates towards zero. Requires k != 0.
  constexpr Duration operator/(int64_t k) const { return Duration(ns_ / k); }
  // How many whole `o` fit in this span (truncating towards zero).
  constexpr int64_t operator/(Duration o) const { return ns_ / o.ns_; }
  constexpr Duration operator%(Duration o) const {
    return Duration(ns_ % o.ns_);
  }
  Duration& operator+=(Duration o) { return *this = *this + o; }
  Duration& operator-=(Duration o) { return *this = *this - o; }
  Duration& operator*=(int64_t k) { return *this = *this * k; }

  constexpr bool operator==(Duration o) const { return ns_ == o.ns_; }
  constexpr bool operator!=(Duration o) const { return ns_ != o.ns_; }
  constexpr bool operator<(Duration o) const { return ns_ < o.ns_; }
  constexpr bool operator<=(Duration o) const { return ns_ <= o.ns_; }
  constexpr bool operator>(Duration o) const { return ns_ > o.ns_; }
  constexpr bool operator>=(Duration o) const { return ns_ >= o.ns_; }

  // Human-readable, e.g. "1.5s", "250ms", "-3us", "0".
  std::string ToString() const;

  template <typename H>
  friend H AbslHashValue(H h, Duration d) {
    return H::combine(std::move(h), d.ns_);
  }

 private:
  explicit constexpr Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

constexpr Duration operator*(int64_t k, Duration d) { return d * k; }

class Time {
 public:
  constexpr Time() = default;  // The clock's epoch.

  static constexpr Time FromNanosecondsSinceEpoch(int64_t ns) {
    return Time(ns);
  }
  static constexpr Time Epoch() { return Time(0); }
  constexpr int64_t NanosecondsSinceEpoch() const { return ns_; }
  constexpr Duration SinceEpoch() const { return Duration::Nanoseconds(ns_); }

  constexpr Time operator+(Duration d) const {
    return Time(ns_ + d.ToNanoseconds());
  }
  constexpr Time operator-(Duration d) const {
    return Time(ns_ - d.ToNanoseconds());
  }
  constexpr Duration operator-(Time o) const {
    return Duration::Nanoseconds(ns_ - o.ns_);
  }
  Time& operator+=(Duration d) { return *this = *this + d; }
  Time& operator-=(Duration d) { return *this = *this - d; }

  constexpr bool operator==(Time o) const { return ns_ == o.ns_; }
  constexpr bool operator!=(Time o) const { return ns_ != o.ns_; }
  constexpr bool operator<(Time o) const { return ns_ < o.ns_; }
  constexpr bool operator<=(Time o) const { return ns_ <= o.ns_; }
  constexpr bool operator>(Time o) const { return ns_ > o.ns_; }
  constexpr bool operator>=(Time o) const { return ns_ >= o.ns_; }

  // Seconds since the epoch with all nine decimals, e.g. "1000.000500000":
  // fixed width after the point, so traces line up and compare byte for byte.
  std::string ToString() const;

  template <typename H>
  friend H AbslHashValue(H h, Time t) {
    return H::combine(std::move(h), t.ns_);
  }

 private:
  explicit constexpr Time(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

inline std::ostream& operator<<(std::ostream& os, Duration d) {
  return os << d.ToString();
}
inline std::ostream& operator<<(std::ostream& os, Time t) {
  return os << t.ToString();
}

}  // namespace pinhole::net

#endif  // PINHOLE_NET_TIME_H_
