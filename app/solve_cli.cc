// `dispatchlab jobshop solve`: flags -> PlannerOptions, the wall clock as the
// planner's stop condition, the schedule checked by the independent
// validator before anything is printed or written.
#include "sim/core/file_io.h"
#include "app/solve_cli.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "app/cli.h"
#include "scenarios/catalog.h"
#include "sim/jobshop/planner.h"
#include "sim/jobshop/schedule.h"
#include "sim/jobshop/simulator.h"
#include "sim/jobshop/validator.h"

namespace dispatchlab::app {
namespace {

using namespace dispatchlab::jobshop;
using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

struct SolveFlags {
  std::string instance, mode = "bws", schedule_out;
  double time_limit = 10;        // seconds (when given)
  bool time_limit_given = false;  // else 10 s unless --evaluations
  std::int64_t evaluations = 0;  // 0: no budget
  int threads = 1;
  std::uint64_t seed = 1;
  bool json = false;
  bool quiet = false;
};

int DoSolve(const SolveFlags& f, std::ostream& out, std::ostream& err) {
  const BlockingMode mode = ParseMode(f.mode);
  if (f.evaluations < 0) throw BadInput{"--evaluations must be >= 0"};
  if (f.threads < 1 || f.threads > 256) throw BadInput{"--threads must be in [1, 256]"};
  if (f.time_limit_given && !(f.time_limit > 0 && std::isfinite(f.time_limit)))
    throw BadInput{"--time-limit must be a positive number of seconds"};
  double limit = f.time_limit_given ? f.time_limit : -1.0;  // < 0: none
  if (!f.time_limit_given && f.evaluations == 0) limit = 10.0;
  const Instance inst = OrBadInput(scenarios::LoadJobShopInstance(f.instance));
  if (Status st = ValidateInstance(inst); !st.ok()) throw BadInput{st.error().message};
  const auto ref = scenarios::FindJobShopReference(inst.name);

  PlannerOptions po;
  po.evaluations = f.evaluations;
  po.threads = f.threads;
  po.seed = f.seed;
  const auto t0 = Clock::now();
  std::mutex mu;
  SimTime best = kTimeInfinity;
  double time_to_best = 0;
  std::atomic<double> next_progress{2.0};
  const bool progress = !f.quiet && (limit < 0 || limit >= 4.0);
  po.on_improvement = [&](SimTime ms, std::int64_t) {
    best = ms;  // called under the planner's lock
    time_to_best = WallSeconds(t0);
  };
  po.stop = [&] {
    const double t = WallSeconds(t0);
    if (progress && t >= next_progress.load()) {
      std::lock_guard<std::mutex> lock(mu);
      if (t >= next_progress.load()) {
        next_progress.store(t + 2.0);
        err << fmt::format("solve {}: {:.0f} s, best {}\n", inst.name, t, best);
      }
    }
    return limit > 0 && t >= limit;
  };
  const PlanResult plan = Plan(MakePlanProblem(inst, mode), po);
  const double wall = WallSeconds(t0);

  // The schedule, replayed by the simulator and checked independently.
  SimOptions so;
  so.mode = mode;
  so.machine_sequences = ToJobSequences(inst, plan.sequences);
  Simulator sim(inst, so);
  sim.Reset(0);
  while (sim.AdvanceToDecision()) sim.Apply(0);  // replay: every choice forced
  const EpisodeResult ep = sim.TakeResult();
  const auto rows = ToScheduleRows(ep);
  const ValidationReport rep = ValidateSchedule(inst, rows, {}, mode == BlockingMode::kSwap);
  const bool valid = ep.outcome == Outcome::kCompleted && rep.valid &&
                     ep.makespan == plan.makespan && rep.makespan == plan.makespan;
  if (!f.schedule_out.empty()) {
    // Written next to the target, then renamed: never a half-written file.
    const std::string tmp = f.schedule_out + ".tmp";
    {
      std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
      file << FormatScheduleCsv(rows);
      if (!file.good())
        throw BadInput{fmt::format("{}: cannot write the schedule", f.schedule_out)};
    }
    std::error_code ec;
    std::filesystem::rename(tmp, f.schedule_out, ec);
    if (ec) throw BadInput{fmt::format("{}: cannot write the schedule: {}", f.schedule_out, ec.message())};
  }

  std::optional<std::int64_t> known;  // BWS best known (a bound for BNS)
  if (ref && ref->bws_ub) known = *ref->bws_ub;
  std::optional<double> gap;
  if (known && mode == BlockingMode::kSwap)
    gap = 100.0 * static_cast<double>(plan.makespan - *known) / static_cast<double>(*known);
  const double rate = wall > 0 ? static_cast<double>(plan.evaluations) / wall : 0.0;
  if (f.json) {
    Json j;
    j["instance"] = inst.name;
    j["mode"] = ToString(mode);
    j["makespan"] = plan.makespan;
    j["best_known"] = known && mode == BlockingMode::kSwap ? Json(*known) : Json(nullptr);
    j["gap_pct"] = gap ? Json(std::round(*gap * 100.0) / 100.0) : Json(nullptr);
    j["evaluations"] = plan.evaluations;
    j["evaluations_per_s"] = std::round(rate);
    j["wall_s"] = std::round(wall * 1000.0) / 1000.0;
    j["time_to_best_s"] = std::round(time_to_best * 1000.0) / 1000.0;
    j["threads"] = f.threads;
    j["seed"] = f.seed;
    j["swaps"] = ep.swaps;
    j["valid"] = valid;
    if (!valid) j["errors"] = rep.errors;
    out << j.dump() << "\n";
  } else {
    std::string ref_text;
    if (gap)
      ref_text = fmt::format("  best known {}{}  gap {:+.2f}%", *known,
                             ref->bws_optimal() ? " (optimal)" : "", *gap);
    out << fmt::format("{} ({}x{}, {}): makespan {}{}\n", inst.name, inst.num_jobs(),
                       inst.num_machines, ToString(mode), plan.makespan, ref_text);
    out << fmt::format("  {} evaluations in {:.2f} s ({:.0f}/s, {} thread{}), best after "
                       "{:.2f} s, {} swap cycles, {}\n",
                       plan.evaluations, wall, rate, f.threads, f.threads == 1 ? "" : "s",
                       time_to_best, ep.swaps, valid ? "valid" : "INVALID");
    if (!valid)
      for (const auto& e : rep.errors) out << "  validator: " << e << "\n";
  }
  return valid ? kExitOk : kExitNo;
}

}  // namespace

void AddJobShopSolveCommand(CLI::App* jobshop, CliAction* action, std::ostream& out,
                            std::ostream& err) {
  auto f = std::make_shared<SolveFlags>();
  auto* c = jobshop->add_subcommand(
      "solve", "Plan one instance: anytime search over machine sequences (p = 0)");
  c->add_option("--instance", f->instance, "Built-in name (see list) or file")->required();
  c->add_option("--mode", f->mode, "bws (swaps allowed) or bns (no swaps)")
      ->capture_default_str();
  auto* tl = c->add_option("--time-limit", f->time_limit,
                           "Wall-clock seconds (default 10, or none with --evaluations)");
  c->add_option("--evaluations", f->evaluations,
                "Evaluation budget (all threads); deterministic for a given seed and threads");
  c->add_option("--threads", f->threads, "Search threads")->capture_default_str();
  c->add_option("--seed", f->seed, "Search seed")->capture_default_str();
  c->add_option("--schedule-out", f->schedule_out, "Write the schedule CSV");
  c->add_flag("--json", f->json, "Print one JSON object");
  c->add_flag("--quiet", f->quiet, "No progress lines on stderr");
  c->callback([=, &out, &err] {
    f->time_limit_given = tl->count() > 0;
    *action = [=, &out, &err] { return DoSolve(*f, out, err); };
  });
}

}  // namespace dispatchlab::app
