// The interrupting, swap-allowed blocking job-shop simulator (ISBJSSP).
//
// Domain rules (../shared/DESIGN.md, domain A):
//  * Blocking: after O(j,k) finishes, job j keeps its machine until O(j,k+1)
//    starts; occupation of O(j,k) is [S(j,k), S(j,k+1)). The last operation
//    frees its machine on completion. Input and output stores are unlimited.
//  * Swaps (BlockingMode::kSwap, "BWS"): r >= 2 blocked jobs that each wait
//    for the machine held by the next one in a cycle move at the same
//    instant, as soon as the cycle forms and all its machines are up (no
//    voluntary idling). Chains (A leaves M1 for a free M2 while B enters M1)
//    are ordinary decisions at the same instant. kNoSwap ("BNS") never
//    swaps; when nothing can move any more the episode ends in a deadlock.
//  * Interruptions: a down machine accepts no job; a blocked job on it may
//    still leave; processing on it pauses and resumes after repair.
//    kPerOperation: each operation start draws, with probability p, one
//    breakdown at an integer offset uniform in [1, duration] after the start
//    (at offset == duration the machine fails as the operation completes:
//    nothing pauses, but it takes no new job until repaired), repair uniform
//    in [repair_min, repair_max]. kMtbf: each machine fails
//    after Exp(mtbf) calendar time since its last repair, repair Exp(mttr)
//    (both rounded up to whole ticks).
//    Every draw is keyed by (seed, operation) or (seed, machine), so two
//    policies on one seed meet the same disruptions (common random numbers).
//  * Decisions: at a time when some up machine is free and a job can enter
//    it (its next operation is there, and it waits in the input store or is
//    blocked), the candidates are all such (machine, job) pairs, ordered by
//    machine then job. A machine with a single candidate takes it without
//    asking (nothing could change that choice); when every free machine has
//    two or more, their candidates make a decision point. Non-delay: the
//    simulator never idles by choice.
//  * The wide decision mode (DecisionMode::kHold), for planners and learned
//    policies; rules stay non-delay. Every free, up, not-held machine with at
//    least one candidate job offers its (machine, job) candidates plus one
//    hold candidate (job invalid, op -1): "keep this machine idle until the
//    next event" (the next completion, failure or repair, after which it is
//    offered again). Holding is offered only while some operation is
//    processing or some machine is down (so a future event exists); with
//    nothing pending some job must start, so holds can never stall the
//    episode. Nothing starts without asking, except when the whole
//    candidate list has exactly one entry. Swap cycles still execute as soon
//    as they form (every schedule must perform them: none of the machines in
//    a cycle can take anything else first). With these rules every feasible
//    semi-active blocking schedule (every feasible set of machine
//    sequences, swaps included in BWS) is reachable: at each event the
//    policy starts exactly the operations the schedule starts then and
//    holds the rest. Infeasible choices are repaired, not masked: a policy
//    that holds machines for an order that would deadlock (a cycle of the
//    alternative graph of positive length, or in BNS any cycle; see
//    planner.h) loses the right to hold as soon as nothing is pending and
//    must start a waiting job, which in BWS always exists (non-delay BWS
//    never stalls). In BNS a start can still lead into a deadlock, as in
//    non-delay mode; it ends the episode as Outcome::kDeadlock, never a hang.
//  * Replay (SimOptions::machine_sequences) executes given machine sequences
//    exactly, in either decision mode: a free machine waits (holds) for the
//    job next in its sequence, so the result is the semi-active schedule of
//    those sequences; infeasible sequences end in Outcome::kDeadlock.
//
// Time is integer ticks (one processing-time unit). Events at equal time run
// in the order repair < completion < failure, then in scheduling order.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/event_queue.h"
#include "sim/core/rng.h"
#include "sim/core/time.h"
#include "sim/jobshop/instance.h"

