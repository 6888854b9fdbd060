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
#include <torch/csrc/autograd/custom_function.h>
#include <ATen/Parallel.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <malloc.h>

#include <atomic>
#include <mutex>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
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

// testing::SetFusedGat: which GAT implementation forward() runs.
std::atomic<bool> fused_gat{true};

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

Schema SchemaFor(Domain d, int features) {
  env::Observation o;
  if (d == Domain::kJobShop) {
    auto inst = jobshop::GenerateInstance({.jobs = 3, .machines = 3, .seed = 1});
    env::JobShopObserver obs(*inst, features);
    obs.Init(&o);
  } else {
    const uam::Scenario sc = uam::DefaultScenario();
    env::UamObserver obs(sc, features);
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
  // Fused path only (testing::FusedGat): every edge the layers attend over
  // (typed sets, then a self loop per node) sorted by destination, and the
  // graphs' node ranges per set for the mean pool.
  struct Csr {
    at::Tensor offsets;  // [N + 1] int64: edges into node i are offsets[i] ..
    at::Tensor src;      // [E] int64 source node
    at::Tensor type;     // [E] int64 edge set; self loops: number of edge sets
    at::Tensor feat;     // [E] int64 row of the edge-feature bias, -1 for none
  } csr;
  std::vector<at::Tensor> set_graph_offsets;  // per set [B + 1] int64, local rows
};

// Stable counting sort of edges by destination (CSR rows); `feat` may be
// empty (no edge features).
Batch::Csr SortByDestination(std::span<const std::int64_t> src, std::span<const std::int64_t> dst,
                             std::span<const std::int64_t> type, std::span<const std::int64_t> feat,
                             std::int64_t nodes) {
  const auto e = static_cast<std::int64_t>(src.size());
  Batch::Csr c;
  c.offsets = at::zeros({nodes + 1}, at::kLong);
  c.src = at::empty({e}, at::kLong);
  c.type = at::empty({e}, at::kLong);
  c.feat = at::empty({e}, at::kLong);
  auto* off = c.offsets.data_ptr<std::int64_t>();
  for (std::int64_t k = 0; k < e; ++k) ++off[dst[k] + 1];
  for (std::int64_t i = 0; i < nodes; ++i) off[i + 1] += off[i];
  std::vector<std::int64_t> cursor(off, off + nodes);
  auto* sp = c.src.data_ptr<std::int64_t>();
  auto* tp = c.type.data_ptr<std::int64_t>();
  auto* fp = c.feat.data_ptr<std::int64_t>();
  for (std::int64_t k = 0; k < e; ++k) {
    const std::int64_t at = cursor[dst[k]]++;
    sp[at] = src[k];
    tp[at] = type[k];
    fp[at] = feat.empty() ? -1 : feat[k];
  }
  return c;
}

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
      const int set = o.action_sets.empty() ? o.action_node_set : o.action_sets[a];
      ai[g * b.max_actions + a] = node >= 0 ? global(set, g, node) : 0;
      av[g * b.max_actions + a] = o.mask[a] && node >= 0;
      if (afp)
        std::copy(o.action_features.begin() + static_cast<std::ptrdiff_t>(a * fdim),
                  o.action_features.begin() + static_cast<std::ptrdiff_t>((a + 1) * fdim),
                  afp + (static_cast<std::size_t>(g) * b.max_actions + a) * fdim);
    }
    if (schema.has_query) qi[g] = global(o.query_node_set, g, o.query_node);
  }
  if (fused_gat.load(std::memory_order_relaxed)) {
    std::vector<std::int64_t> src, dst, type, feat;
    std::int64_t feat_rows = 0;
    for (std::size_t e = 0; e < schema.edges.size(); ++e) {
      const auto n = b.edge_src[e].size(0);
      const auto* sp = b.edge_src[e].data_ptr<std::int64_t>();
      const auto* dp = b.edge_dst[e].data_ptr<std::int64_t>();
      src.insert(src.end(), sp, sp + n);
      dst.insert(dst.end(), dp, dp + n);
      type.insert(type.end(), n, static_cast<std::int64_t>(e));
      for (std::int64_t k = 0; k < n; ++k) feat.push_back(schema.edges[e].dim > 0 ? feat_rows + k : -1);
      if (schema.edges[e].dim > 0) feat_rows += n;
    }
    for (std::int64_t i = 0; i < b.nodes; ++i) {
      src.push_back(i);
      dst.push_back(i);
      type.push_back(static_cast<std::int64_t>(schema.edges.size()));
      feat.push_back(-1);
    }
    b.csr = SortByDestination(src, dst, type, feat, b.nodes);
    for (int s = 0; s < sets; ++s) {
      auto t = at::empty({b.graphs + 1}, at::kLong);
      std::copy(offsets[s].begin(), offsets[s].end(), t.data_ptr<std::int64_t>());
      b.set_graph_offsets.push_back(t);
    }
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

// ---------------------------------------------------------------------------
// Fused path (testing::FusedGat, the default). The reference above builds
// [E, H] tensors several times per layer (gathers of xl and xr, the type
// embedding rows, LeakyReLU, the weighted messages) and its backward runs
// index_add over every edge. These kernels walk the destination-sorted
// edges (Batch::Csr) once forward and once backward, node rows in parallel,
// and keep only alpha [E, heads] for backward; the rest is recomputed.
//
//   per edge k = j -> i:  v_k = xl_j + xr_i + T[type_k] + F[feat_k]     [H]
//                          s_kh = att_h . LeakyReLU_0.2(v_k)_h
//   per node i, head h:    alpha_kh = softmax over k into i of s_kh
//                          out_ih = sum_k alpha_kh xl_jh
// The softmax shift is the row's own maximum (the reference uses the
// global one; the same softmax).
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Dense layers of the fused path: y = x W^T + b with forward and backward
// written as loops whose output width is a compile-time constant, built for
// AVX-512, AVX2+FMA and baseline x86-64 (chosen once by CPU features, as in
// policy/fast_net.cc). LibTorch 1.13 hands these tall-thin products
// ([N, 32] x [32, 64]) to OpenBLAS, which picks its SSE3 kernel on CPUs it
// does not recognise (measured: 40% of an update after the fused
// attention).
//   y[r, o]   = b[o] + sum_i x[r, i] wt[i, o]     (wt = W^T, [in, out])
//   dx[r, i]  = sum_o dy[r, o] W[o, i]            (the same kernel, wt = W)
//   dW^T[i, o] = sum_r x[r, i] dy[r, o]
template <int kOut>
inline __attribute__((always_inline)) void RowsTimesFixed(const float* __restrict x,
                                                          std::int64_t rows, std::int64_t in,
                                                          const float* __restrict wt,
                                                          const float* __restrict b,
                                                          float* __restrict y) {
  std::int64_t r = 0;
  for (; r + 1 < rows; r += 2) {
    float a0[kOut], a1[kOut];
    for (int o = 0; o < kOut; ++o) a0[o] = a1[o] = b ? b[o] : 0.0f;
    const float* x0 = x + r * in;
    const float* x1 = x0 + in;
    for (std::int64_t i = 0; i < in; ++i) {
      const float v0 = x0[i], v1 = x1[i];
      const float* w = wt + i * kOut;
      for (int o = 0; o < kOut; ++o) {
        a0[o] += v0 * w[o];
        a1[o] += v1 * w[o];
      }
    }
    float* y0 = y + r * kOut;
    for (int o = 0; o < kOut; ++o) {
      y0[o] = a0[o];
      y0[kOut + o] = a1[o];
    }
  }
  for (; r < rows; ++r) {
    float a0[kOut];
    for (int o = 0; o < kOut; ++o) a0[o] = b ? b[o] : 0.0f;
    const float* x0 = x + r * in;
    for (std::int64_t i = 0; i < in; ++i) {
      const float v0 = x0[i];
      const float* w = wt + i * kOut;
      for (int o = 0; o < kOut; ++o) a0[o] += v0 * w[o];
    }
    for (int o = 0; o < kOut; ++o) y[r * kOut + o] = a0[o];
  }
}

inline __attribute__((always_inline)) void RowsTimesAny(const float* __restrict x,
                                                        std::int64_t rows, std::int64_t in,
                                                        const float* __restrict wt,
                                                        const float* __restrict b,
                                                        std::int64_t out, float* __restrict y) {
  for (std::int64_t r = 0; r < rows; ++r) {
    float* yr = y + r * out;
    for (std::int64_t o = 0; o < out; ++o) yr[o] = b ? b[o] : 0.0f;
    for (std::int64_t i = 0; i < in; ++i) {
      const float v = x[r * in + i];
      const float* w = wt + i * out;
      for (std::int64_t o = 0; o < out; ++o) yr[o] += v * w[o];
    }
  }
}

inline __attribute__((always_inline)) void RowsTimesBody(const float* x, std::int64_t rows,
                                                         std::int64_t in, const float* wt,
                                                         const float* b, std::int64_t out,
                                                         float* y) {
  switch (out) {
    case 8: return RowsTimesFixed<8>(x, rows, in, wt, b, y);
    case 16: return RowsTimesFixed<16>(x, rows, in, wt, b, y);
    case 24: return RowsTimesFixed<24>(x, rows, in, wt, b, y);
    case 32: return RowsTimesFixed<32>(x, rows, in, wt, b, y);
    case 48: return RowsTimesFixed<48>(x, rows, in, wt, b, y);
    case 64: return RowsTimesFixed<64>(x, rows, in, wt, b, y);
    default: return RowsTimesAny(x, rows, in, wt, b, out, y);
  }
}

// acc[i, o] += sum over rows of x[r, i] dy[r, o]   (acc: [in, out])
template <int kOut>
inline __attribute__((always_inline)) void OuterAccFixed(const float* __restrict x,
                                                         const float* __restrict dy,
                                                         std::int64_t rows, std::int64_t in,
                                                         float* __restrict acc) {
  std::int64_t r = 0;
  for (; r + 1 < rows; r += 2) {
    const float* x0 = x + r * in;
    const float* x1 = x0 + in;
    const float* d0 = dy + r * kOut;
    const float* d1 = d0 + kOut;
    for (std::int64_t i = 0; i < in; ++i) {
      const float v0 = x0[i], v1 = x1[i];
      float* a = acc + i * kOut;
      for (int o = 0; o < kOut; ++o) a[o] += v0 * d0[o] + v1 * d1[o];
    }
  }
  for (; r < rows; ++r)
    for (std::int64_t i = 0; i < in; ++i) {
      const float v = x[r * in + i];
      for (int o = 0; o < kOut; ++o) acc[i * kOut + o] += v * dy[r * kOut + o];
    }
}

inline __attribute__((always_inline)) void OuterAccBody(const float* x, const float* dy,
                                                        std::int64_t rows, std::int64_t in,
                                                        std::int64_t out, float* acc) {
  switch (out) {
    case 8: return OuterAccFixed<8>(x, dy, rows, in, acc);
    case 16: return OuterAccFixed<16>(x, dy, rows, in, acc);
    case 24: return OuterAccFixed<24>(x, dy, rows, in, acc);
    case 32: return OuterAccFixed<32>(x, dy, rows, in, acc);
    case 48: return OuterAccFixed<48>(x, dy, rows, in, acc);
    case 64: return OuterAccFixed<64>(x, dy, rows, in, acc);
    default:
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t i = 0; i < in; ++i) {
          const float v = x[r * in + i];
          for (std::int64_t o = 0; o < out; ++o) acc[i * out + o] += v * dy[r * out + o];
        }
  }
}

