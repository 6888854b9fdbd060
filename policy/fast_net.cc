#include "policy/fast_net.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "sim/core/check.h"

namespace dispatchlab::policy {
namespace {

// The kernel that carries the arithmetic: rows of x times W^T plus b. The
// common output widths are compile-time constants, so a row's accumulators
// stay in registers across the whole input loop. Compiled twice, for
// AVX2+FMA and for baseline x86-64, and chosen once by CPU features, so the
// binary stays portable and uses the wide units where they exist (4x on the
// 15x15 job shop, measured; GCC's target_clones("arch=haswell") tests the
// CPU model, not its features, and fell back to SSE on newer CPUs).
template <int kOut>
inline __attribute__((always_inline)) void MatMulBiasFixed(
    const float* __restrict x, int rows, int in, const float* __restrict wt,
    const float* __restrict b, float* __restrict y) {
  // Two rows at a time: twice the independent FMA chains per weight load.
  int r = 0;
  for (; r + 1 < rows; r += 2) {
    float a0[kOut], a1[kOut];
    for (int o = 0; o < kOut; ++o) a0[o] = a1[o] = b[o];
    const float* x0 = x + static_cast<std::ptrdiff_t>(r) * in;
    const float* x1 = x0 + in;
    for (int i = 0; i < in; ++i) {
      const float v0 = x0[i], v1 = x1[i];
      const float* wr = wt + static_cast<std::ptrdiff_t>(i) * kOut;
      for (int o = 0; o < kOut; ++o) {
        a0[o] += v0 * wr[o];
        a1[o] += v1 * wr[o];
      }
    }
    float* y0 = y + static_cast<std::ptrdiff_t>(r) * kOut;
    for (int o = 0; o < kOut; ++o) {
      y0[o] = a0[o];
      y0[kOut + o] = a1[o];
    }
  }
  for (; r < rows; ++r) {
    float acc[kOut];
    for (int o = 0; o < kOut; ++o) acc[o] = b[o];
    const float* xr = x + static_cast<std::ptrdiff_t>(r) * in;
    for (int i = 0; i < in; ++i) {
      const float xi = xr[i];
      const float* wr = wt + static_cast<std::ptrdiff_t>(i) * kOut;
      for (int o = 0; o < kOut; ++o) acc[o] += xi * wr[o];
    }
    float* yr = y + static_cast<std::ptrdiff_t>(r) * kOut;
    for (int o = 0; o < kOut; ++o) yr[o] = acc[o];
  }
}

inline __attribute__((always_inline)) void MatMulBiasBody(
    const float* __restrict x, int rows, int in, const float* __restrict wt,
    const float* __restrict b, int out, float* __restrict y) {
  switch (out) {
    case 16: return MatMulBiasFixed<16>(x, rows, in, wt, b, y);
    case 32: return MatMulBiasFixed<32>(x, rows, in, wt, b, y);
    case 64: return MatMulBiasFixed<64>(x, rows, in, wt, b, y);
    case 96: return MatMulBiasFixed<96>(x, rows, in, wt, b, y);
    case 128: return MatMulBiasFixed<128>(x, rows, in, wt, b, y);
    default: break;
  }
  for (int r = 0; r < rows; ++r) {
    float* yr = y + static_cast<std::ptrdiff_t>(r) * out;
    const float* xr = x + static_cast<std::ptrdiff_t>(r) * in;
    for (int o = 0; o < out; ++o) yr[o] = b[o];
    for (int i = 0; i < in; ++i) {
      const float xi = xr[i];
      const float* wr = wt + static_cast<std::ptrdiff_t>(i) * out;
      for (int o = 0; o < out; ++o) yr[o] += xi * wr[o];
    }
  }
}

// Each hot kernel's body is always inlined into two wrappers: baseline
// x86-64 and AVX2+FMA; one CPU-feature test picks the wrapper.
bool HaveAvx2() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}
const bool kAvx2 = HaveAvx2();

#if defined(__x86_64__) && defined(__GNUC__)
#define DL_KERNEL(name, params, args)                                        \
  void name##Baseline params { name##Body args; }                           \
  __attribute__((target("avx2,fma"))) void name##Avx2 params { name##Body args; } \
  void name params { kAvx2 ? name##Avx2 args : name##Baseline args; }
#else
#define DL_KERNEL(name, params, args) \
  void name params { name##Body args; }
#endif

DL_KERNEL(MatMulBias,
          (const float* x, int rows, int in, const float* wt, const float* b, int out, float* y),
          (x, rows, in, wt, b, out, y))

// In place over rows of width `width` (a template constant for the shipped
// hidden width of 32, so each row's two passes stay in vector registers).
template <int kWidth>
inline __attribute__((always_inline)) void LayerNormRowsT(const float* __restrict gamma,
                                                          const float* __restrict beta,
                                                          float* __restrict x, int rows,
                                                          int width_rt) {
  const int width = kWidth ? kWidth : width_rt;
  for (int r = 0; r < rows; ++r) {
    float* v = x + static_cast<std::ptrdiff_t>(r) * width;
    float mean = 0, var = 0;
    if (kWidth % 8 == 0 && kWidth > 0) {
      // Eight running sums (one vector), then their total: the loops
      // vectorise without letting the compiler reassociate.
      float lane[8] = {}, lane2[8] = {};
      for (int i = 0; i < width; i += 8)
        for (int j = 0; j < 8; ++j) lane[j] += v[i + j];
      for (int j = 0; j < 8; ++j) mean += lane[j];
      mean /= static_cast<float>(width);
      for (int i = 0; i < width; i += 8)
        for (int j = 0; j < 8; ++j) lane2[j] += (v[i + j] - mean) * (v[i + j] - mean);
      for (int j = 0; j < 8; ++j) var += lane2[j];
    } else {
      for (int i = 0; i < width; ++i) mean += v[i];
      mean /= static_cast<float>(width);
      for (int i = 0; i < width; ++i) var += (v[i] - mean) * (v[i] - mean);
    }
    var /= static_cast<float>(width);
    const float inv = 1.0f / std::sqrt(var + 1e-5f);
    for (int i = 0; i < width; ++i) v[i] = (v[i] - mean) * inv * gamma[i] + beta[i];
  }
}
inline __attribute__((always_inline)) void LayerNormRowsBody(const float* gamma, const float* beta,
                                                             float* x, int rows, int width) {
  if (width == 32) return LayerNormRowsT<32>(gamma, beta, x, rows, width);
  LayerNormRowsT<0>(gamma, beta, x, rows, width);
}
DL_KERNEL(LayerNormRows, (const float* gamma, const float* beta, float* x, int rows, int width),
          (gamma, beta, x, rows, width))

// GATv2 scores: for each edge e (src j -> dst i) and head h,
//   score[e,h] = att_h . LeakyReLU_0.2(xl_j + xr_i + T[type_e] + F_e)
// and the running per-node maximum for a stable softmax. Widths are template
// constants for the shipped shape (hidden 32, 4 heads) so the loops
// vectorise; 0 means "read them at run time".
template <int kHidden, int kHeads>
inline __attribute__((always_inline)) void EdgeScoresT(
    const float* __restrict xl, const float* __restrict xr, const float* __restrict type_emb,
    const float* __restrict fbias, const float* __restrict att, const std::int32_t* src,
    const std::int32_t* dst, const std::int32_t* type, int edges, int hidden_rt, int heads_rt,
    float* __restrict score, float* __restrict node_max) {
  const int hidden = kHidden ? kHidden : hidden_rt, heads = kHeads ? kHeads : heads_rt;
  const int dh = hidden / heads;
  float g[256];
  for (int e = 0; e < edges; ++e) {
    const float* a = xl + static_cast<std::ptrdiff_t>(src[e]) * hidden;
    const float* b = xr + static_cast<std::ptrdiff_t>(dst[e]) * hidden;
    const float* t = type_emb + static_cast<std::ptrdiff_t>(type[e]) * hidden;
    const float* f = fbias + static_cast<std::ptrdiff_t>(e) * hidden;
    for (int i = 0; i < hidden; ++i) {
      const float v = a[i] + b[i] + t[i] + f[i];
      // LeakyReLU_0.2 as max(v, 0.2 v): the same value (slope < 1), and
      // branch-free, so the loop vectorises (the ?: form stayed scalar).
      g[i] = std::max(v, 0.2f * v) * att[i];
    }
    for (int hd = 0; hd < heads; ++hd) {
      float s = 0;
      for (int d = 0; d < dh; ++d) s += g[hd * dh + d];
      score[static_cast<std::ptrdiff_t>(e) * heads + hd] = s;
      float& mx = node_max[static_cast<std::ptrdiff_t>(dst[e]) * heads + hd];
      mx = std::max(mx, s);
    }
  }
}
inline __attribute__((always_inline)) void EdgeScoresBody(
    const float* xl, const float* xr, const float* type_emb, const float* fbias, const float* att,
    const std::int32_t* src, const std::int32_t* dst, const std::int32_t* type, int edges,
    int hidden, int heads, float* score, float* node_max) {
  if (hidden == 32 && heads == 4)
    EdgeScoresT<32, 4>(xl, xr, type_emb, fbias, att, src, dst, type, edges, hidden, heads, score,
                       node_max);
  else
    EdgeScoresT<0, 0>(xl, xr, type_emb, fbias, att, src, dst, type, edges, hidden, heads, score,
                      node_max);
}
DL_KERNEL(EdgeScores,
          (const float* xl, const float* xr, const float* type_emb, const float* fbias,
           const float* att, const std::int32_t* src, const std::int32_t* dst,
           const std::int32_t* type, int edges, int hidden, int heads, float* score,
           float* node_max),
          (xl, xr, type_emb, fbias, att, src, dst, type, edges, hidden, heads, score, node_max))

// agg_i += sum over edges j -> i of alpha[e,h] * xl_j (per head).
template <int kHidden, int kHeads>
inline __attribute__((always_inline)) void EdgeAggregateT(
    const float* __restrict xl, const float* __restrict alpha, const std::int32_t* src,
    const std::int32_t* dst, int edges, int hidden_rt, int heads_rt, float* __restrict agg) {
  const int hidden = kHidden ? kHidden : hidden_rt, heads = kHeads ? kHeads : heads_rt;
  const int dh = hidden / heads;
  for (int e = 0; e < edges; ++e) {
    const float* a = xl + static_cast<std::ptrdiff_t>(src[e]) * hidden;
    float* out = agg + static_cast<std::ptrdiff_t>(dst[e]) * hidden;
    const float* al = alpha + static_cast<std::ptrdiff_t>(e) * heads;
    for (int hd = 0; hd < heads; ++hd)
      for (int d = 0; d < dh; ++d) out[hd * dh + d] += al[hd] * a[hd * dh + d];
  }
}
inline __attribute__((always_inline)) void EdgeAggregateBody(const float* xl, const float* alpha,
                                                             const std::int32_t* src,
                                                             const std::int32_t* dst, int edges,
                                                             int hidden, int heads, float* agg) {
  if (hidden == 32 && heads == 4)
    EdgeAggregateT<32, 4>(xl, alpha, src, dst, edges, hidden, heads, agg);
  else
    EdgeAggregateT<0, 0>(xl, alpha, src, dst, edges, hidden, heads, agg);
}
DL_KERNEL(EdgeAggregate,
          (const float* xl, const float* alpha, const std::int32_t* src, const std::int32_t* dst,
           int edges, int hidden, int heads, float* agg),
          (xl, alpha, src, dst, edges, hidden, heads, agg))

// exp(x) for x <= ~88 without a libm call, so the loops over it vectorise:
// Cody-Waite reduction to r in [-ln2/2, ln2/2], Cephes' degree-6 polynomial
// (relative error ~2e-7, about libm's float), 2^n from the exponent bits.
// Below -87 it returns ~1e-38 instead of underflowing to 0 (softmax weights
// that small vanish against the maximum's 1 anyway).
inline __attribute__((always_inline)) float ExpApprox(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  const float y = p * r * r + r + 1.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

// v[i] <- exp(v[i] - max[group(i)]) where group(i) = key[i / heads] * heads
// + i % heads: the softmax numerators of the edge scores, per head.
inline __attribute__((always_inline)) void SoftmaxNumeratorsBody(
    float* __restrict v, const float* __restrict mx, const std::int32_t* __restrict key, int rows,
    int heads) {
  for (int e = 0; e < rows; ++e)
    for (int h = 0; h < heads; ++h)
      v[e * heads + h] -= mx[key[e] * heads + h];
  const int total = rows * heads;
  for (int i = 0; i < total; ++i) v[i] = ExpApprox(v[i]);
}
DL_KERNEL(SoftmaxNumerators,
          (float* v, const float* mx, const std::int32_t* key, int rows, int heads),
          (v, mx, key, rows, heads))

// x[i] += ELU(agg[i]), branch-free.
inline __attribute__((always_inline)) void AddEluBody(float* __restrict x,
                                                      const float* __restrict agg, int count) {
  for (int i = 0; i < count; ++i) {
    const float v = agg[i];
    const float e = ExpApprox(std::min(v, 0.0f)) - 1.0f;
    x[i] += v > 0 ? v : e;
  }
}
DL_KERNEL(AddElu, (float* x, const float* agg, int count), (x, agg, count))

void Dense(const DenseWeights& d, const float* x, int rows, std::vector<float>* y) {
  y->resize(static_cast<std::size_t>(rows) * d.out);
  if (rows > 0) MatMulBias(x, rows, d.in, d.wt.data(), d.b.data(), d.out, y->data());
}

void LayerNorm(const LayerNormWeights& ln, float* x, int rows, int width) {
  LayerNormRows(ln.gamma.data(), ln.beta.data(), x, rows, width);
}

// x <- LN2(h + FF2(relu(FF1(h)))) where h = x already normalised by LN1.
void FeedForwardBlock(const DenseWeights& ff1, const DenseWeights& ff2,
                      const LayerNormWeights& ln2, int rows, std::vector<float>* x,
                      std::vector<float>* tmp, std::vector<float>* tmp2) {
  Dense(ff1, x->data(), rows, tmp);
  for (float& v : *tmp) v = std::max(v, 0.0f);
  Dense(ff2, tmp->data(), rows, tmp2);
  for (std::size_t i = 0; i < x->size(); ++i) (*x)[i] += (*tmp2)[i];
  LayerNorm(ln2, x->data(), rows, ff2.out);
}

}  // namespace

void FastNet::Evaluate(const env::Observation& obs, Workspace* ws, std::vector<float>* probs,
                       float* value) const {
  const int hidden = w_.hidden, heads = w_.heads, dh = hidden / heads;
  const int sets = static_cast<int>(w_.node_dims.size());
  DL_CHECK(static_cast<int>(obs.node_sets.size()) == sets);
  DL_CHECK(obs.edge_sets.size() == w_.edge_dims.size());

  // Node embeddings, set-major (the order of the torch path).
  auto& base = ws->base;
  base.assign(sets + 1, 0);
  for (int s = 0; s < sets; ++s) base[s + 1] = base[s] + obs.node_sets[s].count;
  const int n = base[sets];
  auto& x = ws->x;
  x.assign(static_cast<std::size_t>(n) * hidden, 0.f);
  for (int s = 0; s < sets; ++s) {
    const auto& ns = obs.node_sets[s];
    if (ns.count == 0) continue;
    DL_CHECK(ns.dim == w_.node_dims[s]);
    Dense(w_.in_proj[s], ns.features.data(), ns.count, &ws->h);
    if (s == w_.seq_set) {
      // Transformer encoder layer over the set's tokens.
      const int t = ns.count;
      auto& tok = ws->h;
      Dense(w_.seq.qkv, tok.data(), t, &ws->qkv);
      ws->attn.assign(static_cast<std::size_t>(t) * hidden, 0.f);
      const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
      std::vector<float>& row = ws->score;
      row.resize(t);
      for (int hd = 0; hd < heads; ++hd)
        for (int i = 0; i < t; ++i) {
          const float* q = &ws->qkv[static_cast<std::size_t>(i) * 3 * hidden + hd * dh];
          float mx = -std::numeric_limits<float>::infinity();
          for (int j = 0; j < t; ++j) {
            const float* k = &ws->qkv[static_cast<std::size_t>(j) * 3 * hidden + hidden + hd * dh];
            float dot = 0;
            for (int d = 0; d < dh; ++d) dot += q[d] * scale * k[d];
            row[j] = dot;
            mx = std::max(mx, dot);
          }
          float sum = 0;
          for (int j = 0; j < t; ++j) sum += row[j] = std::exp(row[j] - mx);
          float* out = &ws->attn[static_cast<std::size_t>(i) * hidden + hd * dh];
          for (int j = 0; j < t; ++j) {
            const float a = row[j] / sum;
            const float* v = &ws->qkv[static_cast<std::size_t>(j) * 3 * hidden + 2 * hidden + hd * dh];
            for (int d = 0; d < dh; ++d) out[d] += a * v[d];
          }
        }
      Dense(w_.seq.out, ws->attn.data(), t, &ws->ff);
      for (std::size_t i = 0; i < tok.size(); ++i) tok[i] += ws->ff[i];
      LayerNorm(w_.seq.ln1, tok.data(), t, hidden);
      FeedForwardBlock(w_.seq.ff1, w_.seq.ff2, w_.seq.ln2, t, &tok, &ws->ff, &ws->agg);
    }
    std::copy(ws->h.begin(), ws->h.end(), x.begin() + static_cast<std::ptrdiff_t>(base[s]) * hidden);
  }

  // Edges: typed sets, then a self loop on every node (the last type).
  const int types = static_cast<int>(obs.edge_sets.size());
  auto &src = ws->src, &dst = ws->dst, &type = ws->type;
  src.clear();
  dst.clear();
  type.clear();
  auto& fbias = ws->bias;  // per edge: projected edge features (0 if none)
  fbias.clear();
  for (int e = 0; e < types; ++e) {
    const auto& es = obs.edge_sets[e];
    const int m = static_cast<int>(es.src.size());
    for (int i = 0; i < m; ++i) {
      src.push_back(base[es.src_set] + es.src[i]);
      dst.push_back(base[es.dst_set] + es.dst[i]);
      type.push_back(e);
    }
    if (w_.edge_dims[e] > 0 && m > 0) {
      DL_CHECK(es.dim == w_.edge_dims[e]);
      Dense(w_.edge_proj[e], es.features.data(), m, &ws->ff);
      fbias.insert(fbias.end(), ws->ff.begin(), ws->ff.end());
    } else {
      fbias.resize(fbias.size() + static_cast<std::size_t>(m) * hidden, 0.f);
    }
  }
  for (int i = 0; i < n; ++i) {
    src.push_back(i);
    dst.push_back(i);
    type.push_back(types);
  }
  fbias.resize(fbias.size() + static_cast<std::size_t>(n) * hidden, 0.f);
  const int edges = static_cast<int>(src.size());

  // GATv2 layers.
  ws->score.resize(static_cast<std::size_t>(edges) * heads);
  for (const auto& layer : w_.layers) {
    Dense(layer.wl, x.data(), n, &ws->xl);
    Dense(layer.wr, x.data(), n, &ws->xr);
    ws->node_max.assign(static_cast<std::size_t>(n) * heads, -std::numeric_limits<float>::infinity());
    DL_CHECK(hidden <= 256);
    EdgeScores(ws->xl.data(), ws->xr.data(), layer.type_emb.data(), fbias.data(), layer.att.data(),
               src.data(), dst.data(), type.data(), edges, hidden, heads, ws->score.data(),
               ws->node_max.data());
    ws->den.assign(static_cast<std::size_t>(n) * heads, 0.f);
    SoftmaxNumerators(ws->score.data(), ws->node_max.data(), dst.data(), edges, heads);
    for (int e = 0; e < edges; ++e)
      for (int hd = 0; hd < heads; ++hd)
        ws->den[static_cast<std::size_t>(dst[e]) * heads + hd] +=
            ws->score[static_cast<std::size_t>(e) * heads + hd];
    for (int e = 0; e < edges; ++e)  // score -> alpha
      for (int hd = 0; hd < heads; ++hd)
        ws->score[static_cast<std::size_t>(e) * heads + hd] /=
            std::max(ws->den[static_cast<std::size_t>(dst[e]) * heads + hd], 1e-16f);
    ws->agg.assign(static_cast<std::size_t>(n) * hidden, 0.f);
    EdgeAggregate(ws->xl.data(), ws->score.data(), src.data(), dst.data(), edges, hidden, heads,
                  ws->agg.data());
    AddElu(x.data(), ws->agg.data(), static_cast<int>(x.size()));
    LayerNorm(layer.ln1, x.data(), n, hidden);
    FeedForwardBlock(layer.ff1, layer.ff2, layer.ln2, n, &x, &ws->ff, &ws->agg);
  }

  // Context: mean per node set, projected globals, the query node.
  auto& parts = ws->parts;
  parts.assign(static_cast<std::size_t>(hidden) * (sets + 1 + (w_.has_query ? 1 : 0)), 0.f);
  for (int s = 0; s < sets; ++s) {
    const int count = obs.node_sets[s].count;
    for (int i = base[s]; i < base[s + 1]; ++i)
      for (int d = 0; d < hidden; ++d) parts[s * hidden + d] += x[static_cast<std::size_t>(i) * hidden + d];
    if (count > 0)
      for (int d = 0; d < hidden; ++d) parts[s * hidden + d] /= static_cast<float>(count);
  }
  auto& globals = ws->globals;
  globals.assign(std::max(1, w_.globals_dim), 0.f);
  std::copy_n(obs.globals.begin(), std::min<std::size_t>(obs.globals.size(), w_.globals_dim),
              globals.begin());
  Dense(w_.globals_proj, globals.data(), 1, &ws->ff);
  std::copy(ws->ff.begin(), ws->ff.end(), parts.begin() + static_cast<std::ptrdiff_t>(sets) * hidden);
  if (w_.has_query) {
    const int q = base[obs.query_node_set] + obs.query_node;
    std::copy_n(x.begin() + static_cast<std::ptrdiff_t>(q) * hidden, hidden,
                parts.begin() + static_cast<std::ptrdiff_t>(sets + 1) * hidden);
  }
  Dense(w_.ctx, parts.data(), 1, &ws->ctx);
  for (float& v : ws->ctx) v = std::max(v, 0.f);

  // Attention decoder over actions; keys only for the legal ones (the
  // others' logits are -1e9 whatever their key).
  const int actions = static_cast<int>(obs.mask.size());
  const int kin = hidden + w_.action_feature_dim;
  auto& valid = ws->legal;
  valid.clear();
  for (int a = 0; a < actions; ++a)
    if (obs.mask[a] && obs.action_nodes[a] >= 0) valid.push_back(a);
  const int nv = static_cast<int>(valid.size());
  ws->keys.assign(static_cast<std::size_t>(nv) * kin, 0.f);
  for (int i = 0; i < nv; ++i) {
    const int a = valid[i];
    const int set = obs.action_sets.empty() ? obs.action_node_set : obs.action_sets[a];
    const int row = base[set] + obs.action_nodes[a];
    std::copy_n(x.begin() + static_cast<std::ptrdiff_t>(row) * hidden, hidden,
                ws->keys.begin() + static_cast<std::ptrdiff_t>(i) * kin);
    if (w_.action_feature_dim > 0)
      std::copy_n(obs.action_features.begin() + static_cast<std::ptrdiff_t>(a) * w_.action_feature_dim,
                  w_.action_feature_dim,
                  ws->keys.begin() + static_cast<std::ptrdiff_t>(i) * kin + hidden);
  }
  Dense(w_.wk, ws->keys.data(), nv, &ws->k);
  Dense(w_.wq, ws->ctx.data(), 1, &ws->q);
  const float norm = 1.0f / (static_cast<float>(heads) * std::sqrt(static_cast<float>(dh)));
  auto& logits = ws->logits;
  logits.assign(actions, -1e9f);
  float mx = actions > 0 && nv == 0 ? -1e9f : -std::numeric_limits<float>::infinity();
  for (int i = 0; i < nv; ++i) {
    float dot = 0;
    for (int d = 0; d < hidden; ++d) dot += ws->q[d] * ws->k[static_cast<std::size_t>(i) * hidden + d];
    logits[valid[i]] = 10.0f * std::tanh(dot * norm);
    mx = std::max(mx, logits[valid[i]]);
  }
  probs->resize(actions);
  float sum = 0;
  for (int a = 0; a < actions; ++a) sum += (*probs)[a] = std::exp(logits[a] - mx);
  for (float& p : *probs) p /= sum;

  Dense(w_.v1, ws->ctx.data(), 1, &ws->h);
  for (float& v : ws->h) v = std::max(v, 0.f);
  Dense(w_.v2, ws->h.data(), 1, &ws->ff);
  *value = ws->ff[0];
}

}  // namespace dispatchlab::policy
