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

#include "scenarios/family.h"

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

Result<std::vector<std::int64_t>> EnsurePolicies(Store& store,
                                                 const std::vector<PolicySpec>& policies) {
  std::vector<std::int64_t> ids;
  for (const auto& p : policies) {
    auto id = store.EnsurePolicy(ToPolicyRecord(p));
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

Result<BatchSummary> RunBatch(Store& store, const Grid& grid, const BatchOptions& options,
                              const std::function<void(const BatchProgress&)>& on_progress,
                              const std::atomic<bool>* cancel) {
  if (grid.seeds < 1) return Error{"batch: seeds must be at least 1"};
  if (grid.policies.empty()) return Error{"batch: no policy"};
  if (grid.scenarios.empty()) return Error{"batch: no scenario"};
  if (grid.levels.empty()) return Error{"batch: no disruption level"};
  for (double level : grid.levels)
    if (Status st = CheckLevel(grid.domain, level); !st.ok())
      return Error{"batch: " + st.error().message};
  for (const auto& p : grid.policies)
    if (p.domain != grid.domain)
      return Error{fmt::format("batch: policy '{}' is a {} policy, the grid is {}", p.name,
                               DomainName(p.domain), DomainName(grid.domain))};
  auto parsed = std::make_shared<std::vector<ParsedScenario>>();
  for (const auto& s : grid.scenarios) {
    if (s.domain != DomainName(grid.domain))
      return Error{fmt::format("batch: scenario '{}' is {}, the grid is {}", s.name, s.domain,
                               DomainName(grid.domain))};
    auto p = ParseScenario(s);
    if (!p) return p.error();
    parsed->push_back(std::move(*p));
  }
  auto policy_ids = EnsurePolicies(store, grid.policies);
  if (!policy_ids) return policy_ids.error();
  const std::string mode =
      grid.domain == Domain::kJobShop ? jobshop::ToString(grid.mode) : std::string("uam");
  BatchProgress progress;
  auto cells = PendingCells(store, grid.scenarios, *policy_ids, grid.levels, mode,
                            grid.first_seed, grid.seeds, options, &progress);
  if (!cells) return cells.error();
  const std::vector<std::int64_t> ids = *policy_ids;
  auto make_runner = [&grid, &options, parsed, ids]() -> CellRunner {
    auto worker = std::make_shared<CellWorker>(grid.policies, ids);
    return [&grid, &options, parsed, worker](const Cell& t) {
      CellParams params;
      params.seed = t.key.seed;
      params.level = grid.levels[t.level];
      params.mode = grid.mode;
      params.keep_events = KeepEvents(options, t.key.seed, grid.first_seed);
      return worker->Run((*parsed)[t.scenario], t.policy, params).record;
    };
  };
  return RunCells(store, *cells, progress, options, make_runner, on_progress, cancel);
}

}  // namespace dispatchlab::scenarios
