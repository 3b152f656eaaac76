// `CheckList`: pair priorities for either role, the pair limit, the RFC 8445
// unfreezing rules (§6.1.2.6, §7.2.5.3.3), the choice of the next ordinary
// check (§6.1.4.2) and the triggered-check queue (§6.1.4.1).
#include "ice/check_list.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ice/agent_config.h"
#include "ice/agent_event.h"

namespace pinhole::ice {
namespace {

// RFC 8445 §6.1.2.3 written out: 2^32·MIN(G,D) + 2·MAX(G,D) + (G>D ? 1 : 0).
uint64_t Rfc8445PairPriority(uint64_t g, uint64_t d) {
  return (std::min(g, d) << 32) + 2 * std::max(g, d) + (g > d ? 1 : 0);
}

CandidatePair Pair(size_t local, size_t remote, uint32_t local_priority,
                   uint32_t remote_priority, std::string foundation,
                   uint32_t component = 1) {
  CandidatePair pair;
  pair.local = local;
  pair.remote = remote;
  pair.component = component;
  pair.local_priority = local_priority;
  pair.remote_priority = remote_priority;
  pair.foundation = std::move(foundation);
  return pair;
}

// Adds `pair` for the controlling role and returns its index.
size_t AddOrDie(CheckList& list, CandidatePair pair,
                Role role = Role::kControlling) {
  std::optional<size_t> index = list.Add(std::move(pair), role);
  EXPECT_TRUE(index.has_value());
  return index.value_or(0);
}

std::vector<PairState> States(const CheckList& list) {
  std::vector<PairState> states;
  for (const CandidatePair& pair : list.pairs()) states.push_back(pair.state);
  return states;
}

size_t Live(const CheckList& list) {
  size_t live = 0;
  for (const CandidatePair& pair : list.pairs()) {
    live += pair.in_check_list && !pair.removed;
  }
  return live;
}

constexpr PairState kFrozen = PairState::kFrozen;
constexpr PairState kWaiting = PairState::kWaiting;
constexpr PairState kInProgress = PairState::kInProgress;
constexpr PairState kSucceeded = PairState::kSucceeded;
constexpr PairState kFailed = PairState::kFailed;

// --- Priorities (§6.1.2.3) ---

TEST(CheckListTest, ControllingAgentsCandidateIsGInThePairPriority) {
  CheckList list;
  // Local 100, remote 200: controlling, G = 100 (ours) and D = 200.
  const size_t index = AddOrDie(list, Pair(0, 0, 100, 200, "1:1"));
  EXPECT_EQ(list.at(index).priority, Rfc8445PairPriority(100, 200));
  EXPECT_EQ(list.at(index).priority, (uint64_t{100} << 32) + 400);
  EXPECT_EQ(list.at(index).state, kFrozen);
  EXPECT_TRUE(list.at(index).in_check_list);
}

TEST(CheckListTest, ControlledAgentsCandidateIsDInThePairPriority) {
  CheckList list;
  // Controlled: G = 200 (the peer's), D = 100 (ours); G > D adds one.
  const size_t index =
      AddOrDie(list, Pair(0, 0, 100, 200, "1:1"), Role::kControlled);
  EXPECT_EQ(list.at(index).priority, Rfc8445PairPriority(200, 100));
  EXPECT_EQ(list.at(index).priority, (uint64_t{100} << 32) + 400 + 1);
}

TEST(CheckListTest, BothAgentsComputeTheSamePriorityForThePair) {
  // The controlling agent's view of (local 7, remote 9) and the controlled
  // agent's view of the same pair (local 9, remote 7).
  CheckList controlling;
  CheckList controlled;
  const size_t a = AddOrDie(controlling, Pair(0, 0, 7, 9, "1:1"));
  const size_t b =
      AddOrDie(controlled, Pair(0, 0, 9, 7, "1:1"), Role::kControlled);
  EXPECT_EQ(controlling.at(a).priority, controlled.at(b).priority);
}

TEST(CheckListTest, RoleDecidesWhichPairComesFirst) {
  // Pair 0: local 1000, remote 10. Pair 1: local 10, remote 1000. The
  // MIN term ties, so the MAX term ties too and the last bit (G > D)
  // decides: the pair whose controlling-side candidate is higher wins.
  for (const Role role : {Role::kControlling, Role::kControlled}) {
    CheckList list;
    AddOrDie(list, Pair(0, 0, 1000, 10, "1:1"), role);
    AddOrDie(list, Pair(1, 1, 10, 1000, "2:2"), role);
    list.UnfreezeInitial();
    EXPECT_EQ(list.NextOrdinary(), role == Role::kControlling
                                       ? std::optional<size_t>(0)
                                       : std::optional<size_t>(1))
        << RoleName(role);
  }
}

TEST(CheckListTest, SetRoleRecomputesEveryPriority) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 100, 200, "1:1"));
  AddOrDie(list, Pair(1, 0, 300, 200, "2:1"));
  const size_t valid =
      list.AddValid(Pair(2, 0, 50, 200, "3:1"), Role::kControlling);
  list.SetRole(Role::kControlled);
  EXPECT_EQ(list.at(0).priority, Rfc8445PairPriority(200, 100));
  EXPECT_EQ(list.at(1).priority, Rfc8445PairPriority(200, 300));
  EXPECT_EQ(list.at(valid).priority, Rfc8445PairPriority(200, 50));
  list.SetRole(Role::kControlling);
  EXPECT_EQ(list.at(0).priority, Rfc8445PairPriority(100, 200));
  EXPECT_EQ(list.at(1).priority, Rfc8445PairPriority(300, 200));
  EXPECT_EQ(list.at(valid).priority, Rfc8445PairPriority(50, 200));
}

