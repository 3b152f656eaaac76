// `TimerHeap`: the event loop's pending timers, an intrusive binary min-heap
// ordered by (deadline, arming sequence): two timers armed for one instant
// expire in the order they were armed.
//
// Each `Node` records its own position, so removing or moving one is
// O(log n) and needs no search and no allocation (the heap's vector grows to
// the most timers ever pending at once). The heap does not own its nodes; a
// node must be removed before it is destroyed; the heap never calls
// `Expire()` itself.
#ifndef PINHOLE_NET_REAL_TIMER_HEAP_H_
#define PINHOLE_NET_REAL_TIMER_HEAP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/time.h"

namespace pinhole::net::real {

class TimerHeap {
 public:
  class Node {
   public:
    bool queued() const { return index_ != kNotQueued; }
    // Meaningful while queued.
    Time when() const { return deadline_; }
    uint64_t sequence() const { return sequence_; }

    // What the owner of the heap calls once it has taken the node out because
    // its deadline came.
    virtual void Expire() = 0;

   protected:
    Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    ~Node() = default;

   private:
    friend class TimerHeap;
    static constexpr size_t kNotQueued = SIZE_MAX;
    Time deadline_;
    uint64_t sequence_ = 0;
    size_t index_ = kNotQueued;
  };

  TimerHeap() = default;
  TimerHeap(const TimerHeap&) = delete;
  TimerHeap& operator=(const TimerHeap&) = delete;

  // Queues `node` at `deadline` with the next sequence number, after every
  // node queued before it for the same instant. A queued node moves.
  void Schedule(Node& node, Time deadline);
  // Takes `node` out; nothing happens when it is not queued.
  void Remove(Node& node);

  // The earliest node, or nullptr when none is queued.
  Node* Top() const { return heap_.empty() ? nullptr : heap_.front(); }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  // The sequence number the next `Schedule` will give.
  uint64_t next_sequence() const { return next_sequence_; }

 private:
  static bool Before(const Node* a, const Node* b) {
    if (a->deadline_ != b->deadline_) return a->deadline_ < b->deadline_;
    return a->sequence_ < b->sequence_;
  }
  void Place(Node* node, size_t index) {
    heap_[index] = node;
    node->index_ = index;
  }
  // Moves the node at `index` up or down until the heap order holds again.
  void Restore(size_t index);
  void SiftUp(size_t index);
  void SiftDown(size_t index);

  std::vector<Node*> heap_;
  uint64_t next_sequence_ = 0;
};

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_TIMER_HEAP_H_
