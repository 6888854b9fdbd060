// UAM simulator throughput: decisions per second on the default 8/40
// scenario with uncertainty on, per policy; and the env observation cost.
#include <benchmark/benchmark.h>

#include "sim/env/uam_env.h"
#include "sim/uam/policies.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::uam {
namespace {

template <typename P>
void RunDays(benchmark::State& state) {
  const Scenario s = DefaultScenario();
  Simulator sim(s, SimOptions{.record_timeline = false});
  P policy;
  std::uint64_t seed = 0;
  std::int64_t decisions = 0;
  for (auto _ : state) {
    sim.Reset(seed++);
    policy.Reset(sim);
    while (sim.AdvanceToDecision()) sim.Apply(policy.Choose(sim));
    decisions += sim.kpis().decisions;
  }
  state.counters["decisions/s"] =
      benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
}
void BM_Day_Random(benchmark::State& s) { RunDays<RandomPolicy>(s); }
void BM_Day_Greedy(benchmark::State& s) { RunDays<GreedyPolicy>(s); }
BENCHMARK(BM_Day_Random)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Day_Greedy)->Unit(benchmark::kMillisecond);

// The GA's planning for one scenario (default options): what a day costs
// before the first decision.
void BM_GaPlan(benchmark::State& state) {
  const Scenario s = DefaultScenario();
  Simulator sim(s);
  sim.Reset(0);
  for (auto _ : state) {
    GaPolicy ga;
    ga.Reset(sim);
    benchmark::DoNotOptimize(ga.best_forecast_profit());
  }
}
BENCHMARK(BM_GaPlan)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_EnvStep_Greedy(benchmark::State& state) {
  const Scenario s = DefaultScenario();
  env::UamEnv e(s);
  GreedyPolicy g;
  std::uint64_t seed = 0;
  e.Reset(seed);
  std::int64_t steps = 0;
  for (auto _ : state) {
    if (e.done()) e.Reset(++seed);
    e.Step(g.Choose(e.simulator()));
    ++steps;
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EnvStep_Greedy);

}  // namespace
}  // namespace dispatchlab::uam

BENCHMARK_MAIN();
