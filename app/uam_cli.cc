// `dispatchlab uam ...`: generate scenarios, run baselines.
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "sim/core/file_io.h"
#include "app/cli.h"
#include "app/cli_common.h"
#include "app/output.h"
#include "policy/registry.h"
#include "scenarios/family.h"
#include "scenarios/uam_json.h"
#include "sim/jobshop/schedule.h"
#include "sim/uam/policies.h"
#include "sim/uam/rollout.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::app {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

struct GenerateFlags {
  uam::GeneratorOptions gen;
  std::string out;
};

int DoGenerate(const GenerateFlags& f, std::ostream& out) {
  const uam::Scenario s = OrBadInput(uam::GenerateScenario(f.gen));
  const std::string text = scenarios::FormatUamScenario(s);
  if (f.out.empty() || f.out == "-") {
    out << text;
    return kExitOk;
  }
  Status st = WriteTextFileAtomic(f.out, text);
  if (!st.ok()) throw BadInput{st.error().message};
  out << fmt::format("wrote {} ({} vertiports, {} aircraft) to {}\n", s.name,
                     s.num_vertiports(), s.fleet.aircraft, f.out);
  return kExitOk;
}

struct RunFlags {
  std::string scenario = "default", policy = "greedy", uncertainty = "on", events_out;
  std::uint64_t seed = 0;
  int episodes = 1;
  bool json = false;
  int ga_population = 24, ga_generations = 30, ga_samples = 2;
  double ga_time_limit_s = 0;
  uam::RolloutOptions rollout;
  int oracle_trials = uam::OracleOptions{}.trials;
};

std::string EventsCsv(const std::vector<uam::TimelineEvent>& ev) {
  std::string out = "time_s,aircraft,event,vertiport,destination,passengers,soc_kwh\n";
  for (const auto& e : ev)
    out += fmt::format("{},{},{},{},{},{},{:.3f}\n", e.time_s, e.aircraft, uam::ToString(e.kind),
                       e.vertiport, e.destination, e.passengers, e.soc_kwh);
  return out;
}

