#include "tools/line_splitter.h"

#include <algorithm>
#include <utility>

namespace pinhole::tools {

std::vector<std::string> LineSplitter::Append(absl::string_view bytes) {
  std::vector<std::string> lines;
  while (!bytes.empty()) {
    const size_t end = bytes.find('\n');
    const absl::string_view piece = bytes.substr(0, end);
    if (!skipping_) {
      // Keep one byte beyond the limit (two with a CR that may end it).
      const size_t room = max_line_length_ + 2 - partial_.size();
      partial_.append(piece.data(), std::min(piece.size(), room));
      if (partial_.size() > max_line_length_ + 1 ||
          (partial_.size() == max_line_length_ + 1 &&
           partial_.back() != '\r')) {
        // Too long, whatever comes next: report it now, cut.
        partial_.resize(max_line_length_ + 1);
        lines.push_back(std::move(partial_));
        partial_.clear();
        skipping_ = true;
      }
    }
    if (end == absl::string_view::npos) break;
    if (skipping_) {
      skipping_ = false;
    } else {
      Complete(lines);
    }
    bytes.remove_prefix(end + 1);
  }
  return lines;
}

std::optional<std::string> LineSplitter::Finish() {
  const bool skipping = skipping_;
  skipping_ = false;
  if (skipping || partial_.empty()) {
    partial_.clear();
    return std::nullopt;
  }
  std::vector<std::string> lines;
  Complete(lines);
  return std::move(lines.front());
}

void LineSplitter::Complete(std::vector<std::string>& lines) {
  if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
  lines.push_back(std::move(partial_));
  partial_.clear();
}

}  // namespace pinhole::tools
