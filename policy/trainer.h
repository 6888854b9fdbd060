// PPO training loop (torch-free: the network lives behind NeuralModel).
//
//   E envs (random instances / generated scenarios, reseeded per episode)
//     --observations--> one batched Evaluate --> sample actions
//     --> step all envs on a thread pool --> transitions per env
//   every `rollout` steps: GAE per env, advantage normalisation, PPO update
//   (epochs x minibatches) with the learning rate annealed linearly to 0;
//   periodic greedy evaluation on a fixed validation set; checkpoints written
//   atomically; resume continues from the saved step.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "policy/neural.h"
#include "sim/core/status.h"

namespace dispatchlab::policy {

// How the job-shop policy learns (UAM: PPO only).
//   ppo         PPO from the time reward (the return is -makespan).
//   self-label  learning from search: per instance, `samples` episodes of
//               the current policy plus its greedy one (and, with
//               expert_evaluations > 0, an iterated-greedy expert's) on one
//               seed; cross-entropy on the best one's decisions
//               (policy/self_label.h).
//   imitate     cross-entropy on the expert's episodes only (a warm start;
//               expert_evaluations defaults to 2000 then).
//   dagger      (job shop) the policy plays its own episode (sampling) and
//               at a `label_share` of its decisions (at most
//               labels_per_instance) the planner, re-planning the rest of
//               the instance from that state with expert_evaluations
//               evaluations (ReplanPolicy: no future breakdowns seen), says
//               what it would do; cross-entropy on those labels. The
//               labels are in the states the policy reaches, so it learns to
//               recover from its own mistakes (policy/self_label.h,
//               LabelWithPlanner). With feature version 4 the labels
//               include the planner's holds.
enum class TrainMethod { kPpo, kSelfLabel, kImitate, kDagger };
const char* TrainMethodName(TrainMethod m);

struct TrainConfig {
  Domain domain = Domain::kJobShop;
  TrainMethod method = TrainMethod::kPpo;
  // PPO: environment decisions in total. self-label / imitate: labelled
  // decisions trained on in total (each instance's best episode counts its
  // decisions; the sampled ones it was chosen from are not counted).
  std::int64_t steps = 200000;
  int envs = 8;
  int rollout = 64;             // steps per env per update
  // PPO: updates while the step counter is at most this train the value
  // head only (PpoConfig::value_only): a critic warm-up before fine-tuning
  // a policy learned by imitation. The counter continues across --resume,
  // so a fine-tune from a checkpoint at step S warms up for (this - S).
  std::int64_t critic_warmup = 0;
  double lr = 3e-4;
  double gamma = 1.0;           // job shop: undiscounted (return = -makespan)
  double lambda = 0.95;
  double reward_scale = 0.1;
  PpoConfig ppo;
  ModelConfig model;
  std::uint64_t seed = 0;
  int threads = 2;              // env stepping threads (torch intra-op: same)
  int eval_every = 20;          // iterations
  int checkpoint_every = 10;    // iterations
  // Every this many iterations (0: never) a copy of the weights is kept as
  // <out>/snapshots/step-<step>.pt, for checkpoint averaging
  // (NeuralModel::Average, `train average`).
  int snapshot_every = 0;
  // Job-shop instance sampling.
  std::vector<int> jobs = {10, 15, 20};
  std::vector<int> machines = {5, 10};
  std::vector<double> shutdown_p = {0.0, 0.05, 0.1};
  int max_time = 99;
  // self-label / imitate: instances per iteration, sampled episodes per
  // instance, expert evaluations (0: no expert).
  int instances = 16;
  int samples = 16;
  int expert_evaluations = 0;
  // At most this many of the best episode's decisions are trained on
  // (drawn at random; 0: all). Bounds the update's cost on large instances.
  int labels_per_instance = 0;
  // dagger: each label's planner starts from the machine sequences of the
  // net's own episode (TeacherOptions::warm_start).
  bool label_warm_start = false;
  // UAM imitate (DAgger with the rollout planner as the expert; `samples`
  // is its futures per action, `instances` the days per iteration): the
  // share of decisions labelled, and the least share of roll-in decisions
  // left to greedy (it falls from 1 to this over the first half).
  double label_share = 0.1;
  double greedy_floor = 0.25;
  // UAM scenario sampling.
  int vertiports_min = 6, vertiports_max = 10;
  int aircraft_min = 20, aircraft_max = 40;
};

// Defaults for the domain (UAM: gamma 0.999, reward scale 1).
TrainConfig DefaultTrainConfig(Domain d);
// Overrides from a JSON object; unknown keys and bad values are errors.
Result<TrainConfig> ApplyTrainConfigJson(TrainConfig base, const std::string& json_text,
                                         const std::string& source);
// Every setting of a run (all keys ApplyTrainConfigJson accepts, plus
// "domain"; not `threads`, which is the machine's business). Saved in each
// checkpoint's trainer state as "config".
std::string TrainConfigJson(const TrainConfig& c);

// The settings a run was started with, read from its checkpoint: `saved`
// is false for a checkpoint written before they were saved (then `config`
// holds the domain's defaults with the checkpoint's model shape).
struct SavedRun {
  TrainConfig config;
  bool saved = false;
  // The settings the checkpoint records (older checkpoints record fewer;
  // the others hold defaults, not what the run used).
  std::set<std::string> recorded;
};
Result<SavedRun> ReadSavedRun(const std::string& checkpoint_path);

// The settings in which `b` differs from `a`, as "name a -> b" (empty: the
// same run); only those in `only` unless it is empty.
std::vector<std::string> TrainConfigDifferences(const TrainConfig& a, const TrainConfig& b,
                                                const std::set<std::string>& only = {});

struct TrainProgress {
  std::int64_t step = 0, total_steps = 0;
  int iteration = 0;
  double steps_per_s = 0, eta_s = 0;
  double mean_return = 0;      // mean over recently finished episodes (unscaled)
  // self-label / imitate: cross-entropy loss and argmax agreement with the
  // labels; how far the greedy episode is above the best one (%); which
  // episode won (shares of the iteration's instances).
  bool imitation = false;
  double imitation_loss = 0, imitation_accuracy = 0, greedy_over_best_pct = 0;
  double won_by_sample = 0, won_by_greedy = 0, won_by_expert = 0;
  // UAM imitate: share of labels where the expert kept greedy's action, and
  // the roll-in's share of greedy decisions (negative: not UAM imitate).
  double expert_kept_greedy = -1, greedy_share = 0;
  // Job-shop dagger: the share of labels where the policy's own sampled
  // choice was the planner's (-1 otherwise).
  double planner_agreed = -1;
  int episodes = 0;
  PpoStats ppo;
  // Wall seconds of this iteration: collecting the rollout (inference and
  // environment steps), the PPO update, validation.
  double rollout_s = 0, update_s = 0, eval_s = 0;
  bool evaluated = false;
  double eval_score = 0;       // job shop: -mean gap to the lower bound %; UAM: % over greedy
  double best_eval_score = 0;  // set when evaluated
};

struct TrainCallbacks {
  std::function<void(const TrainProgress&)> on_progress;
  // Metrics to record (e.g. in the store's training tables).
  std::function<void(std::int64_t step, const std::vector<std::pair<std::string, double>>&)>
      on_metrics;
};

struct TrainSummary {
  std::int64_t steps = 0;
  int iterations = 0;
  double wall_s = 0;
  double best_eval_score = 0;  // of best.pt (rank 0): always a real validation score
  std::string checkpoint, best_checkpoint;
  bool cancelled = false;
};

// Data-parallel training over several processes (DESIGN "Scale-out"): each
// rank steps its own environments (different episodes) and the gradients
// are averaged over ranks, so all ranks keep the same weights. Steps count
// all ranks' decisions. Rank 0 validates, writes checkpoints and reports
// metrics; the others only train. With --resume every rank reads
// out_dir/checkpoint.pt, so the ranks need to share out_dir. The PPO
// minibatch is per rank (the averaged gradient covers world x minibatch).
struct DataParallel {
  int rank = 0;
  int world = 1;
  std::string host = "127.0.0.1";
  int port = 29500;
  double timeout_s = 300;
};

// Trains into out_dir (checkpoint.pt = latest, best.pt = best validation;
// each with its torch-free .safetensors beside it). best.pt is only ever
// written after a validation of the weights it holds: a run that stops
// before its first periodic validation validates once at the end.
// resume: continue from out_dir/checkpoint.pt (error if missing or of
// another domain / model shape) with `config` as given (the CLI checks it
// against the run's saved settings, ReadSavedRun).
Result<TrainSummary> Train(const TrainConfig& config, const std::string& out_dir, bool resume,
                           const TrainCallbacks& callbacks, const std::atomic<bool>* cancel,
                           const DataParallel& parallel = {});

// Greedy evaluation score of a model on the fixed validation set of its
// domain (what Train reports): job shop minus the mean gap (%) of the
// makespan above the instance's lower bound (max of job and machine work),
// on generated instances from 6x6 to 30x20; UAM mean profit.
double ValidationScore(const NeuralModel& model);

}  // namespace dispatchlab::policy
