// The job shop seen through env::Env.
//
// Action space: one action per job (a job has at most one candidate machine,
// the machine of its next operation), legal when (machine, job) is a
// candidate of the current decision point.
//
// Node sets:
//   0 "op"       one node per operation, job-major (index = Simulator::op_index)
//   1 "machine"  one node per machine
// Edge sets (static for the episode, written on Reset):
//   "next"        op(j,k) -> op(j,k+1)   conjunctive arcs
//   "prev"        op(j,k+1) -> op(j,k)
//   "op_machine"  op -> its machine
//   "machine_op"  machine -> op
// Reward: minus the simulated time that passed since the last decision,
// divided by the instance's mean processing time; an episode's return is
// -makespan / mean. A BNS deadlock ends the episode with an extra
// -kDeadlockPenalty x (total work / mean).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/env/env.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::env {

// Feature layout of the job-shop observation.
struct JobShopFeatures {
  // Operation features (node set 0), in this order.
  enum OpFeature {
    kOpDone, kOpProcessing, kOpBlocked, kOpCandidate, kOpFuture,
    kOpDuration,            // duration / max duration
    kOpRemainingProcessing, // of the running op / max duration
    kOpJobRemainingWork,    // work of this and later ops of the job / max job work
    kOpJobRemainingOps,     // ops from this one on / machines
    kOpWaiting,             // (now - ready time) / max duration, next op only
    kOpMachineDown,
    kOpMachineRepairLeft,   // / max duration
    kOpFeatureCount
  };
  enum MachineFeature {
    kMachineFree, kMachineDown, kMachineHolderProcessing, kMachineHolderBlocked,
    kMachineRepairLeft,     // / max duration
    kMachineQueuedWork,     // unstarted work on this machine / load scale (versions below)
    kMachineFeatureCount
  };
};

// Versions of the features' scaling (the layout is the same in both):
//   1  time-like globals and machine queued work divided by the instance's
//      total work, which shrinks with the number of machines: a 6x6 and a
//      30x20 instance at the same stage of their schedules read differently;
//   2  (current) divided by the mean machine load (total work / machines),
//      which is about the same share of a schedule at every size: now /
//      load is ~1-3 over an episode, queued work / load ~1 at the start.
// A trained network records the version it was trained on (weights files
// without one are version 1), and its policy observes with that version.
inline constexpr int kJobShopFeaturesCurrent = 2;

// Writes job-shop decision points as Observations: used by JobShopEnv and by
// learned policies that observe an outside Simulator. Node sets, edge sets
// and features are documented on JobShopEnv below.
class JobShopObserver : public JobShopFeatures {
 public:
  explicit JobShopObserver(const jobshop::Instance& instance,
                           int features = kJobShopFeaturesCurrent);
  // Sizes the buffers and writes the static edges (once per instance).
  void Init(Observation* obs) const;
  // Writes features, mask and action nodes for the simulator's current
  // decision point. `obs` must have been Init-ed for the same instance.
  void Write(const jobshop::Simulator& sim, Observation* obs) const;

  const jobshop::Instance& instance() const { return *instance_; }
  double mean_duration() const { return mean_duration_; }
  float total_work() const { return total_work_; }
  int features() const { return features_; }

 private:
  // What an operation's row holds whatever the state, computed once per
  // instance (Write is on the VectorEnv hot path: no divisions or instance
  // lookups per operation and step). Indexed by Simulator::op_index.
  struct OpStatic {
    float duration;        // kOpDuration
    float remaining_ops;   // kOpJobRemainingOps
    float remaining_work;  // kOpJobRemainingWork while unstarted
    std::int32_t machine;
    SimTime work;          // the duration in ticks
  };

  const jobshop::Instance* instance_;
  int features_;
  float max_duration_ = 1, max_job_work_ = 1, total_work_ = 1;
  float load_scale_ = 1;  // what time-like features are divided by (see versions)
  double mean_duration_ = 1;
  std::vector<OpStatic> ops_;
};

// Index into sim.candidates() of job j's candidate, or -1.
int CandidateOfJob(const jobshop::Simulator& sim, int job);

class JobShopEnv final : public Env, public JobShopFeatures {
 public:
  static constexpr double kDeadlockPenalty = 2.0;

  // `instance` must outlive the env.
  JobShopEnv(const jobshop::Instance& instance, jobshop::SimOptions options,
             int features = kJobShopFeaturesCurrent);

  int num_actions() const override { return instance_->num_jobs(); }
  const Observation& observation() const override { return obs_; }
  bool done() const override { return sim_.done(); }

  const jobshop::Simulator& simulator() const { return sim_; }

 protected:
  void DoReset(std::uint64_t seed) override;
  StepResult DoStep(int action) override;

 private:
  double TimeReward(SimTime from);

  const jobshop::Instance* instance_;
  jobshop::Simulator sim_;
  JobShopObserver observer_;
  Observation obs_;
};

}  // namespace dispatchlab::env
