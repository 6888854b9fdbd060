#include "sim/jobshop/search.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "sim/core/check.h"
#include "sim/jobshop/rules.h"

namespace dispatchlab::jobshop {
namespace {

std::vector<int> OpOffsets(const Instance& instance) {
  std::vector<int> offset(instance.num_jobs() + 1, 0);
  for (int j = 0; j < instance.num_jobs(); ++j)
    offset[j + 1] = offset[j] + static_cast<int>(instance.jobs[j].size());
  return offset;
}

// Index of the candidate to start: on the first candidate's machine, the
// operation ranked first. Machines decide independently (a job waits for
// one machine at a time), so taking them one by one loses nothing.
int ChooseByRank(std::span<const Candidate> candidates, const std::vector<int>& rank,
                 const std::vector<int>& offset) {
  const MachineId m = candidates[0].machine;
  int best = 0, best_rank = INT_MAX;
  for (int i = 0; i < static_cast<int>(candidates.size()); ++i) {
    if (candidates[i].machine != m) continue;
    const int r = rank[offset[candidates[i].job.value] + candidates[i].op];
    if (r < best_rank) {
      best_rank = r;
      best = i;
    }
  }
  return best;
}

class Evaluator {
 public:
  Evaluator(const Instance& instance, const SimOptions& options, std::uint64_t seed)
      : sim_(instance, options), seed_(seed), offset_(OpOffsets(instance)) {}

  SimTime Makespan(const std::vector<int>& rank) {
    ++evaluations_;
    sim_.Reset(seed_);
    while (sim_.AdvanceToDecision()) sim_.Apply(ChooseByRank(sim_.candidates(), rank, offset_));
    return sim_.result().outcome == Outcome::kCompleted ? sim_.result().makespan : kTimeInfinity;
  }
  int evaluations() const { return evaluations_; }
  const std::vector<int>& offset() const { return offset_; }

