#include "gui/run_service.h"

#include <fmt/format.h>

#include <chrono>

#include "policy/registry.h"
#include "scenarios/batch.h"
#include "scenarios/uam_json.h"
#include "sim/jobshop/parser.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::gui {

std::vector<std::string> PolicyChoices(const std::string& domain) {
  return domain == "uam" ? policy::UamPolicyNames() : policy::JobShopPolicyNames();
}

Result<RunSnapshot> ExecuteRun(const RunRequest& req, scenarios::Store* store,
                               const std::function<void(int, int)>& progress,
                               const std::atomic<bool>* cancel) {
  using Clock = std::chrono::steady_clock;
  if (req.episodes < 1) return Error{"episodes must be at least 1"};
  RunSnapshot snap;
  snap.domain = req.scenario.domain;
  snap.scenario = req.scenario.name;
  snap.policy = req.policy;
  snap.seed = req.seed;
  snap.disruption = req.disruption;
  std::vector<scenarios::RunRecord> records;
  std::int64_t policy_id = 0;
  auto cancelled = [&] { return cancel && cancel->load(); };

  if (req.scenario.domain == "jobshop") {
    auto inst = jobshop::ParseInstance(req.scenario.body, "store:" + req.scenario.name,
                                       req.scenario.name);
    if (!inst) return inst.error();
    auto info = policy::FindJobShopPolicy(req.policy);
    if (!info) return info.error();
    if (!(req.disruption >= 0 && req.disruption <= 1))
      return Error{"shutdown probability must be in [0, 1]"};
    snap.instance = std::make_shared<jobshop::Instance>(*inst);
    if (store) {
      auto id = store->EnsurePolicy({0, info->name, info->kind, info->parameters, "", ""});
      if (!id) return id.error();
      policy_id = *id;
    }
    jobshop::SimOptions o;
    o.mode = req.mode == "bns" ? jobshop::BlockingMode::kNoSwap : jobshop::BlockingMode::kSwap;
    o.breakdowns = jobshop::PerOperationBreakdowns(req.disruption);
    jobshop::Simulator sim(*snap.instance, o);
    auto policy = info->make();
    for (int e = 0; e < req.episodes && !cancelled(); ++e) {
      const std::uint64_t seed = req.seed + static_cast<std::uint64_t>(e);
      const auto t0 = Clock::now();
      sim.Reset(seed);
      policy->Reset(seed);
      bool stopped = false;
      while (sim.AdvanceToDecision()) {
        if (cancelled()) {
          stopped = true;
          break;
        }
        sim.Apply(policy->Choose(sim, sim.candidates()));
      }
      if (stopped) break;
      const auto& r = sim.result();
      snap.rows = jobshop::ToScheduleRows(r);
      snap.downs = jobshop::ToDownRows(r);
      snap.deadlock = r.outcome == jobshop::Outcome::kDeadlock;
      if (!snap.deadlock) snap.objectives.push_back(static_cast<double>(r.makespan));
      scenarios::RunRecord rec;
      rec.key = {req.scenario.id, policy_id, seed, req.disruption, req.mode};
      rec.status = snap.deadlock ? "deadlock" : "done";
      if (!snap.deadlock) rec.objective = static_cast<double>(r.makespan);
      rec.kpis = fmt::format(R"({{"makespan":{},"swaps":{},"breakdowns":{},"source":"gui"}})",
                             r.makespan, r.swaps, r.breakdowns);
      rec.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
      rec.events = scenarios::JobShopEvents(r);
      records.push_back(std::move(rec));
      ++snap.episodes_done;
      if (progress) progress(snap.episodes_done, req.episodes);
    }
  } else if (req.scenario.domain == "uam") {
    auto sc = scenarios::ParseUamScenario(req.scenario.body, "store:" + req.scenario.name);
    if (!sc) return sc.error();
    if (req.disruption <= 0) sc->uncertainty.SetAll(false);
    auto info = policy::FindUamPolicy(req.policy);
    if (!info) return info.error();
    snap.uam_scenario = std::make_shared<uam::Scenario>(*sc);
    if (store) {
      auto id = store->EnsurePolicy({0, info->name, info->kind, info->parameters, "", ""});
      if (!id) return id.error();
      policy_id = *id;
    }
    uam::Simulator sim(*snap.uam_scenario);
    auto policy = info->make();
    for (int e = 0; e < req.episodes && !cancelled(); ++e) {
      const std::uint64_t seed = req.seed + static_cast<std::uint64_t>(e);
      const auto t0 = Clock::now();
      sim.Reset(seed);
      policy->Reset(sim);
      bool stopped = false;
      while (sim.AdvanceToDecision()) {
        if (cancelled()) {
          stopped = true;
          break;
        }
        sim.Apply(policy->Choose(sim));
      }
      if (stopped) break;
      snap.timeline = sim.timeline();
      snap.kpis = sim.kpis();
      snap.objectives.push_back(sim.kpis().profit());
      scenarios::RunRecord rec;
      rec.key = {req.scenario.id, policy_id, seed, req.disruption > 0 ? 1.0 : 0.0, "uam"};
      rec.objective = sim.kpis().profit();
      rec.kpis = fmt::format(R"({{"profit":{:.2f},"served":{},"spilled":{},"source":"gui"}})",
                             sim.kpis().profit(), sim.kpis().served, sim.kpis().spilled);
      rec.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
      rec.events = scenarios::UamEvents(sim.timeline());
      records.push_back(std::move(rec));
      ++snap.episodes_done;
      if (progress) progress(snap.episodes_done, req.episodes);
    }
  } else {
    return Error{fmt::format("unknown domain '{}'", req.scenario.domain)};
  }
  snap.cancelled = cancelled() && snap.episodes_done < req.episodes;
  if (store && !records.empty()) {
    Status st = store->PutRuns(records);
    if (!st.ok()) return st.error();
  }
  return snap;
}

}  // namespace dispatchlab::gui
