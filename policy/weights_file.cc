#include "policy/weights_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <nlohmann/json.hpp>
#include <vector>

#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/jobshop/generator.h"
#include "sim/uam/scenario.h"

namespace dispatchlab::policy {
namespace {

using Json = nlohmann::json;

// The network's shape as the metadata states it.
struct Shape {
  int hidden = 0, heads = 0, layers = 0;
  int features = 1;  // observer feature version (model "features"; absent: 1)
  std::vector<int> node_dims, edge_dims;
  int globals_dim = 0, action_feature_dim = 0;
  bool has_query = false;
  int seq_set = -1;
};

// What this build's observers produce for `d` (the shapes are fixed by the
// Env view, independent of the instance or scenario size).
Shape ObservationShapeOf(Domain d, int features) {
  env::Observation o;
  if (d == Domain::kJobShop) {
    const auto inst = jobshop::GenerateInstance({.jobs = 3, .machines = 3, .seed = 1});
    env::JobShopObserver obs(*inst, features);
    obs.Init(&o);
  } else {
    const uam::Scenario sc = uam::DefaultScenario();
    env::UamObserver obs(sc, features);
    obs.Init(&o);
  }
  Shape s;
  for (std::size_t i = 0; i < o.node_sets.size(); ++i) {
    s.node_dims.push_back(o.node_sets[i].dim);
    if (o.node_sets[i].name == "forecast") s.seq_set = static_cast<int>(i);
  }
  for (const auto& es : o.edge_sets) s.edge_dims.push_back(es.dim);
  s.globals_dim = static_cast<int>(o.globals.size());
  s.action_feature_dim = o.action_feature_dim;
  s.has_query = o.query_node_set >= 0;
  return s;
}

Json ObservationJson(const Shape& s) {
  return {{"node_dims", s.node_dims},        {"edge_dims", s.edge_dims},
          {"globals_dim", s.globals_dim},    {"action_feature_dim", s.action_feature_dim},
          {"has_query", s.has_query},        {"seq_set", s.seq_set}};
}

// One tensor of the file and where it lives in FastNetWeights. A Linear's
// weight is [out, in] in the file and [in][out] (transposed) in memory.
struct Slot {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float>* data;
  bool transposed = false;
};

// Every tensor of a network of shape `s`, in file order, bound to `w`
// (whose dims are set here; the vectors are left to the caller).
std::vector<Slot> SlotsOf(const Shape& s, FastNetWeights* w) {
  std::vector<Slot> slots;
  const int h = s.hidden;
  auto dense = [&](const std::string& name, int in, int out, DenseWeights* d,
                   const std::string& weight = "weight", const std::string& bias = "bias",
                   const char* sep = ".") {
    d->in = in;
    d->out = out;
    slots.push_back({name + sep + weight, {out, in}, &d->wt, true});
    slots.push_back({name + sep + bias, {out}, &d->b, false});
  };
  auto norm = [&](const std::string& name, LayerNormWeights* ln) {
    slots.push_back({name + ".weight", {h}, &ln->gamma, false});
    slots.push_back({name + ".bias", {h}, &ln->beta, false});
  };
  const int sets = static_cast<int>(s.node_dims.size());
  w->hidden = h;
  w->heads = s.heads;
  w->features = s.features;
  w->node_dims = s.node_dims;
  w->edge_dims = s.edge_dims;
  w->globals_dim = s.globals_dim;
  w->action_feature_dim = s.action_feature_dim;
  w->has_query = s.has_query;
  w->seq_set = s.seq_set;
  w->in_proj.resize(sets);
  w->edge_proj.resize(s.edge_dims.size());
  w->layers.resize(s.layers);
  for (int i = 0; i < sets; ++i)
    dense(fmt::format("in_proj.{}", i), s.node_dims[i], h, &w->in_proj[i]);
  for (std::size_t e = 0; e < s.edge_dims.size(); ++e)
    dense(fmt::format("edge_proj.{}", e), std::max(1, s.edge_dims[e]), h, &w->edge_proj[e]);
  for (int l = 0; l < s.layers; ++l) {
    const std::string p = fmt::format("layers.{}.", l);
    GatLayerWeights& g = w->layers[l];
    dense(p + "wl", h, h, &g.wl);
    dense(p + "wr", h, h, &g.wr);
    slots.push_back({p + "type_emb", {static_cast<std::int64_t>(s.edge_dims.size()) + 1, h},
                     &g.type_emb, false});
    slots.push_back({p + "att", {s.heads, h / s.heads}, &g.att, false});
    norm(p + "ln1", &g.ln1);
    norm(p + "ln2", &g.ln2);
    dense(p + "ff1", h, 2 * h, &g.ff1);
    dense(p + "ff2", 2 * h, h, &g.ff2);
  }
  if (s.seq_set >= 0) {
    SeqLayerWeights& q = w->seq;
    dense("seq.mha", h, 3 * h, &q.qkv, "in_proj_weight", "in_proj_bias", ".");
    dense("seq.mha.out_proj", h, h, &q.out);
    norm("seq.ln1", &q.ln1);
    norm("seq.ln2", &q.ln2);
    dense("seq.ff1", h, 2 * h, &q.ff1);
    dense("seq.ff2", 2 * h, h, &q.ff2);
  }
  dense("globals_proj", std::max(1, s.globals_dim), h, &w->globals_proj);
  dense("ctx", h * (sets + 1 + (s.has_query ? 1 : 0)), h, &w->ctx);
  dense("wq", h, h, &w->wq);
  dense("wk", h + s.action_feature_dim, h, &w->wk);
  dense("v1", h, h, &w->v1);
  dense("v2", h, 1, &w->v2);
  return slots;
}

std::int64_t Elements(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::string ShapeText(const std::vector<std::int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

void PutU64Le(std::uint64_t v, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutF32Le(float f, std::string* out) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(f);
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

float GetF32Le(const unsigned char* p) {
  const std::uint32_t u = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                          static_cast<std::uint32_t>(p[2]) << 16 |
                          static_cast<std::uint32_t>(p[3]) << 24;
  return std::bit_cast<float>(u);
}

constexpr const char* kReserved[] = {"format", "format_version", "domain", "model", "observation"};

// A non-negative JSON integer no larger than `max`, else nothing.
std::optional<std::uint64_t> UnsignedAtMost(const Json& v, std::uint64_t max) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
    return std::nullopt;
  const std::uint64_t x = v.get<std::uint64_t>();
  if (x > max) return std::nullopt;
  return x;
}

// `key` of object `j` as an int in [lo, hi].
Result<int> IntField(const Json& j, const char* key, int lo, int hi, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end()) return Error{fmt::format("{}: no '{}'", where, key)};
  if (!it->is_number_integer() || it->get<std::int64_t>() < lo || it->get<std::int64_t>() > hi)
    return Error{fmt::format("{}: '{}' must be an integer in [{}, {}], not {}", where, key, lo, hi,
                             it->is_number_integer() ? std::to_string(it->get<std::int64_t>())
                                                     : std::string("a ") + it->type_name())};
  return static_cast<int>(it->get<std::int64_t>());
}

Result<std::vector<int>> IntListField(const Json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end()) return Error{fmt::format("{}: no '{}'", where, key)};
  if (!it->is_array() || it->size() > 64)
    return Error{fmt::format("{}: '{}' must be a list of at most 64 integers", where, key)};
  std::vector<int> out;
  for (const Json& v : *it) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > 4096)
      return Error{fmt::format("{}: '{}' entries must be integers in [0, 4096]", where, key)};
    out.push_back(static_cast<int>(v.get<std::int64_t>()));
  }
  return out;
}

