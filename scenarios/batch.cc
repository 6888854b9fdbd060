#include "scenarios/batch.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <array>
#include <set>
#include <thread>

#include "scenarios/uam_json.h"
#include "sim/jobshop/parser.h"
#include "sim/jobshop/validator.h"

namespace dispatchlab::scenarios {
namespace {

using Clock = std::chrono::steady_clock;


}  // namespace

std::vector<ScheduleEvent> JobShopEvents(const jobshop::EpisodeResult& r) {
  std::vector<ScheduleEvent> ev;
  ev.reserve(r.schedule.size() + r.down.size());
  for (const auto& op : r.schedule)
    if (op.start >= 0)
      ev.push_back({"op", op.job.value, op.op, op.machine.value, op.start,
                    op.completion, op.leave, static_cast<double>(op.duration)});
  for (const auto& d : r.down)
    ev.push_back({"down", -1, -1, d.machine.value, d.start, d.start, d.end, 0});
  return ev;
}
std::vector<ScheduleEvent> UamEvents(const std::vector<uam::TimelineEvent>& timeline) {
  std::vector<ScheduleEvent> ev;
  ev.reserve(timeline.size());
  for (const auto& e : timeline)
    ev.push_back({uam::ToString(e.kind), e.aircraft, e.destination, e.vertiport, e.time_s,
                  e.time_s, e.time_s, static_cast<double>(e.passengers)});
  return ev;
}

Result<BatchSummary> RunCells(
    Store& store, const std::vector<Cell>& tasks, BatchProgress progress,
    const BatchOptions& options, const std::function<CellRunner()>& make_runner,
    const std::function<void(const BatchProgress&)>& on_progress,
    const std::atomic<bool>* cancel) {
  const auto t0 = Clock::now();
  std::mutex mu;
  std::condition_variable cv;
  std::deque<RunRecord> finished;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  const int nthreads = tasks.empty() ? 0 : std::max(1, options.threads);
  int running = nthreads;

  auto worker = [&] {
    CellRunner run = make_runner();
    for (;;) {
      if (stop.load() || (cancel && cancel->load())) break;
      const std::size_t i = next.fetch_add(1);
      if (i >= tasks.size()) break;
      RunRecord rec = run(tasks[i]);
      {
        std::lock_guard lock(mu);
        finished.push_back(std::move(rec));
      }
      cv.notify_one();
    }
    {
      std::lock_guard lock(mu);
      --running;
    }
    cv.notify_one();
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < nthreads; ++i) threads.emplace_back(worker);

  Status failure;
  const auto flush_every = std::chrono::duration<double>(options.flush_interval_s);
  auto committed = [&] { return progress.stored + progress.failed; };
  for (;;) {
    std::vector<RunRecord> batch;
    bool all_done = false;
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, flush_every, [&] {
        return running == 0 || static_cast<int>(finished.size()) >= options.flush_max_runs;
      });
      while (!finished.empty() && static_cast<int>(batch.size()) < options.flush_max_runs) {
        if (options.stop_after >= 0 &&
            committed() + static_cast<std::int64_t>(batch.size()) >= options.stop_after)
          break;
        batch.push_back(std::move(finished.front()));
        finished.pop_front();
      }
      all_done = running == 0 && finished.empty();
    }
    if (!batch.empty() && failure.ok()) {
      Status st = store.PutRuns(batch);
      if (!st.ok()) {
        failure = st;
        stop = true;
      } else {
        for (const auto& r : batch) (r.status == "failed" ? progress.failed : progress.stored)++;
      }
      progress.elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
      if (on_progress) on_progress(progress);
    }
    if (options.stop_after >= 0 && committed() >= options.stop_after) stop = true;
    if (all_done || (stop && running == 0)) break;
  }
  for (auto& t : threads) t.join();
  if (!failure.ok()) return failure.error();
  progress.elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
  BatchSummary summary;
  summary.progress = progress;
  summary.cancelled = (cancel && cancel->load()) || stop.load();
  return summary;
}

