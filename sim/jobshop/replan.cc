#include "sim/jobshop/replan.h"

#include <algorithm>
#include <climits>

#include "sim/core/check.h"
#include "sim/core/rng.h"

namespace dispatchlab::jobshop {
namespace {

int RepairsSeen(const Simulator& sim) {
  int down = 0;
  for (int m = 0; m < sim.instance().num_machines; ++m) down += sim.machine_down(m) ? 1 : 0;
  return sim.result().breakdowns - down;
}

}  // namespace

void ReplanPolicy::Reset(std::uint64_t seed) {
  episode_seed_ = seed;
  planned_ = false;
  seen_breakdowns_ = seen_repairs_ = replans_ = 0;
  evaluations_ = 0;
  planned_makespan_ = 0;
  follower_.Set({});
}

// The residual problem: per unfinished job, its remaining operations; the
// first one pinned when it is in process or when the job, finished with its
// previous operation, still blocks that machine (a zero-length pseudo
// operation on the held machine). Times are relative to now.
void ReplanPolicy::Replan(const Simulator& sim) {
  const Instance& inst = sim.instance();
  const SimTime now = sim.now();
  PlanProblem problem;
  problem.mode = sim.options().mode;
  problem.instance.name = inst.name;
  problem.instance.num_machines = inst.num_machines;
  std::vector<std::pair<int, int>> origin;  // residual op id -> (job, op)
  std::vector<SimTime> machine_free(inst.num_machines, 0);
  for (int m = 0; m < inst.num_machines; ++m)
    if (sim.machine_down(m)) machine_free[m] = sim.repair_time(m) - now;
  for (int j = 0; j < inst.num_jobs(); ++j) {
    const auto status = sim.job_status(j);
    if (status == Simulator::JobStatus::kDone) continue;
    std::vector<Operation> ops;
    int k0 = sim.next_op(j);
    bool pinned = false;
    SimTime first_duration = -1;
    if (status == Simulator::JobStatus::kProcessing) {
      const int m = inst.jobs[j][k0].machine.value;
      first_duration = sim.remaining_processing(j) + machine_free[m];
      pinned = true;
    } else if (status == Simulator::JobStatus::kBlocked) {
      k0 -= 1;  // the finished operation whose machine the job still holds
      first_duration = 0;
      pinned = true;
    }
    for (int k = k0; k < static_cast<int>(inst.jobs[j].size()); ++k) {
      Operation op = inst.jobs[j][k];
      const bool first = k == k0;
      if (first && pinned) op.duration = first_duration;
      ops.push_back(op);
      problem.release.push_back(first && pinned ? 0 : machine_free[op.machine.value]);
      problem.pinned.push_back(first && pinned ? 1 : 0);
      origin.push_back({j, k});
    }
    problem.instance.jobs.push_back(std::move(ops));
  }
  // Warm start: what is left of the previous plan, pinned operations first.
  PlannerOptions po;
  follower_.Advance(sim);
  const auto& old_plan = follower_.plan();
  const auto& old_next = follower_.next();
  if (!follower_.empty()) {
    std::vector<int> residual_id(inst.num_operations(), -1);
    std::vector<int> offset(inst.num_jobs() + 1, 0);
    for (int j = 0; j < inst.num_jobs(); ++j)
      offset[j + 1] = offset[j] + static_cast<int>(inst.jobs[j].size());
    for (std::size_t r = 0; r < origin.size(); ++r)
      residual_id[offset[origin[r].first] + origin[r].second] = static_cast<int>(r);
    po.initial.assign(inst.num_machines, {});
    for (std::size_t r = 0; r < origin.size(); ++r)
      if (problem.pinned[r]) po.initial[inst.jobs[origin[r].first][origin[r].second].machine.value]
                                 .push_back(static_cast<int>(r));
    for (int m = 0; m < inst.num_machines; ++m) {
      for (std::size_t i = old_next[m]; i < old_plan[m].size(); ++i) {
        const auto [j, k] = old_plan[m][i];
        const int r = residual_id[offset[j] + k];
        if (r >= 0 && !problem.pinned[r]) po.initial[m].push_back(r);
      }
    }
  }
  po.evaluations = planned_ ? options_.replan_evaluations : options_.plan_evaluations;
  po.seed = Rng::Stream(options_.seed, StreamTag::kPolicy, episode_seed_,
                        static_cast<std::uint64_t>(replans_) + (planned_ ? 1 : 0))
                .NextU64();
  if (options_.replan_ms > 0 && options_.clock_ms && planned_) {
    const double deadline = options_.clock_ms() + options_.replan_ms;
    po.stop = [this, deadline] { return options_.clock_ms() >= deadline; };
  }
  const PlanResult result = Plan(problem, po);
  evaluations_ += result.evaluations;
  seen_breakdowns_ = sim.result().breakdowns;
  seen_repairs_ = RepairsSeen(sim);
  if (planned_) ++replans_;
  planned_ = true;
  // No feasible plan (only after the policy had to deviate from its plan):
  // keep the old one; Choose falls back to its ranks.
  if (result.sequences.empty()) return;
  planned_makespan_ = now + result.makespan;

  PlanFollower::Plan plan(inst.num_machines);
  for (int m = 0; m < inst.num_machines; ++m)
    for (int r : result.sequences[m])
      if (!problem.pinned[r]) plan[m].push_back(origin[r]);
  follower_.Set(std::move(plan));
}

PlanFollower::Plan ReplanPolicy::SequencesOf(const Instance& instance,
                                             const EpisodeResult& result) {
  std::vector<std::vector<const ScheduledOp*>> by_machine(instance.num_machines);
  for (const ScheduledOp& op : result.schedule)
    if (op.start >= 0) by_machine[op.machine.value].push_back(&op);
  PlanFollower::Plan plan(instance.num_machines);
  for (int m = 0; m < instance.num_machines; ++m) {
    // As MachineSequences (schedule.h): an empty occupation [t, t) comes
    // before one from t.
    std::stable_sort(by_machine[m].begin(), by_machine[m].end(),
                     [](const ScheduledOp* a, const ScheduledOp* b) {
                       return a->start != b->start ? a->start < b->start : a->leave < b->leave;
                     });
    for (const ScheduledOp* op : by_machine[m]) plan[m].push_back({op->job.value, op->op});
  }
  return plan;
}

int ReplanPolicy::Choose(const Simulator& sim, std::span<const Candidate> candidates) {
  if (!planned_ || sim.result().breakdowns != seen_breakdowns_ ||
      RepairsSeen(sim) != seen_repairs_)
    Replan(sim);
  return follower_.Choose(sim, candidates);
}

void PlanFollower::Set(Plan plan) {
  plan_ = std::move(plan);
  next_.assign(plan_.size(), 0);
}

void PlanFollower::Advance(const Simulator& sim) {
  for (std::size_t m = 0; m < plan_.size(); ++m) {
    auto& i = next_[m];
    while (i < plan_[m].size() && sim.scheduled(plan_[m][i].first, plan_[m][i].second).start >= 0)
      ++i;
  }
}

int PlanFollower::Choose(const Simulator& sim, std::span<const Candidate> candidates) {
  Advance(sim);
  auto is_next = [&](const Candidate& c) {
    const std::size_t m = static_cast<std::size_t>(c.machine.value);
    return m < plan_.size() && next_[m] < plan_[m].size() &&
           plan_[m][next_[m]].first == c.job.value && plan_[m][next_[m]].second == c.op;
  };
  for (int i = 0; i < static_cast<int>(candidates.size()); ++i)
    if (!candidates[i].hold() && is_next(candidates[i])) return i;
  for (int i = 0; i < static_cast<int>(candidates.size()); ++i)
    if (candidates[i].hold()) return i;
  // The plan cannot be followed (non-delay mode, or nothing is pending):
  // take the candidate planned earliest on its machine.
  int best = 0, best_rank = INT_MAX;
  for (int i = 0; i < static_cast<int>(candidates.size()); ++i) {
    const std::size_t m = static_cast<std::size_t>(candidates[i].machine.value);
    int rank = INT_MAX - 1;
    if (m < plan_.size()) {
      for (std::size_t p = next_[m]; p < plan_[m].size(); ++p)
        if (plan_[m][p].first == candidates[i].job.value && plan_[m][p].second == candidates[i].op) {
          rank = static_cast<int>(p - next_[m]);
          break;
        }
    }
    if (rank < best_rank) {
      best_rank = rank;
      best = i;
    }
  }
  return best;
}

}  // namespace dispatchlab::jobshop
