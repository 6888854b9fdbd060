// Look-ahead planners for the UAM fleet, with greedy as the base policy.
//
// `rollout` (online, honest): at each decision it scores every legal action
// by simulating the next `horizon_min` minutes under `samples` futures
// drawn from the scenario's forecast distribution (Simulator::
// ResampleFuture on a copy: never the episode's own random streams) with
// greedy deciding after the first action. It takes greedy's own action
// unless another one is better on the same futures by a clear margin
// (RolloutOptions::margin_se, corrected for how many alternatives were
// tried on how few futures). Its sample streams are keyed by the
// episode seed and the decision number under the policy's own tag, so the
// policy is deterministic and reveals nothing of the episode's draws.
//
// `oracle` (clairvoyant ceiling): plans the day knowing that episode's
// realized demand and disruptions, on exact copies of the episode:
//   1. starting plans: greedy's day, the same look-ahead as `rollout` on the
//      real future (one "sample") over the whole day, and the day of each
//      policy in OracleOptions::seeds (the registry adds the shipped
//      learned policy); the best day is the incumbent;
//   2. local search: `trials` times, one decision of the incumbent (drawn
//      at random among those with a choice) takes another legal action and
//      the rest of the day is played by the continuation policy (the first
//      seed, else greedy); the new day replaces the incumbent when it earns
//      more.
// It then replays the incumbent. So oracle >= greedy and >= every seed
// policy on every episode by construction. It sees the future: an upper
// bound for the policies it is seeded with, never a policy to deploy.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/uam/policies.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::uam {

struct RolloutOptions {
  int horizon_min = 60;      // look-ahead per action, simulated minutes
  int samples = 4;           // sampled futures per action
  double budget_ms = 0;      // per decision; 0 = no limit (then deterministic)
  int threads = 1;           // actions scored in parallel
  // Score only this many destinations (those with the best immediate
  // margin), plus greedy's own action and staying; 0 = every legal action.
  // Bounds the cost per decision at city size.
  int candidates = 0;
  // Greedy's action stands unless another beats it by this many standard
  // errors of the paired difference over the samples.
  double margin_se = 1.0;
  // Correct that test for the number of alternatives and samples: an
  // alternative must pass a one-sided t-test (samples - 1 degrees of
  // freedom) at level P(Z > margin_se) / alternatives, so that a chance
  // winner among many candidates on few futures does not move the fleet
  // (uncorrected, at 32+ vertiports rollout flew 1,000-2,000 empty flights
  // a day and earned less than greedy). With one sample greedy's action
  // stands. false: the plain margin_se test (the UAM imitation teacher's).
  bool corrected = true;
  std::uint64_t salt = 0x70110u;  // the policy's own stream key
};

class RolloutPolicy final : public Policy {
 public:
  explicit RolloutPolicy(RolloutOptions options = {}) : options_(options) {}
  std::string name() const override { return "rollout"; }
  void Reset(const Simulator& sim) override;
  int Choose(const Simulator& sim) override;

  // Mean profit over the horizon per action at the last decision (tests).
  const std::vector<double>& last_scores() const { return scores_; }

 private:
  RolloutOptions options_;
  std::int64_t decision_ = 0;
  std::vector<double> scores_;
};

struct OracleOptions {
  int horizon_min = 90;  // the look-ahead starting plan's horizon (0: none)
  // Policies whose own day on the episode is a starting plan (each call
  // returns a fresh one); the first also plays the local search's days.
  std::vector<std::function<std::unique_ptr<Policy>()>> seeds;
  int trials = 200;                 // local-search trials per day (0: none)
  std::uint64_t salt = 0x0ac1e;     // the search's own stream key
};

class OraclePolicy final : public Policy {
 public:
  explicit OraclePolicy(OracleOptions options = {}) : options_(options) {}
  std::string name() const override { return "oracle"; }
  void Reset(const Simulator& sim) override;
  int Choose(const Simulator& sim) override;

  double planned_profit() const { return planned_profit_; }
  double greedy_profit() const { return greedy_profit_; }
  // The best starting plan's profit (before the local search), the seed
  // policies' days in order, and the search's accepted trials (tests).
  double start_profit() const { return start_profit_; }
  const std::vector<double>& seed_profits() const { return seed_profits_; }
  int improvements() const { return improvements_; }

 private:
  OracleOptions options_;
  std::vector<int> plan_;
  std::size_t next_ = 0;
  double planned_profit_ = 0, greedy_profit_ = 0, start_profit_ = 0;
  std::vector<double> seed_profits_;
  int improvements_ = 0;
};

// Profit gained by taking `action` now and then following greedy for
// `horizon_s` on `sim` (a copy is made; `sim` is unchanged).
double HorizonProfit(const Simulator& sim, int action, SimTime horizon_s);

}  // namespace dispatchlab::uam
