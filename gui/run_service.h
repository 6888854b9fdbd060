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
  // UAM (last episode)
  std::shared_ptr<const uam::Scenario> uam_scenario;
  std::vector<uam::TimelineEvent> timeline;
  uam::Kpis kpis;
  bool cancelled = false;
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
