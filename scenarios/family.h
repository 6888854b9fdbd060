// The scenario-family seam: the one place that turns a stored scenario into
// a parsed one, and the one function that runs a grid cell and says what the
// store keeps of it. `eval`, `jobshop run`, `jobshop rules`, `uam run` and the
// GUI all run their episodes through RunCell, so a cell gives the same record
// whichever front end ran it (OpenSpiel registers a game once in the same
// spirit; STYLE.md 17).
//
//   ScenarioRecord --ParseScenario--> ParsedScenario --+
//   PolicySpec ----make------------> Policy instance  -+--> CellWorker::Run
//   CellParams (seed, level, mode) --------------------+      |
//                                                             v
//                       CellResult: RunRecord (one KPI schema per domain,
//                       schedule validated, events) + the raw episode
//
// Disruption level of a cell: job shop, the per-operation shutdown
// probability p in [0, 1]; UAM, 0 = every uncertainty source off, 1 = on.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "scenarios/store.h"
#include "sim/core/domain.h"
#include "sim/core/status.h"
#include "sim/env/policy_spec.h"
#include "sim/jobshop/instance.h"
#include "sim/jobshop/simulator.h"
#include "sim/uam/scenario.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::scenarios {

// A parsed scenario of either family (immutable, shared between threads).
struct ParsedScenario {
  Domain domain = Domain::kJobShop;
  std::int64_t id = 0;  // store id (0 when not from the store)
  std::string name;
  std::shared_ptr<const jobshop::Instance> instance;  // job shop
  std::shared_ptr<const uam::Scenario> uam;           // UAM, uncertainty as in the file
};

// Stored body -> parsed scenario; errors name the scenario ("store:NAME").
Result<ParsedScenario> ParseScenario(const ScenarioRecord& record);
ParsedScenario FromInstance(jobshop::Instance instance, std::int64_t id = 0);
ParsedScenario FromUamScenario(uam::Scenario scenario, std::int64_t id = 0);

// Checks a disruption level for the domain (p in [0, 1]; UAM 0 or 1).
Status CheckLevel(Domain domain, double level);

struct CellParams {
  std::uint64_t seed = 0;
  double level = 0;  // see the file comment
  jobshop::BlockingMode mode = jobshop::BlockingMode::kSwap;  // job shop only
  bool keep_events = true;  // schedule events in the record
  // Job shop: a breakdown model other than the level's default
  // per-operation one (the CLI's --mtbf/--mttr, --repair-min/max). Cells
  // of a stored grid never set it.
  std::optional<jobshop::BreakdownOptions> breakdowns;
};

struct CellResult {
  RunRecord record;  // key filled from (scenario.id, policy_id, params)
  bool cancelled = false;  // stopped by the cancel flag: record is not a result
  double plan_s = 0;       // time in Policy::Reset (planning policies)
  double decide_s = 0;     // time in Policy::Choose
  std::int64_t decisions = 0;
  // The raw episode, for front ends that print or draw it.
  jobshop::EpisodeResult jobshop;
  uam::Kpis kpis;
  std::vector<uam::TimelineEvent> timeline;
};

// The KPI record stored for a job-shop or UAM episode (one schema per
// domain; timings are not KPIs: they live in the run row).
std::string JobShopKpis(const jobshop::EpisodeResult& r);
std::string UamKpis(const uam::Kpis& k);

// Runs cells on one thread: owns one instance of each policy and reuses
// simulators per (scenario, level, mode). Not thread-safe: one per worker.
class CellWorker {
 public:
  // policy_ids[i] is the store id of policies[i] (0 when not stored).
  CellWorker(std::vector<PolicySpec> policies, std::vector<std::int64_t> policy_ids = {});

  // Runs policies[policy] on `scenario` with `params`. `cancel` (may be
  // null) is checked between decisions.
  CellResult Run(const ParsedScenario& scenario, int policy, const CellParams& params,
                 const std::atomic<bool>* cancel = nullptr);

  const PolicySpec& spec(int policy) const { return specs_[policy]; }

 private:
  std::vector<PolicySpec> specs_;
  std::vector<std::int64_t> ids_;
  std::vector<std::unique_ptr<jobshop::Policy>> jobshop_;
  std::vector<std::unique_ptr<uam::Policy>> uam_;
  // Simulators by (instance, mode, breakdown model as text).
  std::map<std::tuple<const jobshop::Instance*, int, std::string>,
           std::unique_ptr<jobshop::Simulator>>
      sims_;
  std::map<const uam::Scenario*, std::shared_ptr<const uam::Scenario>> calm_;  // uncertainty off
};

// The store's identity of a policy: a learned policy's weights hash (from
// `"weights_hash"` in its parameters) is part of it, so retrained weights at
// the same path are a new policy.
PolicyRecord ToPolicyRecord(const PolicySpec& spec);

}  // namespace dispatchlab::scenarios
