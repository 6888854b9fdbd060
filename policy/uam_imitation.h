// Learning from search for the UAM dispatcher: DAgger (Ross et al. 2011)
// with the online `rollout` planner as the expert.
//
// A training day is rolled in by a mix of greedy and the current network
// (each decision: greedy with probability `greedy_share`, else the
// network's argmax), so the states labelled are the ones the learner
// itself reaches. At a random share of the decisions that have a choice,
// the expert (uam::RolloutPolicy: every legal action scored by an hour of
// greedy on `expert_samples` futures drawn from the forecast, never the
// day's own draws) names its action, and (observation, expert action) is a
// training pair for NeuralModel::UpdateImitation. The roll-in then goes
// on with its own choice, not the expert's.
//
// The expert is honest (it sees only the forecast), so the learned policy
// imitates an online planner; it is trained to be the planner's decisions
// at about 1/1000 of its cost.
#pragma once

#include <cstdint>
#include <memory>

#include "policy/fast_net.h"
#include "policy/neural.h"
#include "sim/env/uam_env.h"
#include "sim/uam/scenario.h"

namespace dispatchlab::policy {

struct UamLabelOptions {
  int expert_samples = 8;    // rollout's futures per action
  int horizon_min = 60;      // rollout's look-ahead
  double label_share = 0.1;  // of the decisions with two or more legal actions
  double greedy_share =
      0.5;  // roll-in decisions taken by greedy (1: greedy only)
  int features = env::kUamFeaturesCurrent;
};

struct UamLabelledDay {
  std::vector<Transition> decisions;  // obs and action (the expert's) filled
  double profit = 0;                  // the roll-in day's profit, USD
  int decisions_total = 0;            // decisions of the roll-in day
  int expert_kept_greedy = 0;         // labels equal to greedy's own action
};

// One labelled day of `scenario` at `seed` (the day's draws). `net` may be
// null (roll-in by greedy alone). `label_seed` keys the roll-in mix and the
// choice of labelled decisions. Deterministic for fixed inputs.
UamLabelledDay LabelUamDay(const uam::Scenario& scenario, std::uint64_t seed,
                           const std::shared_ptr<const FastNet>& net,
                           const UamLabelOptions& options,
                           std::uint64_t label_seed);

}  // namespace dispatchlab::policy
