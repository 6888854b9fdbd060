#include "gui/results_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "scenarios/report.h"

namespace dispatchlab::gui {

std::string ObjectiveName(const std::string& domain) {
  return domain == "uam" ? "profit_usd" : "makespan";
}

std::vector<scenarios::ResultRow> RunsOf(const std::vector<scenarios::ResultRow>& all,
                                         const std::string& domain, const std::string& scenario) {
  std::vector<scenarios::ResultRow> out;
  for (const auto& r : all)
    if (r.scenario == scenario && (domain.empty() || r.domain == domain)) out.push_back(r);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.run_id > b.run_id; });
  return out;
}

namespace {
std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
bool Ceiling(const std::string& policy) {
  const std::string base = policy.substr(0, policy.find('@'));
  return base == "ig" || base == "oracle";
}
}  // namespace

std::string RunsCsv(const std::vector<scenarios::ResultRow>& rows) {
  const std::string domain = rows.empty() ? "jobshop" : rows.front().domain;
  std::string out = "scenario,domain,policy,seed,level,mode,status," + ObjectiveName(domain) + ",wall_ms\n";
  for (const auto& r : rows)
    out += fmt::format("{},{},{},{},{},{},{},{},{:.3f}\n", Csv(r.scenario), Csv(r.domain),
                       Csv(r.policy), r.seed, r.disruption, Csv(r.mode), Csv(r.status),
                       r.objective ? fmt::format("{}", *r.objective) : std::string(),
                       r.wall_s * 1000);
  return out;
}

std::string StoredSummary(const std::vector<scenarios::ResultRow>& all, const std::string& domain,
                          const std::string& scenario) {
  const auto rows = RunsOf(all, domain, scenario);
  const std::string head = fmt::format("{} ({})", scenario, domain);
  if (rows.empty()) return head + ": no stored runs yet";
  std::set<std::string> policies;
  std::map<double, int> per_level;
  for (const auto& r : rows) {
    policies.insert(r.policy);
    ++per_level[r.disruption];
  }
  const double level =
      std::max_element(per_level.begin(), per_level.end(),
                       [](auto& a, auto& b) { return a.second < b.second; })->first;
  std::vector<scenarios::ResultRow> at;
  for (const auto& r : rows)
    if (r.disruption == level && !Ceiling(r.policy)) at.push_back(r);
  auto report = scenarios::Aggregate(at, {scenarios::GroupKey::kPolicy}, nullptr);
  std::erase_if(report, [](auto& r) { return r.n == 0; });
  std::string text = fmt::format("{}: {} stored runs, {} policies", head, rows.size(), policies.size());
  if (report.empty()) return text;
  const bool uam = domain == "uam";
  const auto best = std::min_element(report.begin(), report.end(), [&](auto& a, auto& b) {
    return uam ? a.mean > b.mean : a.mean < b.mean;
  });
  const std::string lv = uam ? (level > 0 ? "uncertainty on" : "uncertainty off")
                             : fmt::format("p = {}", level);
  return text + fmt::format("; {}: best {} {:.{}f} (n = {})", lv, best->key.empty() ? "" : best->key[0],
                            best->mean, uam ? 0 : 1, best->n);
}

NiceAxis MakeNiceAxis(double lo, double hi, int ticks, bool include_zero) {
  if (include_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  if (!(hi > lo)) {
    const double pad = std::abs(lo) > 0 ? std::abs(lo) * 0.1 : 1.0;
    lo -= pad;
    hi += pad;
    if (include_zero && lo < 0 && hi - pad <= 0 && lo + pad >= 0) lo = 0;
  }
  const double raw = (hi - lo) / std::max(1, ticks);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / mag;
  const double step = (r < 1.5 ? 1 : (r < 3.5 ? 2 : (r < 7.5 ? 5 : 10))) * mag;
  NiceAxis a;
  a.step = step;
  a.lo = std::floor(lo / step + 1e-9) * step;
  a.hi = std::ceil(hi / step - 1e-9) * step;
  a.ticks = std::max(1, static_cast<int>(std::lround((a.hi - a.lo) / step)));
  a.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return a;
}

}  // namespace dispatchlab::gui