 private:
  Simulator sim_;
  std::uint64_t seed_;
  std::vector<int> offset_;
  int evaluations_ = 0;
};

// Machine orders read back from a finished schedule (by start time).
std::vector<std::vector<int>> OrdersOf(const Instance& instance, const EpisodeResult& result,
                                       const std::vector<int>& offset) {
  std::vector<std::vector<std::pair<SimTime, int>>> by_machine(instance.num_machines);
  for (const ScheduledOp& s : result.schedule)
    by_machine[s.machine.value].push_back({s.start, offset[s.job.value] + s.op});
  std::vector<std::vector<int>> order(instance.num_machines);
  for (int m = 0; m < instance.num_machines; ++m) {
    std::sort(by_machine[m].begin(), by_machine[m].end());
    for (const auto& [start, op] : by_machine[m]) order[m].push_back(op);
  }
  return order;
}

void SetRanks(const std::vector<int>& seq, std::vector<int>* rank) {
  for (int p = 0; p < static_cast<int>(seq.size()); ++p) (*rank)[seq[p]] = p;
}

}  // namespace

SearchResult IteratedGreedySearch(const Instance& instance, const SimOptions& options,
                                  std::uint64_t seed, const IteratedGreedyOptions& search) {
  DL_CHECK(search.remove >= 1);
  Evaluator eval(instance, options, seed);
  const auto& offset = eval.offset();
  SearchResult out;
  out.makespan = kTimeInfinity;

  // Start: the best rule's schedule on this very episode.
  std::vector<int> rank(instance.num_operations(), 0);
  for (Rule r : AllRules()) {
    auto policy = MakeRulePolicy(r);
    const EpisodeResult res = RunEpisode(instance, options, seed, *policy);
    if (res.outcome != Outcome::kCompleted) continue;
    auto order = OrdersOf(instance, res, offset);
    if (res.makespan < out.makespan || out.order.empty()) {
      out.order = std::move(order);
      out.makespan = res.makespan;
    }
  }
  if (out.order.empty()) {  // every rule deadlocked (no-swap mode): any order
    out.order.assign(instance.num_machines, {});
    for (int j = 0; j < instance.num_jobs(); ++j)
      for (int k = 0; k < static_cast<int>(instance.jobs[j].size()); ++k)
        out.order[instance.jobs[j][k].machine.value].push_back(offset[j] + k);
  }
  for (const auto& seq : out.order) SetRanks(seq, &rank);
  out.makespan = eval.Makespan(rank);  // the rule replayed through its orders
  out.start_makespan = out.makespan;

  std::vector<int> machines;
  for (int m = 0; m < instance.num_machines; ++m)
    if (out.order[m].size() >= 2) machines.push_back(m);
  if (machines.empty() || search.evaluations <= 1) {
    out.evaluations = eval.evaluations();
    return out;
  }
  const double temperature = search.temperature * static_cast<double>(instance.TotalWork()) /
                             (static_cast<double>(instance.num_operations()) * 10.0);
  Rng rng = Rng::Stream(search.seed, StreamTag::kPolicy, 0x16, seed);
  auto current = out.order;
  SimTime current_ms = out.makespan;
  while (eval.evaluations() < search.evaluations) {
    const int m = machines[rng.UniformInt(0, static_cast<std::int64_t>(machines.size()) - 1)];
    std::vector<int> seq = current[m];
    std::vector<int> removed;
    const int take = std::min<int>(search.remove, static_cast<int>(seq.size()) - 1);
    for (int i = 0; i < take; ++i) {
      const auto at = rng.UniformInt(0, static_cast<std::int64_t>(seq.size()) - 1);
      removed.push_back(seq[at]);
      seq.erase(seq.begin() + at);
    }
    // Operations not yet reinserted go last on their machine.
    for (int i = 0; i < static_cast<int>(removed.size()); ++i) rank[removed[i]] = INT_MAX / 2 + i;
    // Greedy reinsertion, one operation at a time, at its best position.
    SimTime ms = kTimeInfinity;
    for (int op : removed) {
      int best_pos = 0;
      SimTime best_ms = kTimeInfinity;
      for (int pos = 0; pos <= static_cast<int>(seq.size()); ++pos) {
        seq.insert(seq.begin() + pos, op);
        SetRanks(seq, &rank);
        const SimTime t = eval.Makespan(rank);
        if (t < best_ms) {
          best_ms = t;
          best_pos = pos;
        }
        seq.erase(seq.begin() + pos);
      }
      seq.insert(seq.begin() + best_pos, op);
      ms = best_ms;
    }
    const bool accept =
        ms <= current_ms ||
        (ms != kTimeInfinity && temperature > 0 &&
         rng.Uniform() < std::exp(-static_cast<double>(ms - current_ms) / temperature));
    if (accept) {
      current[m] = seq;
      current_ms = ms;
      if (ms < out.makespan) {
        out.makespan = ms;
        out.order = current;
      }
    }
    SetRanks(current[m], &rank);  // ranks follow the current solution
  }
  out.evaluations = eval.evaluations();
  return out;
}

void IteratedGreedyPolicy::Reset(std::uint64_t seed) {
  seed_ = seed;
  planned_ = false;
}

int IteratedGreedyPolicy::Choose(const Simulator& sim, std::span<const Candidate> candidates) {
  if (!planned_) {
    search_ = IteratedGreedySearch(sim.instance(), sim.options(), seed_, options_);
    op_offset_ = OpOffsets(sim.instance());
    rank_.assign(sim.instance().num_operations(), 0);
    for (const auto& seq : search_.order) SetRanks(seq, &rank_);
    planned_ = true;
  }
  return ChooseByRank(candidates, rank_, op_offset_);
}

void PlannedCeilingPolicy::Reset(std::uint64_t seed) {
  seed_ = seed;
  planned_ = false;
  plan_ = PlanResult{};
  follower_.Set({});
}

int PlannedCeilingPolicy::Choose(const Simulator& sim, std::span<const Candidate> candidates) {
  if (!planned_) {
    const Instance& inst = sim.instance();
    PlanProblem problem = MakePlanProblem(inst, sim.options().mode);
    const BreakdownOptions& b = sim.options().breakdowns;
    if (b.model == BreakdownModel::kPerOperation) {
      const auto [lo, hi] = RepairBounds(inst, b);
      for (int j = 0; j < inst.num_jobs(); ++j)
        for (int k = 0; k < static_cast<int>(inst.jobs[j].size()); ++k) {
          Operation& op = problem.instance.jobs[j][k];
          const OperationBreakdown d = DrawOperationBreakdown(seed_, j, k, op.duration, b.p, lo, hi);
          if (d.fails) op.duration += d.repair;
        }
    }
    PlannerOptions po;
    po.evaluations = options_.evaluations;
    po.seed = Rng::Stream(options_.seed, StreamTag::kPolicy, 0x1c, seed_).NextU64();
    plan_ = Plan(problem, po);
    const auto off = OpOffsets(inst);
    PlanFollower::Plan plan(inst.num_machines);
    for (int m = 0; m < inst.num_machines; ++m)
      for (int op : plan_.sequences[m]) {
        int j = 0;
        while (off[j + 1] <= op) ++j;
        plan[m].push_back({j, op - off[j]});
      }
    follower_.Set(std::move(plan));
    planned_ = true;
  }
  return follower_.Choose(sim, candidates);
}

}  // namespace dispatchlab::jobshop
