// The training update (forward + backward on batched graphs) on both GAT
// paths in one process: /fused:0 the reference built from LibTorch ops
// (index_select, scatter_add, elementwise), /fused:1 the fused attention
// aggregation (the default). 512 job-shop transitions from generated 15x10
// instances at breakdown probability 0.05, random legal actions; on 1 and
// on 2 intra-op threads (/threads:). Compare old/new within one run: the
// machine is shared and its speed drifts between runs.
#include <benchmark/benchmark.h>

#include <cmath>

#include "policy/neural.h"
#include "sim/env/jobshop_env.h"
#include "sim/jobshop/generator.h"

namespace dispatchlab::policy {
namespace {

constexpr int kTransitions = 512;

// Decisions of random legal play on 15x10 instances (a new instance per
// episode), with made-up log-probabilities, advantages and returns: the
// update's cost does not depend on their values.
const std::vector<Transition>& JobShopBatch() {
  static const std::vector<Transition> batch = [] {
    std::vector<Transition> out;
    Rng rng(7);
    jobshop::SimOptions o;
    o.breakdowns = jobshop::PerOperationBreakdowns(0.05);
    for (std::uint64_t ep = 0; out.size() < kTransitions; ++ep) {
      auto inst = *jobshop::GenerateInstance({.jobs = 15, .machines = 10, .seed = 100 + ep});
      env::JobShopEnv e(inst, o);
      e.Reset(ep);
      while (!e.done() && out.size() < kTransitions) {
        Transition t;
        t.obs = e.observation();
        std::vector<int> legal;
        for (int a = 0; a < e.num_actions(); ++a)
          if (t.obs.mask[a]) legal.push_back(a);
        t.action = legal[rng.UniformInt(0, static_cast<std::int64_t>(legal.size()) - 1)];
        t.log_prob = -static_cast<float>(std::log(static_cast<double>(legal.size())));
        t.value = 0;
        t.reward = static_cast<float>(e.Step(t.action).reward);
        t.advantage = static_cast<float>(rng.Uniform() - 0.5);
        t.ret = static_cast<float>(rng.Uniform() - 0.5);
        out.push_back(std::move(t));
      }
    }
    return out;
  }();
  return batch;
}

std::unique_ptr<NeuralModel> Model(const benchmark::State& state) {
  NeuralModel::SetThreads(static_cast<int>(state.range(1)));
  testing::SetFusedGat(state.range(0) != 0);
  return NeuralModel::Create(Domain::kJobShop, ModelConfig{}, 1).value();
}

// One imitation pass: 1 epoch, minibatch 256 (2 steps).
void BM_ImitationUpdate512_15x10(benchmark::State& state) {
  const auto& batch = JobShopBatch();
  auto model = Model(state);
  Rng rng(1);
  for (auto _ : state)
    benchmark::DoNotOptimize(model->UpdateImitation(batch, 1, 256, 1e-4, 0.5, rng));
  testing::SetFusedGat(true);
}
BENCHMARK(BM_ImitationUpdate512_15x10)
    ->ArgNames({"fused", "threads"})
    ->ArgsProduct({{0, 1}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// One PPO update: 1 epoch, minibatch 128 (4 steps, plus the no-grad loss
// before and after on 256 transitions).
void BM_PpoUpdate512_15x10(benchmark::State& state) {
  const auto& batch = JobShopBatch();
  auto model = Model(state);
  PpoConfig ppo;
  ppo.epochs = 1;
  ppo.minibatch = 128;
  Rng rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(model->Update(batch, ppo, 1e-4, rng));
  testing::SetFusedGat(true);
}
BENCHMARK(BM_PpoUpdate512_15x10)
    ->ArgNames({"fused", "threads"})
    ->ArgsProduct({{0, 1}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

}  // namespace
}  // namespace dispatchlab::policy

BENCHMARK_MAIN();
