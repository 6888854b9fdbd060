// The policy registry: every policy a user can name (`--policy`, `eval
// --policies`, the GUI's policy box) resolves here to a PolicySpec. Rules and
// baselines live in sim; learned policies are weights files found under the
// registry's assets directory (the composition root in app/ decides where
// that is: next to the executable, an environment variable or a flag).
//
// An object, not a set of free functions over a static: two registries with
// different asset directories can live in one process (tests do).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/core/domain.h"
#include "sim/core/status.h"
#include "sim/env/policy_spec.h"

namespace dispatchlab::policy {

// True when this build includes training (LibTorch: the dispatchlab-train
// executable). Learned policies run without it: they load torch-free
// weights files (policy/weights_file.h).
bool HaveTorch();

class PolicyRegistry {
 public:
  // assets_dir holds the shipped learned policies (jobshop_gat.*, uam_gat.*).
  explicit PolicyRegistry(std::string assets_dir) : assets_dir_(std::move(assets_dir)) {}

  const std::string& assets_dir() const { return assets_dir_; }

  // Names usable in `--policies all`, in display order ("gat" only when the
  // shipped policy can be loaded): the fast policies. The planners
  // (job shop: replan and the ceiling ig; UAM: rollout and the ceiling
  // oracle) search for each episode and are run by name.
  std::vector<std::string> Names(Domain domain) const;
  // Every name a user can pick (the GUI's policy box): Names plus the planners.
  std::vector<std::string> Choices(Domain domain) const;

  // "gat" -> the shipped policy of `domain`; a path to a weights file
  // (.safetensors, or a training checkpoint .pt whose .safetensors sibling
  // is loaded) must hold a policy of that domain. A learned policy's
  // parameters carry "weights_hash" (FNV-1a 64 of the file): replaced
  // weights at the same path are a new policy. Unknown names are an error naming the
  // known ones.
  Result<PolicySpec> Find(Domain domain, std::string_view name) const;

  // Job shop: "<learned>:best<K>" (e.g. gat:best128) is best-of-K sampling
  // of a learned policy (policy/self_label.h SampledBestPolicy): K sampled
  // episodes on the episode's own seed, the best one followed. Kind
  // "ceiling": with breakdowns it has seen the episode's failures.

  // The UAM `oracle` ceiling with `trials` local-search trials per day
  // (Find's "oracle" uses uam::OracleOptions' default), seeded with the
  // shipped learned policy when there is one.
  Result<PolicySpec> UamOracle(int trials) const;

  // "all" or a comma-separated list (duplicates dropped).
  Result<std::vector<PolicySpec>> Parse(Domain domain, std::string_view list) const;

  // `list` with ":best<samples>" appended to each learned name (gat, .pt,
  // .safetensors) that has no such suffix yet: what `--samples K` does.
  // samples <= 1 returns the list unchanged.
  static std::string WithSamples(std::string_view list, int samples);

  // Path of the shipped learned policy of `domain` (it may not exist).
  std::string ShippedPath(Domain domain) const;

 private:
  std::string assets_dir_;
};

}  // namespace dispatchlab::policy