TEST(CheckListTest, AddValidKeepsThePairOutOfTheCheckList) {
  CheckList list;
  const size_t index =
      list.AddValid(Pair(3, 4, 100, 200, "9:1"), Role::kControlling);
  const CandidatePair& pair = list.at(index);
  EXPECT_EQ(pair.state, kSucceeded);
  EXPECT_TRUE(pair.valid);
  EXPECT_FALSE(pair.in_check_list);
  EXPECT_EQ(pair.priority, Rfc8445PairPriority(100, 200));
  // Not counted, never checked.
  EXPECT_EQ(list.Count(kSucceeded), 0u);
  EXPECT_EQ(list.Pending(1), 0u);
  EXPECT_EQ(list.NextOrdinary(), std::nullopt);
  // Find still knows it (a check's answer may name it again).
  EXPECT_EQ(list.Find(3, 4), std::optional<size_t>(index));
}

// --- The pair limit (§6.1.2.5) ---

TEST(CheckListTest, AddAtTheLimitDropsTheLowestPriorityPair) {
  CheckList list(/*max_pairs=*/3);
  AddOrDie(list, Pair(0, 0, 500, 500, "a"));
  AddOrDie(list, Pair(1, 0, 100, 100, "b"));  // The lowest.
  AddOrDie(list, Pair(2, 0, 300, 300, "c"));
  const std::optional<size_t> added =
      list.Add(Pair(3, 0, 400, 400, "d"), Role::kControlling);
  ASSERT_EQ(added, std::optional<size_t>(3));
  EXPECT_TRUE(list.at(1).removed);
  EXPECT_FALSE(list.at(0).removed);
  EXPECT_FALSE(list.at(2).removed);
  EXPECT_FALSE(list.at(3).removed);
  EXPECT_EQ(Live(list), 3u);
  // The dropped pair is gone for every purpose.
  EXPECT_EQ(list.Find(1, 0), std::nullopt);
  EXPECT_EQ(list.Count(kFrozen), 3u);
}

TEST(CheckListTest, AddBelowEveryPairAtTheLimitIsRefused) {
  CheckList list(/*max_pairs=*/2);
  AddOrDie(list, Pair(0, 0, 500, 500, "a"));
  AddOrDie(list, Pair(1, 0, 300, 300, "b"));
  EXPECT_EQ(list.Add(Pair(2, 0, 100, 100, "c"), Role::kControlling),
            std::nullopt);
  EXPECT_EQ(list.size(), 2u);
  EXPECT_FALSE(list.at(0).removed);
  EXPECT_FALSE(list.at(1).removed);
  // An equal priority is not higher either.
  EXPECT_EQ(list.Add(Pair(3, 0, 300, 300, "d"), Role::kControlling),
            std::nullopt);
  EXPECT_EQ(Live(list), 2u);
}

