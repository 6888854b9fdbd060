#include "sim/uam/policies.h"

#include "sim/uam/rollout.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace dispatchlab::uam {

void RandomPolicy::Reset(const Simulator& sim) {
  rng_ = Rng::Stream(sim.seed(), StreamTag::kPolicy);
}

int RandomPolicy::Choose(const Simulator& sim) {
  const auto mask = sim.mask();
  int legal = 0;
  for (auto m : mask) legal += m;
  std::int64_t pick = rng_.UniformInt(0, legal - 1);
  for (int a = 0; a < static_cast<int>(mask.size()); ++a)
    if (mask[a] && pick-- == 0) return a;
  return sim.stay_action();
}

double FlightMargin(const Simulator& sim, int aircraft, int dest) {
  const Scenario& s = sim.scenario();
  const int from = sim.aircraft_vertiport(aircraft);
  const double miles = sim.network().distance(from, dest);
  const int pax = std::min(s.fleet.seats, sim.waiting(from, dest));
  const double hours = static_cast<double>(FlightSeconds(s.fleet, miles)) / 3600.0;
  return pax * sim.Fare(from, dest, sim.now()) -
         FlightEnergyKwh(s.fleet, miles) * sim.ElectricityPrice(sim.now()) -
         s.prices.flight_hour_cost * hours - s.prices.landing_fee;
}

int GreedyPolicy::Choose(const Simulator& sim) {
  const auto mask = sim.mask();
  int best = sim.stay_action();
  double best_margin = 0.0;
  for (int v = 0; v < sim.stay_action(); ++v) {
    if (!mask[v]) continue;
    const double m = FlightMargin(sim, sim.deciding_aircraft(), v);
    if (m > best_margin) {
      best_margin = m;
      best = v;
    }
  }
  return best;
}

namespace {

int SlotOf(const Simulator& sim) {
  const Scenario& s = sim.scenario();
  return static_cast<int>((sim.now() - s.ops.day_start_s) / s.demand.slot_s);
}

int SlotsPerDay(const Scenario& s) {
  return static_cast<int>((s.ops.day_end_s - s.ops.day_start_s + s.demand.slot_s - 1) /
                          s.demand.slot_s);
}

// Executes a plan; greedy genes, masked genes and slots past the plan are
// decided greedily (the repair).
class PlanPolicy final : public Policy {
 public:
  explicit PlanPolicy(const Plan* plan) : plan_(plan) {}
  std::string name() const override { return "plan"; }
  int Choose(const Simulator& sim) override {
    const int a = sim.deciding_aircraft();
    const int slot = SlotOf(sim);
    if (plan_ && slot >= 0 && slot < static_cast<int>((*plan_)[a].size())) {
      const int gene = (*plan_)[a][slot];
      if (gene != kGreedyGene && gene < static_cast<int>(sim.mask().size()) &&
          sim.mask()[gene])
        return gene;
    }
    return greedy_.Choose(sim);
  }

 private:
  const Plan* plan_;
  GreedyPolicy greedy_;
};

Scenario ForecastScenario(const Scenario& s) {
  Scenario f = s;
  f.uncertainty.SetAll(false);
  return f;
}

}  // namespace

double EvaluatePlan(const Scenario& scenario, std::uint64_t seed, const Plan& plan) {
  PlanPolicy p(&plan);
  return RunEpisode(scenario, seed, p, SimOptions{.record_timeline = false}).kpis.profit();
}

