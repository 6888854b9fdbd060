// The job shop seen through env::Env.
//
// Action space: one action per job (a job has at most one candidate machine,
// the machine of its next operation), legal when (machine, job) is a
// candidate of the current decision point. Feature version 4 adds one hold
// action per machine after the jobs (action n + m: keep machine m idle
// until the next event; the simulator runs in DecisionMode::kHold), which
// acts on the machine's node.
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
#include <utility>
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
    kOpFeatureCountV2,      // versions 1 and 2 end here
    // Version 3: the next unstarted operation's view of where the job goes
    // after it (0 on every other row). Blocking means a job that finishes
    // here stays until its next machine takes it.
    kOpJobBlocked = kOpFeatureCountV2,  // the job holds a machine it would free by starting
    kOpSuccMachineHeld,     // the machine of the job's following op is held by another job
    kOpSuccMachineLeft,     // its holder's remaining processing / max duration (0 if blocked)
    kOpBlockingRisk,        // max(0, that - this op's duration) / max duration
    kOpFeatureCount
  };
  enum MachineFeature {
    kMachineFree, kMachineDown, kMachineHolderProcessing, kMachineHolderBlocked,
    kMachineRepairLeft,     // / max duration
    kMachineQueuedWork,     // unstarted work on this machine / load scale (versions below)
    kMachineFeatureCountV2,
    // Version 3:
    kMachineHolderLeft = kMachineFeatureCountV2,  // holder's remaining processing / max duration
    kMachineWaiting,        // jobs not processing whose next op is here / jobs
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
//   3  version 2's scaling plus 4 op and 2 machine columns (the enums'
//      tails): what blocking a candidate risks at its next machine, and how
//      many jobs wait for each machine. Versions 1 and 2 have 12 op and 6
//      machine columns.
//   4  version 3's columns, and the policy may hold machines: the wide
//      decision mode (DecisionMode::kHold), where every feasible blocking
//      schedule is reachable, instead of non-delay dispatching.
// A trained network records the version it was trained on (weights files
// without one are version 1), and its policy observes with that version.
inline constexpr int kJobShopFeaturesCurrent = 2;
inline constexpr int kJobShopFeaturesNewest = 5;
// Whether a version's policies decide in the wide mode (hold actions).
inline bool JobShopHolds(int version) { return version >= 4; }
// Version 5: no per-machine hold actions; instead a job that
// is processing, whose next op is on a free machine offering a hold, is a
// "reserve" action (hold that machine for it), on its next op's node.
inline bool JobShopReserves(int version) { return version >= 5; }
// Actions of a version's policies: one per job, plus one hold per machine
// in version 4.
inline int JobShopActions(const jobshop::Instance& instance, int version) {
  return instance.num_jobs() +
         (JobShopHolds(version) && !JobShopReserves(version) ? instance.num_machines : 0);
}
// Columns of the op and machine node sets in a feature version.
int JobShopOpFeatures(int version);
int JobShopMachineFeatures(int version);

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

  // What an Observation holds after a Write, for Update. One per buffer.
  struct Written {
    // Per job: rows [lo, hi] (op indices within the job) hold state- or
    // time-dependent content; rows before lo are "done", rows after hi
    // "future" (static but for the machine-down columns).
    std::vector<std::int32_t> lo, hi;
    std::vector<std::int32_t> first_unstarted;  // per job
    std::vector<std::uint8_t> down;             // per machine, at that write
    std::vector<SimTime> queued;                // per machine: unstarted work
    SimTime now = 0;
    // Optional caller-owned copies of the op and machine feature matrices
    // (sized like the node sets): Write copies everything there, Update
    // only the rows it rewrites, so they stay equal to obs's.
    float* mirror_op_rows = nullptr;
    float* mirror_machine_rows = nullptr;
    std::vector<std::pair<std::int32_t, std::int32_t>> changed;  // scratch: op rows [b, e)
  };
  // Write, also recording in `written` what Update needs.
  void Write(const jobshop::Simulator& sim, Observation* obs, Written* written) const;
  // Brings `obs` to the simulator's current decision point, bit-identical to
  // Write, rewriting only the operation rows that can have changed since the
  // Write/Update that filled `written` (a step changes a few rows per job
  // and the rows of down machines; the VectorEnv hot path). The simulator
  // must be in the same episode, not earlier, and nothing else may have
  // written `obs` since.
  void Update(const jobshop::Simulator& sim, Observation* obs, Written* written) const;

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

  // Rows [from, to] of job j, written from scratch (machine columns included).
  void WriteOpRows(const jobshop::Simulator& sim, int j, int from, int to,
                   bool candidate, float* op_rows) const;
  // Version 3's successor columns of row k (job j's next op; j waits or is
  // blocked).
  void WriteSuccessor(const jobshop::Simulator& sim, int j, int k, bool blocked,
                      float* row) const;
  // Machine rows (at `machine_rows`) and obs's globals (always rewritten).
  void WriteSmall(const jobshop::Simulator& sim, const SimTime* queued, float* machine_rows,
                  Observation* obs) const;

  const jobshop::Instance* instance_;
  int features_;
  int op_dim_, machine_dim_;  // row widths of this version
  float max_duration_ = 1, max_job_work_ = 1, total_work_ = 1;
  float load_scale_ = 1;  // what time-like features are divided by (see versions)
  double mean_duration_ = 1;
  std::vector<OpStatic> ops_;
  // Op indices on machine m: machine_ops_[machine_begin_[m] .. machine_begin_[m + 1]).
  std::vector<std::int32_t> machine_begin_, machine_ops_;
};

// Index into sim.candidates() of job j's candidate, or -1.
int CandidateOfJob(const jobshop::Simulator& sim, int job);
// The same for an action (a job, or n + m: machine m's hold), or -1. In
// version 5 a job without a start candidate maps to its reserve: the hold of
// its next op's machine.
int CandidateOfAction(const jobshop::Simulator& sim, int action, int features = 4);
// The action of a candidate: its job, or n + machine for a hold.
int ActionOfCandidate(const jobshop::Simulator& sim, const jobshop::Candidate& c);

class JobShopEnv final : public Env, public JobShopFeatures {
 public:
  static constexpr double kDeadlockPenalty = 2.0;

  // `instance` must outlive the env.
  JobShopEnv(const jobshop::Instance& instance, jobshop::SimOptions options,
             int features = kJobShopFeaturesCurrent);

  int num_actions() const override { return static_cast<int>(obs_.mask.size()); }
  const Observation& observation() const override { return obs_; }
  bool done() const override { return sim_.done(); }

  const jobshop::Simulator& simulator() const { return sim_; }

  // Keeps a copy of observation()'s op and machine feature matrices at
  // `op_rows` / `machine_rows` (caller-owned, sized like the node sets,
  // valid until the env is destroyed or this is called again; null stops).
  // Each step copies there only the rows it changed, so a VectorEnv's
  // batched buffers need no full copy per step. Copies the current
  // matrices there at once.
  void MirrorFeatures(float* op_rows, float* machine_rows);

 protected:
  void DoReset(std::uint64_t seed) override;
  StepResult DoStep(int action) override;

 private:
  double TimeReward(SimTime from);

  const jobshop::Instance* instance_;
  jobshop::Simulator sim_;
  JobShopObserver observer_;
  Observation obs_;
  JobShopObserver::Written written_;
};

}  // namespace dispatchlab::env