TEST(CheckListTest, AddAtTheLimitDropsOnlyFrozenOrWaitingPairs) {
  CheckList list(/*max_pairs=*/3);
  AddOrDie(list, Pair(0, 0, 100, 100, "a"));  // Lowest, but In-Progress.
  AddOrDie(list, Pair(1, 0, 150, 150, "b"));  // Succeeded.
  AddOrDie(list, Pair(2, 0, 300, 300, "c"));  // Waiting: the one to go.
  list.at(0).state = kInProgress;
  list.at(1).state = kSucceeded;
  list.at(2).state = kWaiting;
  ASSERT_EQ(list.Add(Pair(3, 0, 400, 400, "d"), Role::kControlling),
            std::optional<size_t>(3));
  EXPECT_FALSE(list.at(0).removed);
  EXPECT_FALSE(list.at(1).removed);
  EXPECT_TRUE(list.at(2).removed);
  EXPECT_EQ(Live(list), 3u);

  // Now nothing Frozen or Waiting is left below: no room.
  list.at(3).state = kFailed;
  EXPECT_EQ(list.Add(Pair(4, 0, 900, 900, "e"), Role::kControlling),
            std::nullopt);
  EXPECT_EQ(Live(list), 3u);
}

TEST(CheckListTest, TheLimitKeepsTheHighestPriorityPairs) {
  CheckList list(/*max_pairs=*/5);
  std::vector<uint32_t> added;
  for (uint32_t i = 0; i < 20; ++i) {
    // Distinct priorities, rising and falling, so pairs are both refused
    // and dropped along the way.
    const uint32_t priority = (i * 919) % 1000 + 1;
    added.push_back(priority);
    list.Add(Pair(i, 0, priority, priority, std::to_string(i)),
             Role::kControlling);
    EXPECT_LE(Live(list), 5u);
  }
  std::vector<uint32_t> kept;
  for (const CandidatePair& pair : list.pairs()) {
    if (!pair.removed) kept.push_back(pair.local_priority);
  }
  std::sort(kept.begin(), kept.end(), std::greater<uint32_t>());
  std::sort(added.begin(), added.end(), std::greater<uint32_t>());
  added.resize(5);
  EXPECT_EQ(kept, added);
}

// --- Initial states (§6.1.2.6) ---

TEST(CheckListTest, UnfreezeInitialPicksLowestComponentThenHighestPriority) {
  CheckList list;
  // Foundation "f": component 2 has the highest priority, but component 1
  // goes first; within component 1 the higher priority wins.
  AddOrDie(list, Pair(0, 0, 100, 100, "f", 1));
  AddOrDie(list, Pair(1, 0, 900, 900, "f", 2));
  AddOrDie(list, Pair(2, 0, 300, 300, "f", 1));
  // Foundation "g": a single pair.
  AddOrDie(list, Pair(3, 0, 50, 50, "g", 2));
  list.UnfreezeInitial();
  EXPECT_EQ(States(list),
            (std::vector<PairState>{kFrozen, kFrozen, kWaiting, kWaiting}));
}

TEST(CheckListTest, UnfreezeInitialLeavesActiveFoundationsAlone) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 100, 100, "busy"));
  AddOrDie(list, Pair(1, 0, 900, 900, "busy"));
  AddOrDie(list, Pair(2, 0, 100, 100, "waiting"));
  AddOrDie(list, Pair(3, 0, 900, 900, "waiting"));
  AddOrDie(list, Pair(4, 0, 500, 500, "idle"));
  list.at(0).state = kInProgress;
  list.at(2).state = kWaiting;
  list.UnfreezeInitial();
  EXPECT_EQ(States(list),
            (std::vector<PairState>{kInProgress, kFrozen, kWaiting, kFrozen,
                                    kWaiting}));
}

