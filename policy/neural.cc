// The only translation unit of dispatchlab that sees torch. Narrow headers
// only (never <torch/torch.h>); compiled alone in a Ninja pool of one, with
// a precompiled header (policy/CMakeLists.txt).
#include "policy/neural.h"

#include "policy/fast_net.h"
#include "policy/neural_policy.h"
#include "policy/weights_file.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/utils.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <malloc.h>

#include <mutex>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>

#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/jobshop/generator.h"
#include "sim/uam/scenario.h"

namespace dispatchlab::policy {
namespace {

using Json = nlohmann::json;
constexpr int kCheckpointVersion = 1;
constexpr const char* kCheckpointFormat = "dispatchlab-checkpoint";

// Shapes of a domain's observations, fixed by the Env view.
struct Schema {
  std::vector<std::string> set_names;
  std::vector<int> node_dims;
  struct EdgeType {
    int src_set, dst_set, dim;
  };
  std::vector<EdgeType> edges;
  int globals_dim = 0;
  int action_feature_dim = 0;
  int action_node_set = 0;
  bool has_query = false;
  std::vector<bool> sequence_set;  // transformer instead of graph attention
};

Schema SchemaOf(const env::Observation& o) {
  Schema s;
  for (const auto& ns : o.node_sets) {
    s.set_names.push_back(ns.name);
    s.node_dims.push_back(ns.dim);
    s.sequence_set.push_back(ns.name == "forecast");
  }
  for (const auto& es : o.edge_sets) s.edges.push_back({es.src_set, es.dst_set, es.dim});
  s.globals_dim = static_cast<int>(o.globals.size());
  s.action_feature_dim = o.action_feature_dim;
  s.action_node_set = o.action_node_set;
  s.has_query = o.query_node_set >= 0;
  return s;
}

Schema SchemaFor(Domain d) {
  env::Observation o;
  if (d == Domain::kJobShop) {
    auto inst = jobshop::GenerateInstance({.jobs = 3, .machines = 3, .seed = 1});
    env::JobShopObserver obs(*inst);
    obs.Init(&o);
  } else {
    const uam::Scenario sc = uam::DefaultScenario();
    env::UamObserver obs(sc);
    obs.Init(&o);
  }
  return SchemaOf(o);
}

// ---------------------------------------------------------------------------
// Batch of observations as tensors: all graphs' nodes of all sets in one
// node tensor (set-major, then graph, then node), edges offset accordingly.
struct Batch {
  int graphs = 0;
  std::vector<at::Tensor> set_features;  // per set [n_s, dim_s]
  std::vector<at::Tensor> set_graph;     // per set [n_s] graph id
  std::vector<std::int64_t> set_base;    // first global index of each set
  std::int64_t nodes = 0;
  std::vector<at::Tensor> edge_src, edge_dst;  // per edge set, global ids
  std::vector<at::Tensor> edge_features;       // per edge set [e, dim] or undefined
  at::Tensor globals;                          // [B, G]
  at::Tensor action_index;                     // [B, A] global node id (0 if none)
  at::Tensor action_valid;                     // [B, A] bool: real and legal
  at::Tensor action_features;                  // [B, A, F] or undefined
  at::Tensor query_index;                      // [B] global node id
  int max_actions = 0;
};

Batch MakeBatch(const Schema& schema, std::span<const env::Observation* const> obs) {
  Batch b;
  b.graphs = static_cast<int>(obs.size());
  const int sets = static_cast<int>(schema.node_dims.size());
  // offsets[s][g]: first index of graph g within set s
  std::vector<std::vector<std::int64_t>> offsets(sets, std::vector<std::int64_t>(b.graphs + 1, 0));
  for (int s = 0; s < sets; ++s)
    for (int g = 0; g < b.graphs; ++g)
      offsets[s][g + 1] = offsets[s][g] + obs[g]->node_sets[s].count;
  std::int64_t base = 0;
  for (int s = 0; s < sets; ++s) {
    b.set_base.push_back(base);
    const std::int64_t n = offsets[s][b.graphs];
    const int dim = schema.node_dims[s];
    auto feat = at::empty({n, dim}, at::kFloat);
    auto gid = at::empty({n}, at::kLong);
    float* fp = feat.data_ptr<float>();
    std::int64_t* gp = gid.data_ptr<std::int64_t>();
    for (int g = 0; g < b.graphs; ++g) {
      const auto& ns = obs[g]->node_sets[s];
      std::copy(ns.features.begin(), ns.features.end(), fp + offsets[s][g] * dim);
      std::fill(gp + offsets[s][g], gp + offsets[s][g + 1], g);
    }
    b.set_features.push_back(feat);
    b.set_graph.push_back(gid);
    base += n;
  }
  b.nodes = base;
  auto global = [&](int s, int g, std::int64_t local) { return b.set_base[s] + offsets[s][g] + local; };
  for (std::size_t e = 0; e < schema.edges.size(); ++e) {
    const auto& et = schema.edges[e];
    std::int64_t count = 0;
    for (int g = 0; g < b.graphs; ++g) count += static_cast<std::int64_t>(obs[g]->edge_sets[e].src.size());
    auto src = at::empty({count}, at::kLong), dst = at::empty({count}, at::kLong);
    auto* sp = src.data_ptr<std::int64_t>();
    auto* dp = dst.data_ptr<std::int64_t>();
    at::Tensor ef;
    float* fp = nullptr;
    if (et.dim > 0) {
      ef = at::empty({count, et.dim}, at::kFloat);
      fp = ef.data_ptr<float>();
    }
    std::int64_t k = 0;
    for (int g = 0; g < b.graphs; ++g) {
      const auto& es = obs[g]->edge_sets[e];
      for (std::size_t i = 0; i < es.src.size(); ++i, ++k) {
        sp[k] = global(et.src_set, g, es.src[i]);
        dp[k] = global(et.dst_set, g, es.dst[i]);
      }
      if (fp) {
        std::copy(es.features.begin(), es.features.end(), fp);
        fp += es.features.size();
      }
    }
    b.edge_src.push_back(src);
    b.edge_dst.push_back(dst);
    b.edge_features.push_back(ef);
  }
  // Filled through raw pointers: element-wise tensor indexing costs two
  // tensor operations per element.
  const int gdim = std::max(1, schema.globals_dim);
  b.globals = at::zeros({b.graphs, gdim}, at::kFloat);
  float* gp = b.globals.data_ptr<float>();
  for (int g = 0; g < b.graphs; ++g)
    for (int i = 0; i < schema.globals_dim; ++i) gp[g * gdim + i] = obs[g]->globals[i];
  for (int g = 0; g < b.graphs; ++g)
    b.max_actions = std::max(b.max_actions, static_cast<int>(obs[g]->mask.size()));
  b.action_index = at::zeros({b.graphs, b.max_actions}, at::kLong);
  b.action_valid = at::zeros({b.graphs, b.max_actions}, at::kBool);
  auto* ai = b.action_index.data_ptr<std::int64_t>();
  auto* av = b.action_valid.data_ptr<bool>();
  const int fdim = schema.action_feature_dim;
  float* afp = nullptr;
  if (fdim > 0) {
    b.action_features = at::zeros({b.graphs, b.max_actions, fdim}, at::kFloat);
    afp = b.action_features.data_ptr<float>();
  }
  b.query_index = at::zeros({b.graphs}, at::kLong);
  auto* qi = b.query_index.data_ptr<std::int64_t>();
  for (int g = 0; g < b.graphs; ++g) {
    const auto& o = *obs[g];
    for (std::size_t a = 0; a < o.mask.size(); ++a) {
      const int node = o.action_nodes[a];
      ai[g * b.max_actions + a] = node >= 0 ? global(o.action_node_set, g, node) : 0;
      av[g * b.max_actions + a] = o.mask[a] && node >= 0;
      if (afp)
        std::copy(o.action_features.begin() + static_cast<std::ptrdiff_t>(a * fdim),
                  o.action_features.begin() + static_cast<std::ptrdiff_t>((a + 1) * fdim),
                  afp + (static_cast<std::size_t>(g) * b.max_actions + a) * fdim);
    }
    if (schema.has_query) qi[g] = global(o.query_node_set, g, o.query_node);
  }
  return b;
}

// Softmax of `score` [E, heads] over the edges entering each node. The
// shift for stability is the per-head maximum over all edges (softmax is
// shift-invariant per node; a per-node max via scatter_reduce was a quarter
// of the run time, measured). Scores are attention logits of layer-normed
// features, far from the ~80 spread that could underflow a whole node.
// Sum of rows of `src` [E, ...] into `nodes` rows by `index` [E]. scatter_add
// rather than index_add: LibTorch 1.13's CPU index_add over rows runs one
// tensor operation per index (measured: most of a forward pass).
at::Tensor SumRows(const at::Tensor& src, const at::Tensor& index, std::int64_t nodes) {
  std::vector<std::int64_t> shape(src.sizes().begin(), src.sizes().end());
  shape[0] = nodes;
  auto idx = index.view({-1}).clone();
  std::vector<std::int64_t> view(src.dim(), 1);
  view[0] = src.size(0);
  return at::zeros(shape, src.options()).scatter_add(0, idx.view(view).expand(src.sizes()), src);
}

at::Tensor SegmentSoftmax(const at::Tensor& score, const at::Tensor& dst, std::int64_t nodes) {
  auto ex = (score - std::get<0>(score.detach().max(0, /*keepdim=*/true))).exp();
  auto den = SumRows(ex, dst, nodes);
  return ex / den.index_select(0, dst).clamp_min(1e-16);
}

// The attention aggregation of a GATv2 layer: xl = W_l x (sources and
// values), xr = W_r x (targets), bias per edge; returns [N, heads * dh].
at::Tensor GatAttention(const at::Tensor& xl, const at::Tensor& xr, const at::Tensor& src,
                        const at::Tensor& dst, const at::Tensor& edge_bias, const at::Tensor& att,
                        int heads) {
  const auto n = xl.size(0), e = src.size(0), hidden = xl.size(1);
  const auto dh = hidden / heads;
  auto xl_src = xl.index_select(0, src);
  auto g = at::leaky_relu(xl_src + xr.index_select(0, dst) + edge_bias, 0.2).view({e, heads, dh});
  auto score = (g * att.unsqueeze(0)).sum(-1);  // [E, heads]
  auto alpha = SegmentSoftmax(score, dst, n);
  auto msg = xl_src.view({e, heads, dh}) * alpha.unsqueeze(-1);
  return SumRows(msg, dst, n).view({n, hidden});
}

// One GATv2 layer with edge-type embeddings and optional edge features:
//   g_ij = LeakyReLU(W_l x_j + W_r x_i + T[type] + F_type e_ij)   per head
//   a_ij = softmax_j(att . g_ij);  x_i' = LN(x_i + sum_j a_ij W_l x_j)
//   x_i'' = LN(x_i' + FFN(x_i'))
struct GatLayerImpl : torch::nn::Module {
  GatLayerImpl(int hidden, int heads, int edge_types)
      : heads(heads), dh(hidden / heads),
        wl(register_module("wl", torch::nn::Linear(hidden, hidden))),
        wr(register_module("wr", torch::nn::Linear(hidden, hidden))),
        type_emb(register_parameter("type_emb", torch::randn({edge_types, hidden}) * 0.1)),
        att(register_parameter("att", torch::randn({heads, hidden / heads}) * (1.0 / std::sqrt(hidden / heads)))),
        ln1(register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})))),
        ln2(register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})))),
        ff1(register_module("ff1", torch::nn::Linear(hidden, 2 * hidden))),
        ff2(register_module("ff2", torch::nn::Linear(2 * hidden, hidden))) {}

  // edge_bias: [E, hidden] (type embedding + projected edge features)
  at::Tensor forward(const at::Tensor& x, const at::Tensor& src, const at::Tensor& dst,
                     const at::Tensor& edge_bias) {
    auto agg = GatAttention(wl->forward(x), wr->forward(x), src, dst, edge_bias, att, heads);
    auto h = ln1->forward(x + at::elu(agg));
    return ln2->forward(h + ff2->forward(at::relu(ff1->forward(h))));
  }

  int heads, dh;
  torch::nn::Linear wl, wr;
  at::Tensor type_emb, att;
  torch::nn::LayerNorm ln1, ln2;
  torch::nn::Linear ff1, ff2;
};
TORCH_MODULE(GatLayer);