// A JSON object held as text in metadata entry `key`.
Result<Json> MetadataJson(const std::map<std::string, std::string>& meta, const char* key,
                          const std::string& name) {
  const auto it = meta.find(key);
  if (it == meta.end()) return Error{fmt::format("{}: __metadata__ has no '{}'", name, key)};
  Json j = Json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    return Error{fmt::format("{}: __metadata__ '{}' is not a JSON object", name, key)};
  return j;
}

Result<Shape> ShapeFromMetadata(const std::map<std::string, std::string>& meta,
                                const std::string& name) {
  Shape s;
  auto model = MetadataJson(meta, "model", name);
  if (!model) return model.error();
  const std::string mw = name + ": __metadata__ model";
  auto hidden = IntField(*model, "hidden", 1, 256, mw);
  if (!hidden) return hidden.error();
  auto heads = IntField(*model, "heads", 1, 256, mw);
  if (!heads) return heads.error();
  auto layers = IntField(*model, "layers", 1, 16, mw);
  if (!layers) return layers.error();
  if (*hidden % *heads != 0)
    return Error{fmt::format("{}: hidden {} is not divisible by heads {}", mw, *hidden, *heads)};
  s.hidden = *hidden;
  s.heads = *heads;
  s.layers = *layers;
  if (model->contains("features")) {
    auto features = IntField(*model, "features", 1, env::kJobShopFeaturesNewest, mw);
    if (!features) return features.error();
    s.features = *features;
  }
  auto obs = MetadataJson(meta, "observation", name);
  if (!obs) return obs.error();
  const std::string ow = name + ": __metadata__ observation";
  auto node_dims = IntListField(*obs, "node_dims", ow);
  if (!node_dims) return node_dims.error();
  auto edge_dims = IntListField(*obs, "edge_dims", ow);
  if (!edge_dims) return edge_dims.error();
  auto globals = IntField(*obs, "globals_dim", 0, 4096, ow);
  if (!globals) return globals.error();
  auto action_features = IntField(*obs, "action_feature_dim", 0, 4096, ow);
  if (!action_features) return action_features.error();
  auto seq = IntField(*obs, "seq_set", -1, 63, ow);
  if (!seq) return seq.error();
  const auto q = obs->find("has_query");
  if (q == obs->end() || !q->is_boolean())
    return Error{fmt::format("{}: 'has_query' must be true or false", ow)};
  s.node_dims = *node_dims;
  s.edge_dims = *edge_dims;
  s.globals_dim = *globals;
  s.action_feature_dim = *action_features;
  s.seq_set = *seq;
  s.has_query = q->get<bool>();
  return s;
}

