// Discrete-event queue ordered by (time, priority, insertion sequence), as in
// OMNeT++: equal-time events run by priority (lower first), then in the order
// they were scheduled. The order never depends on addresses or hashing, so
// an episode replays bit-identically.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/core/check.h"
#include "sim/core/time.h"

namespace dispatchlab {

template <typename Payload>
class EventQueue {
 public:
  struct Event {
    SimTime time;
    std::int32_t priority;
    std::uint64_t seq;
    Payload payload;
  };

  void Push(SimTime time, std::int32_t priority, Payload payload) {
    heap_.push_back(Event{time, priority, next_seq_++, payload});
    std::push_heap(heap_.begin(), heap_.end(), Later);
  }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  const Event& Top() const {
    DL_DCHECK(!heap_.empty());
    return heap_.front();
  }
  SimTime NextTime() const { return heap_.empty() ? kTimeInfinity : Top().time; }

  Event Pop() {
    DL_DCHECK(!heap_.empty());
    std::pop_heap(heap_.begin(), heap_.end(), Later);
    Event e = heap_.back();
    heap_.pop_back();
    return e;
  }

  void Clear() {
    heap_.clear();
    next_seq_ = 0;
  }

 private:
  // std heap functions build a max-heap; "a is later than b" puts the
  // earliest event on top.
  static bool Later(const Event& a, const Event& b) {
    if (a.time != b.time) return a.time > b.time;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.seq > b.seq;
  }

  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace dispatchlab
