// `dispatchlab eval`, `results` and `scenarios`: the store and batch
// evaluation from the command line.
#include <fmt/format.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <map>
#include <set>
#include <thread>

#include "sim/core/file_io.h"
#include "app/cli.h"
#include "app/cli_common.h"
#include "app/output.h"
#include "app/svg_plot.h"
#include "policy/registry.h"
#include "scenarios/batch.h"
#include "scenarios/catalog.h"
#include "scenarios/family.h"
#include "scenarios/report.h"
#include "scenarios/store.h"
#include "scenarios/uam_json.h"
#include "sim/jobshop/parser.h"
#include "sim/jobshop/schedule.h"

namespace dispatchlab::app {
namespace {

using scenarios::Store;
using Json = nlohmann::ordered_json;

// Set by SIGINT/SIGTERM during `eval`; the batch stops dispatching, commits
// what finished and reports how to resume.
std::atomic<bool> g_interrupted{false};
extern "C" void OnInterrupt(int) { g_interrupted = true; }

std::unique_ptr<Store> OpenStore(const std::string& flag, bool read_only) {
  const std::string path = flag.empty() ? DefaultDbPath() : flag;
  scenarios::StoreOptions o;
  o.read_only = read_only;
  return OrBadInput(Store::Open(path, o));
}

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

bool MatchesAny(const std::vector<std::string>& patterns, const std::string& name) {
  if (patterns.empty()) return true;
  for (const auto& p : patterns)
    if (fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
  return false;
}

// Scenarios of a domain whose names match the comma-separated patterns;
// each pattern must match something.
std::vector<scenarios::ScenarioRecord> SelectScenarios(Store& store,
                                                       const std::string& domain,
                                                       const std::string& list) {
  const auto all = OrBadInput(store.ListScenarios(domain));
  std::vector<scenarios::ScenarioRecord> out;
  std::set<std::string> taken;
  for (const auto& pattern : SplitList(list)) {
    bool any = false;
    for (const auto& s : all)
      if (fnmatch(pattern.c_str(), s.name.c_str(), 0) == 0) {
        any = true;
        if (taken.insert(s.name).second) out.push_back(s);
      }
    if (!any)
      throw BadInput{fmt::format(
          "no {} scenario matches '{}' in {} (see `dispatchlab scenarios list`, "
          "or import it with `dispatchlab scenarios import FILE`)",
          domain, pattern, store.path())};
  }
  if (out.empty()) throw BadInput{"--scenarios: no scenario given"};
  return out;
}

// --- progress ------------------------------------------------------------------
class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream& err, bool quiet)
      : err_(err), quiet_(quiet), tty_(isatty(STDERR_FILENO) == 1) {}

  void Update(const scenarios::BatchProgress& p) {
    if (quiet_) return;
    const std::int64_t todo = p.total - p.skipped;
    const std::int64_t done = p.stored + p.failed;
    const double rate = p.elapsed_s > 0 ? done / p.elapsed_s : 0;
    const double eta = rate > 0 ? (todo - done) / rate : 0;
    const double frac = todo > 0 ? static_cast<double>(done) / todo : 1;
    if (tty_) {
      const int width = 30;
      const int fill = static_cast<int>(frac * width);
      err_ << fmt::format("\r[{}{}] {}/{} runs  {:.0f} runs/s  ETA {:.0f}s{}   ",
                          std::string(fill, '#'), std::string(width - fill, '.'),
                          done, todo, rate, eta,
                          p.failed ? fmt::format("  {} failed", p.failed) : "")
           << std::flush;
      dirty_ = true;
    } else if (frac >= next_report_ || done == todo) {
      err_ << fmt::format("eval: {}/{} runs ({:.0f}%), {:.0f} runs/s, ETA {:.0f}s\n",
                          done, todo, 100 * frac, rate, eta);
      while (next_report_ <= frac) next_report_ += 0.1;
    }
  }
  void Finish() {
    if (dirty_) err_ << "\n";
    dirty_ = false;
  }

