#include "policy/neural_policy.h"

#include <cmath>

namespace dispatchlab::policy {

int ArgMaxLegal(const std::vector<float>& probs, const std::vector<std::uint8_t>& mask) {
  int best = -1;
  for (int a = 0; a < static_cast<int>(probs.size()); ++a)
    if (mask[a] && (best < 0 || probs[a] > probs[best])) best = a;
  return best;
}

int SampleLegal(const std::vector<float>& probs, const std::vector<std::uint8_t>& mask, Rng& rng) {
  double total = 0;
  for (std::size_t a = 0; a < probs.size(); ++a)
    if (mask[a]) total += probs[a];
  if (!(total > 0)) return ArgMaxLegal(probs, mask);
  double u = rng.Uniform() * total;
  int last = -1;
  for (int a = 0; a < static_cast<int>(probs.size()); ++a) {
    if (!mask[a]) continue;
    last = a;
    u -= probs[a];
    if (u < 0) return a;
  }
  return last;
}

FastNetPolicyNet::FastNetPolicyNet(std::shared_ptr<const FastNet> net) : net_(std::move(net)) {
  DL_CHECK(net_ != nullptr);
}

FastNetPolicyNet::FastNetPolicyNet(FastNetSource source) : source_(std::move(source)) {
  net_ = source_();
  DL_CHECK(net_ != nullptr);
}

void FastNetPolicyNet::BeginEpisode() {
  if (source_) net_ = source_();
  DL_CHECK(net_ != nullptr);
}

const std::vector<float>& FastNetPolicyNet::Probabilities(const env::Observation& obs) {
  float value = 0;
  net_->Evaluate(obs, &ws_, &probs_, &value);
  return probs_;
}

NeuralJobShopPolicy::NeuralJobShopPolicy(std::unique_ptr<PolicyNet> net, std::string name,
                                         bool sample)
    : net_(std::move(net)), name_(std::move(name)), sample_(sample) {}

void NeuralJobShopPolicy::Reset(std::uint64_t seed) {
  net_->BeginEpisode();
  rng_ = Rng::Stream(seed, StreamTag::kPolicy, 0x6a7, stream_);
  observed_ = nullptr;  // a new episode may bring a new instance at the same address
}

const std::vector<float>& NeuralJobShopPolicy::Probabilities(const jobshop::Simulator& sim) {
  if (observed_ != &sim.instance() ||
      obs_.node_sets.empty() || obs_.node_sets[0].count != sim.instance().num_operations() ||
      static_cast<int>(obs_.mask.size()) != env::JobShopActions(sim.instance(), net_->features())) {
    observed_ = &sim.instance();
    observer_ = std::make_unique<env::JobShopObserver>(sim.instance(), net_->features());
    obs_ = env::Observation{};
    observer_->Init(&obs_);
  }
  observer_->Write(sim, &obs_);
  return net_->Probabilities(obs_);
}

int NeuralJobShopPolicy::Choose(const jobshop::Simulator& sim,
                                std::span<const jobshop::Candidate> candidates) {
  const std::vector<float>* probs = &Probabilities(sim);
  if (sample_ && temperature_ != 1.0) {
    const double inv = 1.0 / temperature_;
    tempered_.resize(probs->size());
    for (std::size_t a = 0; a < probs->size(); ++a)
      tempered_[a] = static_cast<float>(std::pow(static_cast<double>((*probs)[a]), inv));
    probs = &tempered_;
  }
  int action = sample_ ? SampleLegal(*probs, obs_.mask, rng_) : ArgMaxLegal(*probs, obs_.mask);
  const int n = sim.instance().num_jobs();
  if (!sample_ && action >= n) {
    // Greedy in the wide mode decides per machine: hold it only if holding
    // is more likely than starting any of its jobs (their probabilities
    // summed), else start its likeliest job. Plain argmax would hold a
    // machine whose hold beats each job alone, at every event, and idle it
    // while the jobs' total says start.
    const int m = action - n;
    float starts = 0, best_p = -1;
    int best_start = -1;
    for (const auto& cand : candidates) {
      if (cand.hold() || cand.machine.value != m) continue;
      const float p = (*probs)[cand.job.value];
      starts += p;
      if (p > best_p) best_p = p, best_start = cand.job.value;
    }
    if (best_start >= 0 && starts > (*probs)[action]) action = best_start;
  }
  const int c = env::CandidateOfAction(sim, action, net_->features());
  return c >= 0 ? c : 0;
}

NeuralUamPolicy::NeuralUamPolicy(std::unique_ptr<PolicyNet> net, std::string name, bool sample)
    : net_(std::move(net)), name_(std::move(name)), sample_(sample) {}

void NeuralUamPolicy::Reset(const uam::Simulator& sim) {
  net_->BeginEpisode();
  rng_ = Rng::Stream(sim.seed(), StreamTag::kPolicy, 0x0a7);
  observed_ = nullptr;
}

int NeuralUamPolicy::Choose(const uam::Simulator& sim) {
  // A forced decision (one legal action) needs no observation or network:
  // the greedy argmax returns it anyway (sampling keeps its draw stream).
  int legal = -1, count = 0;
  const auto& mask = sim.mask();
  for (int a = 0; a < static_cast<int>(mask.size()) && count < 2; ++a)
    if (mask[a]) legal = a, ++count;
  if (count == 1 && !sample_) return legal;
  if (observed_ != &sim.scenario()) {
    observed_ = &sim.scenario();
    observer_ = std::make_unique<env::UamObserver>(sim.scenario(), net_->features());
    obs_ = env::Observation{};
    observer_->Init(&obs_);
  }
  observer_->Write(sim, &obs_);
  const auto& probs = net_->Probabilities(obs_);
  const int a = sample_ ? SampleLegal(probs, obs_.mask, rng_) : ArgMaxLegal(probs, obs_.mask);
  return a >= 0 ? a : sim.stay_action();
}

}  // namespace dispatchlab::policy