// 2: AVX-512 (F, VL) + AVX2 + FMA, 1: AVX2 + FMA, 0: baseline.
int VectorLevel() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") ? 2 : 1;
#else
  return 0;
#endif
}
const int kVectorLevel = VectorLevel();

#if defined(__x86_64__) && defined(__GNUC__)
#define DL_TORCH_KERNEL(name, params, args)                                              \
  void name##Baseline params { name##Body args; }                                       \
  __attribute__((target("avx2,fma"))) void name##Avx2 params { name##Body args; }      \
  __attribute__((target("avx512f,avx512vl,avx2,fma"))) void name##Avx512 params {      \
    name##Body args;                                                                    \
  }                                                                                     \
  void name params {                                                                    \
    kVectorLevel == 2 ? name##Avx512 args : kVectorLevel == 1 ? name##Avx2 args : name##Baseline args; \
  }
#else
#define DL_TORCH_KERNEL(name, params, args) \
  void name params { name##Body args; }
#endif

DL_TORCH_KERNEL(RowsTimes,
                (const float* x, std::int64_t rows, std::int64_t in, const float* wt,
                 const float* b, std::int64_t out, float* y),
                (x, rows, in, wt, b, out, y))
DL_TORCH_KERNEL(OuterAcc,
                (const float* x, const float* dy, std::int64_t rows, std::int64_t in,
                 std::int64_t out, float* acc),
                (x, dy, rows, in, out, acc))

// y = x wt (+ b) over row blocks in parallel.
void RowsTimesParallel(const float* x, std::int64_t rows, std::int64_t in, const float* wt,
                       const float* b, std::int64_t out, float* y) {
  at::parallel_for(0, rows, 512, [&](std::int64_t begin, std::int64_t end) {
    RowsTimes(x + begin * in, end - begin, in, wt, b, out, y + begin * out);
  });
}

struct LinearFn : torch::autograd::Function<LinearFn> {
  // x [rows, in], weight [out, in], bias [out]
  static at::Tensor forward(AutogradContext* ctx, at::Tensor x, at::Tensor weight, at::Tensor bias) {
    x = x.contiguous();
    const std::int64_t rows = x.size(0), in = x.size(1), out = weight.size(0);
    const at::Tensor wt = weight.t().contiguous();
    const at::Tensor b = bias.contiguous();
    auto y = at::empty({rows, out}, x.options());
    RowsTimesParallel(x.data_ptr<float>(), rows, in, wt.data_ptr<float>(), b.data_ptr<float>(),
                      out, y.data_ptr<float>());
    ctx->save_for_backward({x, weight});
    return y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor x = saved[0], w = saved[1].contiguous();
    const at::Tensor dy = grads[0].contiguous();
    const std::int64_t rows = x.size(0), in = x.size(1), out = w.size(0);
    auto dx = at::empty({rows, in}, x.options());
    RowsTimesParallel(dy.data_ptr<float>(), rows, out, w.data_ptr<float>(), nullptr, in,
                      dx.data_ptr<float>());
    const std::int64_t chunks =
        std::max<std::int64_t>(1, std::min<std::int64_t>(at::get_num_threads(), rows / 2048));
    auto parts = at::zeros({chunks, in, out}, x.options());
    const float* xp = x.data_ptr<float>();
    const float* dp = dy.data_ptr<float>();
    float* pp = parts.data_ptr<float>();
    at::parallel_for(0, chunks, 1, [&](std::int64_t cb, std::int64_t ce) {
      for (std::int64_t c = cb; c < ce; ++c) {
        const std::int64_t r0 = c * rows / chunks, r1 = (c + 1) * rows / chunks;
        OuterAcc(xp + r0 * in, dp + r0 * out, r1 - r0, in, out, pp + c * in * out);
      }
    });
    at::Tensor dwt = chunks == 1 ? parts[0] : parts.sum(0);
    return {dx, dwt.t().contiguous(), dy.sum(0)};
  }
};

// A Linear on the fused path: the kernels above for 2-D float input.
at::Tensor Dense(torch::nn::LinearImpl& l, const at::Tensor& x) {
  if (!l.bias.defined() || x.dim() != 2 || x.scalar_type() != at::kFloat) return l.forward(x);
  return LinearFn::apply(x, l.weight, l.bias);
}

struct GatKernelArgs {
  const float *xl, *xr, *type_emb, *feat_bias, *att;
  const std::int64_t *off, *src, *type, *feat;
  std::int64_t hidden, heads, dh;
};

GatKernelArgs KernelArgs(const at::Tensor& xl, const at::Tensor& xr, const at::Tensor& type_emb,
                         const at::Tensor& feat_bias, const at::Tensor& att,
                         const at::Tensor& offsets, const at::Tensor& src, const at::Tensor& type,
                         const at::Tensor& feat, std::int64_t heads) {
  GatKernelArgs a;
  a.xl = xl.data_ptr<float>();
  a.xr = xr.data_ptr<float>();
  a.type_emb = type_emb.data_ptr<float>();
  a.feat_bias = feat_bias.numel() > 0 ? feat_bias.data_ptr<float>() : nullptr;
  a.att = att.data_ptr<float>();
  a.off = offsets.data_ptr<std::int64_t>();
  a.src = src.data_ptr<std::int64_t>();
  a.type = type.data_ptr<std::int64_t>();
  a.feat = feat.data_ptr<std::int64_t>();
  a.hidden = xl.size(1);
  a.heads = heads;
  a.dh = a.hidden / heads;
  return a;
}

// Widths are template constants for the default shape (hidden 32, 4 heads)
// so the loops vectorise; 0 reads them at run time (up to hidden 256).
constexpr std::int64_t kMaxHidden = 256;

// v = xl[src_k] + xr[i] + T[type_k] (+ F[feat_k])
template <int kH>
inline __attribute__((always_inline)) void EdgeInput(const GatKernelArgs& a, std::int64_t i,
                                                     std::int64_t k, float* __restrict v) {
  const std::int64_t hidden = kH ? kH : a.hidden;
  const float* __restrict x = a.xl + a.src[k] * hidden;
  const float* __restrict r = a.xr + i * hidden;
  const float* __restrict t = a.type_emb + a.type[k] * hidden;
  for (std::int64_t c = 0; c < hidden; ++c) v[c] = x[c] + r[c] + t[c];
  if (a.feat_bias && a.feat[k] >= 0) {
    const float* __restrict f = a.feat_bias + a.feat[k] * hidden;
    for (std::int64_t c = 0; c < hidden; ++c) v[c] += f[c];
  }
}

// Forward of destination rows [begin, end): alpha (edge rows of those
// nodes) and out rows.
template <int kH, int kHeads>
inline __attribute__((always_inline)) void GatForwardT(const GatKernelArgs& a, std::int64_t begin,
                                                       std::int64_t end, float* __restrict alp,
                                                       float* __restrict op) {
  const std::int64_t hidden = kH ? kH : a.hidden, heads = kHeads ? kHeads : a.heads;
  const std::int64_t dh = hidden / heads;
  float v[kMaxHidden];
  for (std::int64_t i = begin; i < end; ++i) {
    const std::int64_t k0 = a.off[i], k1 = a.off[i + 1], deg = k1 - k0;
    float* al = alp + k0 * heads;
    for (std::int64_t k = k0; k < k1; ++k) {
      EdgeInput<kH>(a, i, k, v);
      for (std::int64_t c = 0; c < hidden; ++c) v[c] = a.att[c] * (v[c] > 0 ? v[c] : 0.2f * v[c]);
      for (std::int64_t h = 0; h < heads; ++h) {
        float s = 0;
        for (std::int64_t d = 0; d < dh; ++d) s += v[h * dh + d];
        al[(k - k0) * heads + h] = s;
      }
    }
    for (std::int64_t h = 0; h < heads; ++h) {
      float mx = -std::numeric_limits<float>::infinity();
      for (std::int64_t k = 0; k < deg; ++k) mx = std::max(mx, al[k * heads + h]);
      float den = 0;
      for (std::int64_t k = 0; k < deg; ++k) {
        const float ex = std::exp(al[k * heads + h] - mx);
        al[k * heads + h] = ex;
        den += ex;
      }
      const float inv = 1.0f / den;
      for (std::int64_t k = 0; k < deg; ++k) al[k * heads + h] *= inv;
    }
    float o[kMaxHidden];
    for (std::int64_t c = 0; c < hidden; ++c) o[c] = 0;
    for (std::int64_t k = k0; k < k1; ++k) {
      const float* __restrict x = a.xl + a.src[k] * hidden;
      const float* w = al + (k - k0) * heads;
      for (std::int64_t h = 0; h < heads; ++h)
        for (std::int64_t d = 0; d < dh; ++d) o[h * dh + d] += w[h] * x[h * dh + d];
    }
    std::copy(o, o + hidden, op + i * hidden);
  }
}

// Backward of destination rows [begin, end): writes dxr rows and dfeat
// rows of their edges; adds into dxl, dt and datt (this chunk's copies).
template <int kH, int kHeads>
inline __attribute__((always_inline)) void GatBackwardT(const GatKernelArgs& a, std::int64_t begin,
                                                        std::int64_t end, const float* __restrict gp,
                                                        const float* __restrict alp,
                                                        float* __restrict dxr, float* dfeat,
                                                        float* dxl, float* dt,
                                                        float* __restrict datt) {
  const std::int64_t hidden = kH ? kH : a.hidden, heads = kHeads ? kHeads : a.heads;
  const std::int64_t dh = hidden / heads;
  float v[kMaxHidden], gxr[kMaxHidden], dot[kMaxHidden], ds[kMaxHidden], dv[kMaxHidden];
  std::vector<float> dalpha;
  for (std::int64_t i = begin; i < end; ++i) {
    const std::int64_t k0 = a.off[i], k1 = a.off[i + 1];
    const float* __restrict g = gp + i * hidden;
    const float* al = alp + k0 * heads;
    for (std::int64_t c = 0; c < hidden; ++c) gxr[c] = 0;
    // d out_i / d alpha_kh = g_ih . xl_jh
    dalpha.resize(static_cast<std::size_t>((k1 - k0) * heads));
    for (std::int64_t h = 0; h < heads; ++h) dot[h] = 0;
    for (std::int64_t k = k0; k < k1; ++k) {
      const float* __restrict x = a.xl + a.src[k] * hidden;
      for (std::int64_t h = 0; h < heads; ++h) {
        float s = 0;
        for (std::int64_t d = 0; d < dh; ++d) s += g[h * dh + d] * x[h * dh + d];
        dalpha[(k - k0) * heads + h] = s;
        dot[h] += s * al[(k - k0) * heads + h];
      }
    }
    for (std::int64_t k = k0; k < k1; ++k) {
      const float* w = al + (k - k0) * heads;
      // softmax backward: ds = alpha (dalpha - sum alpha dalpha)
      for (std::int64_t h = 0; h < heads; ++h) ds[h] = w[h] * (dalpha[(k - k0) * heads + h] - dot[h]);
      EdgeInput<kH>(a, i, k, v);
      float* __restrict datt_e = datt;
      for (std::int64_t h = 0; h < heads; ++h)
        for (std::int64_t d = 0; d < dh; ++d) {
          const std::int64_t c = h * dh + d;
          const bool pos = v[c] > 0;
          datt_e[c] += ds[h] * (pos ? v[c] : 0.2f * v[c]);
          dv[c] = ds[h] * a.att[c] * (pos ? 1.0f : 0.2f);
        }
      float* __restrict gxl = dxl + a.src[k] * hidden;
      float* __restrict gt = dt + a.type[k] * hidden;
      for (std::int64_t h = 0; h < heads; ++h)
        for (std::int64_t d = 0; d < dh; ++d) {
          const std::int64_t c = h * dh + d;
          gxl[c] += dv[c] + w[h] * g[c];
        }
      for (std::int64_t c = 0; c < hidden; ++c) {
        gxr[c] += dv[c];
        gt[c] += dv[c];
      }
      if (dfeat && a.feat[k] >= 0) std::copy(dv, dv + hidden, dfeat + a.feat[k] * hidden);
    }
    std::copy(gxr, gxr + hidden, dxr + i * hidden);
  }
}

inline __attribute__((always_inline)) void GatForwardBody(const GatKernelArgs& a,
                                                          std::int64_t begin, std::int64_t end,
                                                          float* alp, float* op) {
  if (a.hidden == 32 && a.heads == 4) return GatForwardT<32, 4>(a, begin, end, alp, op);
  return GatForwardT<0, 0>(a, begin, end, alp, op);
}
inline __attribute__((always_inline)) void GatBackwardBody(const GatKernelArgs& a,
                                                           std::int64_t begin, std::int64_t end,
                                                           const float* gp, const float* alp,
                                                           float* dxr, float* dfeat, float* dxl,
                                                           float* dt, float* datt) {
  if (a.hidden == 32 && a.heads == 4)
    return GatBackwardT<32, 4>(a, begin, end, gp, alp, dxr, dfeat, dxl, dt, datt);
  return GatBackwardT<0, 0>(a, begin, end, gp, alp, dxr, dfeat, dxl, dt, datt);
}
DL_TORCH_KERNEL(GatForward,
                (const GatKernelArgs& a, std::int64_t begin, std::int64_t end, float* alp,
                 float* op),
                (a, begin, end, alp, op))
DL_TORCH_KERNEL(GatBackward,
                (const GatKernelArgs& a, std::int64_t begin, std::int64_t end, const float* gp,
                 const float* alp, float* dxr, float* dfeat, float* dxl, float* dt, float* datt),
                (a, begin, end, gp, alp, dxr, dfeat, dxl, dt, datt))

struct GatAttentionFn : torch::autograd::Function<GatAttentionFn> {
  static at::Tensor forward(AutogradContext* ctx, at::Tensor xl, at::Tensor xr, at::Tensor type_emb,
                            at::Tensor feat_bias, at::Tensor att, at::Tensor offsets, at::Tensor src,
                            at::Tensor type, at::Tensor feat, std::int64_t heads) {
    xl = xl.contiguous();
    xr = xr.contiguous();
    type_emb = type_emb.contiguous();
    feat_bias = feat_bias.contiguous();
    att = att.contiguous();
    const std::int64_t n = xl.size(0), hidden = xl.size(1), e = src.size(0);
    DL_CHECK(hidden <= kMaxHidden && hidden % heads == 0);
    auto out = at::empty({n, hidden}, xl.options());
    auto alpha = at::empty({e, heads}, xl.options());
    const GatKernelArgs a =
        KernelArgs(xl, xr, type_emb, feat_bias, att, offsets, src, type, feat, heads);
    float* op = out.data_ptr<float>();
    float* alp = alpha.data_ptr<float>();
    at::parallel_for(0, n, 64, [&](std::int64_t begin, std::int64_t end) {
      GatForward(a, begin, end, alp, op);
    });
    ctx->save_for_backward({xl, xr, type_emb, feat_bias, att, offsets, src, type, feat, alpha});
    ctx->saved_data["heads"] = heads;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &xl = saved[0], &xr = saved[1], &type_emb = saved[2], &feat_bias = saved[3],
                     &att = saved[4], &offsets = saved[5], &src = saved[6], &type = saved[7],
                     &feat = saved[8], &alpha = saved[9];
    const std::int64_t heads = ctx->saved_data["heads"].toInt();
    const at::Tensor go = grads[0].contiguous();
    const std::int64_t n = xl.size(0), hidden = xl.size(1), e = src.size(0);
    const std::int64_t types = type_emb.size(0);
    const GatKernelArgs a =
        KernelArgs(xl, xr, type_emb, feat_bias, att, offsets, src, type, feat, heads);
    // Destination rows are split into chunks of about equal edge counts;
    // each chunk scatters into its own copy of the source-side gradients
    // (xl, T, att), summed afterwards: no two threads write one row.
    const std::int64_t chunks =
        std::max<std::int64_t>(1, std::min<std::int64_t>(at::get_num_threads(), e / 4096));
    std::vector<std::int64_t> bound(chunks + 1, n);
    bound[0] = 0;
    for (std::int64_t c = 1; c < chunks; ++c)
      bound[c] = std::lower_bound(a.off, a.off + n + 1, c * e / chunks) - a.off;
    auto dxl_parts = at::zeros({chunks, n, hidden}, xl.options());
    auto dt_parts = at::zeros({chunks, types, hidden}, xl.options());
    auto datt_parts = at::zeros({chunks, hidden}, xl.options());
    auto dxr = at::empty({n, hidden}, xl.options());
    at::Tensor dfeat;
    if (feat_bias.numel() > 0) dfeat = at::zeros_like(feat_bias);
    const float* gp = go.data_ptr<float>();
    const float* alp = alpha.data_ptr<float>();
    float* dxr_p = dxr.data_ptr<float>();
    float* dfeat_p = dfeat.defined() ? dfeat.data_ptr<float>() : nullptr;
    float* dxl_all = dxl_parts.data_ptr<float>();
    float* dt_all = dt_parts.data_ptr<float>();
    float* datt_all = datt_parts.data_ptr<float>();
    at::parallel_for(0, chunks, 1, [&](std::int64_t cb, std::int64_t ce) {
      for (std::int64_t c = cb; c < ce; ++c)
        GatBackward(a, bound[c], bound[c + 1], gp, alp, dxr_p, dfeat_p, dxl_all + c * n * hidden,
                    dt_all + c * types * hidden, datt_all + c * hidden);
    });
    at::Tensor dxl = chunks == 1 ? dxl_parts[0] : dxl_parts.sum(0);
    at::Tensor dt = chunks == 1 ? dt_parts[0] : dt_parts.sum(0);
    at::Tensor datt = (chunks == 1 ? datt_parts[0] : datt_parts.sum(0)).view(att.sizes());
    return {dxl, dxr, dt, dfeat, datt, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor()};
  }
};

// Rows of x [n, H] at index [m]: index_select, with a backward that adds
// rows in one loop (LibTorch 1.13's index_add runs per index).
struct GatherRowsFn : torch::autograd::Function<GatherRowsFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& index) {
    ctx->save_for_backward({index});
    ctx->saved_data["rows"] = x.size(0);
    return x.index_select(0, index);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor index = ctx->get_saved_variables()[0];
    const at::Tensor g = grads[0].contiguous();
    const std::int64_t rows = ctx->saved_data["rows"].toInt(), w = g.size(1), m = index.size(0);
    auto dx = at::zeros({rows, w}, g.options());
    const float* gp = g.data_ptr<float>();
    const std::int64_t* ip = index.data_ptr<std::int64_t>();
    float* dp = dx.data_ptr<float>();
    for (std::int64_t r = 0; r < m; ++r) {
      float* d = dp + ip[r] * w;
      const float* s = gp + r * w;
      for (std::int64_t c = 0; c < w; ++c) d[c] += s[c];
    }
    return {dx, at::Tensor()};
  }
};