// Transformer encoder layer over a fixed-length token sequence per graph.
struct SeqLayerImpl : torch::nn::Module {
  SeqLayerImpl(int hidden, int heads)
      : mha(register_module("mha", torch::nn::MultiheadAttention(
                                       torch::nn::MultiheadAttentionOptions(hidden, heads)))),
        ln1(register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})))),
        ln2(register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})))),
        ff1(register_module("ff1", torch::nn::Linear(hidden, 2 * hidden))),
        ff2(register_module("ff2", torch::nn::Linear(2 * hidden, hidden))) {}
  // x: [T, B, H]
  at::Tensor forward(const at::Tensor& x) {
    auto a = std::get<0>(mha->forward(x, x, x));
    auto h = ln1->forward(x + a);
    return ln2->forward(h + ff2->forward(at::relu(ff1->forward(h))));
  }
  torch::nn::MultiheadAttention mha;
  torch::nn::LayerNorm ln1, ln2;
  torch::nn::Linear ff1, ff2;
};
TORCH_MODULE(SeqLayer);

struct NetImpl : torch::nn::Module {
  NetImpl(const Schema& s, const ModelConfig& c) : schema(s), hidden(c.hidden), heads(c.heads) {
    const int sets = static_cast<int>(s.node_dims.size());
    for (int i = 0; i < sets; ++i) in_proj->push_back(torch::nn::Linear(s.node_dims[i], hidden));
    register_module("in_proj", in_proj);
    for (std::size_t e = 0; e < s.edges.size(); ++e)
      edge_proj->push_back(torch::nn::Linear(std::max(1, s.edges[e].dim), hidden));
    register_module("edge_proj", edge_proj);
    for (int l = 0; l < c.layers; ++l)
      layers->push_back(GatLayer(hidden, heads, static_cast<int>(s.edges.size()) + 1));
    register_module("layers", layers);
    for (int i = 0; i < sets; ++i)
      if (s.sequence_set[i]) seq_index_ = i;
    if (seq_index_ >= 0) seq = register_module("seq", SeqLayer(hidden, heads));
    globals_proj = register_module("globals_proj", torch::nn::Linear(std::max(1, s.globals_dim), hidden));
    const int ctx_in = hidden * (sets + 1 + (s.has_query ? 1 : 0));
    ctx = register_module("ctx", torch::nn::Linear(ctx_in, hidden));
    wq = register_module("wq", torch::nn::Linear(hidden, hidden));
    wk = register_module("wk", torch::nn::Linear(hidden + s.action_feature_dim, hidden));
    v1 = register_module("v1", torch::nn::Linear(hidden, hidden));
    v2 = register_module("v2", torch::nn::Linear(hidden, 1));
  }

