// `StreamRecorder`: test only. Records what a `net::TcpStream` reports through
// its callbacks, with the simulated instant of each report, so that tests can
// assert exact times.
#ifndef PINHOLE_SIM_TCP_STREAM_RECORDER_H_
#define PINHOLE_SIM_TCP_STREAM_RECORDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "net/clock.h"
#include "net/tcp_stream.h"
#include "net/time.h"

namespace pinhole::sim::tcp {

class StreamRecorder {
 public:
  explicit StreamRecorder(const net::Clock& clock) : clock_(clock) {}
  StreamRecorder(const StreamRecorder&) = delete;
  StreamRecorder& operator=(const StreamRecorder&) = delete;

  // Callbacks that record into this object, which must outlive the stream.
  // `also_on_data` and `also_on_closed` run after recording, if set.
  net::TcpStream::Callbacks Callbacks() {
    net::TcpStream::Callbacks callbacks;
    callbacks.on_connected = [this] {
      ++connected_count;
      connected_at = clock_.Now();
    };
    callbacks.on_data = [this](absl::Span<const uint8_t> bytes) {
      data.append(bytes.begin(), bytes.end());
      data_at.push_back(clock_.Now());
      if (also_on_data) also_on_data(bytes);
    };
    callbacks.on_closed = [this](const absl::Status& status) {
      ++closed_count;
      closed = status;
      closed_at = clock_.Now();
      if (also_on_closed) also_on_closed(status);
    };
    return callbacks;
  }

  bool is_closed() const { return closed.has_value(); }

  int connected_count = 0;
  std::optional<net::Time> connected_at;
  std::string data;
  std::vector<net::Time> data_at;
  int closed_count = 0;
  std::optional<absl::Status> closed;
  std::optional<net::Time> closed_at;
  absl::AnyInvocable<void(absl::Span<const uint8_t>)> also_on_data;
  absl::AnyInvocable<void(const absl::Status&)> also_on_closed;

 private:
  const net::Clock& clock_;
};

}  // namespace pinhole::sim::tcp

#endif  // PINHOLE_SIM_TCP_STREAM_RECORDER_H_