 private:
  std::ostream& err_;
  bool quiet_, tty_, dirty_ = false;
  double next_report_ = 0.1;
};

// --- report table ----------------------------------------------------------------
struct ReportFlags {
  std::string db, domain, scenarios, policies, group_by = "policy,p", format = "table", plot;
  bool per_run = false;
};

std::string FormatNumber(double x) {
  return std::abs(x) >= 1000 ? fmt::format("{:.1f}", x) : fmt::format("{:.2f}", x);
}

// The shown value of a group key: numbers stay numbers in JSON.
Json KeyValue(scenarios::GroupKey g, const std::string& text) {
  if (g == scenarios::GroupKey::kDisruption) {
    try {
      return std::stod(text);
    } catch (...) {
    }
  }
  return text;
}

void PrintReport(const std::vector<scenarios::ResultRow>& rows,
                 const std::vector<scenarios::GroupKey>& group_by_in,
                 const std::string& format, std::ostream& out) {
  const auto group_by = scenarios::SeparateDomains(rows, group_by_in);
  const auto report = scenarios::Aggregate(rows, group_by, scenarios::JobShopReferenceFor);
  bool any_gap = false;
  for (const auto& r : report) any_gap |= r.mean_gap_pct.has_value();
  // One metric per table when one domain is shown; else say it per row.
  std::set<std::string> domains;
  for (const auto& r : rows) domains.insert(r.domain);
  const bool one_domain = domains.size() == 1;
  const scenarios::Metric metric = scenarios::MetricOf(one_domain ? *domains.begin() : "");
  auto domain_of = [&](const scenarios::ReportRow& r) -> std::string {
    if (one_domain) return *domains.begin();
    for (std::size_t i = 0; i < group_by.size(); ++i)
      if (group_by[i] == scenarios::GroupKey::kDomain) return r.key[i];
    return "";
  };
  if (format == "json") {
    Json arr = Json::array();
    for (const auto& r : report) {
      const scenarios::Metric m = scenarios::MetricOf(domain_of(r));
      Json j;
      for (std::size_t i = 0; i < group_by.size(); ++i)
        j[scenarios::GroupKeyName(group_by[i])] = KeyValue(group_by[i], r.key[i]);
      j["metric"] = m.name;
      j["unit"] = m.unit;
      j["runs"] = r.runs;
      j["n"] = r.n;
      j["mean"] = r.mean;
      j["std"] = r.std;
      j["ci95"] = r.ci95;
      j["ci_low"] = r.mean - r.ci95;
      j["ci_high"] = r.mean + r.ci95;
      if (r.mean_gap_pct) j["gap_pct"] = *r.mean_gap_pct;
      j["deadlocks"] = r.deadlocks;
      j["failed"] = r.failed;
      j["wall_ms_mean"] = 1000 * r.wall_s_mean;
      arr.push_back(j);
    }
    out << arr.dump(2) << "\n";
    return;
  }
  std::vector<std::string> header;
  for (auto g : group_by) header.push_back(scenarios::GroupKeyName(g));
  if (format == "csv") {
    // Plain typed numbers, one column per quantity, the metric named.
    for (const char* h : {"metric", "unit", "runs", "n", "mean", "std", "ci95", "ci_low",
                          "ci_high", "gap_pct", "deadlocks", "failed", "wall_ms_mean"})
      header.push_back(h);
    Table table(header);
    for (const auto& r : report) {
      const scenarios::Metric m = scenarios::MetricOf(domain_of(r));
      std::vector<std::string> row = r.key;
      row.push_back(m.name);
      row.push_back(m.unit);
      row.push_back(std::to_string(r.runs));
      row.push_back(std::to_string(r.n));
      for (double v : {r.mean, r.std, r.ci95, r.mean - r.ci95, r.mean + r.ci95})
        row.push_back(fmt::format("{:.6g}", v));
      row.push_back(r.mean_gap_pct ? fmt::format("{:.4f}", *r.mean_gap_pct) : "");
      row.push_back(std::to_string(r.deadlocks));
      row.push_back(std::to_string(r.failed));
      row.push_back(fmt::format("{:.4f}", 1000 * r.wall_s_mean));
      table.AddRow(row);
    }
    out << table.RenderCsv();
    return;
  }
  const std::string mean_h = one_domain ? fmt::format("{} ({})", metric.name, metric.unit)
                                        : std::string("mean");
  header.push_back("runs");
  header.push_back(mean_h);
  for (const char* h : {"std", "ci95"}) header.push_back(h);
  if (any_gap) header.push_back("gap%");
  for (const char* h : {"deadlocks", "failed", "ms/run"}) header.push_back(h);
  Table table(header);
  for (const auto& r : report) {
    std::vector<std::string> row = r.key;
    row.push_back(std::to_string(r.runs));
    row.push_back(r.n ? FormatNumber(r.mean) : "-");
    row.push_back(r.n > 1 ? FormatNumber(r.std) : "-");
    row.push_back(r.n > 1 ? "±" + FormatNumber(r.ci95) : "-");
    if (any_gap)
      row.push_back(r.mean_gap_pct ? fmt::format("{:+.1f}", *r.mean_gap_pct) : "-");
    row.push_back(std::to_string(r.deadlocks));
    row.push_back(std::to_string(r.failed));
    row.push_back(fmt::format("{:.3f}", 1000 * r.wall_s_mean));
    table.AddRow(row);
  }
  out << table.Render();
  if (!one_domain)
    out << "mean: makespan (time units) for jobshop rows, profit (USD/day) for uam rows\n";
  if (any_gap)
    out << "gap%: mean gap to the best known BWS makespan (reference.csv), bws runs only\n";
}

// Every run, one row each (results --per-run).
void PrintRuns(const std::vector<scenarios::ResultRow>& rows, const std::string& format,
               std::ostream& out) {
  if (format == "json") {
    Json arr = Json::array();
    for (const auto& r : rows) {
      Json j;
      j["run_id"] = r.run_id;
      j["domain"] = r.domain;
      j["scenario"] = r.scenario;
      j["policy"] = r.policy;
      j["p"] = r.disruption;
      j["mode"] = r.mode;
      j["seed"] = r.seed;
      j["status"] = r.status;
      j["metric"] = scenarios::MetricOf(r.domain).name;
      j["objective"] = r.objective ? Json(*r.objective) : Json(nullptr);
      j["wall_ms"] = 1000 * r.wall_s;
      j["kpis"] = Json::parse(r.kpis, nullptr, false);
      arr.push_back(j);
    }
    out << arr.dump(2) << "\n";
    return;
  }
  Table table({"run_id", "domain", "scenario", "policy", "p", "mode", "seed", "status", "metric",
               "objective", "wall_ms"});
  for (const auto& r : rows)
    table.AddRow({std::to_string(r.run_id), r.domain, r.scenario, r.policy,
                  fmt::format("{:g}", r.disruption), r.mode, std::to_string(r.seed), r.status,
                  scenarios::MetricOf(r.domain).name,
                  r.objective ? fmt::format("{:.6g}", *r.objective) : "",
                  fmt::format("{:.4f}", 1000 * r.wall_s)});
  out << (format == "csv" ? table.RenderCsv() : table.Render());
}

void WritePlotOrBadInput(const std::string& path, const PlotSpec& spec) {
  if (path.size() < 4 || path.substr(path.size() - 4) != ".svg")
    throw BadInput{fmt::format("--plot {}: only .svg is written (open it in a browser, or "
                               "convert it with rsvg-convert to PNG)",
                               path)};
  Status st = WriteTextFileAtomic(path, RenderBarChartSvg(spec));
  if (!st.ok()) throw BadInput{st.error().message};
}

std::vector<scenarios::GroupKey> ParseGroupByOrBadInput(const std::string& s) {
  return OrBadInput(scenarios::ParseGroupBy(s));
}

void CheckFormat(const std::string& f) {
  if (f != "table" && f != "csv" && f != "json")
    throw BadInput{fmt::format("--format must be table, csv or json, not '{}'", f)};
}

int DoResults(const ReportFlags& f, std::ostream& out) {
  CheckFormat(f.format);
  const auto group_by = ParseGroupByOrBadInput(f.group_by);
  auto store = OpenStore(f.db, /*read_only=*/true);
  scenarios::ResultFilter filter;
  filter.domain = f.domain;
  auto rows = OrBadInput(store->QueryResults(filter));
  const auto scen = SplitList(f.scenarios), pol = SplitList(f.policies);
  std::erase_if(rows, [&](const scenarios::ResultRow& r) {
    return !MatchesAny(scen, r.scenario) || !MatchesAny(pol, r.policy);
  });
  if (f.per_run && f.format == "table" && rows.size() > 1000)
    throw BadInput{fmt::format("--per-run: {} runs; use --format csv or json for an export",
                               rows.size())};
  if (rows.empty()) {
    out << fmt::format("no results in {} for this selection; run `dispatchlab eval` "
                       "first\n",
                       store->path());
    return kExitOk;
  }
  if (f.per_run) {
    PrintRuns(rows, f.format, out);
    return kExitOk;
  }
  PrintReport(rows, group_by, f.format, out);
  if (!f.plot.empty()) {
    const auto keys = scenarios::SeparateDomains(rows, group_by);
    std::set<std::string> domains;
    for (const auto& r : rows) domains.insert(r.domain);
    if (domains.size() > 1)
      throw BadInput{"--plot draws one domain: add --domain jobshop or --domain uam"};
    const auto metric = scenarios::MetricOf(*domains.begin());
    PlotSpec spec;
    spec.title = fmt::format("mean {} by {}", metric.name, f.group_by);
    spec.axis = fmt::format("{} ({}), mean with 95% CI", metric.name, metric.unit);
    for (const auto& r : scenarios::Aggregate(rows, keys, nullptr)) {
      std::string label;
      for (const auto& k : r.key) label += (label.empty() ? "" : "  ") + k;
      spec.bars.push_back({label, r.mean, r.mean - r.ci95, r.mean + r.ci95});
    }
    WritePlotOrBadInput(f.plot, spec);
    out << fmt::format("plot        {}\n", f.plot);
  }
  return kExitOk;
}

// --- eval ----------------------------------------------------------------------
struct EvalFlags {
  std::string db, domain = "jobshop", scenarios, policies = "all",
              shutdown_p = "0,0.05,0.1", uncertainty = "on", mode = "bws", keep = "first",
              group_by = "policy,p", format = "table";
  int seeds = 30;
  std::uint64_t seed = 0;
  int threads = 0;
  int samples = 0;  // learned job-shop policies: best of K sampled episodes
  bool quiet = false;
  std::string shard = "0/1";
};

scenarios::BatchOptions ParseBatchOptions(const EvalFlags& f) {
  scenarios::BatchOptions options;
  {
    const auto slash = f.shard.find('/');
    std::optional<int> k, n;
    if (slash != std::string::npos) {
      k = ParseWholeInt(f.shard.substr(0, slash));
      n = ParseWholeInt(f.shard.substr(slash + 1));
    }
    if (!k || !n || *k < 0 || *n < 1 || *k >= *n)
      throw BadInput{fmt::format("--shard '{}': expected K/N with 0 <= K < N, e.g. 0/2", f.shard)};
    options.shard = *k;
    options.shards = *n;
  }
  if (f.keep == "first") options.keep_schedules = scenarios::KeepSchedules::kFirstSeed;
  else if (f.keep == "all") options.keep_schedules = scenarios::KeepSchedules::kAll;
  else if (f.keep == "none") options.keep_schedules = scenarios::KeepSchedules::kNone;
  else throw BadInput{fmt::format("--keep-schedules must be first, all or none, not '{}'", f.keep)};
  options.threads = f.threads > 0 ? f.threads
                                  : std::max(1u, std::thread::hardware_concurrency());
  return options;
}

// Runs the batch with progress and Ctrl-C handling; returns the summary or
// the exit code 130 when interrupted.
template <typename RunBatch>
scenarios::BatchSummary RunWithProgress(const RunBatch& run, bool quiet, std::ostream& err) {
  ProgressPrinter progress(err, quiet);
  g_interrupted = false;
  auto old_int = std::signal(SIGINT, OnInterrupt);
  auto old_term = std::signal(SIGTERM, OnInterrupt);
  auto summary = run([&](const scenarios::BatchProgress& p) { progress.Update(p); });
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  progress.Finish();
  if (!summary) throw BadInput{summary.error().message};
  const auto& p = summary->progress;
  err << fmt::format("eval: {} cells, {} already stored, {} run now ({} failed) in "
                     "{:.2f} s\n",
                     p.total, p.skipped, p.stored + p.failed, p.failed, p.elapsed_s);
  return *summary;
}

constexpr const char* kResumeHint =
    "eval: interrupted; finished runs are stored. Run the same command again to resume.\n";

// The grid an eval (or compare) command describes; scenarios from `store`.
scenarios::Grid BuildGrid(const EvalFlags& f, CliContext& ctx, Store& store) {
  const Domain domain = OrBadInput(ParseDomain(f.domain));
  if (f.seeds < 1) throw BadInput{"--seeds must be at least 1"};
  scenarios::Grid grid;
  grid.domain = domain;
  if (f.samples < 0 || f.samples == 1) throw BadInput{"--samples must be 0 (greedy) or >= 2"};
  if (f.samples > 1 && domain != Domain::kJobShop)
    throw BadInput{"--samples: best-of-K sampling is for job-shop policies"};
  std::string list = f.policies;
  if (f.samples > 1 && list == "all") list = fmt::format("{}", fmt::join(ctx.Registry().Names(domain), ","));
  grid.policies = OrBadInput(
      ctx.Registry().Parse(domain, policy::PolicyRegistry::WithSamples(list, f.samples)));
  if (domain == Domain::kJobShop) {
    auto ps = ParseProbabilities(f.shutdown_p);
    std::sort(ps.begin(), ps.end());
    ps.erase(std::unique(ps.begin(), ps.end()), ps.end());
    grid.levels = ps;
    grid.mode = ParseMode(f.mode);
  } else if (f.uncertainty == "on") {
    grid.levels = {1.0};
  } else if (f.uncertainty == "off") {
    grid.levels = {0.0};
  } else if (f.uncertainty == "both") {
    grid.levels = {0.0, 1.0};
  } else {
    throw BadInput{fmt::format("--uncertainty must be on, off or both, not '{}'", f.uncertainty)};
  }
  grid.scenarios = SelectScenarios(store, f.domain,
                                   f.scenarios.empty()
                                       ? (domain == Domain::kJobShop ? "la*" : "default")
                                       : f.scenarios);
  grid.first_seed = f.seed;
  grid.seeds = f.seeds;
  return grid;
}

// Runs the grid's missing cells with progress; the summary, or nullopt
// when interrupted (the caller exits 130).
std::optional<scenarios::BatchSummary> RunGrid(const EvalFlags& f, Store& store,
                                               const scenarios::Grid& grid, std::ostream& err,
                                               const char* who) {
  const auto options = ParseBatchOptions(f);
  if (!f.quiet)
    err << fmt::format("{}: {} {} scenarios x {} policies x {} levels x {} seeds on {} "
                       "threads into {}\n",
                       who, grid.scenarios.size(), f.domain, grid.policies.size(),
                       grid.levels.size(), f.seeds, options.threads, store.path());
  const auto summary = RunWithProgress(
      [&](const auto& cb) { return scenarios::RunBatch(store, grid, options, cb, &g_interrupted); },
      f.quiet, err);
  if (summary.cancelled) {
    err << kResumeHint;
    return std::nullopt;
  }
  return summary;
}

// The stored runs of exactly this grid: its scenarios, policies (by store
// id, so a retrained policy of the same name is not mixed in), levels, seeds.
std::vector<scenarios::ResultRow> GridRows(Store& store, const scenarios::Grid& grid) {
  std::set<std::int64_t> ids;
  for (const auto& p : grid.policies)
    ids.insert(OrBadInput(store.EnsurePolicy(scenarios::ToPolicyRecord(p))));
  scenarios::ResultFilter filter;
  filter.domain = DomainName(grid.domain);
  for (const auto& s : grid.scenarios) filter.scenarios.push_back(s.name);
  for (const auto& q : grid.policies) filter.policies.push_back(q.name);
  auto rows = OrBadInput(store.QueryResults(filter));
  const std::string mode =
      grid.domain == Domain::kJobShop ? jobshop::ToString(grid.mode) : std::string("uam");
  std::erase_if(rows, [&](const scenarios::ResultRow& r) {
    return !ids.count(r.policy_id) || r.mode != mode || r.seed < grid.first_seed ||
           r.seed >= grid.first_seed + static_cast<std::uint64_t>(grid.seeds) ||
           std::find(grid.levels.begin(), grid.levels.end(), r.disruption) == grid.levels.end();
  });
  return rows;
}

int DoEval(const EvalFlags& f, CliContext& ctx, std::ostream& out, std::ostream& err) {
  CheckFormat(f.format);
  const auto group_by = ParseGroupByOrBadInput(f.group_by);
  auto store = OpenStore(f.db, /*read_only=*/false);
  const scenarios::Grid grid = BuildGrid(f, ctx, *store);
  const auto summary = RunGrid(f, *store, grid, err, "eval");
  if (!summary) return 130;
  PrintReport(GridRows(*store, grid), group_by, f.format, out);
  return summary->progress.failed ? kExitNo : kExitOk;
}

// --- compare -------------------------------------------------------------------
struct CompareFlags {
  EvalFlags eval;
  std::string baseline, plot;
  bool per_scenario = true;
};

int DoCompare(const CompareFlags& cf, CliContext& ctx, std::ostream& out, std::ostream& err) {
  const EvalFlags& f = cf.eval;
  CheckFormat(f.format);
  auto store = OpenStore(f.db, /*read_only=*/false);
  const scenarios::Grid grid = BuildGrid(f, ctx, *store);
  if (grid.policies.size() < 2)
    throw BadInput{"compare needs at least two policies (--policies a,b[,c...])"};
  std::vector<std::string> names;
  for (const auto& p : grid.policies) names.push_back(p.name);
  const std::string baseline = cf.baseline.empty() ? names.front() : cf.baseline;
  if (std::find(names.begin(), names.end(), baseline) == names.end())
    throw BadInput{fmt::format("--baseline '{}' is not one of --policies", baseline)};
  const auto summary = RunGrid(f, *store, grid, err, "compare");
  if (!summary) return 130;
  auto rows = GridRows(*store, grid);
  // Rows carry the store's display name (learned: name@hash); pair by the
  // grid's names.
  std::map<std::int64_t, std::string> name_of;
  for (const auto& p : grid.policies)
    name_of[OrBadInput(store->EnsurePolicy(scenarios::ToPolicyRecord(p)))] = p.name;
  for (auto& r : rows) r.policy = name_of[r.policy_id];
  auto paired = scenarios::PairedCompare(rows, names, baseline);
  if (!cf.per_scenario)
    std::erase_if(paired, [](const scenarios::PairedRow& r) { return r.scenario != "*"; });
  const scenarios::Metric metric = scenarios::MetricOf(f.domain);
  const char* better = metric.lower_is_better ? "lower" : "higher";
  if (f.format == "json") {
    Json arr = Json::array();
    for (const auto& r : paired) {
      Json j;
      j["scenario"] = r.scenario;
      j["p"] = r.level == "*" ? Json("*") : Json(std::stod(r.level));
      j["policy"] = r.policy;
      j["baseline"] = r.baseline;
      j["metric"] = metric.name;
      j["unit"] = metric.unit;
      j["better"] = better;
      j["pairs"] = r.n;
      j["unpaired"] = r.unpaired;
      j["mean_policy"] = r.mean_policy;
      j["mean_baseline"] = r.mean_baseline;
      j["mean_diff"] = r.mean_diff;
      j["ci_low"] = r.ci_low;
      j["ci_high"] = r.ci_high;
      j["diff_pct"] = r.rel_pct;
      j["wins"] = r.wins;
      j["ties"] = r.ties;
      j["losses"] = r.losses;
      arr.push_back(j);
    }
    out << arr.dump(2) << "\n";
  } else {
    Table table({"scenario", "p", "policy", "baseline", "pairs", "policy mean", "baseline mean",
                 "diff", "ci_low", "ci_high", "diff%", "wins", "ties", "losses"});
    bool sep = false;
    for (const auto& r : paired) {
      if (f.format == "table" && r.scenario == "*" && !sep && &r != &paired.front())
        table.AddSeparator();
      sep |= r.scenario == "*";
      auto num = [&](double v) {
        return f.format == "csv" ? fmt::format("{:.6g}", v) : FormatNumber(v);
      };
      table.AddRow({r.scenario == "*" ? "all" : r.scenario, r.level == "*" ? "all" : r.level,
                    r.policy, r.baseline, std::to_string(r.n), num(r.mean_policy),
                    num(r.mean_baseline), num(r.mean_diff), num(r.ci_low), num(r.ci_high),
                    f.format == "csv" ? fmt::format("{:.4f}", r.rel_pct)
                                      : fmt::format("{:+.1f}", r.rel_pct),
                    std::to_string(r.wins), std::to_string(r.ties), std::to_string(r.losses)});
    }
    out << (f.format == "csv" ? table.RenderCsv() : table.Render());
    if (f.format == "table")
      out << fmt::format(
          "diff = policy - baseline in {} ({}; {} is better), paired on (scenario, p, seed), "
          "95% CI of the mean difference; a win is a pair where the policy is better\n",
          metric.name, metric.unit, better);
  }
  if (!cf.plot.empty()) {
    PlotSpec spec;
    spec.title = fmt::format("{}: policy - {} ({} is better)", metric.name, baseline, better);
    spec.axis = fmt::format("mean paired difference in {} ({}), 95% CI; blue: better than {}",
                            metric.name, metric.unit, baseline);
    spec.sign = metric.lower_is_better ? PlotSpec::Sign::kLowerIsBetter
                                       : PlotSpec::Sign::kHigherIsBetter;
    for (const auto& r : paired)
      if (r.scenario == "*")
        spec.bars.push_back({fmt::format("{}  p={}", r.policy, r.level == "*" ? "all" : r.level),
                             r.mean_diff, r.ci_low, r.ci_high});
    WritePlotOrBadInput(cf.plot, spec);
    if (f.format == "table") out << fmt::format("plot        {}\n", cf.plot);
  }
  return summary->progress.failed ? kExitNo : kExitOk;
}

// --- scenarios -------------------------------------------------------------------
struct ScenarioFlags {
  std::string db, domain = "jobshop", file, name, out;
};

int DoScenariosList(const ScenarioFlags& f, std::ostream& out) {
  auto store = OpenStore(f.db, /*read_only=*/false);
  const std::string domain = f.domain == "all" ? "" : f.domain;
  const auto all = OrBadInput(store->ListScenarios(domain));
  Table table({"domain", "name", "size", "builtin", "hash"});
  for (const auto& s : all) {
    std::string size = "-";
    if (s.domain == "jobshop") {
      if (auto inst = jobshop::ParseInstance(s.body, s.name, s.name); inst)
        size = fmt::format("{}x{}", inst->num_jobs(), inst->num_machines);
    } else if (auto sc = scenarios::ParseUamScenario(s.body, s.name); sc) {
      size = fmt::format("{}v/{}a", sc->num_vertiports(), sc->fleet.aircraft);
    }
    table.AddRow({s.domain, s.name, size, s.builtin ? "yes" : "no", s.content_hash});
  }
  out << table.Render();
  return kExitOk;
}

int DoScenariosImport(const ScenarioFlags& f, std::ostream& out) {
  if (f.domain == "uam") {
    const auto sc = OrBadInput(scenarios::LoadUamScenarioFile(f.file));
    const std::string name = f.name.empty() ? sc.name : f.name;
    auto store = OpenStore(f.db, /*read_only=*/false);
    scenarios::ScenarioRecord s;
    s.domain = "uam";
    s.name = name;
    s.format = "uam-json";
    s.body = scenarios::FormatUamScenario(sc);
    const auto id = OrBadInput(store->PutScenario(s));
    out << fmt::format("imported {} ({} vertiports, {} aircraft) as uam/{} (id {}) into {}\n",
                       f.file, sc.num_vertiports(), sc.fleet.aircraft, name, id, store->path());
    return kExitOk;
  }
  if (f.domain != "jobshop")
    throw BadInput{fmt::format("--domain must be jobshop or uam, not '{}'", f.domain)};
  const auto inst = OrBadInput(jobshop::LoadInstanceFile(f.file));
  const std::string name = f.name.empty() ? inst.name : f.name;
  if (name.empty()) throw BadInput{"scenarios import: empty --name"};
  auto store = OpenStore(f.db, /*read_only=*/false);
  scenarios::ScenarioRecord s;
  s.domain = "jobshop";
  s.name = name;
  s.format = "jobshop-standard";
  s.body = jobshop::FormatStandard(inst);
  const auto id = OrBadInput(store->PutScenario(s));
  out << fmt::format("imported {} ({}x{}) as jobshop/{} (id {}) into {}\n", f.file,
                     inst.num_jobs(), inst.num_machines, name, id, store->path());
  return kExitOk;
}

int DoScenariosExport(const ScenarioFlags& f, std::ostream& out) {
  auto store = OpenStore(f.db, /*read_only=*/false);
  const auto s = OrBadInput(store->FindScenario(f.domain, f.name));
  if (!s)
    throw BadInput{fmt::format("no {} scenario named '{}' in {}", f.domain, f.name,
                               store->path())};
  if (f.out.empty() || f.out == "-") {
    out << s->body;
  } else {
    Status st = WriteTextFileAtomic(f.out, s->body);
    if (!st.ok()) throw BadInput{st.error().message};
    out << fmt::format("wrote {}/{} to {}\n", s->domain, s->name, f.out);
  }
  return kExitOk;
}

}  // namespace