  // Returns masked logits [B, A] (invalid = -1e9) and values [B].
  std::pair<at::Tensor, at::Tensor> forward(const Batch& b) {
    const int sets = static_cast<int>(schema.node_dims.size());
    std::vector<at::Tensor> xs;
    for (int s = 0; s < sets; ++s) {
      auto h = in_proj[s]->as<torch::nn::Linear>()->forward(b.set_features[s]);
      if (s == seq_index_ && h.size(0) > 0) {
        const auto t = h.size(0) / b.graphs;
        h = seq->forward(h.view({b.graphs, t, hidden}).transpose(0, 1)).transpose(0, 1).reshape({-1, hidden});
      }
      xs.push_back(h);
    }
    auto x = at::cat(xs, 0);
    // Edges: typed sets plus a self loop on every node.
    std::vector<at::Tensor> srcs, dsts, biases;
    for (std::size_t e = 0; e < schema.edges.size(); ++e) {
      srcs.push_back(b.edge_src[e]);
      dsts.push_back(b.edge_dst[e]);
      if (schema.edges[e].dim > 0)
        biases.push_back(edge_proj[e]->as<torch::nn::Linear>()->forward(b.edge_features[e]));
      else
        biases.push_back(at::zeros({b.edge_src[e].size(0), hidden}));
    }
    auto self = at::arange(b.nodes, at::kLong);
    srcs.push_back(self);
    dsts.push_back(self);
    biases.push_back(at::zeros({b.nodes, hidden}));
    auto src = at::cat(srcs), dst = at::cat(dsts);
    std::vector<at::Tensor> type_ids;
    for (std::size_t e = 0; e < srcs.size(); ++e)
      type_ids.push_back(at::full({srcs[e].size(0)}, static_cast<std::int64_t>(e), at::kLong));
    auto types = at::cat(type_ids);
    auto feat_bias = at::cat(biases);
    for (auto& m : *layers) {
      auto* layer = m->as<GatLayerImpl>();
      x = layer->forward(x, src, dst, layer->type_emb.index_select(0, types) + feat_bias);
    }
    // Context: mean pool per node set, globals, query node.
    std::vector<at::Tensor> parts;
    for (int s = 0; s < sets; ++s) {
      const auto n = b.set_features[s].size(0);
      auto hs = x.narrow(0, b.set_base[s], n);
      auto sum = SumRows(hs, b.set_graph[s], b.graphs);
      auto cnt = SumRows(at::ones({n}), b.set_graph[s], b.graphs).clamp_min(1);
      parts.push_back(sum / cnt.unsqueeze(1));
    }
    parts.push_back(globals_proj->forward(b.globals));
    if (schema.has_query) parts.push_back(x.index_select(0, b.query_index));
    auto c = at::relu(ctx->forward(at::cat(parts, 1)));  // [B, H]
    // Attention decoder over actions.
    auto keys_in = x.index_select(0, b.action_index.reshape({-1})).view({b.graphs, b.max_actions, hidden});
    if (schema.action_feature_dim > 0) keys_in = at::cat({keys_in, b.action_features}, 2);
    const int dh = hidden / heads;
    auto k = wk->forward(keys_in).view({b.graphs, b.max_actions, heads, dh});
    auto q = wq->forward(c).view({b.graphs, 1, heads, dh});
    auto compat = (q * k).sum(-1).mean(-1) / std::sqrt(static_cast<double>(dh));
    auto logits = 10.0 * at::tanh(compat);
    logits = logits.masked_fill(b.action_valid.logical_not(), -1e9);
    auto value = v2->forward(at::relu(v1->forward(c))).squeeze(1);
    return {logits, value};
  }

