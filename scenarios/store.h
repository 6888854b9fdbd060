// The SQLite store: dispatchlab's memory of scenarios, policies, runs,
// results, schedules and training curves (DESIGN.md "Store").
//
// One file, WAL journal, foreign keys on, schema version in user_version,
// migrations applied in order inside transactions. Every write method is one
// transaction: a crash leaves either all of it or none. Runs are unique per
// grid cell (scenario, policy, seed, disruption, mode), so a batch that is
// re-run or resumed never stores a duplicate.
//
// Thread safety: one Store per thread (SQLite connections are not shared);
// several Stores (threads or processes) may open one file: readers do not
// block the writer under WAL, and writers wait up to busy_timeout.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/status.h"

struct sqlite3;

namespace dispatchlab::scenarios {

inline constexpr int kSchemaVersion = 3;
// PRAGMA application_id of dispatchlab stores ("DLAB").
inline constexpr std::int32_t kApplicationId = 0x444c4142;

struct StoreOptions {
  bool read_only = false;   // open for queries only; never creates
  bool import_builtins = true;  // import built-in scenarios on first use
  // For migration tests only: stop migrating at this version.
  int migrate_to = kSchemaVersion;
};

struct ScenarioRecord {
  std::int64_t id = 0;
  std::string domain;  // "jobshop" | "uam"
  std::string name;
  std::string format;  // "jobshop-standard" | "uam-json"
  std::string body;
  std::string content_hash;  // hex FNV-1a 64 of body
  bool builtin = false;
};

struct PolicyRecord {
  std::int64_t id = 0;
  std::string name;   // "spt", "gat", a checkpoint path...
  std::string kind;   // "rule" | "search" | "neural"
  std::string parameters = "{}";  // JSON
  std::string checkpoint_path;
  std::string checkpoint_hash;  // learned policies: hash of the weights; with the
                                // name, the policy's identity ("" for rules)
};

// One grid cell: what was run.
// The store's columns keep their names (disruption, mode); what they mean
// depends on the scenario's domain, so build keys with the named helpers.
struct RunKey {
  std::int64_t scenario_id = 0;
  std::int64_t policy_id = 0;
  std::uint64_t seed = 0;
  // The disruption level: job shop, the per-operation shutdown probability
  // p in [0, 1]; UAM, 0 = every uncertainty source off, 1 = on.
  double disruption = 0;
  // Job shop: the blocking mode, "bws" | "bns". UAM: always "uam".
  std::string mode;
  static RunKey JobShop(std::int64_t scenario, std::int64_t policy, std::uint64_t seed,
                        double shutdown_p, std::string blocking_mode) {
    return {scenario, policy, seed, shutdown_p, std::move(blocking_mode)};
  }
  static RunKey Uam(std::int64_t scenario, std::int64_t policy, std::uint64_t seed,
                    bool uncertainty) {
    return {scenario, policy, seed, uncertainty ? 1.0 : 0.0, "uam"};
  }
  auto operator<=>(const RunKey&) const = default;
};

// A schedule event, enough to redraw a Gantt chart or a fleet timeline.
// Job shop: kind "op" (entity = job, step = op, resource = machine,
// start, mid = completion, end = leaves machine, value = duration) and
// kind "down" (resource = machine, start, end).
struct ScheduleEvent {
  std::string kind;
  std::int64_t entity = -1, step = -1, resource = -1;
  std::int64_t start = 0, mid = 0, end = 0;
  double value = 0;
};

struct RunRecord {
  RunKey key;
  std::string status = "done";  // "done" | "deadlock" | "failed"
  std::optional<double> objective;  // makespan or profit
  std::string kpis = "{}";          // JSON object
  std::string error;
  double wall_s = 0;
  std::vector<ScheduleEvent> events;  // may be empty
};

// A stored run joined with names, for reports.
struct ResultRow {
  std::int64_t run_id = 0;
  std::int64_t policy_id = 0;
  std::string domain, scenario, mode, status;
  std::string policy;  // name; a learned policy's as name@<first 8 of its weights hash>
  std::uint64_t seed = 0;
  double disruption = 0;
  std::optional<double> objective;
  std::string kpis;
  double wall_s = 0;
};

struct ResultFilter {
  std::string domain;                  // empty: all
  std::vector<std::string> scenarios;  // empty: all
  std::vector<std::string> policies;   // empty: all
};

struct TrainingRunRecord {
  std::int64_t id = 0;
  std::string domain, name, config = "{}", status = "running", checkpoint_path;
};

class Store {
 public:
  // Opens (creating if allowed) and migrates. Errors: not a SQLite file, a
  // SQLite file that is not a dispatchlab store, a newer schema version, an
  // unwritable location. On error the file is left untouched.
  static Result<std::unique_ptr<Store>> Open(const std::string& path,
                                             const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }
  int schema_version() const;

  // --- scenarios ------------------------------------------------------------
  // Inserts, or returns the existing id when (domain, name) has the same
  // content. Different content under the same name is an error unless
  // `replace` (built-ins are refreshed with replace = true).
  Result<std::int64_t> PutScenario(const ScenarioRecord& s, bool replace = false);
  Result<std::vector<ScenarioRecord>> ListScenarios(const std::string& domain = "") const;
  Result<std::optional<ScenarioRecord>> FindScenario(const std::string& domain,
                                                     const std::string& name) const;
  // Imports the built-in scenarios of every domain (idempotent).
  Status ImportBuiltins();

  // --- policies ---------------------------------------------------------------
  Result<std::int64_t> EnsurePolicy(const PolicyRecord& p);

  // --- runs and results -------------------------------------------------------
  // Keys already stored with status done/deadlock among those given.
  Result<std::vector<RunKey>> FinishedRuns(std::int64_t scenario_id,
                                           std::int64_t policy_id) const;
  // Stores runs in one transaction. A key already finished is skipped
  // (never duplicated); a failed one is replaced.
  Status PutRuns(const std::vector<RunRecord>& runs);
  Result<std::vector<ResultRow>> QueryResults(const ResultFilter& filter) const;
  Result<std::vector<ScheduleEvent>> ScheduleEvents(std::int64_t run_id) const;
  Result<std::int64_t> CountRuns() const;

  // --- training -------------------------------------------------------------
  Result<std::int64_t> PutTrainingRun(const TrainingRunRecord& r);
  Status AddTrainingMetrics(std::int64_t training_run_id, std::int64_t step,
                            const std::vector<std::pair<std::string, double>>& metrics);
  Result<std::vector<TrainingRunRecord>> ListTrainingRuns() const;
  // (step, value) of one metric of a training run, by step.
  Result<std::vector<std::pair<std::int64_t, double>>> TrainingMetric(
      std::int64_t training_run_id, const std::string& name) const;

  sqlite3* raw() const { return db_; }  // for tests

 private:
  Store(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Migrate(int to);
  Status Exec(const char* sql) const;

  sqlite3* db_;
  std::string path_;
};

// FNV-1a 64, as 16 hex digits: the scenario content hash.
std::string ContentHash(const std::string& text);

}  // namespace dispatchlab::scenarios