void GaPolicy::Reset(const Simulator& sim) {
  const Scenario& s = sim.scenario();
  // Plans are per scenario; the key guards against a different scenario
  // at a reused address.
  const std::string key = s.name + "/" + std::to_string(s.num_vertiports()) + "/" +
                          std::to_string(s.fleet.aircraft) + "/" +
                          std::to_string(s.uncertainty.weather);
  if (planned_for_ == &s && planned_name_ == key && !plan_.empty()) return;
  planned_name_ = key;
  planned_for_ = &s;
  const Scenario forecast = ForecastScenario(s);
  const int aircraft = s.fleet.aircraft, genes = SlotsPerDay(s);
  const int actions = s.num_vertiports() + 1;
  Rng rng = Rng::Stream(options_.seed, StreamTag::kPolicy, 0x6a);

  // Anytime stop: is there time for one more evaluation?
  const bool timed = options_.time_limit_s > 0 && options_.elapsed_s;
  const double t_start = timed ? options_.elapsed_s() : 0;
  int evaluated = 0;
  auto out_of_time = [&] {
    if (!timed || evaluated == 0) return false;
    const double used = options_.elapsed_s() - t_start;
    return used + used / evaluated > options_.time_limit_s;
  };
  auto fitness = [&](const Plan& p) {
    ++evaluated;
    double total = 0;
    for (int k = 0; k < options_.forecast_samples; ++k) {
      ++evaluations_;
      total += EvaluatePlan(forecast, options_.forecast_seed + static_cast<std::uint64_t>(k), p);
    }
    return total / std::max(1, options_.forecast_samples);
  };
  auto mutate_gene = [&]() -> std::uint8_t {
    return rng.Bernoulli(0.5) ? kGreedyGene
                              : static_cast<std::uint8_t>(rng.UniformInt(0, actions - 1));
  };
  const Plan greedy_plan(aircraft, std::vector<std::uint8_t>(genes, kGreedyGene));
  std::vector<Plan> pop = {greedy_plan};
  while (static_cast<int>(pop.size()) < options_.population) {
    Plan p = greedy_plan;
    for (auto& row : p)
      for (auto& g : row)
        if (rng.Bernoulli(0.1)) g = mutate_gene();
    pop.push_back(std::move(p));
  }
  std::vector<double> fit(pop.size());
  for (std::size_t i = 0; i < pop.size(); ++i) {
    if (i > 0 && out_of_time()) {
      pop.resize(i);  // the greedy plan is always evaluated
      fit.resize(i);
      break;
    }
    fit[i] = fitness(pop[i]);
  }

  auto tournament = [&]() -> const Plan& {
    int best = static_cast<int>(rng.UniformInt(0, static_cast<std::int64_t>(pop.size()) - 1));
    for (int t = 1; t < options_.tournament; ++t) {
      const int c = static_cast<int>(rng.UniformInt(0, static_cast<std::int64_t>(pop.size()) - 1));
      if (fit[c] > fit[best]) best = c;
    }
    return pop[best];
  };
  generations_done_ = 0;
  for (int gen = 0; gen < options_.generations; ++gen) {
    if (out_of_time()) break;
    ++generations_done_;
    std::vector<int> order(pop.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return fit[a] > fit[b]; });
    std::vector<Plan> next;
    std::vector<double> next_fit;
    for (int e = 0; e < options_.elite && e < static_cast<int>(order.size()); ++e) {
      next.push_back(pop[order[e]]);
      next_fit.push_back(fit[order[e]]);
    }
    bool stopped = false;
    while (static_cast<int>(next.size()) < options_.population) {
      if (out_of_time()) {  // mid-generation: keep what both generations found
        stopped = true;
        break;
      }
      const Plan& a = tournament();
      const Plan& b = tournament();
      Plan child(aircraft);
      // Crossover per aircraft (its day is one building block), then a
      // one-point cut inside one aircraft's day.
      for (int i = 0; i < aircraft; ++i) child[i] = rng.Bernoulli(0.5) ? a[i] : b[i];
      const int cut_aircraft = static_cast<int>(rng.UniformInt(0, aircraft - 1));
      const int cut = static_cast<int>(rng.UniformInt(0, genes - 1));
      for (int k = cut; k < genes; ++k) child[cut_aircraft][k] = b[cut_aircraft][k];
      for (auto& row : child)
        for (auto& g : row)
          if (rng.Bernoulli(options_.mutation_rate)) g = mutate_gene();
      next_fit.push_back(fitness(child));
      next.push_back(std::move(child));
    }
    if (stopped) {
      for (std::size_t k = 0; k < next.size(); ++k) {
        pop.push_back(std::move(next[k]));
        fit.push_back(next_fit[k]);
      }
      break;
    }
    pop = std::move(next);
    fit = std::move(next_fit);
  }
  const auto best = std::max_element(fit.begin(), fit.end()) - fit.begin();
  plan_ = pop[best];
  best_fitness_ = fit[best];
}

int GaPolicy::Choose(const Simulator& sim) {
  PlanPolicy exec(&plan_);
  return exec.Choose(sim);
}

Result<std::unique_ptr<Policy>> MakeBaseline(std::string_view name) {
  std::string n(name);
  for (char& c : n) c = static_cast<char>(std::tolower(c));
  if (n == "random") return std::unique_ptr<Policy>(std::make_unique<RandomPolicy>());
  if (n == "greedy") return std::unique_ptr<Policy>(std::make_unique<GreedyPolicy>());
  if (n == "ga") return std::unique_ptr<Policy>(std::make_unique<GaPolicy>());
  if (n == "rollout") return std::unique_ptr<Policy>(std::make_unique<RolloutPolicy>());
  if (n == "oracle") return std::unique_ptr<Policy>(std::make_unique<OraclePolicy>());
  return Error{fmt::format("unknown UAM policy '{}' (known: random, greedy, ga, rollout, oracle)",
                           name)};
}

}  // namespace dispatchlab::uam
