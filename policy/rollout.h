// Torch-free parts of PPO: generalised advantage estimation and advantage
// normalisation over transitions stored per environment.
#pragma once

#include <vector>

#include "policy/neural.h"

namespace dispatchlab::policy {

// GAE(gamma, lambda) over one environment's consecutive transitions.
// `bootstrap_value` is V(s_T) of the state after the last transition (0 if
// that transition ended an episode). Fills advantage and ret (= advantage +
// value).
void ComputeGae(std::vector<Transition>& steps, float bootstrap_value, double gamma,
                double lambda);

// Shifts and scales the advantages to mean 0, std 1 (no-op for < 2).
void NormalizeAdvantages(std::vector<Transition>& batch);

}  // namespace dispatchlab::policy
