// Every rule on every shipped instance at p in {0, 0.05, 0.2}: the
// independent validator accepts the schedule, and at p = 0 no rule beats a
// proven BWS optimum (reference.csv, bws_status = optimal).
#include <gtest/gtest.h>

#include "scenarios/catalog.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/validator.h"

namespace dispatchlab::jobshop {
namespace {

class EveryRule : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryRule, ValidOnEveryInstanceAndNeverBeatsOptimum) {
  const std::string name = GetParam();
  auto inst = scenarios::LoadJobShopInstance(name);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  const auto ref = scenarios::FindJobShopReference(name);
  for (double p : {0.0, 0.05, 0.2}) {
    SimOptions o;
    o.breakdowns = PerOperationBreakdowns(p);
    for (Rule rule : AllRules()) {
      auto policy = MakeRulePolicy(rule);
      const std::uint64_t seed = 1000 + static_cast<std::uint64_t>(p * 100);
      EpisodeResult r = RunEpisode(*inst, o, seed, *policy);
      SCOPED_TRACE(name + " " + RuleName(rule) + " p=" + std::to_string(p));
      ASSERT_EQ(r.outcome, Outcome::kCompleted);
      EXPECT_EQ(r.operations_dispatched, inst->num_operations());
      auto rep = ValidateSchedule(*inst, ToScheduleRows(r), ToDownRows(r), true);
      EXPECT_TRUE(rep.valid) << (rep.errors.empty() ? "" : rep.errors[0]);
      EXPECT_EQ(rep.makespan, r.makespan);
      EXPECT_EQ(rep.swaps, r.swaps);
      if (p == 0.0) {
        EXPECT_EQ(r.breakdowns, 0);
        if (ref && ref->bws_optimal()) EXPECT_GE(r.makespan, *ref->bws_ub);
        // Any blocking schedule is a classic schedule: never below its bound.
        if (ref && ref->jssp_lb) EXPECT_GE(r.makespan, *ref->jssp_lb);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, EveryRule,
                         ::testing::ValuesIn(scenarios::BuiltinJobShopNames()));

TEST(Rules, ParseIsCaseInsensitiveAndListsNamesOnError) {
  EXPECT_EQ(*ParseRule("SPT"), Rule::kSpt);
  EXPECT_EQ(*ParseRule("mwkr"), Rule::kMwkr);
  auto bad = ParseRule("fastest");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("known: fifo, spt"), std::string::npos);
}

TEST(Rules, EachRuleTakesItsExtremeCandidate) {
  // la01 at t=0: every job waits in the input store for its first machine.
  // The first decision's choice must have the extreme key among candidates.
  auto inst = scenarios::LoadJobShopInstance("la01");
  ASSERT_TRUE(inst.ok());
  Simulator sim(*inst, {});
  sim.Reset(0);
  ASSERT_TRUE(sim.AdvanceToDecision());
  const auto c = sim.candidates();
  auto dur = [&](int i) { return inst->jobs[c[i].job.value][c[i].op].duration; };
  auto work = [&](int i) { return sim.remaining_work(c[i].job.value); };
  SimTime min_d = dur(0), max_d = dur(0), min_w = work(0), max_w = work(0);
  for (int i = 1; i < static_cast<int>(c.size()); ++i) {
    min_d = std::min(min_d, dur(i));
    max_d = std::max(max_d, dur(i));
    min_w = std::min(min_w, work(i));
    max_w = std::max(max_w, work(i));
  }
  EXPECT_EQ(dur(ChooseByRule(Rule::kSpt, sim, c)), min_d);
  EXPECT_EQ(dur(ChooseByRule(Rule::kLpt, sim, c)), max_d);
  EXPECT_EQ(work(ChooseByRule(Rule::kLwkr, sim, c)), min_w);
  EXPECT_EQ(work(ChooseByRule(Rule::kMwkr, sim, c)), max_w);
  EXPECT_LT(min_d, max_d);  // the test means something on la01
}

}  // namespace
}  // namespace dispatchlab::jobshop