void AddStoreCommands(CLI::App& app, CliAction* action, std::ostream& out,
                      std::ostream& err, CliContext& ctx) {
  const std::string db_help = fmt::format(
      "Database file (default {})", "$XDG_DATA_HOME/dispatchlab/dispatchlab.db");

  auto ev = std::make_shared<EvalFlags>();
  auto* c = app.add_subcommand(
      "eval", "Batch evaluation: scenarios x policies x disruption levels x seeds, "
              "stored; re-running resumes");
  c->add_option("--db", ev->db, db_help);
  c->add_option("--domain", ev->domain, "jobshop or uam")->capture_default_str();
  c->add_option("--scenarios", ev->scenarios,
                "Comma-separated names or globs (default: la* for jobshop, default for uam)");
  c->add_option("--policies", ev->policies, "Comma-separated policies, or all")
      ->capture_default_str();
  c->add_option("--samples", ev->samples,
                "Job shop: learned policies run K sampled episodes per seed and keep the best "
                "(stored as <name>:best<K>, a ceiling)");
  c->add_option("--seeds", ev->seeds, "Seeds per cell")->capture_default_str();
  c->add_option("--seed", ev->seed, "First seed")->capture_default_str();
  c->add_option("--shutdown-p", ev->shutdown_p,
                "Breakdown probabilities, comma-separated")
      ->capture_default_str();
  c->add_option("--uncertainty", ev->uncertainty, "UAM: on, off or both")->capture_default_str();
  c->add_option("--mode", ev->mode, "bws or bns")->capture_default_str();
  c->add_option("--threads", ev->threads, "Worker threads (default: all cores)");
  c->add_option("--shard", ev->shard,
                "K/N: run only every N-th grid cell starting at K, so N processes (or "
                "machines) share one grid and one store")
      ->capture_default_str();
  c->add_option("--keep-schedules", ev->keep,
                "Store schedule events for: first (seed), all, none")
      ->capture_default_str();
  c->add_option("--group-by", ev->group_by, "Table rows: scenario, policy, p, mode")
      ->capture_default_str();
  c->add_option("--format", ev->format, "table, csv or json")->capture_default_str();
  c->add_flag("--quiet", ev->quiet, "No progress output");
  c->callback([=, &out, &err, &ctx] {
    *action = [=, &out, &err, &ctx] { return DoEval(*ev, ctx, out, err); };
  });

  auto cmp = std::make_shared<CompareFlags>();
  cmp->eval.policies = "";
  c = app.add_subcommand(
      "compare", "Paired comparison of policies on the same scenarios, seeds and levels "
                 "(runs missing cells first): mean difference, 95% CI, wins/ties/losses");
  c->add_option("--db", cmp->eval.db, db_help);
  c->add_option("--domain", cmp->eval.domain, "jobshop or uam")->capture_default_str();
  c->add_option("--scenarios", cmp->eval.scenarios,
                "Comma-separated names or globs (default: la* for jobshop, default for uam)");
  c->add_option("--policies", cmp->eval.policies, "Two or more policies, comma-separated")
      ->required();
  c->add_option("--baseline", cmp->baseline, "Policy the others are compared to (default: first)");
  c->add_option("--samples", cmp->eval.samples,
                "Job shop: learned policies as best of K sampled episodes (or name them "
                "gat:best<K>)");
  c->add_option("--seeds", cmp->eval.seeds, "Seeds per cell")->capture_default_str();
  c->add_option("--seed", cmp->eval.seed, "First seed")->capture_default_str();
  c->add_option("--shutdown-p", cmp->eval.shutdown_p, "Breakdown probabilities, comma-separated")
      ->capture_default_str();
  c->add_option("--uncertainty", cmp->eval.uncertainty, "UAM: on, off or both")
      ->capture_default_str();
  c->add_option("--mode", cmp->eval.mode, "bws or bns")->capture_default_str();
  c->add_option("--threads", cmp->eval.threads, "Worker threads (default: all cores)");
  c->add_option("--format", cmp->eval.format, "table, csv or json")->capture_default_str();
  c->add_option("--plot", cmp->plot, "Also draw the pooled differences to FILE.svg");
  c->add_flag("!--no-per-scenario", cmp->per_scenario, "Only the pooled rows");
  c->add_flag("--quiet", cmp->eval.quiet, "No progress output");
  c->callback([=, &out, &err, &ctx] {
    *action = [=, &out, &err, &ctx] { return DoCompare(*cmp, ctx, out, err); };
  });

  auto rep = std::make_shared<ReportFlags>();
  c = app.add_subcommand("results", "Comparison tables of stored results");
  c->add_option("--db", rep->db, db_help);
  c->add_option("--domain", rep->domain, "jobshop or uam (default: all)");
  c->add_option("--scenarios", rep->scenarios, "Names or globs (default: all)");
  c->add_option("--policies", rep->policies, "Names or globs (default: all)");
  c->add_option("--group-by", rep->group_by, "scenario, policy, p, mode, domain")
      ->capture_default_str();
  c->add_option("--format", rep->format, "table, csv or json")->capture_default_str();
  c->add_flag("--per-run", rep->per_run, "Every stored run, one row each (an export)");
  c->add_option("--plot", rep->plot, "Also draw the table's means with 95% CIs to FILE.svg");
  c->callback([=, &out] { *action = [=, &out] { return DoResults(*rep, out); }; });

  auto* sc = app.add_subcommand("scenarios", "List, import and export stored scenarios");
  sc->require_subcommand(1);
  auto list = std::make_shared<ScenarioFlags>();
  list->domain = "all";
  c = sc->add_subcommand("list", "List scenarios in the store");
  c->add_option("--db", list->db, db_help);
  c->add_option("--domain", list->domain, "jobshop, uam or all")->capture_default_str();
  c->callback([=, &out] { *action = [=, &out] { return DoScenariosList(*list, out); }; });
  auto imp = std::make_shared<ScenarioFlags>();
  c = sc->add_subcommand("import", "Import a scenario file");
  c->add_option("file", imp->file,
                "Job-shop instance (standard or Taillard format) or UAM scenario (JSON)")
      ->required();
  c->add_option("--name", imp->name, "Name in the store (default: file stem)");
  c->add_option("--domain", imp->domain, "jobshop or uam")->capture_default_str();
  c->add_option("--db", imp->db, db_help);
  c->callback([=, &out] { *action = [=, &out] { return DoScenariosImport(*imp, out); }; });
  auto exp = std::make_shared<ScenarioFlags>();
  c = sc->add_subcommand("export", "Write a stored scenario to a file or stdout");
  c->add_option("name", exp->name, "Scenario name")->required();
  c->add_option("--domain", exp->domain, "jobshop or uam")->capture_default_str();
  c->add_option("--out", exp->out, "Output file (default: stdout)");
  c->add_option("--db", exp->db, db_help);
  c->callback([=, &out] { *action = [=, &out] { return DoScenariosExport(*exp, out); }; });
}

}  // namespace dispatchlab::app
