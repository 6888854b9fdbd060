// Look-ahead planners for the UAM fleet, with greedy as the base policy.
//
// `rollout` (online, honest): at each decision it scores every legal action
// by simulating the next `horizon_min` minutes under `samples` futures
// drawn from the scenario's forecast distribution (Simulator::
// ResampleFuture on a copy: never the episode's own random streams) with
// greedy deciding after the first action. It takes greedy's own action
// unless another one is better on the same futures by a clear margin
// (RolloutOptions::margin_se). Its sample streams are keyed by the
// episode seed and the decision number under the policy's own tag, so the
// policy is deterministic and reveals nothing of the episode's draws.
//
// `oracle` (clairvoyant ceiling): plans the day knowing that episode's
// realized demand and disruptions: the same look-ahead on exact copies of
// the episode (one "sample": the real future) over the whole day, and, as
// a safeguard, greedy's own day; it then replays the better of the two
// action sequences. So oracle >= greedy on every episode by construction.
// It sees the future: an upper bound, never a policy to deploy.
#pragma once

#include <cstdint>
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
  // Greedy's action stands unless another beats it by this many standard
  // errors of the paired difference over the samples.
  double margin_se = 1.0;
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
  int horizon_min = 90;
};

class OraclePolicy final : public Policy {
 public:
  explicit OraclePolicy(OracleOptions options = {}) : options_(options) {}
  std::string name() const override { return "oracle"; }
  void Reset(const Simulator& sim) override;
  int Choose(const Simulator& sim) override;

  double planned_profit() const { return planned_profit_; }
  double greedy_profit() const { return greedy_profit_; }

 private:
  OracleOptions options_;
  std::vector<int> plan_;
  std::size_t next_ = 0;
  double planned_profit_ = 0, greedy_profit_ = 0;
};

// Profit gained by taking `action` now and then following greedy for
// `horizon_s` on `sim` (a copy is made; `sim` is unchanged).
double HorizonProfit(const Simulator& sim, int action, SimTime horizon_s);

}  // namespace dispatchlab::uam
