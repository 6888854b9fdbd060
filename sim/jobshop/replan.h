// `replan`: the predictive-reactive online policy (DESIGN.md, domain A).
//
// At the first decision it plans the whole instance with the planner
// (planner.h) as if no machine ever broke, then follows the plan: at every
// decision it starts the candidate that is next in its machine's planned
// sequence and holds the other machines (DecisionMode::kHold, which it asks
// for through Policy::decisions()). Whenever it sees that a machine broke
// down or was repaired since its last look, it re-plans the remaining work
// from the current state with a bounded budget:
//   * operations already started are fixed: a job in process keeps its
//     machine (its remaining processing, plus the remaining repair if the
//     machine is down, is its duration), and a finished job still blocking
//     its machine keeps it until its next operation starts;
//   * a machine that is down accepts nothing before its announced repair
//     time (known once it has failed; a real shop knows its repair estimate);
//   * the previous plan, restricted to what is left, is the warm start, so
//     a re-plan is never worse than continuing the old plan.
// It uses no information about the future: only the simulator's current
// state (statuses, remaining times, machines down and their repair times).
// Future breakdowns are not modelled (the plan assumes none).
//
// Budgets are counted in planner evaluations so that an episode stays a pure
// function of (scenario, seed, policy); an optional wall-clock cap per
// re-plan needs a clock from the composition root (sim/ has no clock), and
// makes episodes timing-dependent.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/jobshop/planner.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::jobshop {

// Follows planned machine sequences: starts the candidate that is next on
// its machine, else holds a machine (kHold), else (nothing pending, or
// non-delay mode) takes the candidate planned earliest on its machine.
class PlanFollower {
 public:
  using Plan = std::vector<std::vector<std::pair<int, int>>>;  // [m] -> (job, op)
  void Set(Plan plan);
  bool empty() const { return plan_.empty(); }
  int Choose(const Simulator& sim, std::span<const Candidate> candidates);
  const Plan& plan() const { return plan_; }
  // Per machine, the first planned operation not yet started (as of the last
  // Choose or Advance).
  const std::vector<std::size_t>& next() const { return next_; }
  void Advance(const Simulator& sim);

 private:
  Plan plan_;
  std::vector<std::size_t> next_;
};

struct ReplanOptions {
  std::int64_t plan_evaluations = 200000;   // the plan at time 0 (la16: ~0.3 s)
  std::int64_t replan_evaluations = 5000;   // each re-plan (la16: ~5 ms)
  double replan_ms = 0;                     // > 0: also stop a re-plan after this
  std::function<double()> clock_ms;         // monotonic milliseconds (for replan_ms)
  std::uint64_t seed = 1;                   // the planner's randomness
};

class ReplanPolicy final : public Policy {
 public:
  explicit ReplanPolicy(ReplanOptions options = {}) : options_(std::move(options)) {}
  std::string name() const override { return "replan"; }
  DecisionMode decisions() const override { return DecisionMode::kHold; }
  void Reset(std::uint64_t seed) override;
  int Choose(const Simulator& sim, std::span<const Candidate> candidates) override;
  // After Reset: the first plan starts from `plan` (machine sequences of
  // the whole instance, e.g. those of an episode played from this state)
  // instead of the planner's construction, so it is never worse than
  // following `plan` from the current state (as the planner scores it: no
  // future breakdown). An infeasible warm start is ignored.
  void WarmStart(PlanFollower::Plan plan) { follower_.Set(std::move(plan)); }
  // The machine sequences of a completed episode (starts in time order).
  static PlanFollower::Plan SequencesOf(const Instance& instance, const EpisodeResult& result);

  // Statistics of the current episode.
  int replans() const { return replans_; }          // re-plans after time 0
  std::int64_t evaluations() const { return evaluations_; }
  SimTime planned_makespan() const { return planned_makespan_; }  // last plan, absolute
  const PlanFollower& follower() const { return follower_; }

 private:
  void Replan(const Simulator& sim);

  ReplanOptions options_;
  std::uint64_t episode_seed_ = 0;
  bool planned_ = false;
  int seen_breakdowns_ = 0;
  int seen_repairs_ = 0;
  int replans_ = 0;
  std::int64_t evaluations_ = 0;
  SimTime planned_makespan_ = 0;
  PlanFollower follower_;
};

}  // namespace dispatchlab::jobshop
