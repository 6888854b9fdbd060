// UAM look-ahead planners: the online `rollout` never uses the episode's
// own future; the clairvoyant `oracle` is never below greedy; a resampled
// future keeps what the dispatcher has already seen.
#include <gtest/gtest.h>

#include "scenarios/uam_json.h"
#include "sim/uam/policies.h"
#include "sim/uam/rollout.h"
#include "sim/uam/scenario.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::uam {
namespace {

Scenario Small(std::uint64_t seed) {
  GeneratorOptions g;
  g.vertiports = 4;
  g.aircraft = 8;
  g.seed = seed;
  auto s = GenerateScenario(g);
  EXPECT_TRUE(s.ok());
  return *s;
}

// Decisions (time, aircraft, action) of `policy` on `sim` until the day ends.
struct Decision {
  SimTime t;
  int aircraft, action;
  bool operator==(const Decision&) const = default;
};
std::vector<Decision> Play(Simulator& sim, Policy& policy) {
  std::vector<Decision> out;
  policy.Reset(sim);
  while (sim.AdvanceToDecision()) {
    const int a = policy.Choose(sim);
    out.push_back({sim.now(), sim.deciding_aircraft(), a});
    sim.Apply(a);
  }
  return out;
}

TEST(UamResample, KeepsWhatIsSeenAndRedrawsTheRest) {
  const Scenario sc = Small(3);
  Simulator sim(sc);
  sim.Reset(5);
  GreedyPolicy greedy;
  while (sim.AdvanceToDecision() && sim.now() < sc.ops.day_start_s + 4 * 3600)
    sim.Apply(greedy.Choose(sim));
  // Mid-day: the copy's present is the original's present...
  Simulator copy = sim.Fork();
  copy.ResampleFuture(99, sim.now());
  for (int o = 0; o < sc.num_vertiports(); ++o)
    for (int d = 0; d < sc.num_vertiports(); ++d) {
      if (o == d) continue;
      EXPECT_EQ(copy.waiting(o, d), sim.waiting(o, d));
      EXPECT_EQ(copy.corridor_closed(o, d, sim.now()), sim.corridor_closed(o, d, sim.now()));
    }
  EXPECT_EQ(copy.seed(), sim.seed());
  // ...but the rest of the day is another draw: the days end differently
  // when both follow greedy from here.
  Simulator a = sim.Fork(), b = copy.Fork();
  const int first = greedy.Choose(a);
  a.Apply(first);
  b.Apply(first);
  while (a.AdvanceToDecision()) a.Apply(greedy.Choose(a));
  while (b.AdvanceToDecision()) b.Apply(greedy.Choose(b));
  EXPECT_NE(a.kpis().passengers_arrived, b.kpis().passengers_arrived);
}

TEST(UamRollout, UsesNoInformationFromTheEpisodesFuture) {
  // Two episodes that are identical until t and differ only after t (the
  // second's demand, weather, delays and downtime after t are redrawn).
  // An online planner must take the same decisions before t in both.
  const Scenario sc = Small(7);
  const SimTime t = sc.ops.day_start_s + 3 * 3600;
  RolloutOptions o;
  o.horizon_min = 30;
  o.samples = 2;
  Simulator e1(sc), e2(sc);
  e1.Reset(11);
  e2.Reset(11);
  e2.ResampleFuture(424242, t);
  RolloutPolicy p1(o), p2(o);
  const auto d1 = Play(e1, p1), d2 = Play(e2, p2);
  std::vector<Decision> before1, before2;
  for (const auto& d : d1) if (d.t < t) before1.push_back(d);
  for (const auto& d : d2) if (d.t < t) before2.push_back(d);
  ASSERT_GT(before1.size(), 20u);
  EXPECT_EQ(before1, before2);
  // The futures really differ (else the test proves nothing).
  EXPECT_NE(e1.kpis().passengers_arrived, e2.kpis().passengers_arrived);
  // A clairvoyant policy, by contrast, does react to the future before t.
  OraclePolicy q1, q2;
  Simulator f1(sc), f2(sc);
  f1.Reset(11);
  f2.Reset(11);
  f2.ResampleFuture(424242, t);
  const auto o1 = Play(f1, q1), o2 = Play(f2, q2);
  std::vector<Decision> ob1, ob2;
  for (const auto& d : o1) if (d.t < t) ob1.push_back(d);
  for (const auto& d : o2) if (d.t < t) ob2.push_back(d);
  EXPECT_NE(ob1, ob2) << "the control: a policy that sees the future changes before t";
}

TEST(UamOracle, NeverBelowGreedy) {
  for (std::uint64_t s : {1u, 2u, 3u}) {
    const Scenario sc = Small(s);
    for (std::uint64_t seed : {0u, 1u}) {
      GreedyPolicy greedy;
      OraclePolicy oracle;
      const double g = RunEpisode(sc, seed, greedy).kpis.profit();
      const double o = RunEpisode(sc, seed, oracle).kpis.profit();
      EXPECT_GE(o, g) << "scenario " << s << " seed " << seed;
      EXPECT_EQ(o, oracle.planned_profit()) << "the episode replays the planned day exactly";
    }
  }
}

// With `candidates`, rollout only ever takes greedy's action, staying, or one
// of the N destinations with the best immediate margin.
TEST(UamRollout, CandidatesBoundWhatItScores) {
  GeneratorOptions g;
  g.vertiports = 8;
  g.aircraft = 12;
  g.seed = 5;
  const Scenario sc = GenerateScenario(g).value();
  RolloutOptions o;
  o.candidates = 2;
  o.samples = 2;
  o.horizon_min = 30;
  RolloutPolicy rollout(o);
  Simulator sim(sc);
  sim.Reset(3);
  rollout.Reset(sim);
  int decisions = 0, pruned = 0;
  while (sim.AdvanceToDecision()) {
    const auto mask = sim.mask();
    std::vector<std::pair<double, int>> ranked;
    GreedyPolicy greedy;
    const int base = greedy.Choose(sim);
    for (int a = 0; a < sim.stay_action(); ++a)
      if (mask[a] && a != base) ranked.push_back({-FlightMargin(sim, sim.deciding_aircraft(), a), a});
    std::sort(ranked.begin(), ranked.end());
    const int a = rollout.Choose(sim);
    ASSERT_TRUE(mask[a]);
    if (ranked.size() > 2) {
      ++pruned;
      const bool allowed = a == base || a == sim.stay_action() || a == ranked[0].second ||
                           a == ranked[1].second;
      ASSERT_TRUE(allowed) << "decision " << decisions << " took " << a;
    }
    sim.Apply(a);
    if (++decisions >= 150) break;
  }
  EXPECT_GT(pruned, 10) << "the scenario should offer more than 2 destinations often";
}

// Corrected for the alternatives and futures it tried, rollout leaves
// greedy's action alone when it cannot tell: with one future there is no
// variance estimate, so its day is greedy's day; uncorrected it is not.
TEST(UamRollout, OneFutureCannotOverruleGreedyWhenCorrected) {
  for (std::uint64_t s : {1u, 2u}) {
    const Scenario sc = Small(s);
    GreedyPolicy greedy;
    const double g = RunEpisode(sc, 4, greedy).kpis.profit();
    RolloutOptions o;
    o.samples = 1;
    o.horizon_min = 30;
    RolloutPolicy corrected(o);
    EXPECT_EQ(RunEpisode(sc, 4, corrected).kpis.profit(), g) << "scenario " << s;
    o.corrected = false;
    RolloutPolicy plain(o);
    EXPECT_NE(RunEpisode(sc, 4, plain).kpis.profit(), g) << "the control, scenario " << s;
  }
}

// Greedy, but stays at every third decision where staying is legal: a day
// unlike greedy's, to seed the oracle with.
class LazyGreedy final : public Policy {
 public:
  std::string name() const override { return "lazy"; }
  void Reset(const Simulator&) override { n_ = 0; }
  int Choose(const Simulator& sim) override {
    if (++n_ % 3 == 0 && sim.mask()[sim.stay_action()]) return sim.stay_action();
    return greedy_.Choose(sim);
  }

