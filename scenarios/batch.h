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
#include "sim/core/status.h"
#include "sim/jobshop/simulator.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::scenarios {

// A policy as the batch sees it: a name for the store and a factory (each
// worker thread makes its own instance).
struct BatchPolicy {
  std::string name;
  std::string kind = "rule";
  std::string parameters = "{}";
  std::function<std::unique_ptr<jobshop::Policy>()> make;
};

enum class KeepSchedules { kNone, kFirstSeed, kAll };

struct JobShopGrid {
  std::vector<ScenarioRecord> scenarios;  // domain "jobshop"
  std::vector<BatchPolicy> policies;
  std::vector<double> shutdown_p = {0.0};
  jobshop::BlockingMode mode = jobshop::BlockingMode::kSwap;
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

struct UamBatchPolicy {
  std::string name;
  std::string kind = "baseline";
  std::string parameters = "{}";
  std::function<std::unique_ptr<uam::Policy>()> make;
};

struct UamGrid {
  std::vector<ScenarioRecord> scenarios;  // domain "uam"
  std::vector<UamBatchPolicy> policies;
  std::vector<bool> uncertainty = {true};  // stored as disruption 1 / 0
  std::uint64_t first_seed = 0;
  int seeds = 20;
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

// Runs the grid. `cancel` (may be null) stops dispatching new runs; what is
// finished is still committed. `on_progress` is called after each commit on
// the caller's thread.
Result<BatchSummary> RunJobShopBatch(
    Store& store, const JobShopGrid& grid, const BatchOptions& options,
    const std::function<void(const BatchProgress&)>& on_progress,
    const std::atomic<bool>* cancel);

Result<BatchSummary> RunUamBatch(
    Store& store, const UamGrid& grid, const BatchOptions& options,
    const std::function<void(const BatchProgress&)>& on_progress,
    const std::atomic<bool>* cancel);

}  // namespace dispatchlab::scenarios
