// UAM baselines: random over the mask, greedy (best immediate margin), and a
// genetic algorithm that plans each aircraft's destination sequence against
// the demand forecast, then executes the plan under the episode's
// uncertainty, repairing masked choices greedily.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/rng.h"
#include "sim/core/status.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::uam {

class RandomPolicy final : public Policy {
 public:
  std::string name() const override { return "random"; }
  void Reset(const Simulator& sim) override;
  int Choose(const Simulator& sim) override;

 private:
  Rng rng_{0};
};

// Immediate margin of flying to v now: fares of the passengers that would
// board minus energy (at the current electricity price), flight-hour cost
// and landing fee. Staying scores 0; ties go to staying.
double FlightMargin(const Simulator& sim, int aircraft, int destination);

class GreedyPolicy final : public Policy {
 public:
  std::string name() const override { return "greedy"; }
  int Choose(const Simulator& sim) override;
};

struct GaOptions {
  int population = 24;
  int generations = 30;
  int tournament = 3;
  double mutation_rate = 0.03;  // per gene
  int elite = 2;
  // The demand samples the plan is optimised against (uncertainty off):
  // fitness is the mean profit over `forecast_samples` days drawn from the
  // forecast rates with seeds forecast_seed, forecast_seed + 1, ...
  std::uint64_t forecast_seed = 0x5eedf0ca57ULL;
  int forecast_samples = 2;
  std::uint64_t seed = 1;     // GA's own randomness
  // Anytime: with time_limit_s > 0 and a clock (seconds since the planning
  // started, passed by the app: the simulator itself never reads a clock),
  // the GA evaluates another plan only while the mean cost of one
  // evaluation still fits in what is left, and keeps its best plan so far
  // (the greedy plan, always evaluated first, at worst). So planning stays
  // within the limit up to one evaluation's spread.
  double time_limit_s = 0;
  std::function<double()> elapsed_s;
};

// A plan: for each aircraft and each demand slot of the day, the action to
// take at a decision in that slot: a destination v < V, V for stay, or
// kGreedyGene to decide greedily. Slot-indexed (not decision-indexed) genes
// keep a plan meaningful when delays shift an aircraft's timing. The all-
// greedy plan is in the initial population, so on the forecast the GA is
// never worse than greedy.
using Plan = std::vector<std::vector<std::uint8_t>>;
inline constexpr std::uint8_t kGreedyGene = 255;

class GaPolicy final : public Policy {
 public:
  explicit GaPolicy(GaOptions options = {}) : options_(options) {}
  std::string name() const override { return "ga"; }
  // Plans for the scenario (once per scenario: the forecast does not depend
  // on the episode seed), then executes.
  void Reset(const Simulator& sim) override;
  int Choose(const Simulator& sim) override;

  double best_forecast_profit() const { return best_fitness_; }
  int evaluations() const { return evaluations_; }
  int generations_done() const { return generations_done_; }

 private:
  GaOptions options_;
  const Scenario* planned_for_ = nullptr;
  std::string planned_name_;
  Plan plan_;
  double best_fitness_ = 0;
  int evaluations_ = 0;
  int generations_done_ = 0;
};

// Plays `plan` on the scenario with the given seed; masked or exhausted
// plan entries are repaired with the greedy choice. Returns the profit.
double EvaluatePlan(const Scenario& scenario, std::uint64_t seed, const Plan& plan);

// "random", "greedy", "ga" (case-insensitive).
Result<std::unique_ptr<Policy>> MakeBaseline(std::string_view name);

}  // namespace dispatchlab::uam
