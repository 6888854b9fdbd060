// `dispatchlab jobshop ...`: run, replay, validate, rules, list, generate.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <atomic>
#include <thread>
#include <ostream>

#include "sim/core/file_io.h"
#include "app/cli.h"
#include "app/cli_common.h"
#include "app/output.h"
#include "app/solve_cli.h"
#include "policy/registry.h"
#include "scenarios/catalog.h"
#include "scenarios/family.h"
#include "sim/jobshop/generator.h"
#include "sim/jobshop/parser.h"
#include "sim/jobshop/replan.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/schedule.h"
#include "sim/jobshop/simulator.h"
#include "sim/jobshop/validator.h"

namespace dispatchlab::app {
namespace {

using namespace dispatchlab::jobshop;
using Json = nlohmann::ordered_json;

// Breakdown flags shared by run and rules.
struct BreakdownFlags {
  std::string shutdown_p = "0";
  double repair_min = -1, repair_max = -1;
  double mtbf = 0, mttr = 0;

  void Add(CLI::App* cmd, bool list) {
    cmd->add_option("--shutdown-p", shutdown_p,
                    list ? "Breakdown probabilities per operation start, "
                           "comma-separated (e.g. 0,0.05,0.2)"
                         : "Breakdown probability per operation start, in [0, 1]")
        ->capture_default_str();
    cmd->add_option("--repair-min", repair_min,
                    "Shortest repair (time units; default 0.5 x mean "
                    "processing time)");
    cmd->add_option("--repair-max", repair_max,
                    "Longest repair (default 1.5 x mean processing time)");
    cmd->add_option("--mtbf", mtbf,
                    "Use calendar-time failures instead: mean time between "
                    "failures per machine");
    cmd->add_option("--mttr", mttr, "Mean time to repair (with --mtbf)");
  }