// Mean of the rows of x [n, H] per graph; graph g owns rows offsets[g] ..
// offsets[g+1]-1 (an empty graph's mean is 0).
struct SegmentMeanFn : torch::autograd::Function<SegmentMeanFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x_in, const at::Tensor& offsets) {
    const at::Tensor x = x_in.contiguous();
    const std::int64_t graphs = offsets.size(0) - 1, w = x.size(1);
    auto out = at::zeros({graphs, w}, x.options());
    const float* xp = x.data_ptr<float>();
    const std::int64_t* off = offsets.data_ptr<std::int64_t>();
    float* op = out.data_ptr<float>();
    for (std::int64_t g = 0; g < graphs; ++g) {
      float* o = op + g * w;
      for (std::int64_t r = off[g]; r < off[g + 1]; ++r)
        for (std::int64_t c = 0; c < w; ++c) o[c] += xp[r * w + c];
      const float inv = 1.0f / static_cast<float>(std::max<std::int64_t>(1, off[g + 1] - off[g]));
      for (std::int64_t c = 0; c < w; ++c) o[c] *= inv;
    }
    ctx->save_for_backward({offsets});
    ctx->saved_data["rows"] = x.size(0);
    return out;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor offsets = ctx->get_saved_variables()[0];
    const at::Tensor g = grads[0].contiguous();
    const std::int64_t rows = ctx->saved_data["rows"].toInt(), w = g.size(1);
    const std::int64_t graphs = offsets.size(0) - 1;
    auto dx = at::empty({rows, w}, g.options());
    const float* gp = g.data_ptr<float>();
    const std::int64_t* off = offsets.data_ptr<std::int64_t>();
    float* dp = dx.data_ptr<float>();
    for (std::int64_t gi = 0; gi < graphs; ++gi) {
      const float inv = 1.0f / static_cast<float>(std::max<std::int64_t>(1, off[gi + 1] - off[gi]));
      for (std::int64_t r = off[gi]; r < off[gi + 1]; ++r)
        for (std::int64_t c = 0; c < w; ++c) dp[r * w + c] = gp[gi * w + c] * inv;
    }
    return {dx, at::Tensor()};
  }
};

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
  // Fused path: edges sorted by destination; the per-edge bias is
  // type_emb[type] + feat_bias[feat] (feat_bias [0, H]: no edge features).
  at::Tensor forward(const at::Tensor& x, const Batch::Csr& csr, const at::Tensor& feat_bias) {
    auto agg = GatAttentionFn::apply(Dense(*wl, x), Dense(*wr, x), type_emb, feat_bias, att,
                                     csr.offsets, csr.src, csr.type, csr.feat,
                                     static_cast<std::int64_t>(heads));
    auto h = ln1->forward(x + at::elu(agg));
    return ln2->forward(h + Dense(*ff2, at::relu(Dense(*ff1, h))));
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
  NetImpl(const Schema& s, const ModelConfig& c)
      : schema(s), hidden(c.hidden), heads(c.heads), features(c.features) {
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
    // The fused kernels keep a row in stack buffers of kMaxHidden floats.
    const bool fused = b.csr.offsets.defined() && hidden <= kMaxHidden;
    std::vector<at::Tensor> xs;
    for (int s = 0; s < sets; ++s) {
      auto& proj = *in_proj[s]->as<torch::nn::Linear>();
      auto h = fused ? Dense(proj, b.set_features[s]) : proj.forward(b.set_features[s]);
      if (s == seq_index_ && h.size(0) > 0) {
        const auto t = h.size(0) / b.graphs;
        h = seq->forward(h.view({b.graphs, t, hidden}).transpose(0, 1)).transpose(0, 1).reshape({-1, hidden});
      }
      xs.push_back(h);
    }
    auto x = at::cat(xs, 0);
    if (fused) {
      // Edge-feature bias of the sets that have features, in CSR feat rows.
      std::vector<at::Tensor> fb;
      for (std::size_t e = 0; e < schema.edges.size(); ++e)
        if (schema.edges[e].dim > 0)
          fb.push_back(Dense(*edge_proj[e]->as<torch::nn::Linear>(), b.edge_features[e]));
      const at::Tensor feat_bias = fb.empty()       ? at::empty({0, hidden})
                                   : fb.size() == 1 ? fb[0]
                                                    : at::cat(fb);
      for (auto& m : *layers) x = m->as<GatLayerImpl>()->forward(x, b.csr, feat_bias);
    } else {
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
    }
    auto gather = [&](const at::Tensor& index) {
      return fused ? GatherRowsFn::apply(x, index) : x.index_select(0, index);
    };
    // Context: mean pool per node set, globals, query node.
    std::vector<at::Tensor> parts;
    for (int s = 0; s < sets; ++s) {
      const auto n = b.set_features[s].size(0);
      auto hs = x.narrow(0, b.set_base[s], n);
      if (fused) {
        parts.push_back(SegmentMeanFn::apply(hs, b.set_graph_offsets[s]));
        continue;
      }
      auto sum = SumRows(hs, b.set_graph[s], b.graphs);
      auto cnt = SumRows(at::ones({n}), b.set_graph[s], b.graphs).clamp_min(1);
      parts.push_back(sum / cnt.unsqueeze(1));
    }
    parts.push_back(globals_proj->forward(b.globals));
    if (schema.has_query) parts.push_back(gather(b.query_index));
    auto c = at::relu(ctx->forward(at::cat(parts, 1)));  // [B, H]
    // Attention decoder over actions.
    auto keys_in = gather(b.action_index.reshape({-1})).view({b.graphs, b.max_actions, hidden});
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
  int features;  // job-shop feature version the network observes with
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
  w.features = net.features;
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
  const int newest =
      domain == Domain::kJobShop ? env::kJobShopFeaturesNewest : env::kUamFeaturesCurrent;
  if (config.features < 1 || config.features > newest)
    return Error{fmt::format("model: {} feature versions are 1 to {} (got {})", DomainName(domain),
                             newest, config.features)};
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
  impl->schema = SchemaFor(domain, config.features);
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
      if (ppo.value_only) {
        (ppo.value_coef * l.value).backward();
      } else {
        l.total.backward();
      }
      impl_->AverageGradients();
      if (ppo.value_only)  // Adam skips a parameter without a gradient
        for (auto& item : net->named_parameters())
          if (item.key().rfind("v1.", 0) != 0 && item.key().rfind("v2.", 0) != 0)
            item.value().mutable_grad().reset();
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

NeuralModel::ImitationStats NeuralModel::UpdateImitation(const std::vector<Transition>& batch,
                                                         int epochs, int minibatch, double lr,
                                                         double max_grad_norm, Rng& rng) {
  ImitationStats stats;
  if (batch.empty()) return stats;
  ++impl_->version;  // the weights change: fast_net() rebuilds
  auto& net = impl_->net;
  for (auto& group : impl_->optimizer->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  std::vector<std::size_t> order(batch.size());
  std::iota(order.begin(), order.end(), 0);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[rng.UniformInt(0, static_cast<std::int64_t>(i) - 1)]);
    double loss_sum = 0, hits = 0;
    std::size_t seen = 0;
    for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(minibatch)) {
      std::vector<const env::Observation*> obs;
      std::vector<std::int64_t> actions;
      for (std::size_t k = start; k < std::min(order.size(), start + minibatch); ++k) {
        obs.push_back(&batch[order[k]].obs);
        actions.push_back(batch[order[k]].action);
      }
      const Batch b = MakeBatch(impl_->schema, obs);
      auto logits = net->forward(b).first;
      auto logp = at::log_softmax(logits, 1);
      auto act = at::tensor(actions, at::kLong).unsqueeze(1);
      auto loss = -logp.gather(1, act).mean();
      impl_->optimizer->zero_grad();
      loss.backward();
      impl_->AverageGradients();
      torch::nn::utils::clip_grad_norm_(net->parameters(), max_grad_norm);
      impl_->optimizer->step();
      {
        at::NoGradGuard ng;
        hits += (logits.argmax(1) == act.squeeze(1)).to(at::kFloat).sum().item<double>();
      }
      loss_sum += loss.item<double>() * static_cast<double>(obs.size());
      seen += obs.size();
      ++stats.steps;
    }
    stats.loss = loss_sum / static_cast<double>(seen);
    stats.accuracy = hits / static_cast<double>(seen);
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
                    {"layers", impl_->config.layers},
                    {"features", impl_->config.features}};
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
  int features() const override { return model_->config().features; }

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
  config.features = meta["config"].value("features", 1);  // before versions: 1
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

Result<std::unique_ptr<NeuralModel>> NeuralModel::Average(std::span<const std::string> paths) {
  if (paths.empty()) return Error{"average: no checkpoints given"};
  auto base = Load(paths.back());
  if (!base) return base.error();
  NeuralModel& m = **base;
  const ModelConfig& mc = m.config();
  auto sum = m.impl_->net->parameters();
  at::NoGradGuard no_grad;
  for (std::size_t i = 0; i + 1 < paths.size(); ++i) {
    auto other = Load(paths[i]);
    if (!other) return other.error();
    const ModelConfig& oc = (*other)->config();
    if ((*other)->domain() != m.domain() || oc != mc)
      return Error{fmt::format(
          "average: {} is a {} model (hidden {} heads {} layers {} features {}), {} a {} model "
          "(hidden {} heads {} layers {} features {}): only one model shape can be averaged",
          paths[i], DomainName((*other)->domain()), oc.hidden, oc.heads, oc.layers, oc.features,
          paths.back(), DomainName(m.domain()), mc.hidden, mc.heads, mc.layers, mc.features)};
    const auto add = (*other)->impl_->net->parameters();
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k].add_(add[k]);
  }
  for (auto& p : sum) p.div_(static_cast<double>(paths.size()));
  ++m.impl_->version;
  Json st = Json::parse(m.impl_->trainer_state);
  st["averaged_from"] = std::vector<std::string>(paths.begin(), paths.end());
  m.impl_->trainer_state = st.dump();
  return base;
}

