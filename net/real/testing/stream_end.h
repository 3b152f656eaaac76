// `StreamEnd`: one end of a TCP or TLS connection in a test, recording what
// its callbacks saw. Test-only.
#ifndef PINHOLE_NET_REAL_TESTING_STREAM_END_H_
#define PINHOLE_NET_REAL_TESTING_STREAM_END_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "net/tcp_stream.h"

namespace pinhole::net::real::testing {

struct StreamEnd {
  std::unique_ptr<TcpStream> stream;
  bool connected = false;
  std::string data;
  int closed_calls = 0;
  std::optional<absl::Status> closed;
  // Runs after each `on_data`.
  std::function<void()> after_data;

  TcpStream::Callbacks Callbacks() {
    return {
        .on_connected = [this] { connected = true; },
        .on_data =
            [this](absl::Span<const uint8_t> bytes) {
              EXPECT_FALSE(closed.has_value()) << "data after on_closed";
              data.append(bytes.begin(), bytes.end());
              if (after_data) after_data();
            },
        .on_closed =
            [this](const absl::Status& status) {
              ++closed_calls;
              closed = status;
            },
    };
  }
};

}  // namespace pinhole::net::real::testing

#endif  // PINHOLE_NET_REAL_TESTING_STREAM_END_H_
