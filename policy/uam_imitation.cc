#include "policy/uam_imitation.h"

#include "policy/neural_policy.h"
#include "sim/uam/policies.h"
#include "sim/uam/rollout.h"

namespace dispatchlab::policy {

UamLabelledDay LabelUamDay(const uam::Scenario& scenario, std::uint64_t seed,
                           const std::shared_ptr<const FastNet>& net,
                           const UamLabelOptions& o, std::uint64_t label_seed) {
  UamLabelledDay day;
  uam::Simulator sim(scenario, uam::SimOptions{.record_timeline = false});
  sim.Reset(seed);
  env::UamObserver observer(scenario, o.features);
  env::Observation obs;
  observer.Init(&obs);
  std::unique_ptr<NeuralUamPolicy> learner;
  if (net) {
    learner = std::make_unique<NeuralUamPolicy>(net, "learner");
    learner->Reset(sim);
  }
  uam::GreedyPolicy greedy;
  uam::RolloutOptions ro;
  ro.samples = o.expert_samples;
  ro.horizon_min = o.horizon_min;
  ro.threads = 1;
  ro.corrected = false;  // the teacher the shipped policy was trained on
  uam::RolloutPolicy expert(ro);
  expert.Reset(sim);
  Rng rng = Rng::Stream(label_seed, StreamTag::kPolicy, 0xda66e7);
  while (sim.AdvanceToDecision()) {
    ++day.decisions_total;
    int legal = 0;
    for (auto m : sim.mask()) legal += m;
    const int base = greedy.Choose(sim);
    if (legal > 1 && rng.Bernoulli(o.label_share)) {
      Transition t;
      observer.Write(sim, &obs);
      t.obs = obs;
      t.action = expert.Choose(sim);
      day.expert_kept_greedy += t.action == base;
      day.decisions.push_back(std::move(t));
    }
    const bool by_greedy = !learner || rng.Bernoulli(o.greedy_share);
    sim.Apply(by_greedy ? base : learner->Choose(sim));
  }
  day.profit = sim.kpis().profit();
  return day;
}

}  // namespace dispatchlab::policy