 private:
  GreedyPolicy greedy_;
  int n_ = 0;
};

TEST(UamOracle, NeverBelowItsSeedsAndItsSearchOnlyImproves) {
  int improved = 0;
  for (std::uint64_t s : {1u, 2u, 3u}) {
    const Scenario sc = Small(s);
    for (std::uint64_t seed : {0u, 1u}) {
      LazyGreedy lazy;
      const double l = RunEpisode(sc, seed, lazy).kpis.profit();
      OracleOptions o;
      o.seeds.push_back([] { return std::make_unique<LazyGreedy>(); });
      o.trials = 40;
      o.horizon_min = 0;  // no look-ahead day: the lazy seed starts
      OraclePolicy oracle(o);
      const double q = RunEpisode(sc, seed, oracle).kpis.profit();
      ASSERT_EQ(oracle.seed_profits().size(), 1u);
      EXPECT_EQ(oracle.seed_profits()[0], l) << "the seed's day is its own episode";
      EXPECT_GE(oracle.start_profit(), l);
      EXPECT_GE(oracle.start_profit(), oracle.greedy_profit());
      EXPECT_GE(q, oracle.start_profit()) << "the search keeps only better days";
      EXPECT_EQ(q, oracle.planned_profit()) << "the episode replays the planned day exactly";
      EXPECT_EQ(q > oracle.start_profit(), oracle.improvements() > 0);
      improved += oracle.improvements() > 0;
      // Without trials the oracle is the best starting plan.
      o.trials = 0;
      OraclePolicy plain(o);
      EXPECT_EQ(RunEpisode(sc, seed, plain).kpis.profit(), oracle.start_profit());
    }
  }
  EXPECT_GT(improved, 0) << "40 trials found no better day on any of 6 episodes";
}

}  // namespace
}  // namespace dispatchlab::uam
