#include "scenarios/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "scenarios/catalog.h"

namespace dispatchlab::scenarios {

Result<std::vector<GroupKey>> ParseGroupBy(std::string_view list) {
  std::vector<GroupKey> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t c = list.find(',', pos);
    if (c == std::string_view::npos) c = list.size();
    const std::string_view item = list.substr(pos, c - pos);
    pos = c + 1;
    if (item.empty()) {
      if (c == list.size()) break;
      continue;
    }
    if (item == "domain") out.push_back(GroupKey::kDomain);
    else if (item == "scenario" || item == "instance") out.push_back(GroupKey::kScenario);
    else if (item == "policy") out.push_back(GroupKey::kPolicy);
    else if (item == "p" || item == "disruption" || item == "level") out.push_back(GroupKey::kDisruption);
    else if (item == "mode") out.push_back(GroupKey::kMode);
    else
      return Error{fmt::format("--group-by: unknown key '{}' (known: domain, scenario, "
                               "policy, p, mode)",
                               item)};
    if (c == list.size()) break;
  }
  if (out.empty()) return Error{"--group-by: no key given"};
  return out;
}

std::string GroupKeyName(GroupKey key) {
  switch (key) {
    case GroupKey::kDomain: return "domain";
    case GroupKey::kScenario: return "scenario";
    case GroupKey::kPolicy: return "policy";
    case GroupKey::kDisruption: return "p";
    case GroupKey::kMode: return "mode";
  }
  return "?";
}

double StudentT975(int df) {
  static const double kTable[] = {
      0,      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
      2.228,  2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093,
      2.086,  2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045,
      2.042};
  if (df <= 0) return 0;
  if (df <= 30) return kTable[df];
  // Cornish-Fisher style expansion around the normal quantile.
  const double z = 1.959964, d = df;
  return z + (z * z * z + z) / (4 * d) +
         (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

std::vector<GroupKey> SeparateDomains(const std::vector<ResultRow>& rows,
                                      std::vector<GroupKey> group_by) {
  if (std::find(group_by.begin(), group_by.end(), GroupKey::kDomain) != group_by.end())
    return group_by;
  for (const ResultRow& r : rows)
    if (r.domain != rows.front().domain) {
      group_by.insert(group_by.begin(), GroupKey::kDomain);
      break;
    }
  return group_by;
}

std::vector<ReportRow> Aggregate(
    const std::vector<ResultRow>& rows, const std::vector<GroupKey>& group_by,
    const std::function<std::optional<double>(const ResultRow&)>& reference) {
  struct Acc {
    ReportRow row;
    std::vector<double> xs, gaps;
    double wall = 0;
  };
  // Keyed by (domain, shown key): two domains never share a group.
  std::map<std::pair<std::string, std::vector<std::string>>, Acc> groups;
  for (const ResultRow& r : rows) {
    std::vector<std::string> key;
    for (GroupKey g : group_by) {
      switch (g) {
        case GroupKey::kDomain: key.push_back(r.domain); break;
        case GroupKey::kScenario: key.push_back(r.scenario); break;
        case GroupKey::kPolicy: key.push_back(r.policy); break;
        case GroupKey::kDisruption: key.push_back(fmt::format("{:g}", r.disruption)); break;
        case GroupKey::kMode: key.push_back(r.mode); break;
      }
    }
    Acc& a = groups[{r.domain, key}];
    a.row.key = key;
    ++a.row.runs;
    a.wall += r.wall_s;
    if (r.status == "deadlock") ++a.row.deadlocks;
    if (r.status == "failed") ++a.row.failed;
    if (!r.objective) continue;
    a.xs.push_back(*r.objective);
    if (reference) {
      if (auto ref = reference(r); ref && *ref > 0)
        a.gaps.push_back(100.0 * (*r.objective - *ref) / *ref);
    }
  }
  std::vector<ReportRow> out;
  for (auto& [group, a] : groups) {
    ReportRow row = a.row;
    row.n = static_cast<int>(a.xs.size());
    row.wall_s_mean = row.runs ? a.wall / row.runs : 0;
    if (row.n > 0) {
      double sum = 0;
      for (double x : a.xs) sum += x;
      row.mean = sum / row.n;
      if (row.n > 1) {
        double ss = 0;
        for (double x : a.xs) ss += (x - row.mean) * (x - row.mean);
        row.std = std::sqrt(ss / (row.n - 1));
        row.ci95 = StudentT975(row.n - 1) * row.std / std::sqrt(row.n);
      }
    }
    if (!a.gaps.empty()) {
      double g = 0;
      for (double x : a.gaps) g += x;
      row.mean_gap_pct = g / static_cast<double>(a.gaps.size());
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::optional<double> JobShopReferenceFor(const ResultRow& row) {
  if (row.domain != "jobshop" || row.mode != "bws") return std::nullopt;
  const auto ref = FindJobShopReference(row.scenario);
  if (!ref || !ref->bws_ub) return std::nullopt;
  return static_cast<double>(*ref->bws_ub);
}

}  // namespace dispatchlab::scenarios
