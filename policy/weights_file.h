// Torch-free weights files: a trained network (FastNetWeights) in the
// safetensors layout, so `run`, `eval` and the GUI load learned policies
// without LibTorch, and Python tools read them too
// (`safetensors.numpy.load_file`).
//
//   [8 bytes]   N, unsigned 64-bit little-endian: length of the header
//   [N bytes]   JSON header (trailing spaces allowed):
//                 {"__metadata__": {string: string, ...},
//                  "<tensor>": {"dtype": "F32", "shape": [d0, ...],
//                               "data_offsets": [begin, end]}, ...}
//   [the rest]  raw little-endian float32 data; offsets are bytes from the
//               start of this section; every byte belongs to one tensor
//
// Tensors carry LibTorch's parameter names and layouts (a Linear's weight
// is [out, in]): "in_proj.0.weight", "layers.2.wl.bias", "seq.mha.in_proj_weight",
// ... -- the state_dict of the network in policy/neural.cc.
// __metadata__ holds (JSON values are JSON text inside the string):
//   format          "dispatchlab-weights"
//   format_version  "1"
//   domain          "jobshop" | "uam"
//   model           {"hidden": H, "heads": K, "layers": L, "features": F}
//                   (features: job-shop feature version, absent = 1)
//   observation     {"node_dims": [..], "edge_dims": [..], "globals_dim": G,
//                    "action_feature_dim": F, "has_query": b, "seq_set": s}
//   and any further entries a writer adds (free text, ignored on reading).
//
// Reading is written for hostile input: every length, offset, shape and
// value is checked before it is used, no allocation exceeds the file's own
// size (itself capped), and a bad file is an Error naming the file and the
// field -- never a crash.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "policy/fast_net.h"
#include "sim/core/domain.h"
#include "sim/core/status.h"

namespace dispatchlab::policy {

inline constexpr const char* kWeightsFormat = "dispatchlab-weights";
inline constexpr int kWeightsFormatVersion = 1;
// Larger files are refused before they are read (the shipped ones: ~0.5 MB).
inline constexpr std::size_t kMaxWeightsFileBytes = std::size_t{256} << 20;

struct LoadedWeights {
  Domain domain = Domain::kJobShop;
  FastNetWeights weights;
  std::map<std::string, std::string> metadata;  // all of __metadata__
  // FNV-1a 64 of the whole file, 16 lowercase hex digits: the identity of
  // the policy in the store (a replaced file is a new policy).
  std::string hash;
};

// Writes `w` (the network of a `domain` policy) to `path` atomically: a
// temporary file beside it, then rename, so a reader sees the old file or
// the new one. extra_metadata goes into __metadata__ too (the reserved keys
// above are refused). The same weights always give the same bytes.
Status WriteWeightsFile(const std::string& path, Domain domain, const FastNetWeights& w,
                        const std::map<std::string, std::string>& extra_metadata = {});

// Reads and validates `path`: the layout, the header, every tensor (dtype
// F32, shape, offsets, finite values), the metadata, and that the network
// fits this build's observations of its domain (so FastNet::Evaluate never
// meets a shape it does not expect).
Result<LoadedWeights> ReadWeightsFile(const std::string& path);

// The same on bytes already in memory; `name` stands for the file in errors
// (the fuzz target's entry point).
Result<LoadedWeights> ParseWeightsFile(std::string_view bytes, const std::string& name);

// The weights file written beside a checkpoint: "runs/x/best.pt" ->
// "runs/x/best.safetensors".
std::string WeightsPathFor(const std::string& checkpoint_path);

// FNV-1a 64 of `bytes`, 16 lowercase hex digits.
std::string ContentHash(std::string_view bytes);

}  // namespace dispatchlab::policy
