// Learned policies as simulator Policies: they observe the simulator through
// the Env observers and evaluate a network, so they run anywhere a rule runs
// (run, eval, the GUI, training validation). Greedy (argmax) by default, or
// sampled from the episode's policy stream. Torch-free: the network is a
// FastNet (policy/fast_net.h) from a weights file or from a training model,
// or any other PolicyNet (tests compare LibTorch through the same adapters).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "policy/fast_net.h"
#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/jobshop/simulator.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::policy {

// One-observation inference behind the adapters. One instance per adapter
// (not shared between threads).
class PolicyNet {
 public:
  virtual ~PolicyNet() = default;
  // At the start of each episode: pick up the current weights.
  virtual void BeginEpisode() {}
  // Masked action probabilities (size of obs.mask); valid until the next call.
  virtual const std::vector<float>& Probabilities(const env::Observation& obs) = 0;
  // Job-shop feature version the network was trained on (what to observe with).
  virtual int features() const = 0;
};

// Where the weights come from at each episode: a fixed network (a weights
// file) or a training model's current one (NeuralModel::fast_net()).
using FastNetSource = std::function<std::shared_ptr<const FastNet>()>;

// PolicyNet on a FastNet: no allocation per decision (buffers reused).
class FastNetPolicyNet final : public PolicyNet {
 public:
  explicit FastNetPolicyNet(std::shared_ptr<const FastNet> net);
  explicit FastNetPolicyNet(FastNetSource source);
  void BeginEpisode() override;
  const std::vector<float>& Probabilities(const env::Observation& obs) override;
  int features() const override { return net_->weights().features; }

 private:
  FastNetSource source_;
  std::shared_ptr<const FastNet> net_;
  FastNet::Workspace ws_;
  std::vector<float> probs_;
};

class NeuralJobShopPolicy final : public jobshop::Policy {
 public:
  NeuralJobShopPolicy(std::unique_ptr<PolicyNet> net, std::string name, bool sample = false);
  NeuralJobShopPolicy(std::shared_ptr<const FastNet> net, std::string name, bool sample = false)
      : NeuralJobShopPolicy(std::make_unique<FastNetPolicyNet>(std::move(net)), std::move(name),
                            sample) {}
  std::string name() const override { return name_; }
  // Sampling draws from the episode's policy stream number `stream` (0 by
  // default): best-of-K sampling and self-labeling run K episodes on one
  // seed (the same breakdowns) with K different streams.
  void set_sample_stream(std::uint64_t stream) { stream_ = stream; }
  // Sampling draws from p^(1/T), renormalised (1: the network's own).
  void set_temperature(double t) { temperature_ = t; }
  void Reset(std::uint64_t seed) override;
  int Choose(const jobshop::Simulator& sim,
             std::span<const jobshop::Candidate> candidates) override;
  // Feature version 4 networks hold machines (the wide decision mode).
  jobshop::DecisionMode decisions() const override {
    return env::JobShopHolds(net_->features()) ? jobshop::DecisionMode::kHold
                                               : jobshop::DecisionMode::kNonDelay;
  }
  // Action probabilities over jobs (then, in the wide mode, machine holds)
  // at the current decision (for tests).
  const std::vector<float>& Probabilities(const jobshop::Simulator& sim);

 private:
  std::unique_ptr<PolicyNet> net_;
  std::string name_;
  bool sample_;
  std::uint64_t stream_ = 0;
  double temperature_ = 1.0;
  std::vector<float> tempered_;
  Rng rng_{0};
  const jobshop::Instance* observed_ = nullptr;
  std::unique_ptr<env::JobShopObserver> observer_;
  env::Observation obs_;
};

class NeuralUamPolicy final : public uam::Policy {
 public:
  NeuralUamPolicy(std::unique_ptr<PolicyNet> net, std::string name, bool sample = false);
  NeuralUamPolicy(std::shared_ptr<const FastNet> net, std::string name, bool sample = false)
      : NeuralUamPolicy(std::make_unique<FastNetPolicyNet>(std::move(net)), std::move(name),
                        sample) {}
  std::string name() const override { return name_; }
  void Reset(const uam::Simulator& sim) override;
  int Choose(const uam::Simulator& sim) override;

 private:
  std::unique_ptr<PolicyNet> net_;
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
