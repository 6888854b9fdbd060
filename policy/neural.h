// Learned policies: graph-attention networks on LibTorch and their PPO
// update, behind a torch-free interface (no torch header leaves
// policy/neural.cc). Observations come in as env::Observation buffers.
//
//   Observation (node sets, typed edges, mask, action nodes)
//        |  per node set: Linear -> H
//        v
//   [GATv2 x L]  multi-head, edge-type embeddings, edge features, residual
//        |       + LayerNorm + FFN; "sequence" sets (UAM forecast) go
//        |       through a transformer encoder layer instead
//        v
//   context = mean-pool per node set ++ globals ++ query node (UAM: the
//        |    deciding aircraft)
//        v
//   attention decoder: q = W_q context, k_a = W_k [h(action node a),
//   action features a]; logit_a = 10 tanh(q . k_a / sqrt(d)); mask -> -inf
//   value head: MLP(context)
//
// One-observation inference (run, eval, the GUI, training validation) uses
// a torch-free copy of the weights, FastNet (policy/fast_net.h): the same
// arithmetic without LibTorch's per-operation overhead.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/core/domain.h"
#include "sim/core/rng.h"
#include "sim/core/status.h"
#include "sim/env/env.h"

namespace dispatchlab::policy {
class FastNet;
class PolicyNet;
namespace testing {
struct ModelAccess;
}
}

namespace dispatchlab::policy {

struct ModelConfig {
  int hidden = 32;
  int heads = 4;
  int layers = 3;
  // Feature version of the domain's observer (env::kJobShopFeaturesCurrent,
  // env::kUamFeaturesCurrent: both 2, for new models; checkpoints that do
  // not record it are version 1).
  int features = 2;
  bool operator==(const ModelConfig&) const = default;
};

struct PpoConfig {
  double clip = 0.2;
  double value_clip = 0.2;
  double value_coef = 0.5;
  double entropy_coef = 0.01;
  double max_grad_norm = 0.5;
  int epochs = 4;
  int minibatch = 128;
  // Critic warm-up: train the value head (v1, v2) alone on the value loss;
  // the rest of the network, and so the policy, stays exactly as it is.
  // For PPO after imitation, which leaves the value head untrained.
  bool value_only = false;
};

struct PpoStats {
  double policy_loss = 0, value_loss = 0, entropy = 0, approx_kl = 0, clip_fraction = 0;
  double loss_before = 0, loss_after = 0;  // total loss on the batch, before/after
};

// One decision for PPO. advantage and ret are filled by ComputeGae.
struct Transition {
  env::Observation obs;
  int action = 0;
  float log_prob = 0;
  float value = 0;
  float reward = 0;
  bool done = false;
  float advantage = 0;
  float ret = 0;
};

// A data-parallel training group: c10d over Gloo, rendezvous through a
// TCPStore at host:port that rank 0 serves.
struct GroupConfig {
  int rank = 0;
  int world = 1;
  std::string host = "127.0.0.1";
  int port = 29500;
  double timeout_s = 300;
  // Text every rank must agree on (the training configuration); a
  // mismatch is an error on every rank instead of a hang.
  std::string agreement;
};

class NeuralModel {
 public:
  static Result<std::unique_ptr<NeuralModel>> Create(Domain domain, const ModelConfig& config,
                                                     std::uint64_t seed);
  // Loads a checkpoint written by Save. Errors: missing file, not a
  // dispatchlab checkpoint, incompatible version.
  static Result<std::unique_ptr<NeuralModel>> Load(const std::string& path);
  // The element-wise mean of the weights of checkpoints of one model shape
  // (checkpoint averaging: snapshots of one run, late in training, average
  // out the noise of the last updates). Optimizer and trainer state are the
  // last path's; its trainer state gains "averaged_from" (the paths).
  // Errors: no path, a path Load refuses, another domain or model shape.
  static Result<std::unique_ptr<NeuralModel>> Average(std::span<const std::string> paths);
  ~NeuralModel();

  Domain domain() const;
  const ModelConfig& config() const;
  std::int64_t parameter_count() const;
  // Trainer state saved with the checkpoint (JSON text, "{}" if none).
  const std::string& trainer_state() const;

