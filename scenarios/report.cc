#include "scenarios/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

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

Metric MetricOf(const std::string& domain) {
  if (domain == "uam") return {"profit", "USD/day", false};
  return {"makespan", "time units", true};
}

std::vector<PairedRow> PairedCompare(const std::vector<ResultRow>& rows,
                                     const std::vector<std::string>& policies,
                                     const std::string& baseline) {
  std::vector<PairedRow> out;
  if (rows.empty()) return out;
  const std::string domain = rows.front().domain;
  const bool lower = MetricOf(domain).lower_is_better;
  using CellKey = std::tuple<std::string, std::string, std::string, std::uint64_t>;
  // policy -> (scenario, level, mode, seed) -> run
  std::map<std::string, std::map<CellKey, const ResultRow*>> by_policy;
  for (const ResultRow& r : rows)
    by_policy[r.policy][{r.scenario, fmt::format("{:g}", r.disruption), r.mode, r.seed}] = &r;
  const auto& base = by_policy[baseline];
  std::set<std::string> levels;
  for (const ResultRow& r : rows) levels.insert(fmt::format("{:g}", r.disruption));
  for (const std::string& pol : policies) {
    if (pol == baseline) continue;
    const auto& mine = by_policy[pol];
    struct Acc {
      std::vector<double> d;
      double sp = 0, sb = 0;
      int wins = 0, ties = 0, losses = 0, unpaired = 0;
    };
    // (scenario, level) groups, "*" for the pooled ones.
    std::map<std::pair<std::string, std::string>, Acc> acc;
    auto add = [&](const std::string& sc, const std::string& lv, double x, double b) {
      for (const auto& k : {std::pair{sc, lv}, std::pair<std::string, std::string>{"*", lv},
                            std::pair<std::string, std::string>{"*", "*"}}) {
        Acc& a = acc[k];
        a.d.push_back(x - b);
        a.sp += x;
        a.sb += b;
        if (x == b) ++a.ties;
        else if ((x < b) == lower) ++a.wins;
        else ++a.losses;
      }
    };
    for (const auto& [key, r] : mine) {
      const auto it = base.find(key);
      const auto& [sc, lv, mode, seed] = key;
      if (it == base.end() || !r->objective || !it->second->objective) {
        ++acc[{sc, lv}].unpaired;
        continue;
      }
      add(sc, lv, *r->objective, *it->second->objective);
    }
    for (auto& [k, a] : acc) {
      // One level only: the pooled-over-levels row would repeat the other.
      if (k.second == "*" && levels.size() == 1) continue;
      PairedRow row;
      row.domain = domain;
      row.scenario = k.first;
      row.level = k.second;
      row.policy = pol;
      row.baseline = baseline;
      row.n = static_cast<int>(a.d.size());
      row.unpaired = a.unpaired;
      row.wins = a.wins;
      row.ties = a.ties;
      row.losses = a.losses;
      if (row.n > 0) {
        double sum = 0;
        for (double x : a.d) sum += x;
        row.mean_diff = sum / row.n;
        row.mean_policy = a.sp / row.n;
        row.mean_baseline = a.sb / row.n;
        double half = 0;
        if (row.n > 1) {
          double ss = 0;
          for (double x : a.d) ss += (x - row.mean_diff) * (x - row.mean_diff);
          half = StudentT975(row.n - 1) * std::sqrt(ss / (row.n - 1)) / std::sqrt(row.n);
        }
        row.ci_low = row.mean_diff - half;
        row.ci_high = row.mean_diff + half;
        row.rel_pct = row.mean_baseline != 0 ? 100.0 * row.mean_diff / std::abs(row.mean_baseline) : 0;
      }
      out.push_back(std::move(row));
    }
  }
  // Per-scenario rows first (by scenario, level), then the pooled ones.
  std::stable_sort(out.begin(), out.end(), [](const PairedRow& a, const PairedRow& b) {
    const bool pa = a.scenario == "*", pb = b.scenario == "*";
    if (pa != pb) return pb;
    if (a.policy != b.policy) return a.policy < b.policy;
    const bool la = a.level == "*", lb = b.level == "*";
    if (la != lb) return lb;
    return std::tie(a.scenario, a.level) < std::tie(b.scenario, b.level);
  });
  return out;
}

std::optional<double> JobShopReferenceFor(const ResultRow& row) {
  if (row.domain != "jobshop" || row.mode != "bws") return std::nullopt;
  const auto ref = FindJobShopReference(row.scenario);
  if (!ref || !ref->bws_ub) return std::nullopt;
  return static_cast<double>(*ref->bws_ub);
}

}  // namespace dispatchlab::scenarios