struct TensorEntry {
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0, end = 0;
};

}  // namespace

std::string WeightsPathFor(const std::string& checkpoint_path) {
  return std::filesystem::path(checkpoint_path).replace_extension(".safetensors").string();
}

std::string ContentHash(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

Status WriteWeightsFile(const std::string& path, Domain domain, const FastNetWeights& w,
                        const std::map<std::string, std::string>& extra_metadata) {
  Shape s;
  s.hidden = w.hidden;
  s.heads = w.heads;
  s.layers = static_cast<int>(w.layers.size());
  s.features = w.features;
  s.node_dims = w.node_dims;
  s.edge_dims = w.edge_dims;
  s.globals_dim = w.globals_dim;
  s.action_feature_dim = w.action_feature_dim;
  s.has_query = w.has_query;
  s.seq_set = w.seq_set;
  DL_CHECK(s.hidden > 0 && s.heads > 0 && s.hidden % s.heads == 0);
  // The slots are bound to a copy: SlotsOf sets dims, and a DenseWeights'
  // dims must agree with the network the caller holds.
  FastNetWeights copy = w;
  const std::vector<Slot> slots = SlotsOf(s, &copy);

  Json meta = Json::object();
  for (const auto& [k, v] : extra_metadata) {
    for (const char* r : kReserved)
      if (k == r) return Error{fmt::format("{}: metadata key '{}' is reserved", path, k)};
    meta[k] = v;
  }
  meta["format"] = kWeightsFormat;
  meta["format_version"] = std::to_string(kWeightsFormatVersion);
  meta["domain"] = DomainName(domain);
  Json model{{"hidden", s.hidden}, {"heads", s.heads}, {"layers", s.layers}};
  // Version 1 is implied: files of version-1 networks stay byte-identical.
  if (s.features != 1) model["features"] = s.features;
  meta["model"] = model.dump();
  meta["observation"] = ObservationJson(s).dump();

  Json header = Json::object();
  header["__metadata__"] = meta;
  std::string data;
  for (const Slot& slot : slots) {
    const std::int64_t n = Elements(slot.shape);
    DL_CHECK(static_cast<std::int64_t>(slot.data->size()) == n);
    const std::uint64_t begin = data.size();
    if (slot.transposed) {  // memory [in][out] -> file [out][in]
      const std::int64_t out = slot.shape[0], in = slot.shape[1];
      for (std::int64_t o = 0; o < out; ++o)
        for (std::int64_t i = 0; i < in; ++i) PutF32Le((*slot.data)[i * out + o], &data);
    } else {
      for (const float f : *slot.data) PutF32Le(f, &data);
    }
    header[slot.name] = {{"dtype", "F32"}, {"shape", slot.shape},
                         {"data_offsets", {begin, static_cast<std::uint64_t>(data.size())}}};
  }
  std::string head = header.dump();
  head.resize((head.size() + 7) / 8 * 8, ' ');  // 8-byte aligned data, as safetensors writes
  std::string bytes;
  bytes.reserve(8 + head.size() + data.size());
  PutU64Le(head.size(), &bytes);
  bytes += head;
  bytes += data;

  const std::string tmp = fmt::format("{}.tmp{}", path, static_cast<long>(::getpid()));
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return Error{fmt::format("{}: cannot write weights file: {}", path, std::strerror(errno))};
  const bool wrote = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const bool closed = std::fclose(f) == 0;
  std::error_code ec;
  if (!wrote || !flushed || !closed) {
    std::filesystem::remove(tmp, ec);
    return Error{fmt::format("{}: cannot write weights file (disk full?)", path)};
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return Error{fmt::format("{}: cannot replace weights file: {}", path, ec.message())};
  }
  return Status::Ok();
}

Result<LoadedWeights> ReadWeightsFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Error{fmt::format("{}: no such weights file", path)};
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error{fmt::format("{}: cannot read weights file: {}", path, ec.message())};
  if (size > kMaxWeightsFileBytes)
    return Error{fmt::format("{}: {} bytes: larger than any weights file ({} MiB at most)", path,
                             size, kMaxWeightsFileBytes >> 20)};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error{fmt::format("{}: cannot open weights file: {}", path, std::strerror(errno))};
  std::string bytes(size, '\0');
  const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  if (got != size) return Error{fmt::format("{}: cannot read weights file (short read)", path)};
  return ParseWeightsFile(bytes, path);
}

