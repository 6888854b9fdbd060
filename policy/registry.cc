#include "policy/registry.h"

#include <fmt/format.h>

#include "sim/jobshop/rules.h"

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

Result<std::vector<JobShopPolicyInfo>> ParseJobShopPolicies(std::string_view list) {
  std::vector<JobShopPolicyInfo> out;
  if (list == "all") {
    for (const auto& n : JobShopPolicyNames()) out.push_back(*FindJobShopPolicy(n));
    return out;
  }
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t c = list.find(',', pos);
    if (c == std::string_view::npos) c = list.size();
    const std::string_view item = list.substr(pos, c - pos);
    if (!item.empty()) {
      auto p = FindJobShopPolicy(item);
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

}  // namespace dispatchlab::policy