int DoRun(const RunFlags& f, CliContext& ctx, std::ostream& out) {
  uam::Scenario s = OrBadInput(scenarios::LoadUamScenario(f.scenario));
  if (f.uncertainty == "off") s.uncertainty.SetAll(false);
  else if (f.uncertainty != "on")
    throw BadInput{fmt::format("--uncertainty must be on or off, not '{}'", f.uncertainty)};
  if (f.episodes < 1) throw BadInput{"--episodes must be at least 1"};
  if (f.ga_population < 2 || f.ga_generations < 0 || f.ga_samples < 1)
    throw BadInput{"--ga-population must be >= 2, --ga-generations >= 0 and "
                   "--ga-forecast-samples >= 1"};
  PolicySpec spec;
  if (f.policy == "ga") {
    uam::GaOptions o;
    o.population = f.ga_population;
    o.generations = f.ga_generations;
    o.forecast_samples = f.ga_samples;
    if (f.ga_time_limit_s < 0) throw BadInput{"--ga-time-limit must be >= 0 (0 = none)"};
    if (f.ga_time_limit_s > 0) {
      // The app owns the clock; the GA measures its planning from its first
      // question.
      o.time_limit_s = f.ga_time_limit_s;
      o.elapsed_s = [] {
        static const auto t0 = Clock::now();
        return std::chrono::duration<double>(Clock::now() - t0).count();
      };
    }
    spec.domain = Domain::kUam;
    spec.name = "ga";
    spec.kind = "baseline";
    spec.make_uam = [o] { return std::make_unique<uam::GaPolicy>(o); };
  } else if (f.policy == "rollout") {
    if (f.rollout.horizon_min < 1 || f.rollout.samples < 1 || f.rollout.threads < 1 ||
        f.rollout.budget_ms < 0 || f.rollout.candidates < 0)
      throw BadInput{"--rollout-horizon, --rollout-samples and --rollout-threads must be >= 1, "
                     "--rollout-budget-ms and --rollout-candidates >= 0"};
    spec = OrBadInput(ctx.Registry().Find(Domain::kUam, "rollout"));
    const uam::RolloutOptions o = f.rollout;
    spec.parameters = fmt::format(
        "{{\"horizon_min\":{},\"samples\":{},\"margin_se\":{},\"corrected\":{},"
        "\"budget_ms\":{},\"candidates\":{}}}",
        o.horizon_min, o.samples, o.margin_se, o.corrected, o.budget_ms, o.candidates);
    spec.make_uam = [o] { return std::make_unique<uam::RolloutPolicy>(o); };
  } else if (f.policy == "oracle") {
    if (f.oracle_trials < 0) throw BadInput{"--oracle-trials must be >= 0"};
    spec = OrBadInput(ctx.Registry().UamOracle(f.oracle_trials));
  } else {
    spec = OrBadInput(ctx.Registry().Find(Domain::kUam, f.policy));
  }
  const auto scenario = scenarios::FromUamScenario(s);
  scenarios::CellWorker worker({spec});
  scenarios::CellParams params;
  params.level = 1;  // the scenario's own uncertainty (switched off above for "off")
  std::vector<double> profit, revenue, served, spilled, load, util, energy, empty, flights;
  long decisions = 0;
  double plan_s = 0, decide_s = 0, wall = 0;
  uam::Kpis k;
  std::vector<uam::TimelineEvent> timeline;
  for (int e = 0; e < f.episodes; ++e) {
    params.seed = f.seed + static_cast<std::uint64_t>(e);
    params.keep_events = !f.events_out.empty() && e + 1 == f.episodes;
    scenarios::CellResult cell = worker.Run(scenario, 0, params);
    wall += cell.record.wall_s;
    plan_s += cell.plan_s;
    decide_s += cell.decide_s;
    k = cell.kpis;
    profit.push_back(k.profit());
    revenue.push_back(k.revenue);
    served.push_back(static_cast<double>(k.served));
    spilled.push_back(static_cast<double>(k.spilled));
    load.push_back(k.load_factor);
    util.push_back(k.utilisation);
    energy.push_back(k.energy_charged_kwh);
    empty.push_back(k.empty_flights);
    flights.push_back(k.flights);
    decisions += k.decisions;
    if (params.keep_events) timeline = std::move(cell.timeline);
  }
  if (!f.events_out.empty()) {
    Status st = WriteTextFileAtomic(f.events_out, EventsCsv(timeline));
    if (!st.ok()) throw BadInput{st.error().message};
  }
  const Stats p = Summarize(profit);
  const double per_decision_us = decisions ? 1e6 * decide_s / static_cast<double>(decisions) : 0;
  if (f.json) {
    Json j;
    j["scenario"] = s.name;
    j["policy"] = spec.name;
    j["uncertainty"] = f.uncertainty;
    j["seed"] = f.seed;
    j["episodes"] = f.episodes;
    j["profit_mean"] = p.mean;
    j["profit_std"] = p.std;
    j["revenue"] = Summarize(revenue).mean;
    j["served"] = Summarize(served).mean;
    j["spilled"] = Summarize(spilled).mean;
    j["load_factor"] = Summarize(load).mean;
    j["utilisation"] = Summarize(util).mean;
    j["energy_kwh"] = Summarize(energy).mean;
    j["flights"] = Summarize(flights).mean;
    j["empty_flights"] = Summarize(empty).mean;
    j["decisions"] = decisions;
    j["wall_s"] = wall;
    j["wall_s_per_episode"] = wall / f.episodes;
    j["plan_s"] = plan_s;
    j["decision_us"] = per_decision_us;
    out << j.dump() << "\n";
    return kExitOk;
  }
  out << fmt::format("scenario {} ({} vertiports, {} aircraft)  policy {}  uncertainty {}  "
                     "seeds {}..{}\n",
                     s.name, s.num_vertiports(), s.fleet.aircraft, spec.name, f.uncertainty,
                     f.seed, f.seed + f.episodes - 1);
  out << fmt::format("profit      mean {:.0f} USD/day  std {:.0f}  min {:.0f}  max {:.0f}\n",
                     p.mean, p.std, p.min, p.max);
  out << fmt::format("passengers  served {:.1f}  spilled {:.1f}  (mean per day)\n",
                     Summarize(served).mean, Summarize(spilled).mean);
  out << fmt::format("fleet       flights {:.1f} ({:.1f} empty)  load factor {:.2f}  "
                     "utilisation {:.2f}  energy charged {:.0f} kWh\n",
                     Summarize(flights).mean, Summarize(empty).mean, Summarize(load).mean,
                     Summarize(util).mean, Summarize(energy).mean);
  out << fmt::format("last day    revenue {:.0f}  energy {:.0f}  operating {:.0f}  landing "
                     "{:.0f}  = profit {:.0f}\n",
                     k.revenue, k.energy_cost, k.operating_cost, k.landing_fees, k.profit());
  out << fmt::format("decisions   {} ({:.2f} us each in the policy{})\n", decisions,
                     per_decision_us,
                     plan_s > 0.01 ? fmt::format(", plus {:.2f} s planning", plan_s)
                                           : "");
  out << fmt::format("wall        {:.3f} s ({:.3f} s per episode)\n", wall, wall / f.episodes);
  if (!f.events_out.empty()) out << fmt::format("events      {}\n", f.events_out);
  return kExitOk;
}

}  // namespace