TEST(CheckListTest, UnfreezeInitialIgnoresRemovedAndFinishedPairs) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 900, 900, "f"));  // Removed: not a candidate.
  AddOrDie(list, Pair(1, 0, 500, 500, "f"));
  AddOrDie(list, Pair(2, 0, 100, 100, "g"));  // Failed: does not block "g".
  AddOrDie(list, Pair(3, 0, 50, 50, "g"));
  list.at(0).removed = true;
  list.at(2).state = kFailed;
  list.UnfreezeInitial();
  EXPECT_EQ(States(list),
            (std::vector<PairState>{kFrozen, kWaiting, kFailed, kWaiting}));
}

TEST(CheckListTest, UnfreezeInitialAgainUnfreezesOnlyNewFoundations) {
  // Trickle ICE: pairs arrive after the checks started.
  CheckList list;
  AddOrDie(list, Pair(0, 0, 500, 500, "f"));
  list.UnfreezeInitial();
  AddOrDie(list, Pair(1, 0, 900, 900, "f"));  // "f" has a Waiting pair.
  AddOrDie(list, Pair(2, 0, 100, 100, "g"));  // New foundation.
  list.UnfreezeInitial();
  EXPECT_EQ(States(list),
            (std::vector<PairState>{kWaiting, kFrozen, kWaiting}));
}

// --- After a success (§7.2.5.3.3) ---

TEST(CheckListTest, UnfreezeFoundationWakesEveryFrozenPairOfIt) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 100, 100, "f", 1));
  AddOrDie(list, Pair(1, 0, 200, 200, "f", 2));
  AddOrDie(list, Pair(2, 0, 300, 300, "f", 1));
  AddOrDie(list, Pair(3, 0, 400, 400, "f", 1));  // Failed stays Failed.
  AddOrDie(list, Pair(4, 0, 500, 500, "f", 1));  // Removed stays Frozen.
  AddOrDie(list, Pair(5, 0, 600, 600, "g", 1));  // Another foundation.
  list.at(3).state = kFailed;
  list.at(4).removed = true;
  list.UnfreezeFoundation("f");
  EXPECT_EQ(States(list), (std::vector<PairState>{kWaiting, kWaiting, kWaiting,
                                                  kFailed, kFrozen, kFrozen}));
}

// --- The next ordinary check (§6.1.4.2) ---

TEST(CheckListTest, NextOrdinaryIsTheHighestPriorityWaitingPair) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 100, 100, "a"));
  AddOrDie(list, Pair(1, 0, 900, 900, "b"));  // Highest, but Frozen.
  AddOrDie(list, Pair(2, 0, 300, 300, "c"));
  AddOrDie(list, Pair(3, 0, 200, 200, "d"));
  list.at(0).state = kWaiting;
  list.at(2).state = kWaiting;
  list.at(3).state = kWaiting;
  EXPECT_EQ(list.NextOrdinary(), std::optional<size_t>(2));
  // The caller decides the state: asking again gives the same pair.
  EXPECT_EQ(list.at(2).state, kWaiting);
  EXPECT_EQ(list.NextOrdinary(), std::optional<size_t>(2));
  list.at(2).state = kInProgress;
  EXPECT_EQ(list.NextOrdinary(), std::optional<size_t>(3));
  list.at(3).state = kInProgress;
  EXPECT_EQ(list.NextOrdinary(), std::optional<size_t>(0));
  // The Frozen pair was not touched while Waiting pairs were left.
  EXPECT_EQ(list.at(1).state, kFrozen);
}

TEST(CheckListTest, NextOrdinarySkipsRemovedPairs) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 900, 900, "a"));
  AddOrDie(list, Pair(1, 0, 100, 100, "b"));
  list.at(0).state = kWaiting;
  list.at(1).state = kWaiting;
  list.at(0).removed = true;
  EXPECT_EQ(list.NextOrdinary(), std::optional<size_t>(1));
}