  BreakdownOptions Make(double p) const {
    BreakdownOptions b;
    if (mtbf > 0 || mttr > 0) {
      if (!(mtbf > 0 && mttr > 0))
        throw BadInput{"--mtbf and --mttr must both be positive"};
      if (p > 0) throw BadInput{"--mtbf cannot be combined with --shutdown-p > 0"};
      b.model = BreakdownModel::kMtbf;
      b.mtbf = mtbf;
      b.mttr = mttr;
      return b;
    }
    b = PerOperationBreakdowns(p);
    if (repair_min >= 0 || repair_max >= 0) {
      if (repair_min < 0 || repair_max < repair_min)
        throw BadInput{"need 0 <= --repair-min <= --repair-max"};
      b.repair_min = repair_min;
      b.repair_max = repair_max;
    }
    return b;
  }
};

std::string DownPathFor(const std::string& schedule_path) {
  std::filesystem::path p(schedule_path);
  if (p.extension() == ".csv") p.replace_extension();
  return p.string() + ".down.csv";
}

void WriteFileOrBadInput(const std::string& path, const std::string& text) {
  Status st = WriteTextFileAtomic(path, text);
  if (!st.ok()) throw BadInput{st.error().message};
}

// --- run ---------------------------------------------------------------------
struct RunFlags {
  std::string instance, policy = "spt", mode = "bws", schedule_out;
  double replan_ms = 0;
  BreakdownFlags breakdowns;
  std::uint64_t seed = 0;
  int episodes = 1;
  int samples = 0;
  bool json = false;
};

int DoRun(const RunFlags& f, CliContext& ctx, std::ostream& out) {
  const auto scenario =
      scenarios::FromInstance(OrBadInput(scenarios::LoadJobShopInstance(f.instance)));
  const Instance& inst = *scenario.instance;
  if (f.samples < 0 || f.samples == 1) throw BadInput{"--samples must be 0 (greedy) or >= 2"};
  auto info = OrBadInput(ctx.Registry().Find(
      Domain::kJobShop, policy::PolicyRegistry::WithSamples(f.policy, f.samples)));
  if (f.episodes < 1) throw BadInput{"--episodes must be at least 1"};
  if (f.replan_ms < 0) throw BadInput{"--replan-ms must be >= 0 (0 = evaluation budget only)"};
  if (info.name == "replan" && f.replan_ms > 0) {
    // The app owns the clock; the re-planner only asks it.
    ReplanOptions o;
    o.replan_ms = f.replan_ms;
    o.clock_ms = [] {
      return std::chrono::duration<double, std::milli>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
    info.parameters = fmt::format(R"({{"replan_ms":{}}})", f.replan_ms);
    info.make_jobshop = [o] { return std::make_unique<ReplanPolicy>(o); };
  }
  const auto ps = ParseProbabilities(f.breakdowns.shutdown_p);
  if (ps.size() != 1) throw BadInput{"run takes one --shutdown-p value"};
  scenarios::CellParams params;
  params.mode = ParseMode(f.mode);
  params.level = ps[0];
  params.breakdowns = f.breakdowns.Make(ps[0]);
  params.keep_events = false;

  scenarios::CellWorker worker({info});
  std::vector<double> makespans;
  long swaps = 0, breakdowns = 0, ops = 0, decisions = 0;
  int deadlocks = 0;
  bool valid = true;
  std::string first_error;
  EpisodeResult last;
  double wall = 0;
  for (int e = 0; e < f.episodes; ++e) {
    params.seed = f.seed + static_cast<std::uint64_t>(e);
    scenarios::CellResult cell = worker.Run(scenario, 0, params);
    const EpisodeResult& r = cell.jobshop;
    wall += cell.record.wall_s;
    swaps += r.swaps;
    breakdowns += r.breakdowns;
    ops += r.operations_dispatched;
    decisions += r.decisions;
    if (r.outcome == Outcome::kDeadlock) {
      ++deadlocks;
    } else {
      makespans.push_back(static_cast<double>(r.makespan));
      if (cell.record.status == "failed") {
        if (valid) first_error = fmt::format("seed {}: {}", params.seed, cell.record.error);
        valid = false;
      }
    }
    if (e + 1 == f.episodes) last = std::move(cell.jobshop);
  }
  const Stats st = Summarize(makespans);

  if (!f.schedule_out.empty()) {
    WriteFileOrBadInput(f.schedule_out, FormatScheduleCsv(ToScheduleRows(last)));
    WriteFileOrBadInput(DownPathFor(f.schedule_out),
                        FormatDownCsv(ToDownRows(last)));
  }
  const double n = f.episodes;
  if (f.json) {
    Json j;
    j["instance"] = inst.name;
    j["jobs"] = inst.num_jobs();
    j["machines"] = inst.num_machines;
    j["policy"] = info.name;
    j["mode"] = ToString(params.mode);
    j["shutdown_p"] = ps[0];
    j["seed"] = f.seed;
    j["episodes"] = f.episodes;
    j["completed"] = static_cast<int>(makespans.size());
    j["deadlocks"] = deadlocks;
    j["makespan_mean"] = st.mean;
    j["makespan_std"] = st.std;
    j["makespan_min"] = st.min;
    j["makespan_max"] = st.max;
    j["swaps"] = swaps;
    j["breakdowns"] = breakdowns;
    j["operations"] = ops;
    j["decisions"] = decisions;
    j["valid"] = valid;
    j["wall_s"] = wall;
    out << j.dump() << "\n";
  } else {
    out << fmt::format("instance {} ({}x{})  policy {}  mode {}  shutdown-p {}  "
                       "seeds {}..{}\n",
                       inst.name, inst.num_jobs(), inst.num_machines,
                       info.name, ToString(params.mode), ps[0], f.seed,
                       f.seed + f.episodes - 1);
    if (st.n > 0)
      out << fmt::format("makespan    mean {:.1f}  std {:.1f}  min {}  max {}"
                         "  ({} completed)\n",
                         st.mean, st.std, st.min, st.max, st.n);
    if (deadlocks > 0)
      out << fmt::format("deadlocks   {} of {} episodes (no swaps allowed)\n",
                         deadlocks, f.episodes);
    out << fmt::format("per episode swaps {:.2f}  breakdowns {:.2f}  operations "
                       "{:.0f}  decisions {:.1f}\n",
                       swaps / n, breakdowns / n, ops / n, decisions / n);
    out << fmt::format("valid       {}\n", valid ? "yes" : "NO: " + first_error);
    out << fmt::format("wall        {:.4f} s ({:.0f} operations/s)\n", wall,
                       wall > 0 ? ops / wall : 0.0);
    if (!f.schedule_out.empty())
      out << fmt::format("schedule    {} (down intervals: {})\n", f.schedule_out,
                         DownPathFor(f.schedule_out));
  }
  return valid ? kExitOk : kExitNo;
}

// --- replay / validate ---------------------------------------------------------
struct ScheduleFlags {
  std::string instance, schedule, down, mode = "bws";
  bool json = false;
};

std::vector<ScheduleRow> LoadSchedule(const std::string& path) {
  const std::string text = OrBadInput(ReadTextFile(path));
  return OrBadInput(ParseScheduleCsv(text, path));
}

int DoReplay(const ScheduleFlags& f, std::ostream& out) {
  const Instance inst = OrBadInput(scenarios::LoadJobShopInstance(f.instance));
  const auto rows = LoadSchedule(f.schedule);
  // The machine sequences must cover the instance exactly.
  std::vector<int> count(inst.num_machines, 0), expected(inst.num_machines, 0);
  for (const auto& job : inst.jobs)
    for (const auto& op : job) ++expected[op.machine.value];
  for (const auto& r : rows) {
    if (r.machine < 0 || r.machine >= inst.num_machines)
      throw BadInput{fmt::format("{}: machine {} out of range for {}", f.schedule,
                                 r.machine, inst.name)};
    if (r.job < 0 || r.job >= inst.num_jobs())
      throw BadInput{fmt::format("{}: job {} out of range for {}", f.schedule,
                                 r.job, inst.name)};
    ++count[r.machine];
  }
  for (int m = 0; m < inst.num_machines; ++m)
    if (count[m] != expected[m])
      throw BadInput{fmt::format("{}: machine {} has {} operations, {} has {}",
                                 f.schedule, m, count[m], inst.name, expected[m])};
  SimOptions opts;
  opts.mode = ParseMode(f.mode);
  opts.machine_sequences.resize(inst.num_machines);
  const auto seq = MachineSequences(rows, inst.num_machines);
  for (int m = 0; m < inst.num_machines; ++m)
    for (int j : seq[m]) opts.machine_sequences[m].push_back(JobId(j));
  Simulator sim(inst, opts);
  sim.Reset(0);
  while (sim.AdvanceToDecision()) sim.Apply(0);  // every candidate is forced
  const EpisodeResult& r = sim.result();
  const bool deadlock = r.outcome == Outcome::kDeadlock;
  int started = 0;
  for (const auto& op : r.schedule) started += op.start >= 0;
  if (f.json) {
    Json j;
    j["instance"] = inst.name;
    j["mode"] = ToString(opts.mode);
    j["outcome"] = ToString(r.outcome);
    j["makespan"] = r.makespan;
    j["swaps"] = r.swaps;
    j["end_time"] = r.end_time;
    j["operations_started"] = started;
    out << j.dump() << "\n";
  } else if (deadlock) {
    out << fmt::format("{} replay of {} in {} mode: deadlock at t={} after {} of "
                       "{} operations started\n",
                       inst.name, f.schedule, ToString(opts.mode), r.end_time,
                       started, inst.num_operations());
  } else {
    out << fmt::format("{} replay of {} in {} mode: makespan {}  swaps {}\n",
                       inst.name, f.schedule, ToString(opts.mode), r.makespan,
                       r.swaps);
  }
  return deadlock ? kExitNo : kExitOk;
}

int DoValidate(const ScheduleFlags& f, std::ostream& out) {
  const Instance inst = OrBadInput(scenarios::LoadJobShopInstance(f.instance));
  const auto rows = LoadSchedule(f.schedule);
  std::vector<DownRow> down;
  std::string down_path = f.down;
  if (down_path.empty() && std::filesystem::exists(DownPathFor(f.schedule)))
    down_path = DownPathFor(f.schedule);
  if (!down_path.empty())
    down = OrBadInput(ParseDownCsv(OrBadInput(ReadTextFile(down_path)), down_path));
  const BlockingMode mode = ParseMode(f.mode);
  const auto rep = ValidateSchedule(inst, rows, down, mode == BlockingMode::kSwap);
  if (f.json) {
    Json j;
    j["instance"] = inst.name;
    j["mode"] = ToString(mode);
    j["valid"] = rep.valid;
    j["makespan"] = rep.makespan;
    j["swaps"] = rep.swaps;
    j["errors"] = rep.errors;
    out << j.dump() << "\n";
  } else if (rep.valid) {
    out << fmt::format("{}: valid {} schedule for {}, makespan {}, swaps {}\n",
                       f.schedule, ToString(mode), inst.name, rep.makespan,
                       rep.swaps);
  } else {
    out << fmt::format("{}: INVALID {} schedule for {}:\n", f.schedule,
                       ToString(mode), inst.name);
    for (const auto& e : rep.errors) out << "  " << e << "\n";
  }
  return rep.valid ? kExitOk : kExitNo;
}

// --- rules ---------------------------------------------------------------------
struct RulesFlags {
  std::string instances = "la01,la02,la03,la04,la05", policies = "all",
              mode = "bws", format = "table";
  BreakdownFlags breakdowns;
  int seeds = 1;
  std::uint64_t seed = 0;
  int threads = 0;
};

int DoRules(const RulesFlags& f, CliContext& ctx, std::ostream& out, std::ostream& err) {
  const auto names = OrBadInput(scenarios::ExpandJobShopNames(f.instances));
  std::vector<scenarios::ParsedScenario> instances;
  for (const auto& n : names)
    instances.push_back(scenarios::FromInstance(OrBadInput(scenarios::LoadJobShopInstance(n))));
  const auto rules = OrBadInput(ctx.Registry().Parse(Domain::kJobShop, f.policies));
  if (f.seeds < 1) throw BadInput{"--seeds must be at least 1"};
  if (f.format != "table" && f.format != "csv")
    throw BadInput{fmt::format("--format must be table or csv, not '{}'", f.format)};
  const auto ps = ParseProbabilities(f.breakdowns.shutdown_p);
  const BlockingMode mode = ParseMode(f.mode);

  const auto t0 = std::chrono::steady_clock::now();
  // Every (level, instance, policy) cell of the table on a pool of threads,
  // each with its own CellWorker; the tables are laid out afterwards.
  struct CellStats {
    std::vector<double> makespans;
    int deadlocks = 0, invalid = 0;
  };
  const std::size_t nr = rules.size(), ni = instances.size();
  std::vector<CellStats> stats(ps.size() * ni * nr);
  std::vector<scenarios::CellParams> level_params(ps.size());
  for (std::size_t pi = 0; pi < ps.size(); ++pi) {
    level_params[pi].mode = mode;
    level_params[pi].level = ps[pi];
    level_params[pi].breakdowns = f.breakdowns.Make(ps[pi]);
    level_params[pi].keep_events = false;
  }
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    scenarios::CellWorker worker(rules);
    for (std::size_t t; (t = next.fetch_add(1)) < stats.size();) {
      const std::size_t pi = t / (ni * nr), si = t / nr % ni, ri = t % nr;
      scenarios::CellParams params = level_params[pi];
      CellStats& cs = stats[t];
      for (int s = 0; s < f.seeds; ++s) {
        params.seed = f.seed + static_cast<std::uint64_t>(s);
        const scenarios::CellResult cell = worker.Run(instances[si], static_cast<int>(ri), params);
        if (cell.record.status == "deadlock") {
          ++cs.deadlocks;
          continue;
        }
        if (cell.record.status == "failed") ++cs.invalid;
        cs.makespans.push_back(static_cast<double>(cell.jobshop.makespan));
      }
    }
  };
  const int threads = std::max(1, f.threads > 0 ? f.threads
                                                : static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();

  const long episodes = static_cast<long>(stats.size()) * f.seeds;
  int invalid = 0;
  for (const auto& cs : stats) invalid += cs.invalid;
  std::string csv_all;
  for (std::size_t pi = 0; pi < ps.size(); ++pi) {
    const double p = ps[pi];
    std::vector<std::string> header = {"instance", "size", "ref"};
    for (const auto& r : rules)
      header.push_back(r.kind == "ceiling" ? r.name + "^" : r.name);
    header.push_back("best");
    Table table(header);
    std::vector<std::vector<double>> gaps(nr);
    bool any_ref = false;
    for (std::size_t si = 0; si < ni; ++si) {
      const Instance& inst = *instances[si].instance;
      const auto ref = scenarios::FindJobShopReference(inst.name);
      const std::optional<double> ub =
          ref && ref->bws_ub && mode == BlockingMode::kSwap
              ? std::optional<double>(static_cast<double>(*ref->bws_ub))
              : std::nullopt;
      any_ref |= ub.has_value();
      std::vector<std::string> row = {
          inst.name, fmt::format("{}x{}", inst.num_jobs(), inst.num_machines),
          ub ? fmt::format("{:.0f}{}", *ub, ref->bws_optimal() ? "" : "*") : "-"};
      double best = 1e300;
      std::string best_rule;
      for (std::size_t ri = 0; ri < nr; ++ri) {
        const CellStats& cs = stats[(pi * ni + si) * nr + ri];
        const Stats st = Summarize(cs.makespans);
        std::string cell;
        if (st.n == 0) {
          cell = "dl";
        } else {
          // Compact: the gap where a reference exists, else the mean.
          if (ub) {
            const double gap = 100.0 * (st.mean - *ub) / *ub;
            gaps[ri].push_back(gap);
            cell = fmt::format("{:+.1f}", gap);
          } else {
            cell = fmt::format("{:.0f}", st.mean);
          }
          if (cs.deadlocks > 0) cell += fmt::format("[{}dl]", cs.deadlocks);
          // A ceiling sees the episode's future: shown, never the best rule.
          if (rules[ri].kind != "ceiling" && st.mean < best) {
            best = st.mean;
            best_rule = rules[ri].name;
          }
        }
        row.push_back(cell);
        if (f.format == "csv")
          csv_all += fmt::format("{},{},{},{},{},{},{},{:.3f},{:.3f},{},{}\n", inst.name,
                                 ToString(mode), p, rules[ri].name, rules[ri].kind, f.seeds,
                                 st.n, st.mean, st.std, cs.deadlocks,
                                 ub ? fmt::format("{:.0f}", *ub) : "");
      }
      row.push_back(best_rule);
      table.AddRow(row);
    }
    if (f.format == "table") {
      std::vector<std::string> mean_row = {"mean gap%", "", ""};
      for (const auto& g : gaps)
        mean_row.push_back(g.empty() ? "" : fmt::format("{:+.1f}", Summarize(g).mean));
      table.AddSeparator();
      table.AddRow(mean_row);
      out << fmt::format("mode {}  shutdown-p {}  seeds {}  cells: {}; ^ = ceiling (sees the "
                         "episode's breakdowns, never the best rule); ref * = not proved "
                         "optimal; dl = deadlocks\n",
                         ToString(mode), p, f.seeds,
                         any_ref ? "mean makespan's gap % to the best known BWS makespan (ref), "
                                   "the mean makespan where there is no ref"
                                 : "mean makespan");
      out << table.Render() << "\n";
    }
  }
  if (f.format == "csv")
    out << "instance,mode,shutdown_p,policy,kind,seeds,completed,makespan_mean,"
           "makespan_std,deadlocks,bws_ub\n"
        << csv_all;
  err << fmt::format("{} episodes in {:.2f} s{}\n", episodes, WallSeconds(t0),
                     invalid ? fmt::format(", {} INVALID schedules", invalid) : "");
  return invalid ? kExitNo : kExitOk;
}

// --- list / generate -----------------------------------------------------------
int DoList(std::ostream& out) {
  Table table({"instance", "jobs", "machines", "classic opt/ub", "bws best",
               "bws status"});
  for (const auto& name : scenarios::BuiltinJobShopNames()) {
    const auto ref = scenarios::FindJobShopReference(name);
    auto opt = [](const std::optional<std::int64_t>& v) {
      return v ? std::to_string(*v) : std::string("-");
    };
    if (ref)
      table.AddRow({name, std::to_string(ref->jobs), std::to_string(ref->machines),
                    opt(ref->jssp_ub), opt(ref->bws_ub),
                    ref->bws_status.empty() ? "-" : ref->bws_status});
    else
      table.AddRow({name});
  }
  out << table.Render();
  return kExitOk;
}

struct GenerateFlags {
  GeneratorOptions gen;
  std::string out;
};

int DoGenerate(const GenerateFlags& f, std::ostream& out) {
  const Instance inst = OrBadInput(GenerateInstance(f.gen));
  const std::string text = FormatStandard(inst);
  if (f.out.empty() || f.out == "-") {
    out << text;
  } else {
    WriteFileOrBadInput(f.out, text);
    out << fmt::format("wrote {} ({}x{}) to {}\n", inst.name, inst.num_jobs(),
                       inst.num_machines, f.out);
  }
  return kExitOk;
}

}  // namespace

// Registers `jobshop` and its subcommands; sets *action to the chosen one.
void AddJobShopCommands(CLI::App& app, CliAction* action,
                        std::ostream& out, std::ostream& err, CliContext& ctx) {
  auto* js = app.add_subcommand("jobshop",
                                "Blocking job shop with swaps and breakdowns");
  js->require_subcommand(1);

  auto run = std::make_shared<RunFlags>();
  auto* c = js->add_subcommand("run", "Run a policy (rule, planner, learned) for N episodes");
  c->add_option("--instance", run->instance, "Built-in name (see list) or file")
      ->required();
  c->add_option("--policy", run->policy,
                "fifo, spt, lpt, mor, lor, mwkr, lwkr, stpt, ltpt, random, replan (online "
                "re-planning), ig (clairvoyant ceiling), gat, or a weights file; "
                "gat:best128 = best of 128 sampled episodes")
      ->capture_default_str();
  c->add_option("--samples", run->samples,
                "Learned policies: run K sampled episodes on each seed and keep the best "
                "(both cores; with breakdowns it has seen them: a ceiling)");
  c->add_option("--replan-ms", run->replan_ms,
                "replan: also stop each re-plan after this many ms (0 = the evaluation "
                "budget only, reproducible)")
      ->capture_default_str();
  c->add_option("--mode", run->mode, "bws (swaps allowed) or bns (no swaps)")
      ->capture_default_str();
  run->breakdowns.Add(c, false);
  c->add_option("--seed", run->seed, "First seed")->capture_default_str();
  c->add_option("--episodes", run->episodes, "Episodes (seeds seed..seed+N-1)")
      ->capture_default_str();
  c->add_option("--schedule-out", run->schedule_out,
                "Write the last episode's schedule CSV (and FILE.down.csv)");
  c->add_flag("--json", run->json, "Print one JSON object");
  c->callback([=, &out, &ctx] { *action = [=, &out, &ctx] { return DoRun(*run, ctx, out); }; });

  auto replay = std::make_shared<ScheduleFlags>();
  c = js->add_subcommand("replay",
                         "Replay a schedule's machine sequences (semi-active)");
  c->add_option("--instance", replay->instance, "Built-in name or file")->required();
  c->add_option("--schedule", replay->schedule, "Schedule CSV")->required();
  c->add_option("--mode", replay->mode, "bws or bns")->capture_default_str();
  c->add_flag("--json", replay->json, "Print one JSON object");
  c->callback([=, &out] { *action = [=, &out] { return DoReplay(*replay, out); }; });

  auto validate = std::make_shared<ScheduleFlags>();
  c = js->add_subcommand("validate", "Check a schedule with the independent validator");
  c->add_option("--instance", validate->instance, "Built-in name or file")->required();
  c->add_option("--schedule", validate->schedule, "Schedule CSV")->required();
  c->add_option("--down", validate->down,
                "Machine down intervals CSV (default: FILE.down.csv if present)");
  c->add_option("--mode", validate->mode, "bws or bns")->capture_default_str();
  c->add_flag("--json", validate->json, "Print one JSON object");
  c->callback([=, &out] { *action = [=, &out] { return DoValidate(*validate, out); }; });

  auto rules = std::make_shared<RulesFlags>();
  c = js->add_subcommand("rules", "Table of dispatching rules on instances");
  c->add_option("--instances", rules->instances,
                "Comma-separated names, globs allowed (la*, ft0?)")
      ->capture_default_str();
  c->add_option("--policies", rules->policies, "Comma-separated rules, or all")
      ->capture_default_str();
  c->add_option("--mode", rules->mode, "bws or bns")->capture_default_str();
  rules->breakdowns.Add(c, true);
  c->add_option("--seeds", rules->seeds, "Seeds per cell")->capture_default_str();
  c->add_option("--threads", rules->threads, "Worker threads (default: all cores)");
  c->add_option("--seed", rules->seed, "First seed")->capture_default_str();
  c->add_option("--format", rules->format, "table or csv")->capture_default_str();
  c->callback([=, &out, &err, &ctx] {
    *action = [=, &out, &err, &ctx] { return DoRules(*rules, ctx, out, err); };
  });

  AddJobShopSolveCommand(js, action, out, err);

  c = js->add_subcommand("list", "List built-in instances with reference values");
  c->callback([=, &out] { *action = [&out] { return DoList(out); }; });

  auto gen = std::make_shared<GenerateFlags>();
  c = js->add_subcommand("generate", "Write a random Taillard-style instance");
  c->add_option("--jobs", gen->gen.jobs)->capture_default_str();
  c->add_option("--machines", gen->gen.machines)->capture_default_str();
  c->add_option("--min-time", gen->gen.min_time)->capture_default_str();
  c->add_option("--max-time", gen->gen.max_time)->capture_default_str();
  c->add_option("--seed", gen->gen.seed)->capture_default_str();
  c->add_option("--out", gen->out, "Output file (default: stdout)");
  c->callback([=, &out] { *action = [=, &out] { return DoGenerate(*gen, out); }; });
}

}  // namespace dispatchlab::app