void AddUamCommands(CLI::App& app, CliAction* action, std::ostream& out, std::ostream& err,
                    CliContext& ctx) {
  auto* uam = app.add_subcommand("uam", "Urban air mobility fleet: generate scenarios, run "
                                        "baselines");
  uam->require_subcommand(1);
  auto gen = std::make_shared<GenerateFlags>();
  auto* c = uam->add_subcommand("generate", "Write a random UAM scenario (JSON)");
  c->add_option("--vertiports", gen->gen.vertiports)->capture_default_str();
  c->add_option("--aircraft", gen->gen.aircraft)->capture_default_str();
  c->add_option("--demand", gen->gen.demand_level, "Demand level (1 = default)")
      ->capture_default_str();
  c->add_option("--spread", gen->gen.spread_mi, "Side of the area in miles")
      ->capture_default_str();
  c->add_option("--seed", gen->gen.seed)->capture_default_str();
  c->add_option("--out", gen->out, "Output file (default: stdout)");
  c->callback([=, &out] { *action = [=, &out] { return DoGenerate(*gen, out); }; });

  auto run = std::make_shared<RunFlags>();
  c = uam->add_subcommand("run", "Run a policy for N days");
  c->add_option("--scenario", run->scenario, "Built-in name (default) or JSON file")
      ->capture_default_str();
  c->add_option("--policy", run->policy,
                "random, greedy, ga, rollout (online look-ahead planner), oracle (clairvoyant "
                "ceiling: knows the day), gat, or a weights file")
      ->capture_default_str();
  c->add_option("--seed", run->seed, "First seed")->capture_default_str();
  c->add_option("--episodes", run->episodes, "Days (seeds seed..seed+N-1)")
      ->capture_default_str();
  c->add_option("--uncertainty", run->uncertainty, "on or off")->capture_default_str();
  c->add_option("--events-out", run->events_out, "Write the last day's events as CSV");
  c->add_option("--ga-population", run->ga_population, "GA: plans per generation")
      ->capture_default_str();
  c->add_option("--ga-generations", run->ga_generations, "GA: generations")->capture_default_str();
  c->add_option("--ga-time-limit", run->ga_time_limit_s,
                "GA: planning time limit in seconds (anytime: the best plan found by then; "
                "0 = none)")
      ->capture_default_str();
  c->add_option("--ga-forecast-samples", run->ga_samples,
                "GA: forecast days a plan's fitness is averaged over")
      ->capture_default_str();
  c->add_option("--rollout-horizon", run->rollout.horizon_min,
                "rollout: simulated minutes of look-ahead per action")->capture_default_str();
  c->add_option("--rollout-samples", run->rollout.samples,
                "rollout: futures sampled from the forecast per decision")->capture_default_str();
  c->add_option("--rollout-budget-ms", run->rollout.budget_ms,
                "rollout: per-decision time budget (0 = none; then fewer samples when slow)")
      ->capture_default_str();
  c->add_option("--rollout-threads", run->rollout.threads, "rollout: threads per decision")
      ->capture_default_str();
  c->add_flag("--rollout-uncorrected{false}", run->rollout.corrected,
              "rollout: the plain one-standard-error test, not corrected for the number of "
              "alternatives and futures (the UAM imitation teacher's)");
  c->add_option("--oracle-trials", run->oracle_trials,
                "oracle: local-search trials per day on the realized day (0 = the best "
                "starting plan only)")
      ->capture_default_str();
  c->add_option("--rollout-candidates", run->rollout.candidates,
                "rollout: score only the N destinations with the best immediate margin, plus "
                "greedy's action and staying (0 = every legal action)")
      ->capture_default_str();
  c->add_flag("--json", run->json, "Print one JSON object");
  c->callback([=, &out, &ctx] { *action = [=, &out, &ctx] { return DoRun(*run, ctx, out); }; });
  (void)err;
}

}  // namespace dispatchlab::app
