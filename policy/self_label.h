// Learning from search for the job-shop dispatcher, and sampling at
// inference (torch-free: the network runs on FastNet).
//
// Self-labeling (Corsini et al. 2024): for a training instance, draw K
// episodes with the current policy (sampling from its action
// probabilities, all on the episode's own seed, so every sample meets the
// same breakdowns), optionally add an expert's episode (iterated greedy
// over machine orders), keep the shortest, and train the policy by
// cross-entropy on that episode's decisions. The policy imitates the best
// it can already reach, and so climbs.
//
//   instance + seed --K samples (+ expert)--> best job sequence
//                   --replay with the observer--> (observation, action) pairs
//                   --NeuralModel::UpdateImitation--> cross-entropy step
//
// Best-of-K at inference (SampledBestPolicy) is the same search without
// the learning: it runs the K samples on the episode's seed and follows the
// best. At p = 0 it is a planner; with breakdowns it has seen the
// episode's failures before deciding, so it is a ceiling (like `ig`).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "policy/fast_net.h"
#include "policy/neural.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::policy {

// One episode as the actions chosen at its decisions (forced moves are not
// decisions): a job, or n + m for a hold of machine m in the wide mode (see
// env::ActionOfCandidate). makespan is kTimeInfinity unless the episode
// completed.
struct JobSequence {
  std::vector<int> jobs;
  SimTime makespan = kTimeInfinity;
};

// Runs `policy` on (instance, options, seed) and records its choices.
JobSequence RecordChoices(const jobshop::Instance& instance, const jobshop::SimOptions& options,
                          std::uint64_t seed, jobshop::Policy& policy);

// Follows a recorded job sequence (the same instance, options and seed
// reproduce the episode exactly; past its end, or if a recorded job is no
// longer a candidate, it takes the first candidate).
class JobReplayPolicy final : public jobshop::Policy {
 public:
  // `mode`: the decision mode the sequence was recorded in.
  explicit JobReplayPolicy(std::vector<int> jobs, std::string name = "replay",
                           jobshop::DecisionMode mode = jobshop::DecisionMode::kNonDelay)
      : jobs_(std::move(jobs)), name_(std::move(name)), mode_(mode) {}
  std::string name() const override { return name_; }
  jobshop::DecisionMode decisions() const override { return mode_; }
  void Reset(std::uint64_t) override { next_ = 0; }
  int Choose(const jobshop::Simulator& sim, std::span<const jobshop::Candidate> candidates) override;

 private:
  std::vector<int> jobs_;
  std::string name_;
  jobshop::DecisionMode mode_;
  std::size_t next_ = 0;
};

// The decisions of an episode that follows `jobs`, as training pairs: the
// observation at each decision (feature version `features`) and the job
// taken. Only obs and action are filled.
std::vector<Transition> Demonstrate(const jobshop::Instance& instance,
                                    const jobshop::SimOptions& options, std::uint64_t seed,
                                    const std::vector<int>& jobs, int features);

// DAgger with the planner as the teacher: the net plays one episode on
// (instance, options, seed), sampling from its probabilities (stream
// `stream`) or greedily; at each decision with probability `label_share`
// (at most `max_labels` of them) a fresh ReplanPolicy re-plans the rest of
// the instance from that state (`evaluations` planner evaluations; it sees
// no future breakdown) and its choice is the label. In feature version 4
// the labels include holds; a hold names the machine the policy chose (no
// planned start wants it now). The episode goes on with the net's own
// choice. `makespan` (optional) receives the net's episode makespan
// (kTimeInfinity on a deadlock); `agreed` the labels the net's own choice
// matched. With `warm_start` the episode is played first and each
// re-plan starts from its machine sequences, so a label's plan is never
// worse than what the net went on to do from that state (at p = 0:
// planned makespan <= the episode's); without it the planner constructs
// its own first solution, which with a small budget on a large instance
// is worse than the net. Same episode, same labelled decisions either way.
// (Measured: warm-started labels trained a worse policy; README.)
struct TeacherOptions {
  std::int64_t evaluations = 2000;
  double label_share = 0.25;
  int max_labels = 48;
  bool sample = true;
  bool warm_start = false;
  std::uint64_t stream = 0;
  std::uint64_t label_seed = 0;  // which decisions are labelled
};
std::vector<Transition> LabelWithPlanner(const jobshop::Instance& instance,
                                         const jobshop::SimOptions& options, std::uint64_t seed,
                                         const std::shared_ptr<const FastNet>& net,
                                         const TeacherOptions& teacher, SimTime* makespan = nullptr,
                                         int* agreed = nullptr);

struct BestOfOptions {
  int samples = 16;             // sampled episodes (streams 0..samples-1)
  bool include_greedy = true;   // the argmax episode competes too
  int expert_evaluations = 0;   // > 0: an iterated-greedy expert competes too
  int threads = 1;              // samples run on this many threads
  double temperature = 1.0;     // samples draw from p^(1/T), renormalised
};

// The default temperature of best-of-K sampling at inference (NAME:best<K>)
// for a net of job-shop feature version `features`, one per decision mode.
// Chosen on generated validation instances, never on the reported ones
// (scripts/tune_sampling_temperature.py): with reserve actions (version 5,
// the shipped `gat`) 0.3-0.45 were best, 3.4% below T = 1; non-delay nets
// (versions 1-3) were best at 1, which version 4 (per-machine holds, not
// tuned) keeps. Training samples at 1.
inline constexpr double kBestOfTemperatureReserve = 0.45;
inline constexpr double kBestOfTemperatureNonDelay = 1.0;
double BestOfTemperature(int features);

struct BestOfResult {
  JobSequence best;
  // Which episode won: "greedy", "expert" or "sample".
  std::string source;
  SimTime greedy_makespan = kTimeInfinity;
  SimTime expert_makespan = kTimeInfinity;
  JobSequence expert;  // the expert's episode (when it ran)
  double mean_sample_makespan = 0;  // over completed samples
};

// The shortest of: K sampled episodes of `net`, its greedy episode and the
// expert's, all on (instance, options, seed). Deterministic for fixed
// inputs (whatever `threads`): sample k always draws from stream k.
BestOfResult BestOfSamples(const jobshop::Instance& instance, const jobshop::SimOptions& options,
                           std::uint64_t seed, const std::shared_ptr<const FastNet>& net,
                           const BestOfOptions& best_of);

// Best-of-K sampling as a policy: at the first decision of an episode it
// runs the greedy episode and K samples on the episode's own seed
// (BestOfSamples, `threads` threads) and then follows the best. Sees the
// episode's breakdowns when p > 0: a ceiling, not a policy.
class SampledBestPolicy final : public jobshop::Policy {
 public:
  SampledBestPolicy(std::shared_ptr<const FastNet> net, std::string name, int samples,
                    int threads, double temperature);
  std::string name() const override { return name_; }
  void Reset(std::uint64_t seed) override;
  int Choose(const jobshop::Simulator& sim, std::span<const jobshop::Candidate> candidates) override;
  // The decision mode of its network (the replay must run in it).
  jobshop::DecisionMode decisions() const override;

  const BestOfResult& last_search() const { return search_; }

 private:
  std::shared_ptr<const FastNet> net_;
  std::string name_;
  int samples_, threads_;
  double temperature_;
  std::uint64_t seed_ = 0;
  bool planned_ = false;
  BestOfResult search_;
  JobReplayPolicy replay_{{}};
};

}  // namespace dispatchlab::policy