  Schema schema;
  int hidden, heads;
  int seq_index_ = -1;
  torch::nn::ModuleList in_proj, edge_proj, layers;
  SeqLayer seq{nullptr};
  torch::nn::Linear globals_proj{nullptr}, ctx{nullptr}, wq{nullptr}, wk{nullptr}, v1{nullptr},
      v2{nullptr};
};
TORCH_MODULE(Net);

}  // namespace

struct NeuralModel::Impl {
  Domain domain;
  ModelConfig config;
  Schema schema;
  Net net{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::string trainer_state = "{}";
  // The torch-free copy of the weights, rebuilt when `version` moves on.
  std::uint64_t version = 0;
  mutable std::mutex fast_mu;
  mutable std::uint64_t fast_version = ~0ULL;
  mutable std::shared_ptr<const FastNet> fast;
  // Data-parallel group (world 1: none).
  int rank = 0, world = 1;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

  // Averages the gradients over the group (one all-reduce of all of them).
  void AverageGradients() {
    if (!group) return;
    std::vector<at::Tensor> parts;
    const auto params = net->parameters();
    for (const auto& p : params)
      parts.push_back(p.grad().defined() ? p.grad().reshape({-1}) : at::zeros({p.numel()}));
    std::vector<at::Tensor> flat{at::cat(parts)};
    group->allreduce(flat)->wait();
    flat[0].div_(static_cast<double>(world));
    std::int64_t off = 0;
    for (auto p : params) {
      auto g = flat[0].narrow(0, off, p.numel()).view_as(p);
      if (p.grad().defined()) p.mutable_grad().copy_(g);
      else p.mutable_grad() = g.clone();
      off += p.numel();
    }
  }
};

namespace {
std::vector<float> ToVector(const at::Tensor& t) {
  auto c = t.detach().to(at::kFloat).contiguous();
  const float* p = c.data_ptr<float>();
  return {p, p + c.numel()};
}

DenseWeights ExportDense(const at::Tensor& weight, const at::Tensor& bias) {
  DenseWeights d;
  d.out = static_cast<int>(weight.size(0));
  d.in = static_cast<int>(weight.size(1));
  d.wt = ToVector(weight.t());
  d.b = bias.defined() ? ToVector(bias) : std::vector<float>(d.out, 0.f);
  return d;
}
DenseWeights ExportDense(const torch::nn::Linear& l) { return ExportDense(l->weight, l->bias); }
DenseWeights ExportDense(const std::shared_ptr<torch::nn::Module>& m) {
  return ExportDense(m->as<torch::nn::Linear>()->weight, m->as<torch::nn::Linear>()->bias);
}
LayerNormWeights ExportNorm(const torch::nn::LayerNorm& ln) {
  return {ToVector(ln->weight), ToVector(ln->bias)};
}

FastNetWeights ExportWeights(const NetImpl& net) {
  FastNetWeights w;
  const Schema& s = net.schema;
  w.hidden = net.hidden;
  w.heads = net.heads;
  w.node_dims = s.node_dims;
  for (const auto& e : s.edges) w.edge_dims.push_back(e.dim);
  w.globals_dim = s.globals_dim;
  w.action_feature_dim = s.action_feature_dim;
  w.has_query = s.has_query;
  w.seq_set = net.seq_index_;
  for (const auto& m : *net.in_proj) w.in_proj.push_back(ExportDense(m));
  for (const auto& m : *net.edge_proj) w.edge_proj.push_back(ExportDense(m));
  for (const auto& m : *net.layers) {
    const auto* l = m->as<GatLayerImpl>();
    w.layers.push_back({ExportDense(l->wl), ExportDense(l->wr), ExportDense(l->ff1),
                        ExportDense(l->ff2), ToVector(l->type_emb), ToVector(l->att),
                        ExportNorm(l->ln1), ExportNorm(l->ln2)});
  }
  if (net.seq) {
    const auto& mha = net.seq->mha;
    w.seq = {ExportDense(mha->in_proj_weight, mha->in_proj_bias), ExportDense(mha->out_proj),
             ExportDense(net.seq->ff1), ExportDense(net.seq->ff2), ExportNorm(net.seq->ln1),
             ExportNorm(net.seq->ln2)};
  }
  w.globals_proj = ExportDense(net.globals_proj);
  w.ctx = ExportDense(net.ctx);
  w.wq = ExportDense(net.wq);
  w.wk = ExportDense(net.wk);
  w.v1 = ExportDense(net.v1);
  w.v2 = ExportDense(net.v2);
  return w;
}
}  // namespace

std::shared_ptr<const FastNet> NeuralModel::fast_net() const {
  std::lock_guard lock(impl_->fast_mu);
  if (impl_->fast_version != impl_->version) {
    impl_->fast = std::make_shared<const FastNet>(ExportWeights(*impl_->net));
    impl_->fast_version = impl_->version;
  }
  return impl_->fast;
}

NeuralModel::NeuralModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NeuralModel::~NeuralModel() = default;
Domain NeuralModel::domain() const { return impl_->domain; }
const ModelConfig& NeuralModel::config() const { return impl_->config; }
const std::string& NeuralModel::trainer_state() const { return impl_->trainer_state; }

std::int64_t NeuralModel::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : impl_->net->parameters()) n += p.numel();
  return n;
}

