#include "policy/rollout.h"

#include <cmath>

namespace dispatchlab::policy {

void ComputeGae(std::vector<Transition>& steps, float bootstrap_value, double gamma,
                double lambda) {
  double next_value = bootstrap_value;
  double gae = 0;
  for (int t = static_cast<int>(steps.size()) - 1; t >= 0; --t) {
    Transition& s = steps[t];
    const double not_done = s.done ? 0.0 : 1.0;
    const double delta = s.reward + gamma * next_value * not_done - s.value;
    gae = delta + gamma * lambda * not_done * gae;
    s.advantage = static_cast<float>(gae);
    s.ret = static_cast<float>(gae + s.value);
    next_value = s.value;
  }
}

void NormalizeAdvantages(std::vector<Transition>& batch) {
  if (batch.size() < 2) return;
  double sum = 0, sq = 0;
  for (const auto& t : batch) sum += t.advantage;
  const double mean = sum / batch.size();
  for (const auto& t : batch) sq += (t.advantage - mean) * (t.advantage - mean);
  const double std = std::sqrt(sq / (batch.size() - 1)) + 1e-8;
  for (auto& t : batch) t.advantage = static_cast<float>((t.advantage - mean) / std);
}

}  // namespace dispatchlab::policy
