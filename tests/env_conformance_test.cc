// Both scenario families pass the one generic Env conformance test
// (tests/env_conformance.h), each in a few lines plus its own invariants.
#include <gtest/gtest.h>

#include "scenarios/catalog.h"
#include "scenarios/uam_json.h"
#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/jobshop/generator.h"
#include "sim/uam/scenario.h"
#include "tests/env_conformance.h"

namespace dispatchlab {
namespace {

using testing::RandomEnvTest;

TEST(EnvConformance, JobShopBuiltinAndGeneratedWithBreakdowns) {
  for (const char* name : {"ft06", "la01"}) {
    auto inst = scenarios::LoadJobShopInstance(name);
    ASSERT_TRUE(inst.ok());
    for (double p : {0.0, 0.2}) {
      jobshop::SimOptions o;
      o.breakdowns = jobshop::PerOperationBreakdowns(p);
      env::JobShopEnv e(*inst, o);
      // Domain invariant: the mask is exactly the simulator's candidate jobs.
      RandomEnvTest<env::JobShopEnv>(e, {.seeds = 6}, [](const env::JobShopEnv& env) {
        if (env.done()) return;
        int legal = 0;
        for (auto m : env.observation().mask) legal += m;
        ASSERT_EQ(legal, static_cast<int>(env.simulator().candidates().size()));
      });
    }
  }
  jobshop::GeneratorOptions g;
  g.jobs = 8;
  g.machines = 4;
  g.seed = 11;
  auto gen = jobshop::GenerateInstance(g);
  ASSERT_TRUE(gen.ok());
  env::JobShopEnv e(*gen, jobshop::SimOptions{});
  RandomEnvTest<env::JobShopEnv>(e, {.seeds = 4});
}

TEST(EnvConformance, UamDefaultAndGenerated) {
  auto def = scenarios::LoadUamScenario("default");
  ASSERT_TRUE(def.ok());
  env::UamEnv e(*def);
  // Domain invariant: staying is always legal (an aircraft can always wait).
  RandomEnvTest<env::UamEnv>(e, {.seeds = 2}, [](const env::UamEnv& env) {
    if (!env.done()) ASSERT_EQ(env.observation().mask[env.simulator().stay_action()], 1);
  });
  uam::GeneratorOptions g;
  g.vertiports = 5;
  g.aircraft = 12;
  g.seed = 4;
  auto gen = uam::GenerateScenario(g);
  ASSERT_TRUE(gen.ok());
  env::UamEnv ge(*gen);
  RandomEnvTest<env::UamEnv>(ge, {.seeds = 2});
}

}  // namespace
}  // namespace dispatchlab