void NeuralModel::SetThreads(int threads) { at::set_num_threads(std::max(1, threads)); }

Result<std::unique_ptr<NeuralModel>> NeuralModel::Create(Domain domain, const ModelConfig& config,
                                                         std::uint64_t seed) {
  if (config.hidden < 8 || config.heads < 1 || config.hidden % config.heads != 0 ||
      config.layers < 1 || config.layers > 16)
    return Error{fmt::format("model: need hidden >= 8 divisible by heads, 1 <= layers <= 16 "
                             "(got hidden {}, heads {}, layers {})",
                             config.hidden, config.heads, config.layers)};
  torch::manual_seed(seed);
  // Tensors of a forward pass are freed and reallocated at every decision;
  // glibc would hand large blocks back to the kernel each time and fault
  // them in again (a third of the run time, measured). Keep them.
  static const bool kMallocTuned = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    return true;
  }();
  (void)kMallocTuned;
  auto impl = std::make_unique<Impl>();
  impl->domain = domain;
  impl->config = config;
  impl->schema = SchemaFor(domain);
  impl->net = Net(impl->schema, config);
  impl->optimizer = std::make_unique<torch::optim::Adam>(impl->net->parameters(),
                                                         torch::optim::AdamOptions(3e-4));
  return std::unique_ptr<NeuralModel>(new NeuralModel(std::move(impl)));
}

