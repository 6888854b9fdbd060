#include "policy/registry.h"

#include <fmt/format.h>

#include "sim/jobshop/rules.h"
#include "sim/jobshop/search.h"
#include "sim/uam/policies.h"

#include <filesystem>

#include "policy/neural.h"
#include "policy/neural_policy.h"

namespace dispatchlab::policy {
namespace {

std::string& AssetsDirRef() {
  static std::string dir = DISPATCHLAB_ASSETS_DIR;
  return dir;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Resolves "gat" or a .pt path to a loaded model of `domain`.
Result<std::shared_ptr<const NeuralModel>> LoadLearned(std::string_view name, Domain domain) {
  const std::string path = EndsWith(name, ".pt")
                               ? std::string(name)
                               : AssetsDir() + "/" + DomainName(domain) + "_gat.pt";
  if (!HaveTorch()) return NeuralModel::Load(path).error();
  auto m = NeuralModel::Load(path);
  if (!m) return m.error();
  if ((*m)->domain() != domain)
    return Error{fmt::format("{}: holds a {} policy, not a {} one", path, DomainName((*m)->domain()),
                             DomainName(domain))};
  return std::shared_ptr<const NeuralModel>(std::move(*m));
}

bool IsLearnedName(std::string_view name) { return name == "gat" || EndsWith(name, ".pt"); }

bool ShippedExists(Domain d) {
  std::error_code ec;
  return HaveTorch() &&
         std::filesystem::exists(AssetsDir() + "/" + DomainName(d) + "_gat.pt", ec);
}

}  // namespace

void SetAssetsDir(std::string dir) { AssetsDirRef() = std::move(dir); }
const std::string& AssetsDir() { return AssetsDirRef(); }

bool HaveTorch() {
#ifdef DISPATCHLAB_HAVE_TORCH
  return true;
#else
  return false;
#endif
}

std::vector<std::string> JobShopPolicyNames() {
  std::vector<std::string> names;
  for (jobshop::Rule r : jobshop::AllRules()) names.push_back(jobshop::RuleName(r));
  names.push_back("ig");  // the clairvoyant search ceiling
  if (ShippedExists(Domain::kJobShop)) names.push_back("gat");
  return names;
}

Result<JobShopPolicyInfo> FindJobShopPolicy(std::string_view name) {
  if (IsLearnedName(name)) {
    auto model = LoadLearned(name, Domain::kJobShop);
    if (!model) return model.error();
    const std::string n(name);
    auto m = *model;
    return JobShopPolicyInfo{n, "neural", fmt::format("{{\"checkpoint\":\"{}\"}}", n),
                             [m, n] { return std::make_unique<NeuralJobShopPolicy>(m, n); }};
  }
  if (name == "ig") {
    const jobshop::IteratedGreedyOptions o;
    return JobShopPolicyInfo{
        "ig", "search",
        fmt::format("{{\"evaluations\":{},\"remove\":{},\"temperature\":{},\"clairvoyant\":true}}",
                    o.evaluations, o.remove, o.temperature),
        [] { return std::make_unique<jobshop::IteratedGreedyPolicy>(); }};
  }
  auto rule = jobshop::ParseRule(name);
  if (!rule)
    return Error{fmt::format("unknown policy '{}' (known: {})", name,
                             fmt::join(JobShopPolicyNames(), ", "))};
  const jobshop::Rule r = *rule;
  return JobShopPolicyInfo{jobshop::RuleName(r), "rule", "{}",
                           [r] { return jobshop::MakeRulePolicy(r); }};
}

namespace {
// "all" or a comma-separated list, without duplicates.
template <typename Info, typename Find>
Result<std::vector<Info>> ParseList(std::string_view list, const std::vector<std::string>& all,
                                    Find find) {
  std::vector<Info> out;
  if (list == "all") {
    for (const auto& n : all) out.push_back(*find(n));
    return out;
  }
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t c = list.find(',', pos);
    if (c == std::string_view::npos) c = list.size();
    const std::string_view item = list.substr(pos, c - pos);
    if (!item.empty()) {
      auto p = find(item);
      if (!p) return p.error();
      bool dup = false;
      for (const auto& q : out) dup |= q.name == p->name;
      if (!dup) out.push_back(std::move(*p));
    }
    if (c == list.size()) break;
    pos = c + 1;
  }
  if (out.empty()) return Error{"no policy given"};
  return out;
}
}  // namespace

Result<std::vector<JobShopPolicyInfo>> ParseJobShopPolicies(std::string_view list) {
  return ParseList<JobShopPolicyInfo>(list, JobShopPolicyNames(), FindJobShopPolicy);
}

std::vector<std::string> UamPolicyNames() {
  std::vector<std::string> names = {"random", "greedy", "ga"};
  if (ShippedExists(Domain::kUam)) names.push_back("gat");
  return names;
}

Result<UamPolicyInfo> FindUamPolicy(std::string_view name) {
  if (IsLearnedName(name)) {
    auto model = LoadLearned(name, Domain::kUam);
    if (!model) return model.error();
    const std::string n(name);
    auto m = *model;
    return UamPolicyInfo{n, "neural", fmt::format("{{\"checkpoint\":\"{}\"}}", n),
                         [m, n] { return std::make_unique<NeuralUamPolicy>(m, n); }};
  }
  auto probe = uam::MakeBaseline(name);
  if (!probe) return probe.error();
  const std::string n = (*probe)->name();
  return UamPolicyInfo{n, "baseline", "{}", [n] { return uam::MakeBaseline(n).value(); }};
}

Result<std::vector<UamPolicyInfo>> ParseUamPolicies(std::string_view list) {
  return ParseList<UamPolicyInfo>(list, UamPolicyNames(), FindUamPolicy);
}

}  // namespace dispatchlab::policy
