// Qt-free model of the results view: the runs of one scenario and domain,
// their CSV export, a one-line summary of what the store holds for a
// scenario, and nice axis ranges for the charts.
#pragma once

#include <string>
#include <vector>

#include "scenarios/store.h"

namespace dispatchlab::gui {

// The objective's column name and unit per domain: "makespan" (time
// units) for the job shop, "profit_usd" (USD per day) for UAM.
std::string ObjectiveName(const std::string& domain);

// Runs of `scenario` in `domain`, most recent first.
std::vector<scenarios::ResultRow> RunsOf(const std::vector<scenarios::ResultRow>& all,
                                         const std::string& domain, const std::string& scenario);

// The shown table as CSV: scenario,domain,policy,seed,level,mode,status,
// <ObjectiveName>,wall_ms; plain numbers, empty objective when none.
std::string RunsCsv(const std::vector<scenarios::ResultRow>& rows);

// "ft06 (jobshop): 390 stored runs, 13 policies; p = 0.1: best mwkr 83.4
// (n = 30)" -- the best policy at the level with the most runs (lowest
// makespan, highest profit), clairvoyant ceilings (ig, oracle) excluded.
std::string StoredSummary(const std::vector<scenarios::ResultRow>& all,
                          const std::string& domain, const std::string& scenario);

// An axis over [lo, hi] with about `ticks` nice steps (1, 2, 5 x 10^k);
// include_zero extends it to 0. decimals: digits the tick labels need.
struct NiceAxis {
  double lo = 0, hi = 1, step = 1;
  int ticks = 1;  // number of steps (labels = ticks + 1)
  int decimals = 0;
};
NiceAxis MakeNiceAxis(double lo, double hi, int ticks, bool include_zero);

}  // namespace dispatchlab::gui