void NeuralModel::Evaluate(std::span<const env::Observation* const> obs,
                           std::vector<std::vector<float>>* probs,
                           std::vector<float>* values) const {
  c10::InferenceMode guard;
  const Batch b = MakeBatch(impl_->schema, obs);
  auto [logits, value] = impl_->net->forward(b);
  auto p = at::softmax(logits, 1).contiguous();
  probs->resize(obs.size());
  values->resize(obs.size());
  const float* pp = p.data_ptr<float>();
  auto v = value.contiguous();
  for (std::size_t g = 0; g < obs.size(); ++g) {
    const std::size_t n = obs[g]->mask.size();
    (*probs)[g].assign(pp + g * b.max_actions, pp + g * b.max_actions + n);
    (*values)[g] = v[static_cast<std::int64_t>(g)].item<float>();
  }
}

namespace {
struct LossParts {
  at::Tensor total, policy, value, entropy, approx_kl, clip_frac;
};

LossParts PpoLoss(Net& net, const Schema& schema, const std::vector<const Transition*>& mb,
                  const PpoConfig& ppo) {
  std::vector<const env::Observation*> obs;
  std::vector<std::int64_t> actions;
  std::vector<float> old_lp, old_v, adv, ret;
  for (const Transition* t : mb) {
    obs.push_back(&t->obs);
    actions.push_back(t->action);
    old_lp.push_back(t->log_prob);
    old_v.push_back(t->value);
    adv.push_back(t->advantage);
    ret.push_back(t->ret);
  }
  const Batch b = MakeBatch(schema, obs);
  auto [logits, value] = net->forward(b);
  auto logp_all = at::log_softmax(logits, 1);
  auto act = at::tensor(actions, at::kLong).unsqueeze(1);
  auto logp = logp_all.gather(1, act).squeeze(1);
  auto t_old_lp = at::tensor(old_lp), t_old_v = at::tensor(old_v);
  auto t_adv = at::tensor(adv), t_ret = at::tensor(ret);
  auto ratio = (logp - t_old_lp).exp();
  auto surr1 = ratio * t_adv;
  auto surr2 = ratio.clamp(1 - ppo.clip, 1 + ppo.clip) * t_adv;
  LossParts l;
  l.policy = -at::min(surr1, surr2).mean();
  auto v_clipped = t_old_v + (value - t_old_v).clamp(-ppo.value_clip, ppo.value_clip);
  l.value = 0.5 * at::max((value - t_ret).pow(2), (v_clipped - t_ret).pow(2)).mean();
  auto p = logp_all.exp();
  l.entropy = -(p * logp_all).masked_fill(b.action_valid.logical_not(), 0).sum(1).mean();
  l.total = l.policy + ppo.value_coef * l.value - ppo.entropy_coef * l.entropy;
  {
    at::NoGradGuard ng;
    l.approx_kl = (t_old_lp - logp).mean();
    l.clip_frac = ((ratio - 1).abs() > ppo.clip).to(at::kFloat).mean();
  }
  return l;
}
}  // namespace

