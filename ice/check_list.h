// `CheckList`: the candidate pairs of one data stream and the RFC 8445 rules
// that order and unfreeze them (§6.1.2), pick the next ordinary check
// (§6.1.4.2) and hold the triggered-check queue (§6.1.4.1). It knows pairs by
// the indices of their candidates in the agent's candidate lists and keeps
// their priorities; it sends nothing and reads no clock.
//
// Pairs are never erased (indices stay valid): a pruned pair is marked
// `removed` and is never checked. Valid pairs that a check produced and that
// are not in the check list themselves (RFC 8445 §7.2.5.3.2: the local
// candidate is server- or peer-reflexive) are kept here too, with
// `in_check_list` false.
#ifndef PINHOLE_ICE_CHECK_LIST_H_
#define PINHOLE_ICE_CHECK_LIST_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "ice/agent_config.h"
#include "ice/agent_event.h"

namespace pinhole::ice {

struct CandidatePair {
  size_t local = 0;   // Index of the local candidate.
  size_t remote = 0;  // Index of the remote candidate.
  uint32_t component = 1;
  uint32_t local_priority = 0;
  uint32_t remote_priority = 0;
  // The local and remote foundations, joined by ':' (§6.1.2.6).
  std::string foundation;
  uint64_t priority = 0;  // §6.1.2.3, for the current role.
  PairState state = PairState::kFrozen;
  bool in_check_list = true;
  bool removed = false;  // Pruned (§6.1.2.5) or stopped after nomination.
  bool valid = false;
  bool nominated = false;

  // The agent's bookkeeping.
  bool use_candidate = false;        // The next check carries USE-CANDIDATE.
  bool nominate_on_success = false;  // USE-CANDIDATE came in (controlled).
  std::optional<size_t> valid_pair;  // What its successful check produced.
  std::optional<uint64_t> request;   // The check in flight.
};

class CheckList {
 public:
  explicit CheckList(size_t max_pairs = 100) : max_pairs_(max_pairs) {}

  // Adds a pair in state kFrozen with its priority for `role`. When the
  // check list holds `max_pairs` pairs, the lowest-priority Frozen or
  // Waiting one makes room, unless the new pair is lower still: then nullopt.
  std::optional<size_t> Add(CandidatePair pair, Role role);
  // A valid pair that is not in the check list (§7.2.5.3.2): state
  // kSucceeded, valid.
  size_t AddValid(CandidatePair pair, Role role);

  size_t size() const { return pairs_.size(); }
  CandidatePair& at(size_t index) { return pairs_[index]; }
  const CandidatePair& at(size_t index) const { return pairs_[index]; }
  const std::vector<CandidatePair>& pairs() const { return pairs_; }

  // The pair of those two candidates, removed ones excepted.
  std::optional<size_t> Find(size_t local, size_t remote) const;

  // Recomputes every priority for `role` (after a role conflict, §7.2.5.1).
  void SetRole(Role role);

  // §6.1.2.6: for each foundation with no pair Waiting or In-Progress, the
  // Frozen pair of the lowest component ID, and of the highest priority
  // among those, becomes Waiting. Called when checks start and when pairs
  // are added later (trickle ICE, RFC 8838 §8).
  void UnfreezeInitial();
  // §7.2.5.3.3: every Frozen pair of `foundation` becomes Waiting.
  void UnfreezeFoundation(const std::string& foundation);

  // §6.1.4.2: the highest-priority Waiting pair; with none, each Frozen pair
  // whose foundation has no pair Waiting or In-Progress becomes Waiting
  // first. nullopt when nothing is left to check. The pair's state is left
  // to the caller.
  std::optional<size_t> NextOrdinary();

  // §6.1.4.1: the triggered-check queue (a pair is queued at most once).
  void PushTriggered(size_t index);
  std::optional<size_t> PopTriggered();
  bool HasTriggered() const { return !triggered_.empty(); }

  // Pairs in the check list (not removed) in `state`.
  size_t Count(PairState state) const;
  // Pairs in the check list (not removed) of `component` that may still
  // succeed: Frozen, Waiting or In-Progress.
  size_t Pending(uint32_t component) const;
  // True when a pair of `component` with a priority above `priority` may
  // still succeed.
  bool HigherPending(uint32_t component, uint64_t priority) const;

  void Clear();

 private:
  static uint64_t PriorityFor(const CandidatePair& pair, Role role);
  bool FoundationActive(const std::string& foundation) const;

  size_t max_pairs_;
  Role role_ = Role::kControlling;
  std::vector<CandidatePair> pairs_;
  std::deque<size_t> triggered_;
};

}  // namespace pinhole::ice

#endif  // PINHOLE_ICE_CHECK_LIST_H_