// Fails: with two Waiting pairs of equal priority, NextOrdinary returns the
// older pair (component 2) vs RFC 8445 §6.1.4.2 step 3: "if there are
// multiple pairs with the same priority, the pair with the lowest component
// ID is picked".
TEST(CheckListTest, NextOrdinaryBreaksPriorityTiesByLowestComponent) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 700, 700, "a", 2));
  AddOrDie(list, Pair(1, 0, 700, 700, "b", 1));
  ASSERT_EQ(list.at(0).priority, list.at(1).priority);
  list.at(0).state = kWaiting;
  list.at(1).state = kWaiting;
  EXPECT_EQ(list.NextOrdinary(), std::optional<size_t>(1));
}

TEST(CheckListTest, NextOrdinaryUnfreezesIdleFoundationsWhenNothingWaits) {
  CheckList list;
  // Foundation "busy" has a check in progress: its Frozen pair stays Frozen.
  AddOrDie(list, Pair(0, 0, 800, 800, "busy"));
  AddOrDie(list, Pair(1, 0, 900, 900, "busy"));
  // Foundation "idle": nothing Waiting or In-Progress.
  AddOrDie(list, Pair(2, 0, 100, 100, "idle"));
  AddOrDie(list, Pair(3, 0, 300, 300, "idle"));
  // Foundation "done": its pair succeeded, so it is idle too.
  AddOrDie(list, Pair(4, 0, 200, 200, "done"));
  AddOrDie(list, Pair(5, 0, 50, 50, "done"));
  list.at(0).state = kInProgress;
  list.at(4).state = kSucceeded;
  const std::optional<size_t> next = list.NextOrdinary();
  EXPECT_EQ(next, std::optional<size_t>(3));
  EXPECT_EQ(list.at(1).state, kFrozen);
  // One pair per idle foundation (the highest) becomes Waiting.
  EXPECT_EQ(list.at(3).state, kWaiting);
  EXPECT_EQ(list.at(2).state, kFrozen);
  EXPECT_EQ(list.at(5).state, kWaiting);
}

TEST(CheckListTest, NextOrdinaryIsNulloptWhenNothingCanBeChecked) {
  CheckList list;
  EXPECT_EQ(list.NextOrdinary(), std::nullopt);
  AddOrDie(list, Pair(0, 0, 800, 800, "f"));
  AddOrDie(list, Pair(1, 0, 900, 900, "f"));
  AddOrDie(list, Pair(2, 0, 100, 100, "g"));
  list.at(0).state = kInProgress;  // Blocks the Frozen pair of "f".
  list.at(2).state = kFailed;
  EXPECT_EQ(list.NextOrdinary(), std::nullopt);
  EXPECT_EQ(States(list),
            (std::vector<PairState>{kInProgress, kFrozen, kFailed}));
  // Once the check of "f" fails, its Frozen pair may go.
  list.at(0).state = kFailed;
  EXPECT_EQ(list.NextOrdinary(), std::optional<size_t>(1));
}

// --- The triggered-check queue (§6.1.4.1) ---

TEST(CheckListTest, TriggeredQueueIsFifoWithoutDuplicates) {
  CheckList list;
  for (uint32_t i = 0; i < 4; ++i) {
    AddOrDie(list, Pair(i, 0, 100 * (i + 1), 100, std::to_string(i)));
  }
  EXPECT_FALSE(list.HasTriggered());
  EXPECT_EQ(list.PopTriggered(), std::nullopt);
  list.PushTriggered(2);
  list.PushTriggered(0);
  list.PushTriggered(2);  // Queued already: ignored.
  list.PushTriggered(3);
  EXPECT_TRUE(list.HasTriggered());
  // First in, first out, whatever the priorities.
  EXPECT_EQ(list.PopTriggered(), std::optional<size_t>(2));
  EXPECT_EQ(list.PopTriggered(), std::optional<size_t>(0));
  // Popped pairs may be queued again.
  list.PushTriggered(2);
  EXPECT_EQ(list.PopTriggered(), std::optional<size_t>(3));
  EXPECT_EQ(list.PopTriggered(), std::optional<size_t>(2));
  EXPECT_FALSE(list.HasTriggered());
  EXPECT_EQ(list.PopTriggered(), std::nullopt);
}