PpoStats NeuralModel::Update(const std::vector<Transition>& batch, const PpoConfig& ppo, double lr,
                             Rng& rng) {
  PpoStats stats;
  if (batch.empty()) return stats;
  ++impl_->version;  // the weights change: fast_net() rebuilds
  auto& net = impl_->net;
  for (auto& group : impl_->optimizer->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  // Loss on (a sample of) the batch before and after, for monitoring.
  std::vector<const Transition*> probe;
  for (std::size_t i = 0; i < batch.size() && probe.size() < 256; ++i) probe.push_back(&batch[i]);
  {
    at::NoGradGuard ng;
    stats.loss_before = PpoLoss(net, impl_->schema, probe, ppo).total.item<double>();
  }
  std::vector<std::size_t> order(batch.size());
  std::iota(order.begin(), order.end(), 0);
  int updates = 0;
  for (int epoch = 0; epoch < ppo.epochs; ++epoch) {
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[rng.UniformInt(0, static_cast<std::int64_t>(i) - 1)]);
    for (std::size_t start = 0; start < order.size(); start += ppo.minibatch) {
      std::vector<const Transition*> mb;
      for (std::size_t k = start; k < std::min(order.size(), start + ppo.minibatch); ++k)
        mb.push_back(&batch[order[k]]);
      auto l = PpoLoss(net, impl_->schema, mb, ppo);
      impl_->optimizer->zero_grad();
      l.total.backward();
      impl_->AverageGradients();
      torch::nn::utils::clip_grad_norm_(net->parameters(), ppo.max_grad_norm);
      impl_->optimizer->step();
      stats.policy_loss += l.policy.item<double>();
      stats.value_loss += l.value.item<double>();
      stats.entropy += l.entropy.item<double>();
      stats.approx_kl += l.approx_kl.item<double>();
      stats.clip_fraction += l.clip_frac.item<double>();
      ++updates;
    }
  }
  if (updates > 0) {
    stats.policy_loss /= updates;
    stats.value_loss /= updates;
    stats.entropy /= updates;
    stats.approx_kl /= updates;
    stats.clip_fraction /= updates;
  }
  {
    at::NoGradGuard ng;
    stats.loss_after = PpoLoss(net, impl_->schema, probe, ppo).total.item<double>();
  }
  return stats;
}

int NeuralModel::rank() const { return impl_->rank; }
int NeuralModel::world() const { return impl_->world; }

Status NeuralModel::JoinGroup(const GroupConfig& g) {
  if (g.world < 1 || g.rank < 0 || g.rank >= g.world)
    return Error{fmt::format("data parallel: rank {} is not in a world of {}", g.rank, g.world)};
  if (g.port < 1 || g.port > 65535)
    return Error{fmt::format("data parallel: port {} out of range", g.port)};
  if (impl_->group) return Error{"data parallel: this model already joined a group"};
  if (g.world == 1) return Status::Ok();
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(g.timeout_s * 1000));
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(g.port);
    so.isServer = g.rank == 0;
    so.numWorkers = static_cast<std::size_t>(g.world);
    so.waitWorkers = true;
    so.timeout = timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore>(g.host, so);
    // Agreement before any collective: rank 0 compares and publishes a
    // verdict that every rank reads, so all fail together, clearly.
    auto bytes = [](const std::string& t) { return std::vector<std::uint8_t>(t.begin(), t.end()); };
    auto text = [](const std::vector<std::uint8_t>& b) { return std::string(b.begin(), b.end()); };
    impl_->store->set(fmt::format("agree/{}", g.rank), bytes(g.agreement));
    if (g.rank == 0) {
      std::string verdict = "ok";
      for (int r = 1; r < g.world && verdict == "ok"; ++r)
        if (text(impl_->store->get(fmt::format("agree/{}", r))) != g.agreement)
          verdict = fmt::format("rank {} was started with a different configuration than rank 0",
                                r);
      impl_->store->set("verdict", bytes(verdict));
    }
    const std::string verdict = text(impl_->store->get("verdict"));
    // Rank 0 serves the store: it must not exit (on a mismatch) before
    // every rank has read the verdict.
    if (g.rank != 0) {
      impl_->store->set(fmt::format("read/{}", g.rank), bytes("1"));
    } else {
      std::vector<std::string> keys;
      for (int r = 1; r < g.world; ++r) keys.push_back(fmt::format("read/{}", r));
      impl_->store->wait(keys);
    }
    if (verdict != "ok") {
      impl_->store.reset();
      return Error{"data parallel: " + verdict};
    }
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(g.host));
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, g.rank, g.world, options);
    // Everyone starts from rank 0's weights.
    at::NoGradGuard ng;
    for (auto p : impl_->net->parameters()) {
      std::vector<at::Tensor> t{p.data()};
      impl_->group->broadcast(t)->wait();
    }
  } catch (const std::exception& e) {
    impl_->group.reset();
    impl_->store.reset();
    return Error{fmt::format("data parallel: cannot join {}:{} as rank {} of {}: {}", g.host,
                             g.port, g.rank, g.world, std::string(e.what()).substr(0, 200))};
  }
  impl_->rank = g.rank;
  impl_->world = g.world;
  ++impl_->version;
  return Status::Ok();
}

bool NeuralModel::AnyRank(bool local) {
  if (!impl_->group) return local;
  std::vector<at::Tensor> t{at::full({1}, local ? 1.0f : 0.0f)};
  c10d::AllreduceOptions o;
  o.reduceOp = c10d::ReduceOp::MAX;
  impl_->group->allreduce(t, o)->wait();
  return t[0].item<float>() > 0.5f;
}

