// One generic conformance test over env::Env (OpenSpiel's RandomSimTest):
// random legal actions on many seeds; at every step the observation's
// buffers are checked against their own declared shapes, the mask must
// offer a legal action, rewards are finite and the episode ends within a
// bound; the same seed replays the same trajectory. A scenario family adds
// itself in a few lines (docs/ADDING_A_FAMILY.md):
//
//   MyEnv env(scenario);
//   RandomEnvTest(env, {.seeds = 20}, [&](const MyEnv& e) { /* domain checks */ });
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/core/rng.h"
#include "sim/env/env.h"

namespace dispatchlab::testing {

struct RandomEnvOptions {
  int seeds = 10;
  std::uint64_t first_seed = 0;
  std::int64_t max_steps = 1'000'000;  // an episode longer than this is a hang
};

// Buffer shapes: every declared count and dim matches the data, every edge
// and action node points inside its node set.
inline void CheckObservationShapes(const env::Observation& obs, int num_actions) {
  ASSERT_EQ(static_cast<int>(obs.mask.size()), num_actions);
  for (const auto& ns : obs.node_sets) {
    ASSERT_GE(ns.count, 0) << ns.name;
    ASSERT_EQ(ns.features.size(), static_cast<std::size_t>(ns.count) * ns.dim) << ns.name;
    for (float f : ns.features) ASSERT_TRUE(std::isfinite(f)) << ns.name << " feature";
  }
  const int sets = static_cast<int>(obs.node_sets.size());
  for (const auto& es : obs.edge_sets) {
    ASSERT_TRUE(es.src_set >= 0 && es.src_set < sets) << es.name;
    ASSERT_TRUE(es.dst_set >= 0 && es.dst_set < sets) << es.name;
    ASSERT_EQ(es.src.size(), es.dst.size()) << es.name;
    ASSERT_EQ(es.features.size(), es.src.size() * es.dim) << es.name;
    const int ns = obs.node_sets[es.src_set].count, nd = obs.node_sets[es.dst_set].count;
    for (std::size_t e = 0; e < es.src.size(); ++e) {
      ASSERT_TRUE(es.src[e] >= 0 && es.src[e] < ns) << es.name << " edge " << e;
      ASSERT_TRUE(es.dst[e] >= 0 && es.dst[e] < nd) << es.name << " edge " << e;
    }
  }
  for (float g : obs.globals) ASSERT_TRUE(std::isfinite(g)) << "global";
  ASSERT_TRUE(obs.action_node_set >= 0 && obs.action_node_set < sets);
  ASSERT_EQ(static_cast<int>(obs.action_nodes.size()), num_actions);
  for (std::int32_t n : obs.action_nodes)
    ASSERT_TRUE(n >= -1 && n < obs.node_sets[obs.action_node_set].count);
  ASSERT_EQ(obs.action_features.size(),
            static_cast<std::size_t>(num_actions) * obs.action_feature_dim);
  if (obs.query_node_set >= 0) {
    ASSERT_LT(obs.query_node_set, sets);
    ASSERT_TRUE(obs.query_node >= 0 && obs.query_node < obs.node_sets[obs.query_node_set].count);
  }
}

// Plays random legal actions; `invariant` (may be empty) runs after Reset
// and after every step with the env in its new state.
template <typename E>
void RandomEnvTest(E& env, const RandomEnvOptions& o,
                   const std::function<void(const E&)>& invariant = {}) {
  for (int k = 0; k < o.seeds; ++k) {
    const std::uint64_t seed = o.first_seed + static_cast<std::uint64_t>(k);
    std::vector<int> actions;
    std::vector<double> rewards;
    for (int pass = 0; pass < 2; ++pass) {  // pass 1 replays pass 0
      SCOPED_TRACE(::testing::Message() << "seed " << seed << " pass " << pass);
      Rng rng = Rng::Stream(seed, StreamTag::kPolicy, 0xc0f);
      env.Reset(seed);
      ASSERT_EQ(env.steps(), 0);
      if (invariant) invariant(env);
      std::size_t i = 0;
      double total = 0;
      while (!env.done()) {
        ASSERT_LT(env.steps(), o.max_steps) << "episode does not end";
        const env::Observation& obs = env.observation();
        CheckObservationShapes(obs, env.num_actions());
        if (::testing::Test::HasFatalFailure()) return;
        std::vector<int> legal;
        for (int a = 0; a < env.num_actions(); ++a)
          if (obs.mask[a]) legal.push_back(a);
        ASSERT_FALSE(legal.empty()) << "a decision with no legal action";
        int a = legal[rng.UniformInt(0, static_cast<std::int64_t>(legal.size()) - 1)];
        if (pass == 0) {
          actions.push_back(a);
        } else {
          ASSERT_LT(i, actions.size()) << "replay took more steps";
          ASSERT_EQ(a, actions[i]);
        }
        const env::StepResult r = env.Step(a);
        ASSERT_TRUE(std::isfinite(r.reward));
        ASSERT_EQ(r.done, env.done());
        total += r.reward;
        if (pass == 0) rewards.push_back(r.reward);
        else ASSERT_EQ(r.reward, rewards[i]) << "same seed, same actions, other reward";
        ++i;
        if (invariant) invariant(env);
        if (::testing::Test::HasFatalFailure()) return;
      }
      if (pass == 1) ASSERT_EQ(i, actions.size()) << "replay ended early";
      ASSERT_NEAR(total, env.episode_return(), 1e-6 * (1 + std::abs(total)));
    }
  }
}

}  // namespace dispatchlab::testing