TEST(CheckListTest, TriggeredQueueSkipsRemovedPairs) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 100, 100, "a"));
  AddOrDie(list, Pair(1, 0, 200, 200, "b"));
  AddOrDie(list, Pair(2, 0, 300, 300, "c"));
  list.PushTriggered(0);
  list.PushTriggered(1);
  list.PushTriggered(2);
  list.at(0).removed = true;
  list.at(2).removed = true;
  EXPECT_EQ(list.PopTriggered(), std::optional<size_t>(1));
  EXPECT_EQ(list.PopTriggered(), std::nullopt);
  EXPECT_FALSE(list.HasTriggered());
}

TEST(CheckListTest, ClearEmptiesPairsAndQueue) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 100, 100, "a"));
  list.PushTriggered(0);
  list.Clear();
  EXPECT_EQ(list.size(), 0u);
  EXPECT_FALSE(list.HasTriggered());
  EXPECT_EQ(list.PopTriggered(), std::nullopt);
}

// --- Counting ---

TEST(CheckListTest, HigherPendingLooksOnlyAtLivePairsThatMayStillSucceed) {
  CheckList list;
  const size_t low = AddOrDie(list, Pair(0, 0, 100, 100, "a", 1));
  const size_t high = AddOrDie(list, Pair(1, 0, 900, 900, "b", 1));
  const size_t other = AddOrDie(list, Pair(2, 0, 950, 950, "c", 2));
  const uint64_t below = list.at(low).priority;
  const uint64_t at_high = list.at(high).priority;

  for (const PairState state : {kFrozen, kWaiting, kInProgress}) {
    list.at(high).state = state;
    EXPECT_TRUE(list.HigherPending(1, below)) << PairStateName(state);
  }
  // Strictly higher only.
  EXPECT_FALSE(list.HigherPending(1, at_high));
  for (const PairState state : {kSucceeded, kFailed}) {
    list.at(high).state = state;
    EXPECT_FALSE(list.HigherPending(1, below)) << PairStateName(state);
  }
  list.at(high).state = kWaiting;
  list.at(high).removed = true;
  EXPECT_FALSE(list.HigherPending(1, below));
  // Component 2's pair does not count for component 1, but for its own.
  EXPECT_TRUE(list.HigherPending(2, below));
  list.at(other).state = kSucceeded;
  EXPECT_FALSE(list.HigherPending(2, below));
  // A valid pair outside the check list never counts.
  list.AddValid(Pair(3, 0, 999, 999, "d", 1), Role::kControlling);
  EXPECT_FALSE(list.HigherPending(1, below));
}

TEST(CheckListTest, CountAndPendingSkipRemovedPairs) {
  CheckList list;
  AddOrDie(list, Pair(0, 0, 100, 100, "a", 1));
  AddOrDie(list, Pair(1, 0, 200, 200, "b", 1));
  AddOrDie(list, Pair(2, 0, 300, 300, "c", 1));
  AddOrDie(list, Pair(3, 0, 400, 400, "d", 2));
  list.at(0).state = kWaiting;
  list.at(1).state = kWaiting;
  list.at(2).state = kSucceeded;
  list.at(1).removed = true;
  EXPECT_EQ(list.Count(kWaiting), 1u);
  EXPECT_EQ(list.Count(kSucceeded), 1u);
  EXPECT_EQ(list.Count(kFrozen), 1u);
  EXPECT_EQ(list.Pending(1), 1u);
  EXPECT_EQ(list.Pending(2), 1u);
  EXPECT_EQ(list.Pending(3), 0u);
}

TEST(CheckListTest, FindSkipsRemovedPairs) {
  CheckList list;
  AddOrDie(list, Pair(4, 5, 100, 100, "a"));
  EXPECT_EQ(list.Find(4, 5), std::optional<size_t>(0));
  EXPECT_EQ(list.Find(5, 4), std::nullopt);
  list.at(0).removed = true;
  EXPECT_EQ(list.Find(4, 5), std::nullopt);
  // The same candidates may form a pair again.
  EXPECT_EQ(list.Add(Pair(4, 5, 100, 100, "a"), Role::kControlling),
            std::optional<size_t>(1));
  EXPECT_EQ(list.Find(4, 5), std::optional<size_t>(1));
}

}  // namespace
}  // namespace pinhole::ice
