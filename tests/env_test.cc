#include <gtest/gtest.h>

#include "scenarios/catalog.h"
#include "sim/core/rng.h"
#include "sim/env/jobshop_env.h"
#include "sim/jobshop/generator.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/schedule.h"
#include "sim/jobshop/validator.h"

namespace dispatchlab::env {
namespace {

TEST(JobShopEnv, BuffersMatchTheDecisionPoint) {
  auto inst = scenarios::LoadJobShopInstance("ft06");
  ASSERT_TRUE(inst.ok());
  jobshop::SimOptions o;
  o.breakdowns = jobshop::PerOperationBreakdowns(0.1);
  // Version 3, the newest non-delay one (versions 1 and 2 are its first
  // columns; version 4 adds holds, tested below).
  JobShopEnv env(*inst, o, 3);
  const int dim = JobShopOpFeatures(3);
  const int mdim = JobShopMachineFeatures(3);
  EXPECT_EQ(dim, JobShopEnv::kOpFeatureCount);
  EXPECT_EQ(JobShopOpFeatures(2), 12);
  EXPECT_EQ(JobShopMachineFeatures(2), 6);
  SimTime max_dur = 1;
  for (const auto& job : inst->jobs)
    for (const auto& op : job) max_dur = std::max(max_dur, op.duration);
  env.Reset(3);
  const Observation& obs = env.observation();
  ASSERT_EQ(obs.node_sets.size(), 2u);
  EXPECT_EQ(obs.node_sets[0].count, 36);
  EXPECT_EQ(obs.node_sets[0].features.size(), 36u * dim);
  EXPECT_EQ(obs.node_sets[1].count, 6);
  // Conjunctive arcs: 6 jobs x 5 = 30 each way; op<->machine: 36 each way.
  ASSERT_EQ(obs.edge_sets.size(), 4u);
  EXPECT_EQ(obs.edge_sets[0].src.size(), 30u);
  EXPECT_EQ(obs.edge_sets[2].src.size(), 36u);
  EXPECT_EQ(env.num_actions(), 6);

  Rng rng(5);
  int steps = 0;
  while (!env.done()) {
    const auto& sim = env.simulator();
    // The mask is exactly the set of candidate jobs, and each candidate's
    // op node has the candidate flag and a status one-hot summing to 1.
    int legal = 0;
    for (int a = 0; a < env.num_actions(); ++a) legal += obs.mask[a];
    ASSERT_EQ(legal, static_cast<int>(sim.candidates().size()));
    ASSERT_GE(legal, 2);
    for (const auto& c : sim.candidates()) {
      ASSERT_EQ(obs.mask[c.job.value], 1);
      const int node = obs.action_nodes[c.job.value];
      ASSERT_EQ(node, sim.op_index(c.job.value, c.op));
      EXPECT_EQ(obs.node_sets[0].features[node * dim +
                                          JobShopEnv::kOpCandidate], 1.f);
    }
    for (int node = 0; node < 36; ++node) {
      float one_hot = 0;
      for (int f = JobShopEnv::kOpDone; f <= JobShopEnv::kOpFuture; ++f)
        one_hot += obs.node_sets[0].features[node * dim + f];
      ASSERT_EQ(one_hot, 1.f) << "node " << node;
    }
    // Version 3's columns, from the simulator's public state: a waiting or
    // blocked job's next op says whether it is blocked and how its next
    // machine is held; each machine counts the jobs waiting for it.
    using Status = jobshop::Simulator::JobStatus;
    std::vector<int> waiting(6, 0);
    for (int j = 0; j < 6; ++j) {
      const Status st = sim.job_status(j);
      if (st != Status::kInput && st != Status::kBlocked) continue;
      const int k = sim.next_op(j);
      const auto& job = inst->jobs[j];
      ++waiting[job[k].machine.value];
      const float* row = &obs.node_sets[0].features[sim.op_index(j, k) * dim];
      EXPECT_EQ(row[JobShopEnv::kOpJobBlocked], st == Status::kBlocked ? 1.f : 0.f);
      const int holder =
          k + 1 < static_cast<int>(job.size()) ? sim.machine_holder(job[k + 1].machine.value) : -1;
      const bool held = holder >= 0 && holder != j;
      EXPECT_EQ(row[JobShopEnv::kOpSuccMachineHeld], held ? 1.f : 0.f);
      const SimTime left = held && sim.job_status(holder) == Status::kProcessing
                               ? sim.remaining_processing(holder) : 0;
      EXPECT_FLOAT_EQ(row[JobShopEnv::kOpSuccMachineLeft], static_cast<float>(left) / max_dur);
      EXPECT_FLOAT_EQ(row[JobShopEnv::kOpBlockingRisk],
                      static_cast<float>(std::max<SimTime>(0, left - job[k].duration)) / max_dur);
    }
    for (int m = 0; m < 6; ++m)
      EXPECT_NEAR(obs.node_sets[1].features[m * mdim + JobShopEnv::kMachineWaiting] * 6,
                  waiting[m], 1e-5);
    std::vector<int> legal_actions;
    for (int a = 0; a < env.num_actions(); ++a)
      if (obs.mask[a]) legal_actions.push_back(a);
    env.Step(legal_actions[rng.UniformInt(0, legal_actions.size() - 1)]);
    ++steps;
  }
  // Return = -makespan / mean processing time (rewards telescope).
  const auto& r = env.simulator().result();
  ASSERT_EQ(r.outcome, jobshop::Outcome::kCompleted);
  EXPECT_NEAR(env.episode_return(), -r.makespan / inst->MeanDuration(), 1e-9);
  EXPECT_EQ(steps, r.decisions);
}

TEST(JobShopEnv, SameSeedSameActionsSameReturnAsRunEpisode) {
  // Stepping the env with SPT's choices reproduces RunEpisode with SPT.
  auto inst = scenarios::LoadJobShopInstance("la01");
  ASSERT_TRUE(inst.ok());
  jobshop::SimOptions o;
  o.breakdowns = jobshop::PerOperationBreakdowns(0.05);
  auto spt = jobshop::MakeRulePolicy(jobshop::Rule::kSpt);
  const auto expected = jobshop::RunEpisode(*inst, o, 11, *spt);
  JobShopEnv env(*inst, o);
  env.Reset(11);
  while (!env.done()) {
    const auto& sim = env.simulator();
    const int i = jobshop::ChooseByRule(jobshop::Rule::kSpt, sim, sim.candidates());
    env.Step(sim.candidates()[i].job.value);
  }
  EXPECT_EQ(env.simulator().result().makespan, expected.makespan);
}

// An episode that finished, with a schedule the independent validator
// accepts (BWS); optionally the validator's makespan equals the episode's.
void ExpectCompletedAndValid(const jobshop::Instance& inst, const jobshop::EpisodeResult& r,
                             bool check_makespan) {
  ASSERT_EQ(r.outcome, jobshop::Outcome::kCompleted);
  const auto report = jobshop::ValidateSchedule(inst, jobshop::ToScheduleRows(r),
                                                jobshop::ToDownRows(r), /*allow_swaps=*/true);
  EXPECT_TRUE(report.valid) << (report.errors.empty() ? "" : report.errors[0]);
  if (check_makespan) EXPECT_EQ(report.makespan, r.makespan);
}

// Version 4: one hold action per machine after the jobs, on the machine's
// node; the env runs the wide decision mode, a random policy that holds
// still finishes, and its schedule passes the independent validator.
TEST(JobShopEnv, HoldActionsAreTheWideModesHoldCandidates) {
  auto inst = scenarios::LoadJobShopInstance("ft06");
  ASSERT_TRUE(inst.ok());
  const int n = inst->num_jobs(), m = inst->num_machines;
  for (double p : {0.0, 0.1}) {
    jobshop::SimOptions o;
    o.breakdowns = jobshop::PerOperationBreakdowns(p);
    JobShopEnv env(*inst, o, 4);
    EXPECT_EQ(env.num_actions(), n + m);
    EXPECT_EQ(env.simulator().options().decisions, jobshop::DecisionMode::kHold);
    Rng rng(9);
    int holds = 0;
    for (std::uint64_t seed = 0; seed < 6; ++seed) {
      env.Reset(seed);
      const Observation& obs = env.observation();
      ASSERT_EQ(obs.action_sets.size(), static_cast<std::size_t>(n + m));
      while (!env.done()) {
        const auto& sim = env.simulator();
        int legal = 0;
        for (int a = 0; a < n + m; ++a) legal += obs.mask[a];
        ASSERT_EQ(legal, static_cast<int>(sim.candidates().size()));
        for (const auto& c : sim.candidates()) {
          const int a = ActionOfCandidate(sim, c);
          ASSERT_EQ(obs.mask[a], 1);
          ASSERT_EQ(CandidateOfAction(sim, a), &c - sim.candidates().data());
          if (c.hold()) {
            EXPECT_EQ(a, n + c.machine.value);
            EXPECT_EQ(obs.action_nodes[a], c.machine.value);
            EXPECT_EQ(obs.action_sets[a], 1);
          } else {
            EXPECT_EQ(a, c.job.value);
            EXPECT_EQ(obs.action_nodes[a], sim.op_index(c.job.value, c.op));
            EXPECT_EQ(obs.action_sets[a], 0);
          }
        }
        std::vector<int> legal_actions;
        for (int a = 0; a < n + m; ++a)
          if (obs.mask[a]) legal_actions.push_back(a);
        const int a = legal_actions[rng.UniformInt(0, legal_actions.size() - 1)];
        holds += a >= n;
        env.Step(a);
      }
      ExpectCompletedAndValid(*inst, env.simulator().result(), /*check_makespan=*/true);
    }
    EXPECT_GT(holds, 0);  // the random policy did hold machines
  }
  // Versions 1 to 3 have no hold actions and stay non-delay.
  JobShopEnv narrow(*inst, jobshop::SimOptions{}, 3);
  EXPECT_EQ(narrow.num_actions(), n);
  EXPECT_EQ(narrow.simulator().options().decisions, jobshop::DecisionMode::kNonDelay);
}

// Version 5: no hold actions; a processing job whose next op is on a
// machine that offers a hold is a "reserve" action on that op's node (hold
// that machine for it). Random episodes that reserve still finish and
// pass the independent validator. Any machine can be reserved: a 300-
// machine instance reserves machines beyond the first 256 too.
TEST(JobShopEnv, ReserveActionsHoldTheMachineOfTheJobsNextOp) {
  auto la01 = scenarios::LoadJobShopInstance("la01");
  ASSERT_TRUE(la01.ok());
  auto wide = jobshop::GenerateInstance({.jobs = 4, .machines = 300, .seed = 7});
  ASSERT_TRUE(wide.ok());
  for (const jobshop::Instance* inst : {&*la01, &*wide}) {
    const int n = inst->num_jobs();
    jobshop::SimOptions o;
    o.breakdowns = jobshop::PerOperationBreakdowns(0.1);
    JobShopEnv env(*inst, o, 5);
    EXPECT_EQ(env.num_actions(), n);
    EXPECT_EQ(env.simulator().options().decisions, jobshop::DecisionMode::kHold);
    Rng rng(4);
    int reserves = 0, beyond_256 = 0;
    for (std::uint64_t seed = 0; seed < 6; ++seed) {
      env.Reset(seed);
      const Observation& obs = env.observation();
      EXPECT_TRUE(obs.action_sets.empty());
      while (!env.done()) {
        const auto& sim = env.simulator();
        std::vector<int> legal;
        for (int a = 0; a < n; ++a) {
          if (!obs.mask[a]) continue;
          legal.push_back(a);
          const int c = CandidateOfAction(sim, a, 5);
          ASSERT_GE(c, 0);
          const auto& cand = sim.candidates()[c];
          if (!cand.hold()) {
            EXPECT_EQ(cand.job.value, a);
            EXPECT_EQ(obs.action_nodes[a], sim.op_index(a, cand.op));
            continue;
          }
          // A reserve: job a processes now, and its next op is on the held machine.
          ASSERT_EQ(sim.job_status(a), jobshop::Simulator::JobStatus::kProcessing);
          const int k = sim.next_op(a) + 1;
          ASSERT_LT(k, static_cast<int>(inst->jobs[a].size()));
          EXPECT_EQ(inst->jobs[a][k].machine, cand.machine);
          EXPECT_EQ(obs.action_nodes[a], sim.op_index(a, k));
        }
        ASSERT_FALSE(legal.empty());
        const int a = legal[rng.UniformInt(0, legal.size() - 1)];
        const auto& chosen = sim.candidates()[CandidateOfAction(sim, a, 5)];
        reserves += chosen.hold();
        beyond_256 += chosen.hold() && chosen.machine.value >= 256;
        env.Step(a);
      }
      ExpectCompletedAndValid(*inst, env.simulator().result(), /*check_makespan=*/false);
    }
    EXPECT_GT(reserves, 0);
    if (inst == &*wide) EXPECT_GT(beyond_256, 0);
  }
}

TEST(JobShopEnv, StepUpdateIsBitIdenticalToAFullWrite) {
  // The env rewrites only the rows a step can change (JobShopObserver::
  // Update); a fresh Write of the same decision point must give the same
  // bytes at every step, with breakdowns (machine columns), MTBF failures
  // and deadlocks (BNS) included.
  struct Case {
    const char* instance;
    jobshop::BlockingMode mode;
    jobshop::BreakdownOptions breakdowns;
  };
  jobshop::BreakdownOptions mtbf;
  mtbf.model = jobshop::BreakdownModel::kMtbf;
  mtbf.mtbf = 150;
  mtbf.mttr = 40;
  const Case cases[] = {
      {"ft06", jobshop::BlockingMode::kSwap, jobshop::PerOperationBreakdowns(0.3)},
      {"la01", jobshop::BlockingMode::kSwap, jobshop::PerOperationBreakdowns(0.05)},
      {"la01", jobshop::BlockingMode::kNoSwap, jobshop::PerOperationBreakdowns(0.1)},
      {"ft10", jobshop::BlockingMode::kSwap, mtbf},
  };
  for (int features = 1; features <= kJobShopFeaturesNewest; ++features)
  for (const Case& c : cases) {
    auto inst = scenarios::LoadJobShopInstance(c.instance);
    ASSERT_TRUE(inst.ok());
    jobshop::SimOptions o;
    o.mode = c.mode;
    o.breakdowns = c.breakdowns;
    JobShopEnv env(*inst, o, features);
    JobShopObserver observer(*inst, features);
    Observation fresh;
    observer.Init(&fresh);
    Rng rng(17);
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
      env.Reset(seed);
      for (int step = 0;; ++step) {
        observer.Write(env.simulator(), &fresh);
        const Observation& obs = env.observation();
        for (int k = 0; k < 2; ++k)
          ASSERT_EQ(obs.node_sets[k].features, fresh.node_sets[k].features)
              << c.instance << " features " << features << " seed " << seed << " step " << step
              << " set " << k;
        ASSERT_EQ(obs.globals, fresh.globals);
        ASSERT_EQ(obs.mask, fresh.mask);
        ASSERT_EQ(obs.action_nodes, fresh.action_nodes);
        if (env.done()) break;
        std::vector<int> legal;
        for (int a = 0; a < env.num_actions(); ++a)
          if (obs.mask[a]) legal.push_back(a);
        env.Step(legal[rng.UniformInt(0, legal.size() - 1)]);
      }
    }
  }
}

}  // namespace
}  // namespace dispatchlab::env
