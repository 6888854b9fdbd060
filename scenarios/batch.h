// Headless batch evaluation: a grid of scenarios x policies x disruption
// levels x seeds, run on a pool of threads, each finished run committed to
// the store (batched into one transaction per flush). Cells already stored
// are skipped, so an interrupted batch resumes where it stopped and a
// repeated one stores nothing twice.
//
//   workers (T threads) --finished runs--> queue --> writer (caller thread)
//                                                    PutRuns every flush
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scenarios/store.h"
#include "sim/core/domain.h"
#include "sim/env/policy_spec.h"
#include "sim/core/status.h"
#include "sim/jobshop/simulator.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::scenarios {

enum class KeepSchedules { kNone, kFirstSeed, kAll };

// scenarios x policies x levels x seeds of one domain. Levels are the
// cells' disruption levels (family.h): shutdown p for the job shop, 0/1 for
// UAM uncertainty off/on.
struct Grid {
  Domain domain = Domain::kJobShop;
  std::vector<ScenarioRecord> scenarios;  // all of `domain`
  std::vector<PolicySpec> policies;       // all of `domain`
  std::vector<double> levels = {0.0};
  jobshop::BlockingMode mode = jobshop::BlockingMode::kSwap;  // job shop only
  std::uint64_t first_seed = 0;
  int seeds = 30;
};

struct BatchOptions {
  int threads = 1;
  KeepSchedules keep_schedules = KeepSchedules::kFirstSeed;
  double flush_interval_s = 0.25;  // commit at least this often
  int flush_max_runs = 256;        // and at most this many runs per commit
  // Stop after committing this many runs (tests simulate a crash with it).
  std::int64_t stop_after = -1;
  // Run only grid cells whose index (scenario-major) is shard mod shards:
  // several processes, e.g. one per machine or rank, split one grid and
  // write into one store (WAL; each run row is unique per cell).
  int shard = 0;
  int shards = 1;
};

struct BatchProgress {
  std::int64_t total = 0;    // grid cells
  std::int64_t skipped = 0;  // already stored before this batch
  std::int64_t stored = 0;   // committed by this batch
  std::int64_t failed = 0;
  double elapsed_s = 0;
};

struct BatchSummary {
  BatchProgress progress;
  bool cancelled = false;
};

// One grid cell to run, with indices into the grid's vectors.
struct Cell {
  RunKey key;
  int scenario = 0, policy = 0, level = 0;
};
// Runs one cell on a worker thread; each worker gets its own runner (own
// policies and simulators) from the factory.
using CellRunner = std::function<RunRecord(const Cell&)>;

// The engine under both domains: runs `cells` on options.threads workers,
// commits results in batches, honours cancel and stop_after.
Result<BatchSummary> RunCells(Store& store, const std::vector<Cell>& cells,
                              BatchProgress progress, const BatchOptions& options,
                              const std::function<CellRunner()>& make_runner,
                              const std::function<void(const BatchProgress&)>& on_progress,
                              const std::atomic<bool>* cancel);

// Schedule events stored for a run (enough to redraw a Gantt chart or a
// fleet timeline); used by the batch and by the GUI's runs.
std::vector<ScheduleEvent> JobShopEvents(const jobshop::EpisodeResult& r);
std::vector<ScheduleEvent> UamEvents(const std::vector<uam::TimelineEvent>& timeline);

// Runs the grid through CellWorker (one per thread). `cancel` (may be
// null) stops dispatching new runs; what is finished is still committed.
// `on_progress` is called after each commit on the caller's thread.
Result<BatchSummary> RunBatch(Store& store, const Grid& grid, const BatchOptions& options,
                              const std::function<void(const BatchProgress&)>& on_progress,
                              const std::atomic<bool>* cancel);

}  // namespace dispatchlab::scenarios
