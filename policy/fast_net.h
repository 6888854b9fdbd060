// Inference of a trained graph-attention network without LibTorch: the same
// arithmetic as NetImpl::forward in neural.cc, for one observation at a
// time, on plain float arrays with a reusable workspace.
//
// Why: a decision through LibTorch costs hundreds of small tensor operations
// (0.43 ms for 8-vertiport / 40-aircraft UAM, measured), nearly all of it
// per-operation overhead rather than arithmetic. Evaluation, the GUI and
// training validation decide one observation at a time, so they use this
// path; training's batched forward and the PPO update stay on LibTorch.
//
// The weights are exported from a NeuralModel (NeuralModel::fast_net());
// policy_test checks that both paths give the same probabilities and that a
// whole greedy episode takes the same actions.
#pragma once

#include <vector>

#include "sim/env/env.h"

namespace dispatchlab::policy {

// y = x W^T + b with W stored transposed ([in][out]) for contiguous rows.
struct DenseWeights {
  int in = 0, out = 0;
  std::vector<float> wt;  // in * out
  std::vector<float> b;   // out
};

struct LayerNormWeights {
  std::vector<float> gamma, beta;
};

struct GatLayerWeights {
  DenseWeights wl, wr, ff1, ff2;
  std::vector<float> type_emb;  // edge types * hidden
  std::vector<float> att;       // heads * (hidden / heads)
  LayerNormWeights ln1, ln2;
};

// torch::nn::MultiheadAttention followed by the residual/LN/FFN block.
struct SeqLayerWeights {
  DenseWeights qkv;  // hidden -> 3 * hidden (in_proj_weight / in_proj_bias)
  DenseWeights out, ff1, ff2;
  LayerNormWeights ln1, ln2;
};

struct FastNetWeights {
  int hidden = 0, heads = 0;
  // Job shop: the feature version the network was trained on
  // (env::JobShopObserver); files that do not say are version 1.
  int features = 1;
  std::vector<int> node_dims;
  std::vector<int> edge_dims;  // per typed edge set (0: no features)
  int globals_dim = 0;
  int action_feature_dim = 0;
  bool has_query = false;
  int seq_set = -1;  // node set encoded by the transformer layer, or -1
  std::vector<DenseWeights> in_proj, edge_proj;
  std::vector<GatLayerWeights> layers;
  SeqLayerWeights seq;
  DenseWeights globals_proj, ctx, wq, wk, v1, v2;
};

class FastNet {
 public:
  explicit FastNet(FastNetWeights w) : w_(std::move(w)) {}

  // Scratch buffers of one forward pass; one per thread.
  struct Workspace {
    std::vector<float> x, xl, xr, h, ff, agg, bias, score, node_max, den, parts, ctx, q, k, keys,
        logits, qkv, attn, globals;
    std::vector<std::int32_t> src, dst, type, base, legal;
  };

  // Masked action probabilities (size of obs.mask) and the state value.
  void Evaluate(const env::Observation& obs, Workspace* ws, std::vector<float>* probs,
                float* value) const;

  const FastNetWeights& weights() const { return w_; }

 private:
  FastNetWeights w_;
};

}  // namespace dispatchlab::policy
