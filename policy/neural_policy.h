// Learned policies as simulator Policies: they observe the simulator through
// the Env observers and ask a NeuralModel, so they run anywhere a rule runs
// (run, eval, the GUI). Greedy (argmax) by default, or sampled from the
// episode's policy stream.
#pragma once

#include <memory>
#include <string>

#include "policy/fast_net.h"
#include "policy/neural.h"
#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/jobshop/simulator.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::policy {

// How an adapter evaluates the network: the torch-free FastNet (default; the
// same numbers, several times faster for one observation) or LibTorch.
enum class Inference { kFast, kTorch };

// One-observation inference shared by the adapters.
class SingleEvaluator {
 public:
  SingleEvaluator(std::shared_ptr<const NeuralModel> model, Inference inference)
      : model_(std::move(model)), inference_(inference) {}
  // Picks up the model's current weights (call at the start of an episode).
  void Refresh();
  // Valid until the next call (the buffer is reused: no allocation per
  // decision on the fast path).
  const std::vector<float>& Probabilities(const env::Observation& obs);

 private:
  std::shared_ptr<const NeuralModel> model_;
  Inference inference_;
  std::shared_ptr<const FastNet> fast_;
  FastNet::Workspace ws_;
  std::vector<float> probs_;
};

class NeuralJobShopPolicy final : public jobshop::Policy {
 public:
  NeuralJobShopPolicy(std::shared_ptr<const NeuralModel> model, std::string name,
                      bool sample = false, Inference inference = Inference::kFast);
  std::string name() const override { return name_; }
  void Reset(std::uint64_t seed) override;
  int Choose(const jobshop::Simulator& sim,
             std::span<const jobshop::Candidate> candidates) override;
  // Action probabilities over jobs at the current decision (for tests).
  const std::vector<float>& Probabilities(const jobshop::Simulator& sim);

 private:
  SingleEvaluator eval_;
  std::string name_;
  bool sample_;
  Rng rng_{0};
  const jobshop::Instance* observed_ = nullptr;
  std::unique_ptr<env::JobShopObserver> observer_;
  env::Observation obs_;
};

class NeuralUamPolicy final : public uam::Policy {
 public:
  NeuralUamPolicy(std::shared_ptr<const NeuralModel> model, std::string name, bool sample = false,
                  Inference inference = Inference::kFast);
  std::string name() const override { return name_; }
  void Reset(const uam::Simulator& sim) override;
  int Choose(const uam::Simulator& sim) override;

 private:
  SingleEvaluator eval_;
  std::string name_;
  bool sample_;
  Rng rng_{0};
  const uam::Scenario* observed_ = nullptr;
  std::unique_ptr<env::UamObserver> observer_;
  env::Observation obs_;
};

// Index of the largest probability among legal actions.
int ArgMaxLegal(const std::vector<float>& probs, const std::vector<std::uint8_t>& mask);
// A legal action drawn from probs (renormalised over the mask).
int SampleLegal(const std::vector<float>& probs, const std::vector<std::uint8_t>& mask, Rng& rng);

}  // namespace dispatchlab::policy
