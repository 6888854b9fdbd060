// The catalog of built-in scenarios: job-shop benchmark instances (from
// ../shared/data/jobshop, copied into scenarios/jobshop) and their reference
// values. Names resolve to embedded files; anything else is tried as a path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/status.h"
#include "sim/jobshop/instance.h"

namespace dispatchlab::scenarios {

// Built-in job-shop instance names, sorted ("ft06", "la01", ...).
std::vector<std::string> BuiltinJobShopNames();

// A built-in name, else a file path (standard or Taillard format).
Result<jobshop::Instance> LoadJobShopInstance(std::string_view name_or_path);

// Expands a comma-separated list with globs ("la0*,ft06") against the
// built-in names; entries without wildcards pass through unchanged (they may
// be paths). An error names a pattern that matches nothing.
Result<std::vector<std::string>> ExpandJobShopNames(std::string_view list);

// One row of reference.csv. Missing values are nullopt.
struct JobShopReference {
  std::string instance;
  int jobs = 0;
  int machines = 0;
  std::optional<std::int64_t> jssp_lb, jssp_ub;  // classic job shop
  std::optional<std::int64_t> bws_ub, bws_lb;    // blocking with swaps
  std::string bws_status;                        // "optimal", "open" or ""
  bool bws_optimal() const { return bws_status == "optimal"; }
};

std::optional<JobShopReference> FindJobShopReference(std::string_view name);

// Embedded data file by stem ("ft06_bws_optimal_63"), or nullopt.
std::optional<std::string_view> JobShopDataFile(std::string_view name);

}  // namespace dispatchlab::scenarios
