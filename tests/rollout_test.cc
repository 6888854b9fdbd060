// Torch-free PPO parts: GAE and advantage normalisation against numbers
// worked out by hand.
#include <gtest/gtest.h>

#include "policy/rollout.h"

namespace dispatchlab::policy {
namespace {

Transition T(float reward, float value, bool done = false) {
  Transition t;
  t.reward = reward;
  t.value = value;
  t.done = done;
  return t;
}

TEST(Gae, HandComputedExample) {
  // gamma = 0.9, lambda = 0.5, rewards 1, 0, 2; values 0.5, 1.0, 1.5;
  // bootstrap V(s3) = 2.0, no terminal.
  //   d2 = 2 + 0.9 * 2.0 - 1.5 = 2.3            A2 = 2.3
  //   d1 = 0 + 0.9 * 1.5 - 1.0 = 0.35           A1 = 0.35 + 0.45 * 2.3 = 1.385
  //   d0 = 1 + 0.9 * 1.0 - 0.5 = 1.4            A0 = 1.4 + 0.45 * 1.385 = 2.02325
  std::vector<Transition> s = {T(1, 0.5f), T(0, 1.0f), T(2, 1.5f)};
  ComputeGae(s, 2.0f, 0.9, 0.5);
  EXPECT_NEAR(s[2].advantage, 2.3, 1e-6);
  EXPECT_NEAR(s[1].advantage, 1.385, 1e-6);
  EXPECT_NEAR(s[0].advantage, 2.02325, 1e-6);
  EXPECT_NEAR(s[0].ret, 2.02325 + 0.5, 1e-6);
}

TEST(Gae, EpisodeBoundaryStopsBootstrapping) {
  // The middle step ends an episode: its delta uses no next value and the
  // advantage does not flow back across it.
  //   d2 = 1 + 1 * 5 - 1 = 5 (bootstrap 5)       A2 = 5
  //   d1 = 3 - 2 = 1 (done)                       A1 = 1
  //   d0 = 0 + 1 * 2 - 1 = 1                      A0 = 1 + 1 * 1 = 2
  std::vector<Transition> s = {T(0, 1), T(3, 2, true), T(1, 1)};
  ComputeGae(s, 5.0f, 1.0, 1.0);
  EXPECT_NEAR(s[2].advantage, 5, 1e-6);
  EXPECT_NEAR(s[1].advantage, 1, 1e-6);
  EXPECT_NEAR(s[0].advantage, 2, 1e-6);
}

TEST(Gae, NormalizeGivesZeroMeanUnitStd) {
  std::vector<Transition> s(4);
  s[0].advantage = 1;
  s[1].advantage = 2;
  s[2].advantage = 3;
  s[3].advantage = 6;
  NormalizeAdvantages(s);
  double mean = 0, sq = 0;
  for (auto& t : s) mean += t.advantage;
  mean /= 4;
  for (auto& t : s) sq += (t.advantage - mean) * (t.advantage - mean);
  EXPECT_NEAR(mean, 0, 1e-6);
  EXPECT_NEAR(std::sqrt(sq / 3), 1, 1e-6);
  EXPECT_LT(s[0].advantage, s[3].advantage);
}

}  // namespace
}  // namespace dispatchlab::policy
