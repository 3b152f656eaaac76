// `LineSplitter`: cuts a byte stream (a pipe, a TCP connection) into text
// lines, for line-based signalling such as `pinhole ice-peer`'s. Lines end
// with LF or CR LF; the ending is not returned. Memory stays bounded: a line
// longer than the limit comes back once, cut to the limit plus one byte (so
// a parser with that limit refuses it), and the rest of it is skipped.
#ifndef PINHOLE_TOOLS_LINE_SPLITTER_H_
#define PINHOLE_TOOLS_LINE_SPLITTER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace pinhole::tools {

class LineSplitter {
 public:
  // `max_line_length`: the longest line kept whole, its ending excluded.
  explicit LineSplitter(size_t max_line_length)
      : max_line_length_(max_line_length) {}

  // The lines `bytes` completed, in order.
  std::vector<std::string> Append(absl::string_view bytes);
  // At the end of the stream: the last line if it had no line ending.
  std::optional<std::string> Finish();

 private:
  void Complete(std::vector<std::string>& lines);

  const size_t max_line_length_;
  std::string partial_;
  bool skipping_ = false;  // In a line cut at the limit.
};

}  // namespace pinhole::tools

#endif  // PINHOLE_TOOLS_LINE_SPLITTER_H_