namespace dispatchlab::jobshop {

enum class BlockingMode { kSwap, kNoSwap };
enum class DecisionMode { kNonDelay, kHold };
enum class BreakdownModel { kNone, kPerOperation, kMtbf };

const char* ToString(BlockingMode mode);  // "bws" / "bns"

struct BreakdownOptions {
  BreakdownModel model = BreakdownModel::kNone;
  double p = 0.0;  // kPerOperation: breakdown probability per operation start
  // Repair time bounds for kPerOperation, in ticks; a negative value means
  // the default 0.5x / 1.5x the instance's mean processing time.
  double repair_min = -1.0;
  double repair_max = -1.0;
  double mtbf = 0.0;  // kMtbf: mean calendar time between failures (> 0)
  double mttr = 0.0;  // kMtbf: mean repair time (> 0)
};

// Per-operation breakdowns with probability p and default repair bounds
// (p == 0 gives BreakdownModel::kNone).
BreakdownOptions PerOperationBreakdowns(double p);

// kPerOperation repair bounds in ticks: [repair_min, repair_max] rounded,
// defaults 0.5x / 1.5x the mean processing time, lo >= 1, hi >= lo.
std::pair<SimTime, SimTime> RepairBounds(const Instance& instance,
                                         const BreakdownOptions& breakdowns);

// The kPerOperation draw the simulator makes when O(j,k) starts: keyed by
// (seed, j, k) only. Clairvoyant baselines (ig) may read it; online
// policies must not.
struct OperationBreakdown {
  bool fails = false;
  SimTime offset = 0;  // in [1, duration] after the start
  SimTime repair = 0;  // in [repair_lo, repair_hi]
};
OperationBreakdown DrawOperationBreakdown(std::uint64_t seed, int j, int k,
                                          SimTime duration, double p,
                                          SimTime repair_lo, SimTime repair_hi);

struct SimOptions {
  BlockingMode mode = BlockingMode::kSwap;
  DecisionMode decisions = DecisionMode::kNonDelay;  // kHold: see above
  BreakdownOptions breakdowns;
  // Replay: when non-empty, machine m may only take the job that is next in
  // machine_sequences[m] (jobs in order, one entry per operation on m).
  // Swaps obey the sequences too. Size must equal the number of machines.
  std::vector<std::vector<JobId>> machine_sequences;
};

struct Candidate {
  MachineId machine;
  JobId job;   // invalid for a hold candidate (DecisionMode::kHold only)
  int op = 0;  // index of the operation the job would start; -1 for a hold
  bool hold() const { return !job.valid(); }
};

// One operation of the finished schedule. completion - start = duration plus
// the down time of the machine inside [start, completion).
struct ScheduledOp {
  JobId job;
  int op = 0;
  MachineId machine;
  SimTime start = -1;
  SimTime duration = 0;
  SimTime completion = -1;
  SimTime leave = -1;  // start of O(j,k+1); completion for the last one
};

struct DownInterval {
  MachineId machine;
  SimTime start = 0;
  SimTime end = 0;  // repair time; [start, end)
};

enum class Outcome { kRunning, kCompleted, kDeadlock };
const char* ToString(Outcome outcome);

struct EpisodeResult {
  Outcome outcome = Outcome::kRunning;
  SimTime makespan = 0;       // completion of the last job (kCompleted)
  SimTime end_time = 0;       // time the episode ended (also for deadlock)
  int swaps = 0;              // swap cycles executed
  int swap_moves = 0;         // job moves inside those cycles
  int breakdowns = 0;         // machine failures that happened
  int operations_dispatched = 0;
  int decisions = 0;          // decision points the policy was asked
  std::vector<ScheduledOp> schedule;  // job-major: all ops of job 0, then 1...
  std::vector<DownInterval> down;     // in order of failure
};

class Simulator {
 public:
  enum class JobStatus : std::uint8_t { kInput, kProcessing, kBlocked, kDone };

  // `instance` must outlive the simulator and be valid (ValidateInstance).
  Simulator(const Instance& instance, SimOptions options);

  // Starts a new episode. Does not advance: call AdvanceToDecision().
  void Reset(std::uint64_t seed);

  // Runs events, swaps and trivial decisions until a decision is pending
  // (returns true; every machine in candidates() then has >= 2 candidate
  // jobs) or the episode ended (false).
  bool AdvanceToDecision();

  // Starts candidates()[index] (or, for a hold candidate, holds its
  // machine). Only valid while a decision is pending.
  void Apply(int index);

  std::span<const Candidate> candidates() const { return candidates_; }
  bool done() const { return result_.outcome != Outcome::kRunning; }
  const EpisodeResult& result() const { return result_; }
  EpisodeResult TakeResult() { return std::move(result_); }

  // Called after every processed event and every operation start (tests
  // check invariants there; see the conformance test). Empty by default.
  using Observer = std::function<void(const Simulator&)>;
  void set_observer(Observer observer) { observer_ = std::move(observer); }

  // --- state, for rules and observations -----------------------------------
  const Instance& instance() const { return *instance_; }
  const SimOptions& options() const { return options_; }
  SimTime now() const { return now_; }
  JobStatus job_status(int j) const { return jobs_[j].status; }
  int next_op(int j) const { return jobs_[j].next_op; }
  int remaining_ops(int j) const { return job_len_[j] - jobs_[j].next_op; }
  // Processing time of the operations not yet started (next one included).
  SimTime remaining_work(int j) const { return jobs_[j].remaining_work; }
  SimTime total_work(int j) const { return job_total_[j]; }
  // Time the job became ready for its next operation (0 in the input store).
  SimTime ready_time(int j) const { return jobs_[j].ready_time; }
  // Remaining processing of the operation the job is on (when processing).
  SimTime remaining_processing(int j) const;
  int machine_holder(int m) const { return machines_[m].holder; }
  bool machine_down(int m) const { return machines_[m].down; }
  bool machine_held(int m) const { return machines_[m].held; }
  SimTime repair_time(int m) const { return machines_[m].repair_at; }
  const ScheduledOp& scheduled(int j, int k) const {
    return result_.schedule[op_offset_[j] + k];
  }
  int op_index(int j, int k) const { return op_offset_[j] + k; }

