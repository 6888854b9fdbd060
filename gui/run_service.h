// Qt-free execution of one GUI run: a scenario from the store, a policy from
// the registry, seeds and a disruption level -> episodes, stored as runs
// (the last one with its schedule events), and a snapshot to draw.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/registry.h"
#include "scenarios/store.h"
#include "sim/core/status.h"
#include "sim/jobshop/instance.h"
#include "sim/jobshop/schedule.h"
#include "sim/uam/scenario.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::gui {

struct RunRequest {
  scenarios::ScenarioRecord scenario;
  std::string policy = "spt";
  std::uint64_t seed = 0;
  int episodes = 1;
  double disruption = 0.0;  // job shop: shutdown p; UAM: 1 = uncertainty on
  std::string mode = "bws";
  // UAM with disruption > 0: which uncertainty sources are on. All on is
  // the stored level 1; a partial mix runs but is not stored (the store's
  // levels are 0 = all off and 1 = all on).
  struct UamSources {
    bool takeoff_delay = true, weather = true, downtime = true;
    bool all() const { return takeoff_delay && weather && downtime; }
    bool any() const { return takeoff_delay || weather || downtime; }
  } uam_sources;
};

// Immutable result of a run, for the views.
struct RunSnapshot {
  std::string domain, scenario, policy;
  std::uint64_t seed = 0;
  double disruption = 0;
  int episodes_done = 0;
  std::vector<double> objectives;  // makespan or profit per episode
  // Job shop (last episode)
  std::shared_ptr<const jobshop::Instance> instance;
  std::vector<jobshop::ScheduleRow> rows;
  std::vector<jobshop::DownRow> downs;
  bool deadlock = false;
  std::string mode;                            // bws or bns
  std::optional<std::int64_t> reference;       // best known BWS makespan
  // UAM (last episode)
  std::shared_ptr<const uam::Scenario> uam_scenario;
  std::vector<uam::TimelineEvent> timeline;
  uam::Kpis kpis;
  // The last day's demand and weather as drawn at Reset, per pair
  // (from * V + to): Simulator::demand_arrivals and closures.
  std::vector<std::vector<SimTime>> demand_arrivals;
  std::vector<std::vector<std::pair<SimTime, SimTime>>> closures;
  bool cancelled = false;
  bool stored = false;  // the episodes were written to the store
  std::string note;     // e.g. why a run was not stored
};

// Runs the request; stores finished episodes in `store` (may be null).
// progress(done, total) after each episode; `cancel` is checked between
// decisions. Errors: unknown policy, bad scenario body, store failures.
// The episodes run through scenarios::CellWorker, so a GUI run of a cell
// stores exactly what `eval` stores for it.
Result<RunSnapshot> ExecuteRun(const RunRequest& request, const policy::PolicyRegistry& registry,
                               scenarios::Store* store,
                               const std::function<void(int, int)>& progress,
                               const std::atomic<bool>* cancel);

// Policy names offered for a domain (registry names; "gat" when shipped).
std::vector<std::string> PolicyChoices(const policy::PolicyRegistry& registry,
                                       const std::string& domain);

}  // namespace dispatchlab::gui