Status NeuralModel::Save(const std::string& path, const std::string& trainer_state) const {
  Json meta;
  meta["format"] = kCheckpointFormat;
  meta["version"] = kCheckpointVersion;
  meta["domain"] = DomainName(impl_->domain);
  meta["config"] = {{"hidden", impl_->config.hidden},
                    {"heads", impl_->config.heads},
                    {"layers", impl_->config.layers}};
  meta["trainer"] = Json::parse(trainer_state.empty() ? "{}" : trainer_state);
  const std::string tmp = path + ".tmp";
  try {
    torch::serialize::OutputArchive archive, model, optim;
    impl_->net->save(model);
    impl_->optimizer->save(optim);
    archive.write("model", model);
    archive.write("optim", optim);
    archive.write("meta", c10::IValue(meta.dump()));
    archive.save_to(tmp);
  } catch (const std::exception& e) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return Error{fmt::format("{}: cannot write checkpoint: {}", path, e.what())};
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error{fmt::format("{}: cannot replace checkpoint: {}", path, ec.message())};
  return WriteWeightsFile(WeightsPathFor(path), impl_->domain, fast_net()->weights());
}

namespace {
class TorchNet final : public PolicyNet {
 public:
  explicit TorchNet(std::shared_ptr<const NeuralModel> model) : model_(std::move(model)) {}
  const std::vector<float>& Probabilities(const env::Observation& obs) override {
    const env::Observation* one[] = {&obs};
    std::vector<std::vector<float>> batch;
    std::vector<float> values;
    model_->Evaluate(one, &batch, &values);
    probs_ = std::move(batch[0]);
    return probs_;
  }

 private:
  std::shared_ptr<const NeuralModel> model_;
  std::vector<float> probs_;
};
}  // namespace

std::unique_ptr<PolicyNet> TorchPolicyNet(std::shared_ptr<const NeuralModel> model) {
  return std::make_unique<TorchNet>(std::move(model));
}

Result<std::unique_ptr<NeuralModel>> NeuralModel::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Error{fmt::format("{}: no such checkpoint file", path)};
  torch::serialize::InputArchive archive;
  Json meta;
  try {
    archive.load_from(path);
    c10::IValue m;
    if (!archive.try_read("meta", m) || !m.isString())
      return Error{fmt::format("{}: not a dispatchlab checkpoint (no metadata)", path)};
    meta = Json::parse(m.toStringRef());
  } catch (const std::exception& e) {
    return Error{fmt::format("{}: not a dispatchlab checkpoint ({})", path,
                             std::string(e.what()).substr(0, 120))};
  }
  if (meta.value("format", "") != kCheckpointFormat)
    return Error{fmt::format("{}: not a dispatchlab checkpoint", path)};
  if (meta.value("version", 0) != kCheckpointVersion)
    return Error{fmt::format("{}: checkpoint version {} is not supported (this build reads {})",
                             path, meta.value("version", 0), kCheckpointVersion)};
  auto domain = ParseDomain(meta.value("domain", ""));
  if (!domain) return Error{fmt::format("{}: {}", path, domain.error().message)};
  ModelConfig config;
  config.hidden = meta["config"].value("hidden", 64);
  config.heads = meta["config"].value("heads", 4);
  config.layers = meta["config"].value("layers", 3);
  auto model = Create(*domain, config, 0);
  if (!model) return model.error();
  try {
    torch::serialize::InputArchive m, o;
    archive.read("model", m);
    (*model)->impl_->net->load(m);
    ++(*model)->impl_->version;
    if (archive.try_read("optim", o)) (*model)->impl_->optimizer->load(o);
  } catch (const std::exception& e) {
    return Error{fmt::format("{}: checkpoint does not match the {} model ({})", path,
                             DomainName(*domain), std::string(e.what()).substr(0, 160))};
  }
  (*model)->impl_->trainer_state = meta.contains("trainer") ? meta["trainer"].dump() : "{}";
  return model;
}

namespace testing {
std::vector<float> GatAggregate(const std::vector<float>& x, int n, int d,
                                const std::vector<int>& src, const std::vector<int>& dst,
                                const std::vector<float>& att) {
  c10::InferenceMode guard;
  auto xt = at::tensor(x).view({n, d});
  std::vector<std::int64_t> s(src.begin(), src.end()), t(dst.begin(), dst.end());
  auto out = GatAttention(xt, xt, at::tensor(s, at::kLong), at::tensor(t, at::kLong),
                          at::zeros({static_cast<std::int64_t>(src.size()), d}),
                          at::tensor(att).view({1, d}), 1)
                 .contiguous();
  return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + n * d);
}
}  // namespace testing

}  // namespace dispatchlab::policy