  // No-grad inference: masked action probabilities (one vector of
  // num_actions per observation) and state values.
  void Evaluate(std::span<const env::Observation* const> obs,
                std::vector<std::vector<float>>* probs, std::vector<float>* values) const;

  // The network's current weights as a torch-free FastNet (same arithmetic,
  // one observation at a time, no per-operation overhead). Rebuilt after an
  // Update; safe to call from several threads. Null without LibTorch.
  std::shared_ptr<const FastNet> fast_net() const;

  // `epochs` passes of minibatch PPO updates over `batch` (advantages
  // filled) at learning rate `lr`; minibatches drawn with `rng`.
  PpoStats Update(const std::vector<Transition>& batch, const PpoConfig& ppo, double lr,
                  Rng& rng);

  // Cross-entropy steps on demonstrated decisions (learning from search):
  // `epochs` passes over `batch` (obs and action used) in shuffled
  // minibatches, each step minimising -log p(action | obs) at learning rate
  // `lr`, gradients clipped to `max_grad_norm`. Returns the mean loss of
  // the last pass and the share of decisions the policy's argmax matches.
  struct ImitationStats {
    double loss = 0, accuracy = 0;
    int steps = 0;
  };
  ImitationStats UpdateImitation(const std::vector<Transition>& batch, int epochs, int minibatch,
                                 double lr, double max_grad_norm, Rng& rng);

  // Joins a data-parallel group. Rank 0's weights are broadcast, and from
  // then on Update averages the gradients of all ranks before each step, so
  // every rank holds the same weights. Every rank of the group must call it.
  Status JoinGroup(const GroupConfig& group);
  int rank() const;
  int world() const;
  // True on every rank when any rank passes true (one all-reduce); just
  // `local` outside a group. Lets all ranks stop at the same iteration.
  bool AnyRank(bool local);

  // Writes model, optimizer state and trainer_state atomically (temp file +
  // rename): a crash leaves the previous checkpoint intact. Then the
  // torch-free weights file beside it (WeightsPathFor(path), also atomic),
  // which is what run, eval and the GUI load.
  Status Save(const std::string& path, const std::string& trainer_state) const;

  // Intra-op threads for this process (the app decides).
  static void SetThreads(int threads);

 private:
  struct Impl;
  explicit NeuralModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct testing::ModelAccess;
};

// LibTorch inference behind the policy adapters' interface
// (policy/neural_policy.h), so tests and benchmarks compare both paths on
// whole episodes. The adapters themselves run on FastNet.
std::unique_ptr<PolicyNet> TorchPolicyNet(std::shared_ptr<const NeuralModel> model);

namespace testing {
// One attention aggregation of the GATv2 layer with identity weights and no
// edge bias, single head: out_i = sum_j a_ij x_j over edges j -> i, with
// a_ij = softmax_j(att . LeakyReLU_0.2(x_j + x_i)). x is n x d row-major.
// Exposed so tests can check the layer's arithmetic by hand.
std::vector<float> GatAggregate(const std::vector<float>& x, int n, int d,
                                const std::vector<int>& src, const std::vector<int>& dst,
                                const std::vector<float>& att);

// Which implementation the GATv2 attention aggregation (and the pooling and
// row gathers around it) runs on: true (the default) the fused kernels,
// forward and backward written out over destination-sorted edges; false the
// reference built from LibTorch operations (index_select, scatter_add,
// elementwise). Same math, outputs and gradients equal to rounding; kept so
// that tests and bench/update_bench.cc compare both in one process.
// Process-wide; set it only while no model is running.
void SetFusedGat(bool fused);
bool FusedGat();

// One forward and backward pass of `model` on `obs` (one batch), for
// comparing the two paths above. The loss is a fixed random combination
// (weights drawn from `seed`) of the legal actions' log-probabilities and
// the values, so every output reaches every parameter. log_probs: B x A
// row-major (A = the batch's largest action count), 0 where not legal;
// grads: per named parameter, its gradient (empty if it got none).
struct ForwardBackward {
  std::vector<float> log_probs, values;
  std::vector<std::pair<std::string, std::vector<float>>> grads;
};
ForwardBackward RunForwardBackward(NeuralModel& model,
                                   std::span<const env::Observation* const> obs,
                                   std::uint64_t seed);
}  // namespace testing

}  // namespace dispatchlab::policy
