#include "net/real/timer_heap.h"

#include <cstddef>

#include "net/time.h"

namespace pinhole::net::real {

void TimerHeap::Schedule(Node& node, Time deadline) {
  node.deadline_ = deadline;
  node.sequence_ = next_sequence_++;
  if (node.queued()) {
    Restore(node.index_);
    return;
  }
  heap_.push_back(&node);
  node.index_ = heap_.size() - 1;
  SiftUp(node.index_);
}

void TimerHeap::Remove(Node& node) {
  if (!node.queued()) return;
  const size_t index = node.index_;
  node.index_ = Node::kNotQueued;
  Node* last = heap_.back();
  heap_.pop_back();
  if (last == &node) return;
  Place(last, index);
  Restore(index);
}

void TimerHeap::Restore(size_t index) {
  if (index > 0 && Before(heap_[index], heap_[(index - 1) / 2])) {
    SiftUp(index);
  } else {
    SiftDown(index);
  }
}

void TimerHeap::SiftUp(size_t index) {
  Node* node = heap_[index];
  while (index > 0) {
    const size_t parent = (index - 1) / 2;
    if (!Before(node, heap_[parent])) break;
    Place(heap_[parent], index);
    index = parent;
  }
  Place(node, index);
}

void TimerHeap::SiftDown(size_t index) {
  Node* node = heap_[index];
  const size_t size = heap_.size();
  while (true) {
    size_t child = 2 * index + 1;
    if (child >= size) break;
    if (child + 1 < size && Before(heap_[child + 1], heap_[child])) ++child;
    if (!Before(heap_[child], node)) break;
    Place(heap_[child], index);
    index = child;
  }
  Place(node, index);
}

}  // namespace pinhole::net::real
