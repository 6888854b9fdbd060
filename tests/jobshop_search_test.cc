// The iterated-greedy ceiling: its starting point replays the best rule
// exactly, the search only improves on it, the policy executes what the
// search found, the independent validator accepts the schedules, and at
// p = 0 it never beats a proven BWS optimum.
#include <gtest/gtest.h>

#include "scenarios/catalog.h"
#include "sim/jobshop/generator.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/search.h"
#include "sim/jobshop/validator.h"

namespace dispatchlab::jobshop {
namespace {

SimTime BestRule(const Instance& inst, const SimOptions& o, std::uint64_t seed) {
  SimTime best = kTimeInfinity;
  for (Rule r : AllRules()) {
    auto p = MakeRulePolicy(r);
    const auto res = RunEpisode(inst, o, seed, *p);
    if (res.outcome == Outcome::kCompleted) best = std::min(best, res.makespan);
  }
  return best;
}

TEST(IteratedGreedy, MachineOrdersOfTheBestRuleReplayIt) {
  // With no search budget the result is the best rule's schedule read back
  // as machine orders and executed by priority: same makespan, under
  // breakdowns and swaps too.
  IteratedGreedyOptions none;
  none.evaluations = 0;
  for (const char* name : {"ft06", "la01", "la16", "ta01"})
    for (double p : {0.0, 0.1})
      for (std::uint64_t seed : {1, 2}) {
        auto inst = *scenarios::LoadJobShopInstance(name);
        SimOptions o;
        o.breakdowns = PerOperationBreakdowns(p);
        const auto r = IteratedGreedySearch(inst, o, seed, none);
        EXPECT_EQ(r.start_makespan, BestRule(inst, o, seed)) << name << " p=" << p;
        EXPECT_EQ(r.makespan, r.start_makespan);
      }
}

TEST(IteratedGreedy, ImprovesOnTheRulesAndTheScheduleIsValid) {
  const auto ref = scenarios::FindJobShopReference("la01");
  for (double p : {0.0, 0.05}) {
    auto inst = *scenarios::LoadJobShopInstance("la01");
    SimOptions o;
    o.breakdowns = PerOperationBreakdowns(p);
    IteratedGreedyPolicy policy;
    const auto res = RunEpisode(inst, o, 7, policy);
    ASSERT_EQ(res.outcome, Outcome::kCompleted);
    const auto& s = policy.last_search();
    EXPECT_EQ(res.makespan, s.makespan);  // the policy follows the best order found
    EXPECT_LT(s.makespan, s.start_makespan) << "p=" << p;  // 10x5: room to improve
    EXPECT_LE(s.evaluations, IteratedGreedyOptions{}.evaluations + 20);
    auto rep = ValidateSchedule(inst, ToScheduleRows(res), ToDownRows(res), true);
    EXPECT_TRUE(rep.valid) << (rep.errors.empty() ? "" : rep.errors[0]);
    EXPECT_EQ(rep.makespan, res.makespan);
    if (p == 0.0 && ref && ref->bws_optimal()) EXPECT_GE(res.makespan, *ref->bws_ub);
  }
}

TEST(IteratedGreedy, NeverBelowProvenOptimaAndDeterministic) {
  IteratedGreedyOptions g;
  g.evaluations = 3000;
  int checked = 0;
  for (const auto& name : scenarios::BuiltinJobShopNames()) {
    const auto ref = scenarios::FindJobShopReference(name);
    if (!ref || !ref->bws_optimal()) continue;
    auto inst = *scenarios::LoadJobShopInstance(name);
    if (inst.num_operations() > 100) continue;
    const auto a = IteratedGreedySearch(inst, SimOptions{}, 0, g);
    EXPECT_GE(a.makespan, *ref->bws_ub) << name;
    EXPECT_LE(a.makespan, a.start_makespan) << name;
    const auto b = IteratedGreedySearch(inst, SimOptions{}, 0, g);
    EXPECT_EQ(a.makespan, b.makespan) << name;
    EXPECT_EQ(a.order, b.order) << name;
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(IteratedGreedy, FindsNoSwapSchedulesWhereEveryRuleDeadlocks) {
  // Without swaps the rules deadlock on most instances; the search keeps
  // looking for orders that complete, and what it finds is valid.
  int rescued = 0;
  for (std::uint64_t g : {1, 2, 3, 4}) {
    auto inst = *GenerateInstance({.jobs = 5, .machines = 4, .seed = g});
    SimOptions o;
    o.mode = BlockingMode::kNoSwap;
    const SimTime rules = BestRule(inst, o, 0);
    IteratedGreedyPolicy policy;
    const auto res = RunEpisode(inst, o, 0, policy);
    if (res.outcome != Outcome::kCompleted) {
      EXPECT_EQ(rules, kTimeInfinity) << "a rule completed but the search did not";
      continue;
    }
    EXPECT_LE(res.makespan, rules);
    if (rules == kTimeInfinity) ++rescued;
    auto rep = ValidateSchedule(inst, ToScheduleRows(res), ToDownRows(res), /*allow_swaps=*/false);
    EXPECT_TRUE(rep.valid) << (rep.errors.empty() ? "" : rep.errors[0]);
    EXPECT_EQ(rep.swaps, 0);
  }
  EXPECT_GE(rescued, 2);
}

}  // namespace
}  // namespace dispatchlab::jobshop
