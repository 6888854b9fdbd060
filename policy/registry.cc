#include "policy/registry.h"

#include <fmt/format.h>

#include "sim/jobshop/rules.h"
#include "sim/uam/policies.h"

namespace dispatchlab::policy {

std::vector<std::string> JobShopPolicyNames() {
  std::vector<std::string> names;
  for (jobshop::Rule r : jobshop::AllRules()) names.push_back(jobshop::RuleName(r));
  return names;
}

Result<JobShopPolicyInfo> FindJobShopPolicy(std::string_view name) {
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

std::vector<std::string> UamPolicyNames() { return {"random", "greedy", "ga"}; }

Result<UamPolicyInfo> FindUamPolicy(std::string_view name) {
  auto probe = uam::MakeBaseline(name);
  if (!probe) return probe.error();
  const std::string n = (*probe)->name();
  return UamPolicyInfo{n, "baseline", "{}", [n] { return uam::MakeBaseline(n).value(); }};
}

Result<std::vector<UamPolicyInfo>> ParseUamPolicies(std::string_view list) {
  return ParseList<UamPolicyInfo>(list, UamPolicyNames(), FindUamPolicy);
}

}  // namespace dispatchlab::policy
