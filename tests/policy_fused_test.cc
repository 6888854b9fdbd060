// The fused GAT kernels (testing::SetFusedGat(true), the default) against
// the reference built from LibTorch operations: same outputs and the same
// parameter gradients on random batches of both domains (built with torch
// only).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "policy/neural.h"
#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/jobshop/generator.h"
#include "sim/uam/scenario.h"

namespace dispatchlab::policy {
namespace {

// Restores the default path and one thread whatever a test does.
class FusedGat : public ::testing::Test {
 protected:
  void TearDown() override {
    testing::SetFusedGat(true);
    NeuralModel::SetThreads(1);
  }
};

// Observations of random legal play: `take` decisions spread over episodes
// of `env` (every `stride`-th decision, a new episode when one ends).
std::vector<env::Observation> RandomPlay(env::Env& env, int take, int stride, std::uint64_t seed) {
  std::vector<env::Observation> out;
  Rng rng(seed);
  env.Reset(seed);
  for (int step = 0; static_cast<int>(out.size()) < take; ++step) {
    if (env.done()) env.Reset(seed + step);
    const env::Observation& o = env.observation();
    if (step % stride == 0) out.push_back(o);
    std::vector<int> legal;
    for (int a = 0; a < env.num_actions(); ++a)
      if (o.mask[a]) legal.push_back(a);
    env.Step(legal[rng.UniformInt(0, static_cast<std::int64_t>(legal.size()) - 1)]);
  }
  return out;
}

// Largest |a - b| relative to the reference's largest magnitude, or to
// `floor` when that is smaller: wk.bias gets a gradient ~1e-3 of the others
// (shifting every key alike cancels in the softmax over actions), a sum
// that cancels down to float rounding of its terms.
double RelativeError(const std::vector<float>& a, const std::vector<float>& b,
                     double floor = 1e-6) {
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return diff / std::max(scale, floor);
}

// Forward outputs and every parameter's gradient on both paths (the fused
// one on 1 and on 2 threads: the backward splits edges into per-thread
// chunks) agree to 1e-4 of each tensor's scale.
void ExpectSamePaths(Domain domain, const std::vector<env::Observation>& observations) {
  NeuralModel::SetThreads(1);
  auto model = NeuralModel::Create(domain, ModelConfig{}, 11).value();
  std::vector<const env::Observation*> obs;
  for (const auto& o : observations) obs.push_back(&o);
  testing::SetFusedGat(false);
  const auto ref = testing::RunForwardBackward(*model, obs, 5);
  for (int threads : {1, 2}) {
    SCOPED_TRACE(::testing::Message() << threads << " threads");
    NeuralModel::SetThreads(threads);
    testing::SetFusedGat(true);
    const auto fused = testing::RunForwardBackward(*model, obs, 5);
    ASSERT_EQ(fused.log_probs.size(), ref.log_probs.size());
    ASSERT_EQ(fused.values.size(), ref.values.size());
    EXPECT_LT(RelativeError(fused.log_probs, ref.log_probs), 1e-5);
    EXPECT_LT(RelativeError(fused.values, ref.values), 1e-5);
    ASSERT_EQ(fused.grads.size(), ref.grads.size());
    int with_grad = 0;
    for (std::size_t p = 0; p < ref.grads.size(); ++p) {
      SCOPED_TRACE(ref.grads[p].first);
      ASSERT_EQ(fused.grads[p].first, ref.grads[p].first);
      ASSERT_EQ(fused.grads[p].second.size(), ref.grads[p].second.size());
      if (ref.grads[p].second.empty()) continue;
      ++with_grad;
      EXPECT_LT(RelativeError(fused.grads[p].second, ref.grads[p].second, 1e-2), 1e-4);
    }
    // Everything but the projections of featureless edge sets learns.
    EXPECT_GT(with_grad, static_cast<int>(ref.grads.size()) * 3 / 4);
  }
}

TEST_F(FusedGat, SameOutputsAndGradientsOnJobShopBatches) {
  // 15x10 with breakdowns (p = 0.05): 24 decisions from early to late in
  // two episodes on two instances, so graphs differ in size and state.
  std::vector<env::Observation> obs;
  jobshop::SimOptions o;
  o.breakdowns = jobshop::PerOperationBreakdowns(0.05);
  for (std::uint64_t seed : {1, 2}) {
    auto inst = *jobshop::GenerateInstance({.jobs = 15, .machines = 10, .seed = seed});
    env::JobShopEnv e(inst, o);
    for (auto& x : RandomPlay(e, 12, 11, seed)) obs.push_back(std::move(x));
  }
  auto small = *jobshop::GenerateInstance({.jobs = 4, .machines = 3, .seed = 3});
  env::JobShopEnv e(small, jobshop::SimOptions{});
  for (auto& x : RandomPlay(e, 3, 2, 3)) obs.push_back(std::move(x));
  ExpectSamePaths(Domain::kJobShop, obs);
}

TEST_F(FusedGat, SameOutputsAndGradientsOnUamBatches) {
  // UAM has edge features (the projected bias enters per edge) and the
  // forecast sequence set.
  const uam::Scenario s = uam::DefaultScenario();
  env::UamEnv e(s);
  ExpectSamePaths(Domain::kUam, RandomPlay(e, 16, 3, 4));
}

TEST_F(FusedGat, HandComputedAttentionOnBothPaths) {
  // The three-node graph of policy_test's GatLayer test: out_2 =
  // (0.528290, -0.801353), out_0 = x2 = (1, 1), node 1 has no edge: 0.
  for (bool fused : {false, true}) {
    SCOPED_TRACE(fused ? "fused" : "reference");
    testing::SetFusedGat(fused);
    const auto out = testing::GatAggregate({1, 0, 0, -2, 1, 1}, 3, 2, {0, 1, 2, 2},
                                           {2, 2, 2, 0}, {1, -1});
    ASSERT_EQ(out.size(), 6u);
    const float want[] = {1, 1, 0, 0, 0.528290f, -0.801353f};
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(out[i], want[i], 1e-5) << i;
  }
}

}  // namespace
}  // namespace dispatchlab::policy
