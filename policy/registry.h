// The policy registry: every policy a user can name (`--policy`, `eval
// --policies`, the GUI's policy box) resolves here to a factory. Rules live
// in sim; learned policies register here when built with torch.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/status.h"
#include "sim/jobshop/simulator.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::policy {

struct JobShopPolicyInfo {
  std::string name;        // as stored and shown
  std::string kind;        // "rule" | "search" | "neural"
  std::string parameters;  // JSON, stored with results
  std::function<std::unique_ptr<jobshop::Policy>()> make;
};

// Where shipped checkpoints live (assets/; the app may override it).
void SetAssetsDir(std::string dir);
const std::string& AssetsDir();
// True when this build can run learned policies (LibTorch).
bool HaveTorch();

// "gat" -> <assets>/jobshop_gat.pt / uam_gat.pt. A name ending in .pt is a
// checkpoint path; it must hold a policy of the right domain.

// Names usable in `--policies all`, in display order ("gat" only when this
// build has torch and the shipped checkpoint exists).
std::vector<std::string> JobShopPolicyNames();
Result<JobShopPolicyInfo> FindJobShopPolicy(std::string_view name);
// "all" or a comma-separated list; unknown names are an error naming them.
Result<std::vector<JobShopPolicyInfo>> ParseJobShopPolicies(std::string_view list);

struct UamPolicyInfo {
  std::string name;
  std::string kind;        // "baseline" | "neural"
  std::string parameters;  // JSON
  std::function<std::unique_ptr<uam::Policy>()> make;
};

std::vector<std::string> UamPolicyNames();
Result<UamPolicyInfo> FindUamPolicy(std::string_view name);
Result<std::vector<UamPolicyInfo>> ParseUamPolicies(std::string_view list);

}  // namespace dispatchlab::policy