namespace {

// Cells of the grid not yet stored, in scenario-major order.
Result<std::vector<Cell>> PendingCells(Store& store,
                                       const std::vector<ScenarioRecord>& scenarios,
                                       const std::vector<std::int64_t>& policy_ids,
                                       const std::vector<double>& levels,
                                       const std::string& mode, std::uint64_t first_seed,
                                       int seeds, const BatchOptions& options,
                                       BatchProgress* progress) {
  std::vector<Cell> cells;
  std::int64_t index = 0;
  for (int s = 0; s < static_cast<int>(scenarios.size()); ++s)
    for (int p = 0; p < static_cast<int>(policy_ids.size()); ++p) {
      auto done = store.FinishedRuns(scenarios[s].id, policy_ids[p]);
      if (!done) return done.error();
      std::set<RunKey> finished(done->begin(), done->end());
      for (int l = 0; l < static_cast<int>(levels.size()); ++l)
        for (int k = 0; k < seeds; ++k) {
          const std::uint64_t seed = first_seed + static_cast<std::uint64_t>(k);
          const RunKey key{scenarios[s].id, policy_ids[p], seed, levels[l], mode};
          if (index++ % options.shards != options.shard) continue;
          ++progress->total;
          if (finished.count(key)) ++progress->skipped;
          else cells.push_back({key, s, p, l});
        }
    }
  return cells;
}

template <typename P>
Result<std::vector<std::int64_t>> EnsurePolicies(Store& store, const std::vector<P>& policies) {
  std::vector<std::int64_t> ids;
  for (const auto& p : policies) {
    auto id = store.EnsurePolicy({0, p.name, p.kind, p.parameters, "", ""});
    if (!id) return id.error();
    ids.push_back(*id);
  }
  return ids;
}

bool KeepEvents(const BatchOptions& o, std::uint64_t seed, std::uint64_t first_seed) {
  return o.keep_schedules == KeepSchedules::kAll ||
         (o.keep_schedules == KeepSchedules::kFirstSeed && seed == first_seed);
}

}  // namespace

Result<BatchSummary> RunJobShopBatch(
    Store& store, const JobShopGrid& grid, const BatchOptions& options,
    const std::function<void(const BatchProgress&)>& on_progress,
    const std::atomic<bool>* cancel) {
  if (grid.seeds < 1) return Error{"batch: seeds must be at least 1"};
  if (grid.policies.empty()) return Error{"batch: no policy"};
  if (grid.scenarios.empty()) return Error{"batch: no scenario"};
  for (double p : grid.shutdown_p)
    if (!(p >= 0 && p <= 1))
      return Error{fmt::format("batch: shutdown probability {} outside [0, 1]", p)};
  auto instances = std::make_shared<std::vector<jobshop::Instance>>();
  for (const auto& s : grid.scenarios) {
    auto inst = jobshop::ParseInstance(s.body, "store:" + s.name, s.name);
    if (!inst) return inst.error();
    instances->push_back(std::move(*inst));
  }
  auto policy_ids = EnsurePolicies(store, grid.policies);
  if (!policy_ids) return policy_ids.error();
  const std::string mode = jobshop::ToString(grid.mode);
  BatchProgress progress;
  auto cells = PendingCells(store, grid.scenarios, *policy_ids, grid.shutdown_p, mode,
                            grid.first_seed, grid.seeds, options, &progress);
  if (!cells) return cells.error();

  auto make_runner = [&grid, &options, instances]() -> CellRunner {
    auto policies = std::make_shared<std::vector<std::unique_ptr<jobshop::Policy>>>();
    for (const auto& p : grid.policies) policies->push_back(p.make());
    auto sims = std::make_shared<std::map<std::pair<int, int>, std::unique_ptr<jobshop::Simulator>>>();
    return [&grid, &options, instances, policies, sims](const Cell& t) {
      auto& sim = (*sims)[{t.scenario, t.level}];
      if (!sim) {
        jobshop::SimOptions o;
        o.mode = grid.mode;
        o.breakdowns = jobshop::PerOperationBreakdowns(grid.shutdown_p[t.level]);
        sim = std::make_unique<jobshop::Simulator>((*instances)[t.scenario], o);
      }
      jobshop::Policy& policy = *(*policies)[t.policy];
      const auto start = Clock::now();
      sim->Reset(t.key.seed);
      policy.Reset(t.key.seed);
      while (sim->AdvanceToDecision()) sim->Apply(policy.Choose(*sim, sim->candidates()));
      const double wall = std::chrono::duration<double>(Clock::now() - start).count();
      const jobshop::EpisodeResult& r = sim->result();
      RunRecord rec;
      rec.key = t.key;
      rec.wall_s = wall;
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
      if (r.outcome == jobshop::Outcome::kDeadlock) {
        rec.status = "deadlock";
        k["deadlock_time"] = r.end_time;
      } else {
        const auto rep = jobshop::ValidateSchedule(
            (*instances)[t.scenario], jobshop::ToScheduleRows(r), jobshop::ToDownRows(r),
            grid.mode == jobshop::BlockingMode::kSwap);
        if (rep.valid && rep.makespan == r.makespan) {
          rec.objective = static_cast<double>(r.makespan);
        } else {
          rec.status = "failed";
          rec.error = "validator rejected the schedule: " +
                      (rep.errors.empty() ? std::string("makespan mismatch") : rep.errors[0]);
        }
      }
      rec.kpis = k.dump();
      if (KeepEvents(options, t.key.seed, grid.first_seed)) rec.events = JobShopEvents(r);
      return rec;
    };
  };
  return RunCells(store, *cells, progress, options, make_runner, on_progress, cancel);
}

