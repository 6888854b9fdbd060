#include "gui/run_service.h"

#include <fmt/format.h>

#include "policy/registry.h"
#include "scenarios/catalog.h"
#include "scenarios/family.h"
#include "scenarios/uam_json.h"
#include "sim/jobshop/parser.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::gui {

std::vector<std::string> PolicyChoices(const policy::PolicyRegistry& registry,
                                       const std::string& domain) {
  auto d = ParseDomain(domain);
  return d ? registry.Choices(*d) : std::vector<std::string>{};
}

Result<RunSnapshot> ExecuteRun(const RunRequest& req, const policy::PolicyRegistry& registry,
                               scenarios::Store* store,
                               const std::function<void(int, int)>& progress,
                               const std::atomic<bool>* cancel) {
  if (req.episodes < 1) return Error{"episodes must be at least 1"};
  auto scenario = scenarios::ParseScenario(req.scenario);
  if (!scenario) return scenario.error();
  const Domain domain = scenario->domain;
  // The run panel's level means p for the job shop and on/off for UAM.
  const double level = domain == Domain::kUam ? (req.disruption > 0 ? 1.0 : 0.0) : req.disruption;
  if (Status st = scenarios::CheckLevel(domain, level); !st.ok()) return st.error();
  if (domain == Domain::kJobShop && req.mode != "bws" && req.mode != "bns")
    return Error{fmt::format("mode must be bws or bns, not '{}'", req.mode)};
  const bool partial = domain == Domain::kUam && level > 0 && !req.uam_sources.all();
  if (partial) {
    auto copy = std::make_shared<uam::Scenario>(*scenario->uam);
    copy->uncertainty.takeoff_delay = req.uam_sources.takeoff_delay;
    copy->uncertainty.weather = req.uam_sources.weather;
    copy->uncertainty.downtime = req.uam_sources.downtime;
    scenario->uam = std::move(copy);
    store = nullptr;  // not a stored level
  }
  auto info = registry.Find(domain, req.policy);
  if (!info) return info.error();
  std::int64_t policy_id = 0;
  if (store) {
    auto id = store->EnsurePolicy(scenarios::ToPolicyRecord(*info));
    if (!id) return id.error();
    policy_id = *id;
  }
  RunSnapshot snap;
  snap.domain = req.scenario.domain;
  snap.scenario = req.scenario.name;
  snap.policy = req.policy;
  snap.seed = req.seed;
  snap.disruption = level;
  snap.instance = scenario->instance;
  snap.uam_scenario = scenario->uam;
  snap.mode = req.mode;
  if (partial) snap.note = "not stored: a partial mix of uncertainty sources is not a stored level";
  if (domain == Domain::kJobShop && req.mode == "bws")
    if (auto ref = scenarios::FindJobShopReference(req.scenario.name); ref && ref->bws_ub)
      snap.reference = ref->bws_ub;
  scenarios::CellWorker worker({*info}, {policy_id});
  scenarios::CellParams params;
  params.level = level;
  params.mode = req.mode == "bns" ? jobshop::BlockingMode::kNoSwap : jobshop::BlockingMode::kSwap;
  params.keep_events = true;
  std::vector<scenarios::RunRecord> records;
  for (int e = 0; e < req.episodes; ++e) {
    params.seed = req.seed + static_cast<std::uint64_t>(e);
    scenarios::CellResult cell = worker.Run(*scenario, 0, params, cancel);
    if (cell.cancelled) break;
    if (domain == Domain::kJobShop) {
      const auto& r = cell.jobshop;
      snap.rows = jobshop::ToScheduleRows(r);
      snap.downs = jobshop::ToDownRows(r);
      snap.deadlock = r.outcome == jobshop::Outcome::kDeadlock;
      if (!snap.deadlock) snap.objectives.push_back(static_cast<double>(r.makespan));
    } else {
      snap.timeline = std::move(cell.timeline);
      snap.kpis = cell.kpis;
      snap.objectives.push_back(cell.kpis.profit());
    }
    records.push_back(std::move(cell.record));
    ++snap.episodes_done;
    if (progress) progress(snap.episodes_done, req.episodes);
  }
  snap.cancelled = snap.episodes_done < req.episodes;
  if (domain == Domain::kUam && snap.episodes_done > 0) {
    // The day's draws, for the views: the same Reset the last episode had
    // (level 0 ran with every source off: no closures).
    uam::Scenario effective = *scenario->uam;
    if (level == 0) effective.uncertainty.SetAll(false);
    uam::Simulator sim(effective, uam::SimOptions{.record_timeline = false});
    sim.Reset(req.seed + static_cast<std::uint64_t>(snap.episodes_done - 1));
    const int n = effective.num_vertiports();
    for (int o = 0; o < n; ++o)
      for (int d = 0; d < n; ++d) {
        snap.demand_arrivals.push_back(sim.demand_arrivals(o, d));
        snap.closures.push_back(sim.closures(o, d));
      }
  }
  if (store && !records.empty()) {
    Status st = store->PutRuns(records);
    if (!st.ok()) return st.error();
    snap.stored = true;
  }
  return snap;
}

}  // namespace dispatchlab::gui
