#include "scenarios/family.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "scenarios/batch.h"
#include "scenarios/uam_json.h"
#include "sim/jobshop/parser.h"
#include "sim/jobshop/schedule.h"
#include "sim/jobshop/validator.h"

namespace dispatchlab::scenarios {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

Result<ParsedScenario> ParseScenario(const ScenarioRecord& rec) {
  auto domain = ParseDomain(rec.domain);
  if (!domain) return Error{fmt::format("store:{}: {}", rec.name, domain.error().message)};
  if (*domain == Domain::kJobShop) {
    auto inst = jobshop::ParseInstance(rec.body, "store:" + rec.name, rec.name);
    if (!inst) return inst.error();
    return FromInstance(std::move(*inst), rec.id);
  }
  auto sc = ParseUamScenario(rec.body, "store:" + rec.name);
  if (!sc) return sc.error();
  ParsedScenario p = FromUamScenario(std::move(*sc), rec.id);
  p.name = rec.name;
  return p;
}

ParsedScenario FromInstance(jobshop::Instance instance, std::int64_t id) {
  ParsedScenario p;
  p.domain = Domain::kJobShop;
  p.id = id;
  p.name = instance.name;
  p.instance = std::make_shared<const jobshop::Instance>(std::move(instance));
  return p;
}

ParsedScenario FromUamScenario(uam::Scenario scenario, std::int64_t id) {
  ParsedScenario p;
  p.domain = Domain::kUam;
  p.id = id;
  p.name = scenario.name;
  p.uam = std::make_shared<const uam::Scenario>(std::move(scenario));
  return p;
}

Status CheckLevel(Domain domain, double level) {
  if (domain == Domain::kJobShop) {
    if (!(level >= 0 && level <= 1))
      return Error{fmt::format("shutdown probability {} is outside [0, 1]", level)};
  } else if (level != 0 && level != 1) {
    return Error{fmt::format("UAM uncertainty level must be 0 (off) or 1 (on), not {}", level)};
  }
  return {};
}

std::string JobShopKpis(const jobshop::EpisodeResult& r) {
  SimTime down_time = 0;
  for (const auto& d : r.down) down_time += d.end - d.start;
  nlohmann::ordered_json k;
  k["outcome"] = jobshop::ToString(r.outcome);
  k["makespan"] = r.makespan;
  k["swaps"] = r.swaps;
  k["swap_moves"] = r.swap_moves;
  k["breakdowns"] = r.breakdowns;
  k["down_time"] = down_time;
  k["operations"] = r.operations_dispatched;
  k["decisions"] = r.decisions;
  if (r.outcome == jobshop::Outcome::kDeadlock) k["deadlock_time"] = r.end_time;
  return k.dump();
}

std::string UamKpis(const uam::Kpis& k) {
  nlohmann::ordered_json j;
  j["profit"] = k.profit();
  j["revenue"] = k.revenue;
  j["energy_cost"] = k.energy_cost;
  j["operating_cost"] = k.operating_cost;
  j["landing_fees"] = k.landing_fees;
  j["arrived"] = k.passengers_arrived;
  j["served"] = k.served;
  j["spilled"] = k.spilled;
  j["flights"] = k.flights;
  j["empty_flights"] = k.empty_flights;
  j["load_factor"] = k.load_factor;
  j["utilisation"] = k.utilisation;
  j["energy_charged_kwh"] = k.energy_charged_kwh;
  j["decisions"] = k.decisions;
  return j.dump();
}

PolicyRecord ToPolicyRecord(const PolicySpec& spec) {
  PolicyRecord r;
  r.name = spec.name;
  r.kind = spec.kind;
  r.parameters = spec.parameters;
  const auto j = nlohmann::json::parse(spec.parameters, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("weights_hash") && j["weights_hash"].is_string())
    r.checkpoint_hash = j["weights_hash"].get<std::string>();
  if (j.is_object() && j.contains("weights") && j["weights"].is_string())
    r.checkpoint_path = j["weights"].get<std::string>();
  return r;
}

CellWorker::CellWorker(std::vector<PolicySpec> policies, std::vector<std::int64_t> policy_ids)
    : specs_(std::move(policies)), ids_(std::move(policy_ids)) {
  ids_.resize(specs_.size(), 0);
  jobshop_.resize(specs_.size());
  uam_.resize(specs_.size());
}

CellResult CellWorker::Run(const ParsedScenario& sc, int policy, const CellParams& params,
                           const std::atomic<bool>* cancel) {
  DL_CHECK(policy >= 0 && policy < static_cast<int>(specs_.size()));
  const PolicySpec& spec = specs_[policy];
  DL_CHECK(spec.domain == sc.domain);
  CellResult out;
  RunRecord& rec = out.record;
  rec.key.scenario_id = sc.id;
  rec.key.policy_id = ids_[policy];
  rec.key.seed = params.seed;
  rec.key.disruption = params.level;
  auto stopped = [cancel] { return cancel && cancel->load(std::memory_order_relaxed); };
  const auto start = Clock::now();

  if (sc.domain == Domain::kJobShop) {
    rec.key.mode = jobshop::ToString(params.mode);
    auto& p = jobshop_[policy];
    if (!p) p = spec.make_jobshop();
    // A planner-following policy asks for the wide decision mode (a free
    // machine may be held); rules run non-delay.
    const jobshop::DecisionMode decisions = p->decisions();
    const jobshop::BreakdownOptions b =
        params.breakdowns ? *params.breakdowns : jobshop::PerOperationBreakdowns(params.level);
    const std::string bkey =
        fmt::format("{}/{}/{}/{}/{}/{}/{}", static_cast<int>(b.model), b.p, b.repair_min,
                    b.repair_max, b.mtbf, b.mttr, static_cast<int>(decisions));
    auto& sim = sims_[{sc.instance.get(), static_cast<int>(params.mode), bkey}];
    if (!sim) {
      jobshop::SimOptions o;
      o.mode = params.mode;
      o.breakdowns = b;
      o.decisions = decisions;
      sim = std::make_unique<jobshop::Simulator>(*sc.instance, o);
    }
    sim->Reset(params.seed);
    auto t = Clock::now();
    p->Reset(params.seed);
    out.plan_s = Since(t);
    while (sim->AdvanceToDecision()) {
      if (stopped()) {
        out.cancelled = true;
        return out;
      }
      t = Clock::now();
      const int c = p->Choose(*sim, sim->candidates());
      out.decide_s += Since(t);
      ++out.decisions;
      sim->Apply(c);
    }
    rec.wall_s = Since(start);
    const jobshop::EpisodeResult& r = sim->result();
    rec.kpis = JobShopKpis(r);
    if (r.outcome == jobshop::Outcome::kDeadlock) {
      rec.status = "deadlock";
    } else {
      // Every stored schedule is checked by the independent validator.
      const auto rep = jobshop::ValidateSchedule(*sc.instance, jobshop::ToScheduleRows(r),
                                                 jobshop::ToDownRows(r),
                                                 params.mode == jobshop::BlockingMode::kSwap);
      if (rep.valid && rep.makespan == r.makespan) {
        rec.objective = static_cast<double>(r.makespan);
      } else {
        rec.status = "failed";
        rec.error = "validator rejected the schedule: " +
                    (rep.errors.empty() ? std::string("makespan mismatch") : rep.errors[0]);
      }
    }
    if (params.keep_events) rec.events = JobShopEvents(r);
    out.jobshop = r;
    return out;
  }

  // UAM: level 0 runs the scenario with every uncertainty source off.
  rec.key.mode = "uam";
  const uam::Scenario* scenario = sc.uam.get();
  if (params.level == 0) {
    auto& calm = calm_[sc.uam.get()];
    if (!calm) {
      auto copy = std::make_shared<uam::Scenario>(*sc.uam);
      copy->uncertainty.SetAll(false);
      calm = std::move(copy);
    }
    scenario = calm.get();
  }
  auto& p = uam_[policy];
  if (!p) p = spec.make_uam();
  uam::Simulator sim(*scenario, uam::SimOptions{.record_timeline = params.keep_events});
  sim.Reset(params.seed);
  auto t = Clock::now();
  p->Reset(sim);
  out.plan_s = Since(t);
  while (sim.AdvanceToDecision()) {
    if (stopped()) {
      out.cancelled = true;
      return out;
    }
    t = Clock::now();
    const int a = p->Choose(sim);
    out.decide_s += Since(t);
    ++out.decisions;
    sim.Apply(a);
  }
  rec.wall_s = Since(start);
  out.kpis = sim.kpis();
  rec.objective = out.kpis.profit();
  rec.kpis = UamKpis(out.kpis);
  if (params.keep_events) {
    out.timeline = sim.timeline();
    rec.events = UamEvents(out.timeline);
  }
  return out;
}

}  // namespace dispatchlab::scenarios