namespace testing {
std::vector<float> GatAggregate(const std::vector<float>& x, int n, int d,
                                const std::vector<int>& src, const std::vector<int>& dst,
                                const std::vector<float>& att) {
  c10::InferenceMode guard;
  auto xt = at::tensor(x).view({n, d});
  std::vector<std::int64_t> s(src.begin(), src.end()), t(dst.begin(), dst.end());
  if (FusedGat()) {
    const std::vector<std::int64_t> type(s.size(), 0);
    const Batch::Csr csr = SortByDestination(s, t, type, {}, n);
    auto out = GatAttentionFn::apply(xt, xt, at::zeros({1, d}), at::empty({0, d}),
                                     at::tensor(att).view({1, d}),
                                     csr.offsets, csr.src, csr.type, csr.feat, 1);
    return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + n * d);
  }
  auto out = GatAttention(xt, xt, at::tensor(s, at::kLong), at::tensor(t, at::kLong),
                          at::zeros({static_cast<std::int64_t>(src.size()), d}),
                          at::tensor(att).view({1, d}), 1)
                 .contiguous();
  return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + n * d);
}

void SetFusedGat(bool fused) { fused_gat.store(fused); }
bool FusedGat() { return fused_gat.load(); }

struct ModelAccess {
  static ForwardBackward Run(NeuralModel& model, std::span<const env::Observation* const> obs,
                             std::uint64_t seed) {
    auto& net = model.impl_->net;
    const Batch b = MakeBatch(model.impl_->schema, obs);
    net->zero_grad();
    auto [logits, value] = net->forward(b);
    auto logp = at::log_softmax(logits, 1).masked_fill(b.action_valid.logical_not(), 0);
    Rng rng(seed);
    auto draw = [&](at::IntArrayRef shape) {
      auto t = at::empty(shape, at::kFloat);
      float* p = t.data_ptr<float>();
      for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(rng.Uniform() - 0.5);
      return t;
    };
    auto loss = (logp * draw(logp.sizes())).sum() + (value * draw(value.sizes())).sum();
    loss.backward();
    ForwardBackward r;
    r.log_probs = ToVector(logp);
    r.values = ToVector(value);
    for (const auto& p : net->named_parameters())
      r.grads.emplace_back(p.key(), p.value().grad().defined() ? ToVector(p.value().grad())
                                                               : std::vector<float>{});
    net->zero_grad();
    return r;
  }
};

ForwardBackward RunForwardBackward(NeuralModel& model,
                                   std::span<const env::Observation* const> obs,
                                   std::uint64_t seed) {
  return ModelAccess::Run(model, obs, seed);
}
}  // namespace testing

}  // namespace dispatchlab::policy