Result<BatchSummary> RunUamBatch(
    Store& store, const UamGrid& grid, const BatchOptions& options,
    const std::function<void(const BatchProgress&)>& on_progress,
    const std::atomic<bool>* cancel) {
  if (grid.seeds < 1) return Error{"batch: seeds must be at least 1"};
  if (grid.policies.empty()) return Error{"batch: no policy"};
  if (grid.scenarios.empty()) return Error{"batch: no scenario"};
  if (grid.uncertainty.empty()) return Error{"batch: no uncertainty level"};
  // scenarios[s] with uncertainty on (level 1) and off (level 0).
  auto parsed = std::make_shared<std::vector<std::array<uam::Scenario, 2>>>();
  for (const auto& s : grid.scenarios) {
    auto sc = ParseUamScenario(s.body, "store:" + s.name);
    if (!sc) return sc.error();
    std::array<uam::Scenario, 2> both = {*sc, *sc};
    both[0].uncertainty.SetAll(false);
    parsed->push_back(std::move(both));
  }
  std::vector<double> levels;
  for (bool on : grid.uncertainty) levels.push_back(on ? 1.0 : 0.0);
  auto policy_ids = EnsurePolicies(store, grid.policies);
  if (!policy_ids) return policy_ids.error();
  BatchProgress progress;
  auto cells = PendingCells(store, grid.scenarios, *policy_ids, levels, "uam", grid.first_seed,
                            grid.seeds, options, &progress);
  if (!cells) return cells.error();
  auto make_runner = [&grid, &options, parsed, levels]() -> CellRunner {
    auto policies = std::make_shared<std::vector<std::unique_ptr<uam::Policy>>>();
    for (const auto& p : grid.policies) policies->push_back(p.make());
    return [&grid, &options, parsed, levels, policies](const Cell& t) {
      const uam::Scenario& sc = (*parsed)[t.scenario][levels[t.level] > 0 ? 1 : 0];
      uam::Policy& policy = *(*policies)[t.policy];
      const bool keep = KeepEvents(options, t.key.seed, grid.first_seed);
      uam::Simulator sim(sc, uam::SimOptions{.record_timeline = keep});
      const auto start = Clock::now();
      sim.Reset(t.key.seed);
      policy.Reset(sim);
      double decide_s = 0;
      while (sim.AdvanceToDecision()) {
        const auto d0 = Clock::now();
        const int a = policy.Choose(sim);
        decide_s += std::chrono::duration<double>(Clock::now() - d0).count();
        sim.Apply(a);
      }
      const double wall = std::chrono::duration<double>(Clock::now() - start).count();
      const uam::Kpis& k = sim.kpis();
      RunRecord rec;
      rec.key = t.key;
      rec.wall_s = wall;
      rec.objective = k.profit();
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
      j["decision_us"] = k.decisions ? 1e6 * decide_s / k.decisions : 0.0;
      rec.kpis = j.dump();
      if (keep) rec.events = UamEvents(sim.timeline());
      return rec;
    };
  };
  return RunCells(store, *cells, progress, options, make_runner, on_progress, cancel);
}

}  // namespace dispatchlab::scenarios
