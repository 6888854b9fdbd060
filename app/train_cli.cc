// `dispatchlab train`: PPO training of a graph-attention policy, in this
// process (LibTorch). Linked into dispatchlab-train and the tests; the
// `dispatchlab` executable hands `train` over to dispatchlab-train
// (app/train_launcher.cc).
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <ostream>
#include <thread>

#include "sim/core/file_io.h"
#include "app/cli.h"
#include "app/cli_common.h"
#include "app/train_cli.h"
#include "policy/neural.h"
#include "policy/registry.h"
#include "policy/trainer.h"
#include "policy/weights_file.h"
#include "scenarios/store.h"
#include "sim/jobshop/schedule.h"

namespace dispatchlab::app {
namespace {

std::atomic<bool> g_stop_training{false};
extern "C" void OnTrainInterrupt(int) { g_stop_training = true; }

struct TrainFlags {
  std::string domain, out, config, db, name;  // domain "": jobshop, or the resumed run's
  std::string method;                         // "": from --config (default ppo)
  std::int64_t steps = -1;
  int envs = -1, threads = 0;
  std::int64_t seed = -1;
  bool resume = false, override_settings = false, quiet = false;
  int world = 1, rank = 0;
  std::string master = "127.0.0.1:29500";
};

policy::DataParallel ParseParallel(const TrainFlags& f) {
  policy::DataParallel dp;
  dp.world = f.world;
  dp.rank = f.rank;
  if (f.world < 1) throw BadInput{"--world-size must be at least 1"};
  if (f.rank < 0 || f.rank >= f.world)
    throw BadInput{fmt::format("--rank {} is not in [0, {})", f.rank, f.world)};
  const auto colon = f.master.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw BadInput{fmt::format("--master '{}': expected HOST:PORT", f.master)};
  dp.host = f.master.substr(0, colon);
  const std::optional<int> port = ParseWholeInt(f.master.substr(colon + 1));
  if (!port || *port < 1 || *port > 65535)
    throw BadInput{fmt::format("--master '{}': port must be 1-65535", f.master)};
  dp.port = *port;
  return dp;
}

std::string Duration(double s) {
  if (s < 90) return fmt::format("{:.0f}s", s);
  if (s < 5400) return fmt::format("{:.0f}m", s / 60);
  return fmt::format("{:.1f}h", s / 3600);
}

// The flags and --config keys given on this command line, over `base`.
policy::TrainConfig WithCommandLine(policy::TrainConfig c, const TrainFlags& f) {
  if (!f.config.empty())
    c = OrBadInput(policy::ApplyTrainConfigJson(c, OrBadInput(ReadTextFile(f.config)), f.config));
  if (!f.method.empty())
    c = OrBadInput(policy::ApplyTrainConfigJson(
        c, nlohmann::json{{"method", f.method}}.dump(), "--method"));
  if (f.steps >= 0) c.steps = f.steps;
  if (f.envs >= 0) c.envs = f.envs;
  if (f.seed >= 0) c.seed = static_cast<std::uint64_t>(f.seed);
  return c;
}

// The settings of this run. Fresh: the domain's defaults, then --config,
// then flags. --resume: the settings the run was started with (saved in
// its checkpoint); a flag or --config key that changes one is an error
// naming it, unless --override says the change is meant (fine-tuning from
// a shipped policy, extending --steps).
policy::TrainConfig Settings(const TrainFlags& f, const std::string& out_dir, std::ostream& err) {
  if (!f.resume) {
    if (f.override_settings) throw BadInput{"--override only applies with --resume"};
    return WithCommandLine(policy::DefaultTrainConfig(OrBadInput(ParseDomain(
                               f.domain.empty() ? "jobshop" : f.domain))),
                           f);
  }
  const std::string checkpoint = (std::filesystem::path(out_dir) / "checkpoint.pt").string();
  auto run = policy::ReadSavedRun(checkpoint);
  if (!run) throw BadInput{"--resume: " + run.error().message};
  if (!f.domain.empty() && OrBadInput(ParseDomain(f.domain)) != run->config.domain)
    throw BadInput{fmt::format("--resume: {} holds a {} policy, not {}", checkpoint,
                               DomainName(run->config.domain), f.domain)};
  const policy::TrainConfig asked = WithCommandLine(run->config, f);
  if (!run->saved) {
    err << fmt::format("train: {} does not record the settings it was trained with (an older "
                       "checkpoint): using this command line's\n",
                       checkpoint);
    return WithCommandLine(policy::DefaultTrainConfig(run->config.domain), f);
  }
  const auto changed = policy::TrainConfigDifferences(run->config, asked, run->recorded);
  if (!changed.empty() && !f.override_settings)
    throw BadInput{fmt::format(
        "--resume: this command changes the settings the run in {} was started with ({}); "
        "a resumed run keeps them: drop those flags, or pass --override to change them",
        out_dir, fmt::join(changed, ", "))};
  if (!changed.empty() && !f.quiet)
    err << fmt::format("train: --override: {}\n", fmt::join(changed, ", "));
  return asked;
}

int DoTrain(const TrainFlags& f, std::ostream& out, std::ostream& err) {
  const std::string out_dir =
      !f.out.empty() ? f.out
                     : fmt::format("runs/{}_gat", f.domain.empty() ? "jobshop" : f.domain);
  policy::TrainConfig c = Settings(f, out_dir, err);
  const std::string domain_name = DomainName(c.domain);
  c.threads = f.threads > 0 ? f.threads : std::max(1u, std::thread::hardware_concurrency());
  if (c.steps < 1) throw BadInput{"--steps must be at least 1"};
  if (c.envs < 1) throw BadInput{"--envs must be at least 1"};
  const policy::DataParallel dp = ParseParallel(f);
  const bool leader = dp.rank == 0;

  // Curves go to the store's training tables (best effort: a store error
  // is reported once and training goes on).
  const std::string run_name =
      f.name.empty() ? std::filesystem::path(out_dir).filename().string() : f.name;
  std::unique_ptr<scenarios::Store> store;
  std::int64_t run_id = -1;
  const std::string checkpoint = (std::filesystem::path(out_dir) / "checkpoint.pt").string();
  auto run_record = [&](const std::string& status, const std::string& path) {
    return scenarios::TrainingRunRecord{0, domain_name, run_name, policy::TrainConfigJson(c),
                                        status, path};
  };
  if (leader) {
    auto opened = scenarios::Store::Open(f.db.empty() ? DefaultDbPath() : f.db);
    if (!opened) throw BadInput{opened.error().message};
    store = std::move(*opened);
    run_id = OrBadInput(store->PutTrainingRun(run_record("running", checkpoint)));
  }
  if (!f.quiet)
    err << fmt::format("train: {} policy, {} {}, {}, {} threads -> {}{}{}\n", domain_name,
                       policy::TrainMethodName(c.method), c.steps,
                       c.method == policy::TrainMethod::kPpo
                           ? fmt::format("steps, {} envs x {} rollout", c.envs, c.rollout)
                           : fmt::format("labelled decisions, {} {} per iteration", c.instances,
                                         c.domain == Domain::kUam ? "days" : "instances"),
                       c.threads, out_dir,
                       f.resume ? " (resuming)" : "",
                       dp.world > 1 ? fmt::format(" (rank {} of {}, rendezvous {})", dp.rank,
                                                  dp.world, f.master)
                                    : "");
  const bool tty = isatty(STDERR_FILENO) == 1;
  policy::TrainCallbacks cb;
  cb.on_metrics = [&](std::int64_t step, const std::vector<std::pair<std::string, double>>& m) {
    if (Status st = store->AddTrainingMetrics(run_id, step, m); !st.ok())
      err << "train: warning: metrics not stored: " << st.error().message << "\n";
  };
  cb.on_progress = [&](const policy::TrainProgress& p) {
    if (f.quiet) return;
    const std::string losses =
        p.expert_kept_greedy >= 0
            ? fmt::format("ce {:.3f}  agree {:.0f}%  expert kept greedy's action {:.0f}%  roll-in "
                          "greedy {:.0f}%  labelling {:.1f}s",
                          p.imitation_loss, 100 * p.imitation_accuracy, 100 * p.expert_kept_greedy,
                          100 * p.greedy_share, p.rollout_s)
        : p.planner_agreed >= 0
            ? fmt::format("ce {:.3f}  agree {:.0f}%  sampled = planner's {:.0f}%  labelling {:.1f}s",
                          p.imitation_loss, 100 * p.imitation_accuracy, 100 * p.planner_agreed,
                          p.rollout_s)
        : p.imitation
            ? fmt::format("ce {:.3f}  agree {:.0f}%  greedy +{:.1f}% over best  won: sample "
                          "{:.0f}% expert {:.0f}%  search {:.1f}s",
                          p.imitation_loss, 100 * p.imitation_accuracy, p.greedy_over_best_pct,
                          100 * p.won_by_sample, 100 * p.won_by_expert, p.rollout_s)
            : fmt::format("pi {:.3f}  v {:.3f}  ent {:.3f}  kl {:.4f}  rollout {:.1f}s",
                          p.ppo.policy_loss, p.ppo.value_loss, p.ppo.entropy, p.ppo.approx_kl,
                          p.rollout_s);
    const std::string line = fmt::format(
        "step {}/{} ({:.0f}%)  {:.0f} steps/s  return {:.2f}  {}  update {:.1f}s{}  ETA {}",
        p.step, p.total_steps, 100.0 * p.step / p.total_steps, p.steps_per_s, p.mean_return,
        losses, p.update_s,
        p.evaluated ? fmt::format("  eval {:.1f} (best {:.1f}, {:.1f}s)", p.eval_score,
                                  p.best_eval_score, p.eval_s)
                    : "",
        Duration(p.eta_s));
    if (tty && !p.evaluated) err << "\r" << line << "   " << std::flush;
    else err << (tty ? "\r" : "") << line << "\n";
  };
  g_stop_training = false;
  auto old_int = std::signal(SIGINT, OnTrainInterrupt);
  auto old_term = std::signal(SIGTERM, OnTrainInterrupt);
  auto summary = policy::Train(c, out_dir, f.resume, cb, &g_stop_training, dp);
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  if (tty && !f.quiet) err << "\n";
  if (!summary) {
    if (store)
      (void)store->PutTrainingRun(run_record("failed", checkpoint));
    throw BadInput{summary.error().message};
  }
  if (!leader) {
    out << fmt::format("train: rank {} done: {} steps (all ranks), {} iterations in {}; rank 0 "
                       "writes the checkpoints\n",
                       dp.rank, summary->steps, summary->iterations, Duration(summary->wall_s));
    return summary->cancelled ? 130 : kExitOk;
  }
  (void)store->PutTrainingRun(
      run_record(summary->cancelled ? "interrupted" : "done", summary->checkpoint));
  out << fmt::format("train: {} steps, {} iterations in {}; best validation score {:.1f}\n"
                     "checkpoint {} (latest), {} (best)\n",
                     summary->steps, summary->iterations, Duration(summary->wall_s),
                     summary->best_eval_score, summary->checkpoint, summary->best_checkpoint);
  if (summary->cancelled) {
    err << "train: interrupted; the checkpoint is saved. Continue with the same command and "
           "--resume.\n";
    return 130;
  }
  return kExitOk;
}

// `train export`: the torch-free weights file of an existing checkpoint.
int DoExport(const std::string& checkpoint, std::string out_path, std::ostream& out) {
  auto model = policy::NeuralModel::Load(checkpoint);
  if (!model) throw BadInput{model.error().message};
  if (out_path.empty()) out_path = policy::WeightsPathFor(checkpoint);
  if (Status st = policy::WriteWeightsFile(out_path, (*model)->domain(),
                                           (*model)->fast_net()->weights());
      !st.ok())
    throw BadInput{st.error().message};
  auto check = policy::ReadWeightsFile(out_path);  // what run/eval will load
  if (!check) throw BadInput{check.error().message};
  out << fmt::format("{}: {} policy, {} parameters, weights hash {}\n", out_path,
                     DomainName((*model)->domain()), (*model)->parameter_count(), check->hash);
  return kExitOk;
}

// `train average`: one checkpoint whose weights are the mean of several.
int DoAverage(const std::vector<std::string>& checkpoints, const std::string& out_path,
              std::ostream& out) {
  if (checkpoints.size() < 2) throw BadInput{"train average: give at least two checkpoints"};
  for (const auto& c : checkpoints)
    if (std::filesystem::path(c) == std::filesystem::path(out_path))
      throw BadInput{fmt::format("train average: --out {} is one of the inputs", out_path)};
  auto model = policy::NeuralModel::Average(checkpoints);
  if (!model) throw BadInput{model.error().message};
  if (Status st = (*model)->Save(out_path, (*model)->trainer_state()); !st.ok())
    throw BadInput{st.error().message};
  auto check = policy::ReadWeightsFile(policy::WeightsPathFor(out_path));
  if (!check) throw BadInput{check.error().message};
  out << fmt::format("{}: mean of {} {} checkpoints, weights hash {}\n", out_path,
                     checkpoints.size(), DomainName((*model)->domain()), check->hash);
  return kExitOk;
}

}  // namespace

void AddTrainCommands(CLI::App& app, CliAction* action, std::ostream& out, std::ostream& err) {
  auto f = std::make_shared<TrainFlags>();
  auto* c = app.add_subcommand(
      "train", "Train a graph-attention policy (PPO; for the job shop also learning from search)");
  c->add_option("--domain", f->domain, "jobshop or uam (default jobshop; with --resume the run's)");
  c->add_option("--method", f->method,
                "ppo, self-label (job shop: imitate the best of sampled episodes), imitate "
                "(job shop: an iterated-greedy expert; UAM: DAgger on the rollout planner) or "
                "dagger (job shop: the planner labels the policy's own states); "
                "default from --config, else ppo");
  c->add_option("--steps", f->steps,
                "Decisions in total: PPO environment steps, self-label/imitate labelled "
                "decisions (default from config)");
  c->add_option("--envs", f->envs, "Parallel environments (default 8)");
  c->add_option("--out", f->out, "Output directory (default runs/<domain>_gat)");
  c->add_flag("--resume", f->resume,
              "Continue from <out>/checkpoint.pt with the settings the run was started with");
  c->add_flag("--override", f->override_settings,
              "With --resume: let this command's flags and --config change the run's settings "
              "(fine-tuning, more --steps)");
  c->add_option("--config", f->config, "JSON file with training/model settings");
  c->add_option("--threads", f->threads, "Threads (default: all cores)");
  c->add_option("--seed", f->seed, "Seed");
  c->add_option("--db", f->db, "Store for the learning curves (default: the user store)");
  c->add_option("--name", f->name, "Training run name in the store (default: out dir name)");
  c->add_flag("--quiet", f->quiet, "No progress output");
  c->add_option("--world-size", f->world,
                "Data-parallel processes (c10d over Gloo; start one per rank)")
      ->capture_default_str();
  c->add_option("--rank", f->rank, "This process's rank in [0, world-size)")->capture_default_str();
  c->add_option("--master", f->master, "HOST:PORT where rank 0 serves the rendezvous")
      ->capture_default_str();
  auto* exp = c->add_subcommand(
      "export", "Write the torch-free weights file (.safetensors) of a checkpoint, which run, eval "
                "and the GUI load (training writes it beside every checkpoint)");
  auto checkpoint = std::make_shared<std::string>();
  auto weights = std::make_shared<std::string>();
  exp->add_option("--checkpoint", *checkpoint, "A checkpoint (.pt) written by train")->required();
  exp->add_option("--out", *weights, "Weights file to write (default: beside the checkpoint, "
                                     ".safetensors)");
  exp->callback([=, &out] {
    *action = [=, &out] { return DoExport(*checkpoint, *weights, out); };
  });
  auto* avg = c->add_subcommand(
      "average", "Write a checkpoint whose weights are the mean of several of one model shape "
                 "(checkpoint averaging, e.g. of a run's snapshots: snapshot_every in --config)");
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto averaged = std::make_shared<std::string>();
  avg->add_option("checkpoints", *inputs, "Checkpoints (.pt) to average")->required();
  avg->add_option("--out", *averaged, "Checkpoint to write (its .safetensors beside it)")
      ->required();
  avg->callback([=, &out] {
    *action = [=, &out] { return DoAverage(*inputs, *averaged, out); };
  });
  c->callback([=, &out, &err] {
    if (exp->parsed() || avg->parsed()) return;  // `train export`, `train average`
    *action = [=, &out, &err] { return DoTrain(*f, out, err); };
  });
}

}  // namespace dispatchlab::app
