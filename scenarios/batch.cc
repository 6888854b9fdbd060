#include "scenarios/batch.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "sim/jobshop/parser.h"
#include "sim/jobshop/validator.h"

namespace dispatchlab::scenarios {
namespace {

using Clock = std::chrono::steady_clock;

struct Task {
  int scenario = 0, policy = 0, level = 0;
  std::uint64_t seed = 0;
};

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

}  // namespace

Result<BatchSummary> RunJobShopBatch(
    Store& store, const JobShopGrid& grid, const BatchOptions& options,
    const std::function<void(const BatchProgress&)>& on_progress,
    const std::atomic<bool>* cancel) {
  const auto t0 = Clock::now();
  if (grid.seeds < 1) return Error{"batch: seeds must be at least 1"};
  if (grid.policies.empty()) return Error{"batch: no policy"};
  if (grid.scenarios.empty()) return Error{"batch: no scenario"};
  for (double p : grid.shutdown_p)
    if (!(p >= 0 && p <= 1))
      return Error{fmt::format("batch: shutdown probability {} outside [0, 1]", p)};

  std::vector<jobshop::Instance> instances;
  for (const auto& s : grid.scenarios) {
    auto inst = jobshop::ParseInstance(s.body, "store:" + s.name, s.name);
    if (!inst) return inst.error();
    instances.push_back(std::move(*inst));
  }
  std::vector<std::int64_t> policy_ids;
  for (const auto& p : grid.policies) {
    auto id = store.EnsurePolicy({0, p.name, p.kind, p.parameters, "", ""});
    if (!id) return id.error();
    policy_ids.push_back(*id);
  }
  const std::string mode = jobshop::ToString(grid.mode);

  // Grid cells not yet stored.
  std::vector<Task> tasks;
  BatchProgress progress;
  for (int s = 0; s < static_cast<int>(grid.scenarios.size()); ++s) {
    for (int p = 0; p < static_cast<int>(grid.policies.size()); ++p) {
      auto done = store.FinishedRuns(grid.scenarios[s].id, policy_ids[p]);
      if (!done) return done.error();
      std::set<RunKey> finished(done->begin(), done->end());
      for (int l = 0; l < static_cast<int>(grid.shutdown_p.size()); ++l)
        for (int k = 0; k < grid.seeds; ++k) {
          const std::uint64_t seed = grid.first_seed + static_cast<std::uint64_t>(k);
          ++progress.total;
          if (finished.count({grid.scenarios[s].id, policy_ids[p], seed,
                              grid.shutdown_p[l], mode}))
            ++progress.skipped;
          else
            tasks.push_back({s, p, l, seed});
        }
    }
  }

  std::mutex mu;
  std::condition_variable cv;
  std::deque<RunRecord> finished;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  int running = std::max(1, options.threads);

  auto worker = [&] {
    std::vector<std::unique_ptr<jobshop::Policy>> policies;
    for (const auto& p : grid.policies) policies.push_back(p.make());
    std::map<std::pair<int, int>, std::unique_ptr<jobshop::Simulator>> sims;
    for (;;) {
      if (stop.load() || (cancel && cancel->load())) break;
      const std::size_t i = next.fetch_add(1);
      if (i >= tasks.size()) break;
      const Task& t = tasks[i];
      auto& sim = sims[{t.scenario, t.level}];
      if (!sim) {
        jobshop::SimOptions o;
        o.mode = grid.mode;
        o.breakdowns = jobshop::PerOperationBreakdowns(grid.shutdown_p[t.level]);
        sim = std::make_unique<jobshop::Simulator>(instances[t.scenario], o);
      }
      jobshop::Policy& policy = *policies[t.policy];
      const auto start = Clock::now();
      sim->Reset(t.seed);
      policy.Reset(t.seed);
      while (sim->AdvanceToDecision()) sim->Apply(policy.Choose(*sim, sim->candidates()));
      const double wall = std::chrono::duration<double>(Clock::now() - start).count();
      const jobshop::EpisodeResult& r = sim->result();

      RunRecord rec;
      rec.key = {grid.scenarios[t.scenario].id, policy_ids[t.policy], t.seed,
                 grid.shutdown_p[t.level], mode};
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
            instances[t.scenario], jobshop::ToScheduleRows(r), jobshop::ToDownRows(r),
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
      const bool keep = options.keep_schedules == KeepSchedules::kAll ||
                        (options.keep_schedules == KeepSchedules::kFirstSeed &&
                         t.seed == grid.first_seed);
      if (keep) rec.events = JobShopEvents(r);
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
  const int nthreads = tasks.empty() ? 0 : std::max(1, options.threads);
  if (nthreads == 0) running = 0;
  for (int i = 0; i < nthreads; ++i) threads.emplace_back(worker);

  Status failure;
  const auto flush_every = std::chrono::duration<double>(options.flush_interval_s);
  for (;;) {
    std::vector<RunRecord> batch;
    bool all_done = false;
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, flush_every, [&] {
        return running == 0 ||
               static_cast<int>(finished.size()) >= options.flush_max_runs;
      });
      while (!finished.empty() && static_cast<int>(batch.size()) < options.flush_max_runs) {
        if (options.stop_after >= 0 &&
            progress.stored + progress.failed + static_cast<std::int64_t>(batch.size()) >=
                options.stop_after)
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
    if (options.stop_after >= 0 && progress.stored + progress.failed >= options.stop_after)
      stop = true;
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

}  // namespace dispatchlab::scenarios
