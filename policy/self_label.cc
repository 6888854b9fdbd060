#include "policy/self_label.h"

#include <algorithm>
#include <thread>

#include "policy/neural_policy.h"
#include "sim/env/jobshop_env.h"
#include "sim/jobshop/search.h"

namespace dispatchlab::policy {
namespace {

// Delegates to `inner` and remembers the job of every choice.
class Recorder final : public jobshop::Policy {
 public:
  explicit Recorder(jobshop::Policy& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  void Reset(std::uint64_t seed) override {
    jobs.clear();
    inner_.Reset(seed);
  }
  int Choose(const jobshop::Simulator& sim, std::span<const jobshop::Candidate> candidates) override {
    const int c = inner_.Choose(sim, candidates);
    jobs.push_back(env::ActionOfCandidate(sim, candidates[c]));
    return c;
  }
  jobshop::DecisionMode decisions() const override { return inner_.decisions(); }
  std::vector<int> jobs;

 private:
  jobshop::Policy& inner_;
};

}  // namespace

JobSequence RecordChoices(const jobshop::Instance& instance, const jobshop::SimOptions& options,
                          std::uint64_t seed, jobshop::Policy& policy) {
  Recorder rec(policy);
  const auto r = jobshop::RunEpisode(instance, options, seed, rec);
  JobSequence out;
  out.jobs = std::move(rec.jobs);
  out.makespan = r.outcome == jobshop::Outcome::kCompleted ? r.makespan : kTimeInfinity;
  return out;
}

int JobReplayPolicy::Choose(const jobshop::Simulator& sim,
                            std::span<const jobshop::Candidate> candidates) {
  if (next_ >= jobs_.size()) return 0;
  const int action = jobs_[next_++];
  for (int i = 0; i < static_cast<int>(candidates.size()); ++i)
    if (env::ActionOfCandidate(sim, candidates[i]) == action) return i;
  return 0;
}

std::vector<Transition> Demonstrate(const jobshop::Instance& instance,
                                    const jobshop::SimOptions& options, std::uint64_t seed,
                                    const std::vector<int>& jobs, int features) {
  // The same event loop as RunEpisode (forced moves are applied without
  // asking), observed at each real decision; in the decision mode of the
  // feature version (version 4 holds).
  jobshop::SimOptions o = options;
  if (env::JobShopHolds(features)) o.decisions = jobshop::DecisionMode::kHold;
  jobshop::Simulator sim(instance, o);
  env::JobShopObserver observer(instance, features);
  env::Observation obs;
  observer.Init(&obs);
  sim.Reset(seed);
  std::vector<Transition> out;
  out.reserve(jobs.size());
  std::size_t next = 0;
  while (sim.AdvanceToDecision()) {
    const auto cands = sim.candidates();
    if (cands.size() < 2 || next >= jobs.size()) {
      sim.Apply(0);
      continue;
    }
    const int action = jobs[next++];
    int c = 0;
    for (int i = 0; i < static_cast<int>(cands.size()); ++i)
      if (env::ActionOfCandidate(sim, cands[i]) == action) c = i;
    observer.Write(sim, &obs);
    Transition t;
    t.obs = obs;
    t.action = env::ActionOfCandidate(sim, cands[c]);
    out.push_back(std::move(t));
    sim.Apply(c);
  }
  return out;
}

std::vector<Transition> LabelWithPlanner(const jobshop::Instance& instance,
                                         const jobshop::SimOptions& options, std::uint64_t seed,
                                         const std::shared_ptr<const FastNet>& net,
                                         const TeacherOptions& teacher, SimTime* makespan,
                                         int* agreed) {
  const int features = net->weights().features;
  NeuralJobShopPolicy policy(net, "dagger", teacher.sample);
  policy.set_sample_stream(teacher.stream);
  jobshop::SimOptions o = options;
  o.decisions = policy.decisions();
  jobshop::Simulator sim(instance, o);
  env::JobShopObserver observer(instance, features);
  env::Observation obs;
  observer.Init(&obs);
  sim.Reset(seed);
  policy.Reset(seed);
  // Warm start: the net's episode is played first, then replayed with its
  // own choices, and each label's planner starts from that episode's
  // machine sequences (the rest of what the net did from that state).
  std::vector<int> taken;
  jobshop::PlanFollower::Plan episode;
  if (teacher.warm_start) {
    while (sim.AdvanceToDecision()) {
      const auto cands = sim.candidates();
      taken.push_back(cands.size() < 2 ? 0 : policy.Choose(sim, cands));
      sim.Apply(taken.back());
    }
    if (sim.result().outcome == jobshop::Outcome::kCompleted)
      episode = jobshop::ReplanPolicy::SequencesOf(instance, sim.result());
    sim.Reset(seed);
  }
  std::size_t decision = 0;
  Rng draw = Rng::Stream(teacher.label_seed, StreamTag::kPolicy, 0xda66e5, seed);
  std::vector<Transition> out;
  int same = 0;
  while (sim.AdvanceToDecision()) {
    const auto cands = sim.candidates();
    if (cands.size() < 2) {  // forced: the simulator asks only in the wide mode's corner case
      sim.Apply(0);
      ++decision;
      continue;
    }
    DL_DCHECK(!teacher.warm_start ||
              (decision < taken.size() && taken[decision] < static_cast<int>(cands.size())));
    const int own = teacher.warm_start ? taken[decision] : policy.Choose(sim, cands);
    ++decision;
    if (static_cast<int>(out.size()) < teacher.max_labels && draw.Uniform() < teacher.label_share) {
      jobshop::ReplanOptions ro;
      ro.plan_evaluations = teacher.evaluations;
      ro.seed = draw.NextU64();
      jobshop::ReplanPolicy planner(ro);
      planner.Reset(seed);
      if (!episode.empty()) planner.WarmStart(episode);
      int label = planner.Choose(sim, cands);
      // The planner holds when no candidate is next in its plan, and names
      // the first machine's hold. The one that matters is the machine the
      // policy was about to use: label that machine's hold (if the policy
      // chose a start; its own hold stands).
      if (cands[label].hold()) {
        const int m = cands[own].machine.value;
        for (int i = 0; i < static_cast<int>(cands.size()); ++i)
          if (cands[i].hold() && cands[i].machine.value == m) label = i;
      }
      observer.Write(sim, &obs);
      int action = env::ActionOfCandidate(sim, cands[label]);
      if (env::JobShopReserves(features) && cands[label].hold()) {
        // Version 5: the hold is a reserve for the job planned next on
        // that machine, if that job is a reserve action now.
        const int m = cands[label].machine.value;
        const auto& f = planner.follower();
        action = -1;
        if (m < static_cast<int>(f.plan().size()) && f.next()[m] < f.plan()[m].size()) {
          const int x = f.plan()[m][f.next()[m]].first;
          if (obs.mask[x]) action = x;
        }
        if (action < 0) {
          sim.Apply(own);
          continue;
        }
      }
      Transition t;
      t.obs = obs;
      t.action = action;
      DL_DCHECK(obs.mask[t.action]);
      same += env::CandidateOfAction(sim, action, features) == own;
      out.push_back(std::move(t));
    }
    sim.Apply(own);
  }
  if (makespan)
    *makespan = sim.result().outcome == jobshop::Outcome::kCompleted ? sim.result().makespan
                                                                      : kTimeInfinity;
  if (agreed) *agreed = same;
  return out;
}

BestOfResult BestOfSamples(const jobshop::Instance& instance, const jobshop::SimOptions& options,
                           std::uint64_t seed, const std::shared_ptr<const FastNet>& net,
                           const BestOfOptions& o) {
  const int k = std::max(0, o.samples);
  std::vector<JobSequence> samples(static_cast<std::size_t>(k));
  auto run_samples = [&](int first, int step) {
    NeuralJobShopPolicy policy(net, "sample", /*sample=*/true);
    policy.set_temperature(o.temperature);
    for (int i = first; i < k; i += step) {
      policy.set_sample_stream(static_cast<std::uint64_t>(i));
      samples[i] = RecordChoices(instance, options, seed, policy);
    }
  };
  const int threads = std::clamp(o.threads, 1, std::max(1, k));
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back(run_samples, t, threads);
  BestOfResult r;
  JobSequence greedy, expert;
  if (o.include_greedy) {
    NeuralJobShopPolicy policy(net, "greedy");
    greedy = RecordChoices(instance, options, seed, policy);
    r.greedy_makespan = greedy.makespan;
  }
  if (o.expert_evaluations > 0) {
    // A non-delay net follows the non-delay iterated greedy; a holding one
    // the planner's wide-mode schedule (the same ceiling as `ig`: it sees
    // the episode's breakdowns, which a teacher may).
    if (env::JobShopHolds(net->weights().features)) {
      jobshop::PlannedCeilingOptions po;
      po.evaluations = o.expert_evaluations;
      jobshop::PlannedCeilingPolicy planner(po);
      expert = RecordChoices(instance, options, seed, planner);
    } else {
      jobshop::IteratedGreedyOptions io;
      io.evaluations = o.expert_evaluations;
      jobshop::IteratedGreedyPolicy ig(io);
      expert = RecordChoices(instance, options, seed, ig);
    }
    r.expert_makespan = expert.makespan;
    r.expert = expert;
  }
  run_samples(0, threads);
  for (auto& w : workers) w.join();

  // Ties go to the earliest: greedy, then the expert, then sample 0, 1, ...
  auto consider = [&](JobSequence& s, const char* source) {
    if (s.makespan < r.best.makespan) {
      r.best = s;
      r.source = source;
    }
  };
  if (o.include_greedy) consider(greedy, "greedy");
  if (o.expert_evaluations > 0) consider(expert, "expert");
  double total = 0;
  int done = 0;
  for (auto& s : samples) {
    consider(s, "sample");
    if (s.makespan < kTimeInfinity) {
      total += static_cast<double>(s.makespan);
      ++done;
    }
  }
  r.mean_sample_makespan = done > 0 ? total / done : 0;
  return r;
}

double BestOfTemperature(int features) {
  return env::JobShopReserves(features) ? kBestOfTemperatureReserve : kBestOfTemperatureNonDelay;
}

SampledBestPolicy::SampledBestPolicy(std::shared_ptr<const FastNet> net, std::string name,
                                     int samples, int threads, double temperature)
    : net_(std::move(net)),
      name_(std::move(name)),
      samples_(samples),
      threads_(threads),
      temperature_(temperature) {}

jobshop::DecisionMode SampledBestPolicy::decisions() const {
  return env::JobShopHolds(net_->weights().features) ? jobshop::DecisionMode::kHold
                                                     : jobshop::DecisionMode::kNonDelay;
}

void SampledBestPolicy::Reset(std::uint64_t seed) {
  seed_ = seed;
  planned_ = false;
  search_ = BestOfResult{};
}

int SampledBestPolicy::Choose(const jobshop::Simulator& sim,
                              std::span<const jobshop::Candidate> candidates) {
  if (!planned_) {
    BestOfOptions o;
    o.samples = samples_;
    o.threads = threads_;
    o.temperature = temperature_;
    search_ = BestOfSamples(sim.instance(), sim.options(), seed_, net_, o);
    replay_ = JobReplayPolicy(search_.best.jobs, "replay", decisions());
    replay_.Reset(seed_);
    planned_ = true;
  }
  return replay_.Choose(sim, candidates);
}

}  // namespace dispatchlab::policy