 private:
  enum class EventKind : std::uint8_t { kRepair, kCompletion, kFailure };
  struct EventData {
    EventKind kind;
    std::int32_t id;       // job (completion) or machine
    std::uint32_t version; // completion: job version when scheduled
    SimTime duration;      // failure: repair duration
  };
  struct JobState {
    JobStatus status = JobStatus::kInput;
    int next_op = 0;
    int machine = -1;  // held machine, -1 if none
    SimTime ready_time = 0;
    SimTime remaining_work = 0;
    SimTime remaining = 0;    // processing left of the current op
    SimTime resumed_at = 0;   // when processing last (re)started
    std::uint32_t version = 0;
  };
  struct MachineState {
    int holder = -1;
    bool down = false;
    SimTime repair_at = 0;
    std::vector<int> waiting;  // jobs whose next op is here, sorted
    std::size_t seq_pos = 0;   // replay: position in machine_sequences
    bool held = false;         // kHold: held idle until the next event
  };

  void ProcessEvent(const EventData& e);
  void StartOperation(int j, int m);
  void LeaveMachine(int j);
  void ExecuteSwaps();
  bool TrySwapFrom(int j);
  void ComputeCandidates();
  void ClearHolds();
  bool StartUncontested();
  void Finish(Outcome outcome);
  void ScheduleMtbfFailure(int m, SimTime from);
  bool SequenceAllows(int m, int j) const {
    return !replay_ || SequenceAllowsReplay(m, j);
  }
  bool SequenceAllowsReplay(int m, int j) const;
  // Recomputes machine m's bit in open_ after its holder, down, held or
  // waiting list changed.
  void UpdateOpen(int m) {
    const MachineState& ms = machines_[m];
    const std::uint64_t bit = std::uint64_t{1} << (m & 63);
    if (ms.holder < 0 && !ms.down && !ms.held && !ms.waiting.empty()) open_[m >> 6] |= bit;
    else open_[m >> 6] &= ~bit;
  }
  int WantedMachine(int j) const {
    return instance_->jobs[j][jobs_[j].next_op].machine.value;
  }

  const Instance* instance_;
  SimOptions options_;
  bool hold_mode_ = false;
  bool replay_ = false;  // machine_sequences given
  std::uint64_t seed_ = 0;
  SimTime repair_lo_ = 1, repair_hi_ = 1;

  std::vector<int> job_len_;
  std::vector<SimTime> job_total_;
  std::vector<int> op_offset_;

  SimTime now_ = 0;
  EventQueue<EventData> queue_;
  std::vector<JobState> jobs_;
  std::vector<MachineState> machines_;
  // Bit m (word m / 64) set: machine m is free, up, not held and some job
  // waits for it, i.e. it may have candidates. ComputeCandidates visits only
  // these, in machine order; every change of those four fields calls
  // UpdateOpen.
  std::vector<std::uint64_t> open_;
  std::vector<Rng> mtbf_rng_;
  std::vector<int> swap_check_;  // blocked jobs that may close a cycle
  std::vector<int> cycle_;       // scratch
  std::vector<Candidate> candidates_;
  int jobs_done_ = 0;
  int processing_ = 0;
  int machines_down_ = 0;
  bool swapping_ = false;
  EpisodeResult result_;
  Observer observer_;
};

// The decision interface. Rules, search heuristics and learned policies
// implement it; the simulator never depends on any of them.
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string name() const = 0;
  // Called once per episode with the episode seed (for policy randomness).
  virtual void Reset(std::uint64_t /*episode_seed*/) {}
  // Returns an index into `candidates` (size >= 2).
  virtual int Choose(const Simulator& sim,
                     std::span<const Candidate> candidates) = 0;
  // The decision mode the policy is written for. RunEpisode (and every run
  // path) uses kHold when a policy asks for it; rules keep the default.
  virtual DecisionMode decisions() const { return DecisionMode::kNonDelay; }
};

// A pure function of (instance, options, seed, policy). options.decisions
// is raised to kHold when policy.decisions() asks for it.
EpisodeResult RunEpisode(const Instance& instance, const SimOptions& options,
                         std::uint64_t seed, Policy& policy);

}  // namespace dispatchlab::jobshop