Result<LoadedWeights> ParseWeightsFile(std::string_view bytes, const std::string& name) {
  auto bad = [&](const std::string& what) { return Error{fmt::format("{}: {}", name, what)}; };
  if (bytes.size() > kMaxWeightsFileBytes) return bad("larger than any weights file");
  if (bytes.size() < 8)
    return bad(fmt::format("{} bytes: too short for a weights file (truncated?)", bytes.size()));
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n << 8 | u[i];
  if (n > bytes.size() - 8)
    return bad(fmt::format("header length {} runs past the end of the file ({} bytes; "
                           "truncated, or not a safetensors file)",
                           n, bytes.size()));
  if (n < 2) return bad("header length " + std::to_string(n) + " is too small");
  const std::string_view head = bytes.substr(8, n);
  if (head.front() != '{') return bad("not a safetensors file (the header is not a JSON object)");
  const Json header = Json::parse(head, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    return bad("not a safetensors file (the header is not valid JSON)");
  const std::uint64_t data_size = bytes.size() - 8 - n;
  const auto* data = u + 8 + n;

  LoadedWeights out;
  // __metadata__: a string -> string map.
  const auto m = header.find("__metadata__");
  if (m == header.end()) return bad("no __metadata__ (not a dispatchlab weights file)");
  if (!m->is_object()) return bad("__metadata__ is not an object");
  for (auto it = m->begin(); it != m->end(); ++it) {
    if (!it->is_string())
      return bad(fmt::format("__metadata__ '{}' is not a string", it.key().substr(0, 60)));
    out.metadata[it.key()] = it->get<std::string>();
  }
  const auto entry = [&](const char* k) {
    const auto it = out.metadata.find(k);
    return it == out.metadata.end() ? std::string() : it->second;
  };
  if (entry("format") != kWeightsFormat)
    return bad(fmt::format("__metadata__ format is '{}', not '{}' (not a dispatchlab weights file)",
                           entry("format").substr(0, 60), kWeightsFormat));
  if (entry("format_version") != std::to_string(kWeightsFormatVersion))
    return bad(fmt::format("__metadata__ format_version '{}' is not supported (this build reads {})",
                           entry("format_version").substr(0, 20), kWeightsFormatVersion));
  auto domain = ParseDomain(entry("domain"));
  if (!domain) return bad("__metadata__ domain: " + domain.error().message);
  out.domain = *domain;
  auto shape = ShapeFromMetadata(out.metadata, name);
  if (!shape) return shape.error();

  if (out.domain == Domain::kUam && shape->features > env::kUamFeaturesCurrent)
    return bad(fmt::format("__metadata__ model features {}: UAM observations have versions 1 to {}",
                           shape->features, env::kUamFeaturesCurrent));
  // The network must fit this build's observations of its domain.
  const Shape expected = ObservationShapeOf(out.domain, shape->features);
  const Json want = ObservationJson(expected), got = ObservationJson(*shape);
  if (want != got)
    return bad(fmt::format("__metadata__ observation {} does not match this build's {} "
                           "observation {} (written by another version?)",
                           got.dump(), DomainName(out.domain), want.dump()));

  // The tensors: generic safetensors checks first.
  std::map<std::string, TensorEntry> tensors;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const std::string t = it.key().substr(0, 80);
    const Json& v = *it;
    if (!v.is_object()) return bad(fmt::format("tensor '{}': not an object", t));
    for (auto f = v.begin(); f != v.end(); ++f)
      if (f.key() != "dtype" && f.key() != "shape" && f.key() != "data_offsets")
        return bad(fmt::format("tensor '{}': unknown field '{}'", t, f.key().substr(0, 40)));
    const auto dtype = v.find("dtype");
    if (dtype == v.end() || !dtype->is_string())
      return bad(fmt::format("tensor '{}': no dtype", t));
    if (*dtype != "F32")
      return bad(fmt::format("tensor '{}': dtype {} (only F32 is supported)", t,
                             dtype->get<std::string>().substr(0, 20)));
    const auto sh = v.find("shape");
    if (sh == v.end() || !sh->is_array() || sh->size() > 8)
      return bad(fmt::format("tensor '{}': shape must be a list of at most 8 sizes", t));
    TensorEntry e;
    std::uint64_t elements = 1;
    for (const Json& d : *sh) {
      const auto x = UnsignedAtMost(d, std::uint64_t{1} << 31);
      if (!x)
        return bad(fmt::format("tensor '{}': shape sizes must be integers in [0, 2^31]", t));
      e.shape.push_back(static_cast<std::int64_t>(*x));
      elements = *x == 0 ? 0 : (elements > data_size / *x ? data_size + 1 : elements * *x);
    }
    const auto off = v.find("data_offsets");
    if (off == v.end() || !off->is_array() || off->size() != 2)
      return bad(fmt::format("tensor '{}': data_offsets must be [begin, end]", t));
    const auto b = UnsignedAtMost((*off)[0], data_size), end = UnsignedAtMost((*off)[1], data_size);
    if (!b || !end || *b > *end)
      return bad(fmt::format("tensor '{}': data_offsets must be integers with begin <= end <= {} "
                             "(the data section's size)",
                             t, data_size));
    if (elements > data_size / 4 || elements * 4 != *end - *b)
      return bad(fmt::format("tensor '{}': shape {} needs {} bytes of F32, data_offsets give {}", t,
                             ShapeText(e.shape), elements > data_size ? std::string("more than the file's")
                                                                      : std::to_string(elements * 4),
                             *end - *b));
    e.begin = *b;
    e.end = *end;
    tensors.emplace(it.key(), std::move(e));
  }
  // The data section is covered exactly, without overlaps or holes.
  {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
    for (const auto& [k, e] : tensors) spans.emplace_back(e.begin, e.end);
    std::sort(spans.begin(), spans.end());
    std::uint64_t at = 0;
    for (const auto& [b, e] : spans) {
      if (b != at)
        return bad(b < at ? fmt::format("tensors overlap at data byte {}", b)
                          : fmt::format("data bytes {}..{} belong to no tensor", at, b));
      at = e;
    }
    if (at != data_size)
      return bad(fmt::format("data bytes {}..{} belong to no tensor", at, data_size));
  }

  // Then the network: exactly the tensors of a network of this shape.
  std::vector<Slot> slots = SlotsOf(*shape, &out.weights);
  for (const Slot& slot : slots) {
    const auto it = tensors.find(slot.name);
    if (it == tensors.end()) return bad(fmt::format("missing tensor '{}'", slot.name));
    if (it->second.shape != slot.shape)
      return bad(fmt::format("tensor '{}': shape {}, expected {} for hidden {}, heads {}", slot.name,
                             ShapeText(it->second.shape), ShapeText(slot.shape), shape->hidden,
                             shape->heads));
    const std::int64_t count = Elements(slot.shape);
    const unsigned char* p = data + it->second.begin;
    slot.data->resize(static_cast<std::size_t>(count));
    if (slot.transposed) {  // file [out][in] -> memory [in][out]
      const std::int64_t rows = slot.shape[0], cols = slot.shape[1];
      for (std::int64_t o = 0; o < rows; ++o)
        for (std::int64_t i = 0; i < cols; ++i)
          (*slot.data)[i * rows + o] = GetF32Le(p + 4 * (o * cols + i));
    } else {
      for (std::int64_t k = 0; k < count; ++k) (*slot.data)[k] = GetF32Le(p + 4 * k);
    }
    for (const float f : *slot.data)
      if (!std::isfinite(f)) return bad(fmt::format("tensor '{}' holds a non-finite value", slot.name));
    tensors.erase(it);
  }
  if (!tensors.empty())
    return bad(fmt::format("unexpected tensor '{}' (not part of a hidden {} x {} layers network)",
                           tensors.begin()->first.substr(0, 80), shape->hidden, shape->layers));
  out.hash = ContentHash(bytes);
  return out;
}

}  // namespace dispatchlab::policy
