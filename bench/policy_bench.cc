// Learned-policy costs on one core: decision latency (one observation,
// 15x15 job shop; 8-vertiport / 40-aircraft UAM), batched inference, and a
// PPO update. Target (DESIGN.md): <= 1 ms per decision. Decisions are
// measured on both inference paths: /0 the torch-free FastNet, /1 LibTorch.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "policy/neural.h"
#include "policy/neural_policy.h"
#include "policy/rollout.h"
#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/jobshop/generator.h"
#include "sim/jobshop/rules.h"
#include "sim/uam/policies.h"

namespace dispatchlab::policy {
namespace {

std::shared_ptr<NeuralModel> Model(Domain d, int features = 2) {
  NeuralModel::SetThreads(1);
  ModelConfig c;
  c.features = features;
  return std::shared_ptr<NeuralModel>(NeuralModel::Create(d, c, 1).value());
}

// Arg 0: torch-free FastNet (what run/eval/the GUI use); arg 1: LibTorch.
std::unique_ptr<PolicyNet> NetOf(const benchmark::State& state,
                                 std::shared_ptr<const NeuralModel> model) {
  if (state.range(0) == 0) return std::make_unique<FastNetPolicyNet>(model->fast_net());
  return TorchPolicyNet(std::move(model));
}

void BM_JobShopDecision_15x15(benchmark::State& state) {
  auto model = Model(Domain::kJobShop);
  auto inst = *jobshop::GenerateInstance({.jobs = 15, .machines = 15, .seed = 3});
  jobshop::SimOptions o;
  o.breakdowns = jobshop::PerOperationBreakdowns(0.05);
  jobshop::Simulator sim(inst, o);
  sim.Reset(1);
  sim.AdvanceToDecision();
  NeuralJobShopPolicy policy(NetOf(state, model), "gat");
  policy.Reset(1);
  for (auto _ : state) benchmark::DoNotOptimize(policy.Choose(sim, sim.candidates()));
  state.SetLabel(state.range(0) == 0 ? "fast" : "torch");
}
BENCHMARK(BM_JobShopDecision_15x15)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// UAM decisions, args (path, feature version): version 1 observes the whole
// network (every corridor and aircraft), version 2 (current) only what
// touches the deciding aircraft's vertiport, so its cost grows with V, not
// V^2 + A. The 64/400 city is a generated scenario.
void UamDecision(benchmark::State& state, const uam::Scenario& s) {
  auto model = Model(Domain::kUam, static_cast<int>(state.range(1)));
  uam::Simulator sim(s);
  sim.Reset(1);
  sim.AdvanceToDecision();
  NeuralUamPolicy policy(NetOf(state, model), "gat");
  policy.Reset(sim);
  for (auto _ : state) benchmark::DoNotOptimize(policy.Choose(sim));
  state.SetLabel(fmt::format("{} v{}", state.range(0) == 0 ? "fast" : "torch", state.range(1)));
}
void BM_UamDecision_8x40(benchmark::State& state) { UamDecision(state, uam::DefaultScenario()); }
BENCHMARK(BM_UamDecision_8x40)->Args({0, 1})->Args({0, 2})->Args({1, 2})->Unit(benchmark::kMicrosecond);
void BM_UamDecision_64x400(benchmark::State& state) {
  static const uam::Scenario s = *uam::GenerateScenario({.vertiports = 64, .aircraft = 400, .seed = 3});
  UamDecision(state, s);
}
BENCHMARK(BM_UamDecision_64x400)->Args({0, 1})->Args({0, 2})->Unit(benchmark::kMicrosecond);

// Inference for 8 environments at once (what training does per step).
void BM_JobShopEvaluateBatch8_10x10(benchmark::State& state) {
  auto model = Model(Domain::kJobShop);
  std::vector<jobshop::Instance> insts;
  for (int i = 0; i < 8; ++i) insts.push_back(*jobshop::GenerateInstance({.jobs = 10, .machines = 10, .seed = static_cast<std::uint64_t>(i)}));
  std::vector<std::unique_ptr<env::JobShopEnv>> envs;
  std::vector<const env::Observation*> obs;
  for (auto& in : insts) {
    envs.push_back(std::make_unique<env::JobShopEnv>(in, jobshop::SimOptions{}));
    envs.back()->Reset(1);
    obs.push_back(&envs.back()->observation());
  }
  std::vector<std::vector<float>> probs;
  std::vector<float> values;
  for (auto _ : state) model->Evaluate(obs, &probs, &values);
}
BENCHMARK(BM_JobShopEvaluateBatch8_10x10)->Unit(benchmark::kMicrosecond);

// One PPO update (4 epochs x minibatch 128) on 512 job-shop transitions.
void BM_PpoUpdate512_10x10(benchmark::State& state) {
  auto model = Model(Domain::kJobShop);
  auto inst = *jobshop::GenerateInstance({.jobs = 10, .machines = 10, .seed = 1});
  env::JobShopEnv e(inst, jobshop::SimOptions{});
  std::vector<Transition> batch;
  Rng rng(1);
  e.Reset(0);
  while (batch.size() < 512) {
    if (e.done()) e.Reset(batch.size());
    Transition t;
    t.obs = e.observation();
    int a = 0;
    while (!t.obs.mask[a]) ++a;
    t.action = a;
    t.log_prob = -1.0f;
    t.reward = static_cast<float>(e.Step(a).reward);
    t.advantage = static_cast<float>(rng.Uniform() - 0.5);
    batch.push_back(std::move(t));
  }
  for (auto _ : state) benchmark::DoNotOptimize(model->Update(batch, PpoConfig{}, 1e-4, rng));
}
BENCHMARK(BM_PpoUpdate512_10x10)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace dispatchlab::policy

BENCHMARK_MAIN();
