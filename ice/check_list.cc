#include "ice/check_list.h"

#include <algorithm>
#include <map>
#include <utility>

#include "ice/candidate.h"

namespace pinhole::ice {
namespace {

bool Live(const CandidatePair& pair) {
  return pair.in_check_list && !pair.removed;
}

bool MayStillSucceed(PairState state) {
  return state == PairState::kFrozen || state == PairState::kWaiting ||
         state == PairState::kInProgress;
}

// Higher priority first; among equals, the lower component ID (§6.1.4.2),
// then the older pair.
bool Before(const std::vector<CandidatePair>& pairs, size_t a, size_t b) {
  if (pairs[a].priority != pairs[b].priority) {
    return pairs[a].priority > pairs[b].priority;
  }
  if (pairs[a].component != pairs[b].component) {
    return pairs[a].component < pairs[b].component;
  }
  return a < b;
}

}  // namespace

uint64_t CheckList::PriorityFor(const CandidatePair& pair, Role role) {
  return role == Role::kControlling
             ? PairPriority(pair.local_priority, pair.remote_priority)
             : PairPriority(pair.remote_priority, pair.local_priority);
}

std::optional<size_t> CheckList::Add(CandidatePair pair, Role role) {
  role_ = role;
  pair.priority = PriorityFor(pair, role);
  pair.state = PairState::kFrozen;
  pair.in_check_list = true;
  size_t live = 0;
  std::optional<size_t> lowest;  // The lowest Frozen or Waiting pair.
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (!Live(pairs_[i])) continue;
    ++live;
    const PairState state = pairs_[i].state;
    if (state != PairState::kFrozen && state != PairState::kWaiting) continue;
    if (!lowest.has_value() || Before(pairs_, *lowest, i)) lowest = i;
  }
  if (live >= max_pairs_) {
    if (!lowest.has_value() || pairs_[*lowest].priority >= pair.priority) {
      return std::nullopt;
    }
    pairs_[*lowest].removed = true;
  }
  pairs_.push_back(std::move(pair));
  return pairs_.size() - 1;
}

size_t CheckList::AddValid(CandidatePair pair, Role role) {
  role_ = role;
  pair.priority = PriorityFor(pair, role);
  pair.state = PairState::kSucceeded;
  pair.in_check_list = false;
  pair.valid = true;
  pairs_.push_back(std::move(pair));
  return pairs_.size() - 1;
}

std::optional<size_t> CheckList::Find(size_t local, size_t remote) const {
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (!pairs_[i].removed && pairs_[i].local == local &&
        pairs_[i].remote == remote) {
      return i;
    }
  }
  return std::nullopt;
}

void CheckList::SetRole(Role role) {
  role_ = role;
  for (CandidatePair& pair : pairs_) pair.priority = PriorityFor(pair, role);
}

bool CheckList::FoundationActive(const std::string& foundation) const {
  for (const CandidatePair& pair : pairs_) {
    if (Live(pair) && pair.foundation == foundation &&
        (pair.state == PairState::kWaiting ||
         pair.state == PairState::kInProgress)) {
      return true;
    }
  }
  return false;
}

void CheckList::UnfreezeInitial() {
  // The chosen Frozen pair of each foundation, in an ordered map so the
  // result never depends on hashing.
  std::map<std::string, size_t> chosen;
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const CandidatePair& pair = pairs_[i];
    if (!Live(pair) || pair.state != PairState::kFrozen) continue;
    auto [it, inserted] = chosen.emplace(pair.foundation, i);
    if (inserted) continue;
    const CandidatePair& best = pairs_[it->second];
    if (pair.component < best.component ||
        (pair.component == best.component && Before(pairs_, i, it->second))) {
      it->second = i;
    }
  }
  for (const auto& [foundation, index] : chosen) {
    if (!FoundationActive(foundation)) {
      pairs_[index].state = PairState::kWaiting;
    }
  }
}

void CheckList::UnfreezeFoundation(const std::string& foundation) {
  for (CandidatePair& pair : pairs_) {
    if (Live(pair) && pair.state == PairState::kFrozen &&
        pair.foundation == foundation) {
      pair.state = PairState::kWaiting;
    }
  }
}

std::optional<size_t> CheckList::NextOrdinary() {
  auto best_waiting = [this]() -> std::optional<size_t> {
    std::optional<size_t> best;
    for (size_t i = 0; i < pairs_.size(); ++i) {
      if (!Live(pairs_[i]) || pairs_[i].state != PairState::kWaiting) {
        continue;
      }
      if (!best.has_value() || Before(pairs_, i, *best)) best = i;
    }
    return best;
  };
  if (std::optional<size_t> best = best_waiting()) return best;
  // No Waiting pair: unfreeze, for each foundation with nothing Waiting or
  // In-Progress, its Frozen pairs (§6.1.4.2, step 2), highest priority first.
  std::vector<size_t> frozen;
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (Live(pairs_[i]) && pairs_[i].state == PairState::kFrozen) {
      frozen.push_back(i);
    }
  }
  std::sort(frozen.begin(), frozen.end(),
            [this](size_t a, size_t b) { return Before(pairs_, a, b); });
  for (size_t i : frozen) {
    if (!FoundationActive(pairs_[i].foundation)) {
      pairs_[i].state = PairState::kWaiting;
    }
  }
  return best_waiting();
}

void CheckList::PushTriggered(size_t index) {
  if (std::find(triggered_.begin(), triggered_.end(), index) ==
      triggered_.end()) {
    triggered_.push_back(index);
  }
}

std::optional<size_t> CheckList::PopTriggered() {
  while (!triggered_.empty()) {
    const size_t index = triggered_.front();
    triggered_.pop_front();
    if (!pairs_[index].removed) return index;
  }
  return std::nullopt;
}

size_t CheckList::Count(PairState state) const {
  return static_cast<size_t>(std::count_if(
      pairs_.begin(), pairs_.end(),
      [state](const auto& pair) { return Live(pair) && pair.state == state; }));
}

size_t CheckList::Pending(uint32_t component) const {
  return static_cast<size_t>(std::count_if(
      pairs_.begin(), pairs_.end(), [component](const CandidatePair& pair) {
        return Live(pair) && pair.component == component &&
               MayStillSucceed(pair.state);
      }));
}

bool CheckList::HigherPending(uint32_t component, uint64_t priority) const {
  return std::any_of(pairs_.begin(), pairs_.end(),
                     [component, priority](const CandidatePair& pair) {
                       return Live(pair) && pair.component == component &&
                              pair.priority > priority &&
                              MayStillSucceed(pair.state);
                     });
}

void CheckList::Clear() {
  pairs_.clear();
  triggered_.clear();
}

}  // namespace pinhole::ice
