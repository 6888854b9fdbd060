// Aggregation of stored results into comparison tables: mean, sample
// standard deviation and the 95% confidence interval of the mean (Student t)
// per group, plus the mean gap to a reference objective where one is known.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/store.h"
#include "sim/core/status.h"

namespace dispatchlab::scenarios {

enum class GroupKey { kDomain, kScenario, kPolicy, kDisruption, kMode };

// "policy,p" -> {kPolicy, kDisruption}. Names: domain, scenario, policy,
// p (alias disruption, level), mode.
Result<std::vector<GroupKey>> ParseGroupBy(std::string_view list);
std::string GroupKeyName(GroupKey key);

struct ReportRow {
  std::vector<std::string> key;  // one value per group key
  int runs = 0;                  // runs in the group (all statuses)
  int n = 0;                     // runs with an objective
  int deadlocks = 0;
  int failed = 0;
  double mean = 0, std = 0;
  double ci95 = 0;               // half-width of the 95% CI of the mean
  std::optional<double> mean_gap_pct;  // mean of 100 (x - ref) / ref
  double wall_s_mean = 0;
};

// Two-sided 95% quantile of Student's t with `df` degrees of freedom.
double StudentT975(int df);

// Results never mix domains: a job-shop makespan and a UAM profit are not
// one number. When `rows` hold more than one domain and `group_by` does not
// say domain, the domain becomes the first group key.
std::vector<GroupKey> SeparateDomains(const std::vector<ResultRow>& rows,
                                      std::vector<GroupKey> group_by);

// `reference(row)` returns the reference objective for a run, if any.
// Groups are always split by domain (see SeparateDomains for the shown key).
std::vector<ReportRow> Aggregate(
    const std::vector<ResultRow>& rows, const std::vector<GroupKey>& group_by,
    const std::function<std::optional<double>(const ResultRow&)>& reference);

// --- paired comparison ------------------------------------------------------
// Runs of two policies are paired when they share (scenario, level, mode,
// seed): the same disruption sample (common random numbers). d = policy -
// baseline per pair; the CI is the Student-t 95% interval of the mean of d.
// A win is a pair where the policy is better: lower makespan (job shop),
// higher profit (UAM); equal objectives are ties.
struct PairedRow {
  std::string domain;
  std::string scenario;  // "*" for the rows over every scenario
  std::string level;     // the disruption level as shown ("0.1"); "*" over all levels
  std::string policy, baseline;
  int n = 0;             // pairs (runs without an objective are not paired)
  int unpaired = 0;      // runs of either policy without a partner or objective
  double mean_policy = 0, mean_baseline = 0;
  double mean_diff = 0, ci_low = 0, ci_high = 0;
  double rel_pct = 0;    // 100 mean_diff / mean_baseline (0 when the baseline mean is 0)
  int wins = 0, ties = 0, losses = 0;
};

// Metric of a domain's objective: name and unit, and which way is better.
struct Metric {
  std::string name, unit;
  bool lower_is_better = true;
};
Metric MetricOf(const std::string& domain);

// Every policy in `policies` except `baseline` against `baseline`, per
// (scenario, level), per level over all scenarios, and over everything.
// Rows of one domain only (the caller filters).
std::vector<PairedRow> PairedCompare(const std::vector<ResultRow>& rows,
                                     const std::vector<std::string>& policies,
                                     const std::string& baseline);

// The reference used for job-shop gaps: best known BWS makespan of a
// built-in instance, for runs in bws mode.
std::optional<double> JobShopReferenceFor(const ResultRow& row);

}  // namespace dispatchlab::scenarios
