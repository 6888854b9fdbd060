// Job-shop simulator throughput: operations dispatched per second with a
// rule policy on 15x10 instances (la21 size) with interruptions on.
// Target (DESIGN.md): >= 1M decisions/s on one core.
#include <benchmark/benchmark.h>

#include "scenarios/catalog.h"
#include "sim/env/jobshop_env.h"
#include "sim/jobshop/generator.h"
#include "sim/jobshop/planner.h"
#include "sim/jobshop/replan.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/search.h"
#include "sim/jobshop/validator.h"

namespace dispatchlab::jobshop {
namespace {

std::vector<Instance> Instances15x10() {
  std::vector<Instance> out;
  for (std::uint64_t s = 0; s < 8; ++s) {
    auto r = GenerateInstance({.jobs = 15, .machines = 10, .seed = s});
    out.push_back(*r);
  }
  return out;
}

void RunRule(benchmark::State& state, Rule rule, double p, BlockingMode mode) {
  const auto instances = Instances15x10();
  SimOptions o;
  o.mode = mode;
  o.breakdowns = PerOperationBreakdowns(p);
  std::vector<Simulator> sims;
  for (const auto& inst : instances) sims.emplace_back(inst, o);
  auto policy = MakeRulePolicy(rule);
  std::uint64_t seed = 0;
  std::int64_t ops = 0, decisions = 0;
  for (auto _ : state) {
    Simulator& sim = sims[seed % sims.size()];
    sim.Reset(seed);
    policy->Reset(seed);
    while (sim.AdvanceToDecision()) sim.Apply(policy->Choose(sim, sim.candidates()));
    ops += sim.result().operations_dispatched;
    decisions += sim.result().decisions;
    ++seed;
  }
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
  state.counters["decisions/s"] =
      benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
}

void BM_Spt_15x10_p005(benchmark::State& s) { RunRule(s, Rule::kSpt, 0.05, BlockingMode::kSwap); }
void BM_Spt_15x10_p0(benchmark::State& s) { RunRule(s, Rule::kSpt, 0.0, BlockingMode::kSwap); }
void BM_Mwkr_15x10_p02(benchmark::State& s) { RunRule(s, Rule::kMwkr, 0.2, BlockingMode::kSwap); }
void BM_Random_15x10_p005(benchmark::State& s) { RunRule(s, Rule::kRandom, 0.05, BlockingMode::kSwap); }
void BM_Spt_15x10_p005_bns(benchmark::State& s) { RunRule(s, Rule::kSpt, 0.05, BlockingMode::kNoSwap); }
BENCHMARK(BM_Spt_15x10_p005);
BENCHMARK(BM_Spt_15x10_p0);
BENCHMARK(BM_Mwkr_15x10_p02);
BENCHMARK(BM_Random_15x10_p005);
BENCHMARK(BM_Spt_15x10_p005_bns);

// Cost of the observation a learned policy reads at each decision (15x15).
void BM_EnvObservation_15x15(benchmark::State& state) {
  auto inst = *GenerateInstance({.jobs = 15, .machines = 15, .seed = 1});
  SimOptions o;
  o.breakdowns = PerOperationBreakdowns(0.05);
  env::JobShopEnv e(inst, o);
  std::uint64_t seed = 0;
  std::int64_t steps = 0;
  e.Reset(seed);
  for (auto _ : state) {
    if (e.done()) e.Reset(++seed);
    const auto& mask = e.observation().mask;
    int a = 0;
    while (!mask[a]) ++a;
    e.Step(a);
    ++steps;
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EnvObservation_15x15);

// The validator, for scale (it runs once per episode in `run`).
void BM_Validate_15x10(benchmark::State& state) {
  auto inst = *GenerateInstance({.jobs = 15, .machines = 10, .seed = 1});
  SimOptions o;
  o.breakdowns = PerOperationBreakdowns(0.05);
  auto policy = MakeRulePolicy(Rule::kSpt);
  auto r = RunEpisode(inst, o, 1, *policy);
  auto rows = ToScheduleRows(r);
  auto down = ToDownRows(r);
  for (auto _ : state) benchmark::DoNotOptimize(ValidateSchedule(inst, rows, down, true));
}
BENCHMARK(BM_Validate_15x10);

// The iterated-greedy ceiling on la16 (10x10) at p = 0.05 by evaluation
// budget: wall time per search and the makespan it reaches (mean of 4
// episode seeds; counter "start" is the best rule's).
void BM_IteratedGreedy_la16(benchmark::State& state) {
  auto inst = *scenarios::LoadJobShopInstance("la16");
  SimOptions o;
  o.breakdowns = PerOperationBreakdowns(0.05);
  IteratedGreedyOptions g;
  g.evaluations = static_cast<int>(state.range(0));
  double makespan = 0, start = 0;
  std::int64_t n = 0;
  for (auto _ : state) {
    const auto r = IteratedGreedySearch(inst, o, static_cast<std::uint64_t>(n % 4), g);
    makespan += static_cast<double>(r.makespan);
    start += static_cast<double>(r.start_makespan);
    ++n;
  }
  state.counters["makespan"] = makespan / static_cast<double>(n);
  state.counters["start"] = start / static_cast<double>(n);
}
BENCHMARK(BM_IteratedGreedy_la16)->Arg(1500)->Arg(5000)->Arg(20000)->Arg(80000)
    ->Unit(benchmark::kMillisecond)->Iterations(4);

// The planner (sim/jobshop/planner.h): evaluations per second of one
// thread (an evaluation is one longest-path sweep of the alternative graph
// over all operations), with the makespan reached, on la16 (10x10) and a
// generated 20x10 instance, BWS and BNS.
void RunPlanner(benchmark::State& state, const Instance& inst, BlockingMode mode) {
  PlannerOptions o;
  o.evaluations = state.range(0);
  std::int64_t evals = 0;
  double makespan = 0;
  std::uint64_t seed = 0;
  for (auto _ : state) {
    o.seed = ++seed;
    const PlanResult r = Plan(MakePlanProblem(inst, mode), o);
    evals += r.evaluations;
    makespan += static_cast<double>(r.makespan);
  }
  state.counters["evals/s"] = benchmark::Counter(static_cast<double>(evals), benchmark::Counter::kIsRate);
  state.counters["makespan"] = makespan / static_cast<double>(state.iterations());
}
void BM_Planner_la16(benchmark::State& s) {
  RunPlanner(s, *scenarios::LoadJobShopInstance("la16"), BlockingMode::kSwap);
}
void BM_Planner_la16_bns(benchmark::State& s) {
  RunPlanner(s, *scenarios::LoadJobShopInstance("la16"), BlockingMode::kNoSwap);
}
void BM_Planner_20x10(benchmark::State& s) {
  RunPlanner(s, *GenerateInstance({.jobs = 20, .machines = 10, .seed = 1}), BlockingMode::kSwap);
}
BENCHMARK(BM_Planner_la16)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Planner_la16_bns)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Planner_20x10)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(2);

// One evaluation alone (the planner's inner loop) on la16's best-of-short-run
// sequences.
void BM_SequenceEvaluator_la16(benchmark::State& state) {
  const Instance inst = *scenarios::LoadJobShopInstance("la16");
  const PlanProblem problem = MakePlanProblem(inst, BlockingMode::kSwap);
  PlannerOptions o;
  o.evaluations = 20000;
  const MachineSeqs seqs = Plan(problem, o).sequences;
  SequenceEvaluator eval(problem);
  for (auto _ : state) benchmark::DoNotOptimize(eval.Evaluate(seqs));
  state.counters["evals/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SequenceEvaluator_la16);

// replan at p = 0.1 on la16: wall time of a whole episode (plan at time 0
// plus one re-plan per failure and per repair), with its makespan.
void BM_Replan_la16_p01(benchmark::State& state) {
  const Instance inst = *scenarios::LoadJobShopInstance("la16");
  SimOptions o;
  o.breakdowns = PerOperationBreakdowns(0.1);
  ReplanPolicy policy;
  double makespan = 0, replans = 0;
  std::uint64_t seed = 0;
  for (auto _ : state) {
    const EpisodeResult r = RunEpisode(inst, o, ++seed, policy);
    makespan += static_cast<double>(r.makespan);
    replans += policy.replans();
  }
  state.counters["makespan"] = makespan / static_cast<double>(state.iterations());
  state.counters["replans"] = replans / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Replan_la16_p01)->Unit(benchmark::kMillisecond)->Iterations(4);

}  // namespace
}  // namespace dispatchlab::jobshop

BENCHMARK_MAIN();
