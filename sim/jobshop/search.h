// A strong improvement heuristic as the quality ceiling for the dispatching
// policies (DESIGN.md, domain A baselines): iterated greedy over machine
// sequences, with the simulator as the evaluator.
//
// A solution is, per machine, a priority order of the operations it
// processes. Executed by the simulator (non-delay, blocking, swaps,
// breakdowns as configured), a contested machine starts the waiting
// operation that comes first in its order. The search starts from the best
// schedule of the ten dispatching rules (read back as machine orders, which
// replay that rule exactly), then repeats: take one machine, remove a few of
// its operations, reinsert each at the position that gives the smallest
// makespan; accept the result if it is no worse (or, rarely, worse: a
// Ruiz-Stuetzle temperature), keep the best.
//
// Clairvoyant by design: the search simulates the episode's own seed, so it
// sees that episode's breakdowns in advance. That makes it an upper bound on
// what any dispatcher could reach under the same disruptions, not a policy
// one could run online. At p = 0 it is a plain heuristic for the blocking
// job shop.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/core/rng.h"
#include "sim/jobshop/planner.h"
#include "sim/jobshop/replan.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::jobshop {

struct IteratedGreedyOptions {
  int evaluations = 5000;     // simulated episodes per search (la16: 37 ms)
  int remove = 2;             // operations taken out of one machine order per iteration
  double temperature = 0.4;   // x mean processing time / 10, as in Ruiz & Stuetzle
  std::uint64_t seed = 1;     // the search's own randomness (mixed with the episode seed)
};

struct SearchResult {
  // order[m]: global operation ids (job-major numbering) in priority order.
  std::vector<std::vector<int>> order;
  SimTime makespan = 0;          // of the best order (kTimeInfinity if none completes)
  SimTime start_makespan = 0;    // of the best dispatching rule (kTimeInfinity: all deadlock)
  int evaluations = 0;
};

// Searches machine orders for `instance` under `options` on episode `seed`.
SearchResult IteratedGreedySearch(const Instance& instance, const SimOptions& options,
                                  std::uint64_t seed, const IteratedGreedyOptions& search);

// The policy that searches at the first decision of an episode and then
// follows the best order. Name "ig".
class IteratedGreedyPolicy final : public Policy {
 public:
  explicit IteratedGreedyPolicy(IteratedGreedyOptions options = {}) : options_(options) {}
  std::string name() const override { return "ig"; }
  void Reset(std::uint64_t seed) override;
  int Choose(const Simulator& sim, std::span<const Candidate> candidates) override;

  const SearchResult& last_search() const { return search_; }

 private:
  IteratedGreedyOptions options_;
  std::uint64_t seed_ = 0;
  bool planned_ = false;
  SearchResult search_;
  std::vector<int> rank_;          // per global operation id
  std::vector<int> op_offset_;     // first global id of each job
};

// `ig` rebuilt on the planner (planner.h): the clairvoyant ceiling in the
// wide schedule space. At the first decision it reads the episode's own
// per-operation breakdowns (DrawOperationBreakdown: an operation that will
// fail takes duration + repair), plans that instance, and follows the plan
// in DecisionMode::kHold. The simulator then meets exactly those
// breakdowns, so the plan's makespan is what happens (up to a failure drawn
// at the very end of an operation, planned as if it delayed the job too:
// never worse). Sees the future by design. Under kMtbf (calendar failures,
// not expressible as durations) it plans the nominal durations and is then
// only a strong offline plan, not a ceiling.
struct PlannedCeilingOptions {
  std::int64_t evaluations = 200000;  // la16: ~0.2 s
  std::uint64_t seed = 1;
};

class PlannedCeilingPolicy final : public Policy {
 public:
  explicit PlannedCeilingPolicy(PlannedCeilingOptions options = {}) : options_(options) {}
  std::string name() const override { return "ig"; }
  DecisionMode decisions() const override { return DecisionMode::kHold; }
  void Reset(std::uint64_t seed) override;
  int Choose(const Simulator& sim, std::span<const Candidate> candidates) override;

  const PlanResult& last_plan() const { return plan_; }

 private:
  PlannedCeilingOptions options_;
  std::uint64_t seed_ = 0;
  bool planned_ = false;
  PlanResult plan_;
  PlanFollower follower_;
};

}  // namespace dispatchlab::jobshop
