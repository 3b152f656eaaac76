#include "sim/tcp/reassembly.h"

#include <algorithm>
#include <iterator>

namespace pinhole::sim::tcp {

void Reassembly::Insert(uint64_t offset, absl::Span<const uint8_t> data) {
  const uint64_t begin = std::max(offset, next_offset_);
  const uint64_t end =
      std::min<uint64_t>(offset + data.size(), next_offset_ + capacity_);
  uint64_t cursor = begin;
  while (cursor < end) {
    auto after = runs_.upper_bound(cursor);  // First run starting after.
    if (after != runs_.begin()) {
      const auto& before = *std::prev(after);
      const uint64_t before_end = before.first + before.second.size();
      if (before_end > cursor) {  // `cursor` is held already: skip the run.
        cursor = before_end;
        continue;
      }
    }
    const uint64_t gap_end =
        after == runs_.end() ? end : std::min(end, after->first);
    runs_.emplace(cursor,
                  std::vector<uint8_t>(data.begin() + (cursor - offset),
                                       data.begin() + (gap_end - offset)));
    buffered_bytes_ += gap_end - cursor;
    cursor = gap_end;
  }
}

std::vector<uint8_t> Reassembly::TakeInOrder() {
  std::vector<uint8_t> out;
  while (!runs_.empty() && runs_.begin()->first == next_offset_) {
    std::vector<uint8_t>& run = runs_.begin()->second;
    next_offset_ += run.size();
    buffered_bytes_ -= run.size();
    if (out.empty()) {
      out = std::move(run);
    } else {
      out.insert(out.end(), run.begin(), run.end());
    }
    runs_.erase(runs_.begin());
  }
  return out;
}

}  // namespace pinhole::sim::tcp
