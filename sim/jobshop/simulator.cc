#include "sim/jobshop/simulator.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "sim/core/check.h"

namespace dispatchlab::jobshop {
namespace {
// Equal-time order: a repair first (the machine can take work at once), then
// completions, then failures (an operation that ends at t is not paused by a
// failure at t).
constexpr std::int32_t kPriorityRepair = 0;
constexpr std::int32_t kPriorityCompletion = 1;
constexpr std::int32_t kPriorityFailure = 2;

SimTime RoundUpTicks(double x) {
  return std::max<SimTime>(1, static_cast<SimTime>(std::ceil(x)));
}
}  // namespace

const char* ToString(BlockingMode mode) {
  return mode == BlockingMode::kSwap ? "bws" : "bns";
}

const char* ToString(Outcome outcome) {
  switch (outcome) {
    case Outcome::kRunning: return "running";
    case Outcome::kCompleted: return "completed";
    case Outcome::kDeadlock: return "deadlock";
  }
  return "?";
}

std::pair<SimTime, SimTime> RepairBounds(const Instance& instance,
                                         const BreakdownOptions& b) {
  const double mean = instance.MeanDuration();
  const double lo = b.repair_min >= 0 ? b.repair_min : 0.5 * mean;
  const double hi = b.repair_max >= 0 ? b.repair_max : 1.5 * mean;
  const SimTime repair_lo = std::max<SimTime>(1, std::llround(lo));
  return {repair_lo, std::max<SimTime>(repair_lo, std::llround(hi))};
}

OperationBreakdown DrawOperationBreakdown(std::uint64_t seed, int j, int k,
                                          SimTime duration, double p,
                                          SimTime repair_lo, SimTime repair_hi) {
  Rng rng = Rng::Stream(seed, StreamTag::kJobShopBreakdown,
                        static_cast<std::uint64_t>(j), static_cast<std::uint64_t>(k));
  OperationBreakdown d;
  // A zero-duration operation has no inside point to break down at.
  if (rng.Bernoulli(p) && duration > 0) {
    d.fails = true;
    d.offset = rng.UniformInt(1, duration);
    d.repair = rng.UniformInt(repair_lo, repair_hi);
  }
  return d;
}

BreakdownOptions PerOperationBreakdowns(double p) {
  BreakdownOptions b;
  b.model = p > 0 ? BreakdownModel::kPerOperation : BreakdownModel::kNone;
  b.p = p;
  return b;
}

Simulator::Simulator(const Instance& instance, SimOptions options)
    : instance_(&instance),
      options_(std::move(options)),
      hold_mode_(options_.decisions == DecisionMode::kHold),
      replay_(!options_.machine_sequences.empty()) {
  const int n = instance.num_jobs();
  const int m = instance.num_machines;
  job_len_.resize(n);
  job_total_.resize(n);
  op_offset_.resize(n);
  int offset = 0;
  for (int j = 0; j < n; ++j) {
    job_len_[j] = static_cast<int>(instance.jobs[j].size());
    op_offset_[j] = offset;
    offset += job_len_[j];
    SimTime total = 0;
    for (const Operation& op : instance.jobs[j]) total += op.duration;
    job_total_[j] = total;
  }
  jobs_.resize(n);
  machines_.resize(m);
  open_.assign((m + 63) / 64, 0);
  for (auto& ms : machines_) ms.waiting.reserve(n);
  candidates_.reserve(static_cast<std::size_t>(m) * n);
  cycle_.reserve(n);
  swap_check_.reserve(n);

  const BreakdownOptions& b = options_.breakdowns;
  DL_CHECK(b.p >= 0.0 && b.p <= 1.0);
  const auto [repair_lo, repair_hi] = RepairBounds(instance, b);
  repair_lo_ = repair_lo;
  repair_hi_ = repair_hi;
  if (b.model == BreakdownModel::kMtbf) DL_CHECK(b.mtbf > 0 && b.mttr > 0);
  if (!options_.machine_sequences.empty())
    DL_CHECK(static_cast<int>(options_.machine_sequences.size()) == m);
}

void Simulator::Reset(std::uint64_t seed) {
  seed_ = seed;
  now_ = 0;
  queue_.Clear();
  jobs_done_ = processing_ = machines_down_ = 0;
  swap_check_.clear();
  candidates_.clear();

  const int n = instance_->num_jobs();
  result_.outcome = Outcome::kRunning;
  result_.makespan = result_.end_time = 0;
  result_.swaps = result_.swap_moves = result_.breakdowns = 0;
  result_.operations_dispatched = result_.decisions = 0;
  result_.schedule.resize(instance_->num_operations());
  result_.down.clear();
  for (int j = 0; j < n; ++j) {
    for (int k = 0; k < job_len_[j]; ++k) {
      const Operation& op = instance_->jobs[j][k];
      result_.schedule[op_offset_[j] + k] =
          ScheduledOp{JobId(j), k, op.machine, -1, op.duration, -1, -1};
    }
  }
  for (auto& ms : machines_) {
    ms.holder = -1;
    ms.down = false;
    ms.repair_at = 0;
    ms.waiting.clear();
    ms.seq_pos = 0;
    ms.held = false;
  }
  for (int j = 0; j < n; ++j) {
    JobState& js = jobs_[j];
    js = JobState{};
    js.remaining_work = job_total_[j];
    machines_[WantedMachine(j)].waiting.push_back(j);  // j ascending: sorted
  }
  for (int m = 0; m < instance_->num_machines; ++m) UpdateOpen(m);
  if (options_.breakdowns.model == BreakdownModel::kMtbf) {
    mtbf_rng_.clear();
    for (int m = 0; m < instance_->num_machines; ++m) {
      mtbf_rng_.push_back(Rng::Stream(seed, StreamTag::kJobShopMtbf,
                                      static_cast<std::uint64_t>(m)));
      ScheduleMtbfFailure(m, 0);
    }
  }
}

void Simulator::ScheduleMtbfFailure(int m, SimTime from) {
  Rng& rng = mtbf_rng_[m];
  const SimTime gap = RoundUpTicks(rng.Exponential(options_.breakdowns.mtbf));
  const SimTime repair = RoundUpTicks(rng.Exponential(options_.breakdowns.mttr));
  queue_.Push(from + gap, kPriorityFailure,
              EventData{EventKind::kFailure, m, 0, repair});
}

SimTime Simulator::remaining_processing(int j) const {
  const JobState& js = jobs_[j];
  if (js.status != JobStatus::kProcessing) return 0;
  if (machines_[js.machine].down) return js.remaining;
  return js.remaining - (now_ - js.resumed_at);
}

bool Simulator::SequenceAllowsReplay(int m, int j) const {
  const auto& seq = options_.machine_sequences[m];
  const std::size_t pos = machines_[m].seq_pos;
  return pos < seq.size() && seq[pos].value == j;
}

bool Simulator::AdvanceToDecision() {
  if (done()) return false;
  for (;;) {
    while (!queue_.empty() && queue_.NextTime() == now_) {
      ProcessEvent(queue_.Pop().payload);
      if (hold_mode_) [[unlikely]] ClearHolds();
      if (observer_) [[unlikely]] observer_(*this);
    }
    if (jobs_done_ == instance_->num_jobs()) {
      Finish(Outcome::kCompleted);
      return false;
    }
    if (options_.mode == BlockingMode::kSwap) ExecuteSwaps();
    // A start may schedule a failure at offset 0, i.e. now: run it first.
    if (!queue_.empty() && queue_.NextTime() == now_) continue;
    ComputeCandidates();
    if (hold_mode_) [[unlikely]] {
      if (candidates_.size() == 1) {  // the only thing that can happen now
        StartOperation(candidates_[0].job.value, candidates_[0].machine.value);
        candidates_.clear();
        continue;
      }
    } else if (StartUncontested()) {
      continue;
    }
    if (!candidates_.empty()) {
      ++result_.decisions;
      return true;
    }
    // Nothing can start now. Without a running operation or a pending
    // repair no future event can change that: deadlock (BNS only; with swaps
    // a blocked structure always has a candidate or a cycle).
    if (processing_ == 0 && machines_down_ == 0) {
      DL_CHECK_MSG(options_.mode == BlockingMode::kNoSwap ||
                       !options_.machine_sequences.empty(),
                   "stuck with swaps allowed");
      Finish(Outcome::kDeadlock);
      return false;
    }
    DL_CHECK(!queue_.empty());
    now_ = queue_.NextTime();
  }
}

void Simulator::Apply(int index) {
  DL_CHECK(!done());
  DL_CHECK(index >= 0 && index < static_cast<int>(candidates_.size()));
  const Candidate c = candidates_[index];
  candidates_.clear();
  if (c.hold()) {
    machines_[c.machine.value].held = true;
    UpdateOpen(c.machine.value);
    return;
  }
  StartOperation(c.job.value, c.machine.value);
}

void Simulator::ComputeCandidates() {
  candidates_.clear();
  // kHold: a hold needs a future event that can change the situation.
  const bool can_hold = hold_mode_ && (processing_ > 0 || machines_down_ > 0);
  for (std::size_t w = 0; w < open_.size(); ++w) {
    for (std::uint64_t bits = open_[w]; bits != 0; bits &= bits - 1) {
      const int m = static_cast<int>(w * 64) + std::countr_zero(bits);
      const MachineState& ms = machines_[m];
      DL_DCHECK(ms.holder < 0 && !ms.down && !ms.held && !ms.waiting.empty());
      const std::size_t before = candidates_.size();
      for (int j : ms.waiting) {
        if (!SequenceAllows(m, j)) continue;
        candidates_.push_back({MachineId(m), JobId(j), jobs_[j].next_op});
      }
      if (can_hold && candidates_.size() > before)
        candidates_.push_back({MachineId(m), JobId(), -1});
    }
  }
}

void Simulator::ClearHolds() {
  for (int m = 0; m < static_cast<int>(machines_.size()); ++m) {
    if (!machines_[m].held) continue;
    machines_[m].held = false;
    UpdateOpen(m);
  }
}

// A machine with a single candidate job gets it now: no decision can change
// that (non-delay), since a machine's waiting list grows only through events,
// never through starts at the same instant. Only machines that several jobs
// compete for make a decision point.
bool Simulator::StartUncontested() {
  bool started = false;
  const std::size_t n = candidates_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const int m = candidates_[i].machine.value;
    const bool alone = (i == 0 || candidates_[i - 1].machine.value != m) &&
                       (i + 1 == n || candidates_[i + 1].machine.value != m);
    if (!alone) continue;
    StartOperation(candidates_[i].job.value, m);
    started = true;
  }
  if (started) candidates_.clear();
  return started;
}

void Simulator::LeaveMachine(int j) {
  JobState& js = jobs_[j];
  if (js.machine < 0) return;
  result_.schedule[op_offset_[j] + js.next_op - 1].leave = now_;
  machines_[js.machine].holder = -1;
  UpdateOpen(js.machine);
  js.machine = -1;
}

// Starts O(j, next_op) on machine m. The caller has checked that m is free
// (or is being handed over inside a swap) and up.
void Simulator::StartOperation(int j, int m) {
  JobState& js = jobs_[j];
  MachineState& ms = machines_[m];
  const int k = js.next_op;
  const Operation& op = instance_->jobs[j][k];
  DL_DCHECK(op.machine.value == m);
  DL_DCHECK(!ms.down);
  DL_DCHECK(js.status == JobStatus::kInput || js.status == JobStatus::kBlocked);

  auto it = std::find(ms.waiting.begin(), ms.waiting.end(), j);
  DL_DCHECK(it != ms.waiting.end());
  ms.waiting.erase(it);
  LeaveMachine(j);  // a blocked job frees its machine (no-op inside a swap)
  ms.holder = j;
  UpdateOpen(m);
  if (replay_) ++ms.seq_pos;
  js.machine = m;
  js.status = JobStatus::kProcessing;
  js.remaining = op.duration;
  js.resumed_at = now_;
  js.remaining_work -= op.duration;
  ++js.version;
  ++processing_;
  ++result_.operations_dispatched;
  result_.schedule[op_offset_[j] + k].start = now_;
  queue_.Push(now_ + op.duration, kPriorityCompletion,
              EventData{EventKind::kCompletion, j, js.version, 0});

  const BreakdownOptions& b = options_.breakdowns;
  if (b.model == BreakdownModel::kPerOperation) {
    const OperationBreakdown d =
        DrawOperationBreakdown(seed_, j, k, op.duration, b.p, repair_lo_, repair_hi_);
    if (d.fails)
      queue_.Push(now_ + d.offset, kPriorityFailure,
                  EventData{EventKind::kFailure, m, 0, d.repair});
  }
  if (observer_ && !swapping_) [[unlikely]] observer_(*this);
}

void Simulator::ProcessEvent(const EventData& e) {
  switch (e.kind) {
    case EventKind::kCompletion: {
      JobState& js = jobs_[e.id];
      if (js.version != e.version || js.status != JobStatus::kProcessing)
        return;  // superseded by a pause
      const int j = e.id;
      const int k = js.next_op;
      result_.schedule[op_offset_[j] + k].completion = now_;
      --processing_;
      js.next_op = k + 1;
      js.ready_time = now_;
      if (js.next_op == job_len_[j]) {
        result_.schedule[op_offset_[j] + k].leave = now_;
        machines_[js.machine].holder = -1;
        UpdateOpen(js.machine);
        js.machine = -1;
        js.status = JobStatus::kDone;
        ++jobs_done_;
        result_.makespan = std::max(result_.makespan, now_);
      } else {
        js.status = JobStatus::kBlocked;
        const int want = WantedMachine(j);
        auto& waiting = machines_[want].waiting;
        waiting.insert(std::lower_bound(waiting.begin(), waiting.end(), j), j);
        UpdateOpen(want);
        swap_check_.push_back(j);
      }
      return;
    }
    case EventKind::kFailure: {
      MachineState& ms = machines_[e.id];
      if (ms.down) return;  // cannot happen with one model; be safe
      if (jobs_done_ == instance_->num_jobs()) return;
      ms.down = true;
      UpdateOpen(e.id);
      ms.repair_at = now_ + e.duration;
      ++machines_down_;
      ++result_.breakdowns;
      result_.down.push_back({MachineId(e.id), now_, ms.repair_at});
      if (ms.holder >= 0) {
        JobState& js = jobs_[ms.holder];
        if (js.status == JobStatus::kProcessing) {
          js.remaining -= now_ - js.resumed_at;
          DL_DCHECK(js.remaining > 0);
          ++js.version;  // cancels the scheduled completion
        }
      }
      queue_.Push(ms.repair_at, kPriorityRepair,
                  EventData{EventKind::kRepair, e.id, 0, 0});
      return;
    }
    case EventKind::kRepair: {
      MachineState& ms = machines_[e.id];
      DL_CHECK(ms.down);
      ms.down = false;
      UpdateOpen(e.id);
      --machines_down_;
      if (ms.holder >= 0) {
        JobState& js = jobs_[ms.holder];
        if (js.status == JobStatus::kProcessing) {
          js.resumed_at = now_;
          queue_.Push(now_ + js.remaining, kPriorityCompletion,
                      EventData{EventKind::kCompletion, ms.holder, js.version,
                                0});
        } else if (js.status == JobStatus::kBlocked) {
          swap_check_.push_back(ms.holder);
        }
      }
      // A blocked job waiting for this machine may now close a cycle.
      for (int j : ms.waiting)
        if (jobs_[j].status == JobStatus::kBlocked) swap_check_.push_back(j);
      if (options_.breakdowns.model == BreakdownModel::kMtbf)
        ScheduleMtbfFailure(e.id, now_);
      return;
    }
  }
}

void Simulator::ExecuteSwaps() {
  while (!swap_check_.empty()) {
    const int j = swap_check_.back();
    swap_check_.pop_back();
    TrySwapFrom(j);
  }
}

// The waits-for graph among blocked jobs has out-degree <= 1 (a blocked job
// wants exactly one machine, a machine has at most one holder), so its cycles
// are disjoint and found by following successors; no general graph search
// is needed on this hot path. (The validator, which must not share code with
// this file, detects swap cycles with Boost.Graph instead.)
bool Simulator::TrySwapFrom(int start) {
  if (jobs_[start].status != JobStatus::kBlocked) return false;
  cycle_.clear();
  int j = start;
  const int n = instance_->num_jobs();
  for (int steps = 0; steps <= n; ++steps) {
    const JobState& js = jobs_[j];
    if (js.status != JobStatus::kBlocked) return false;
    const int want = WantedMachine(j);
    const MachineState& target = machines_[want];
    if (target.down || !SequenceAllows(want, j)) return false;
    cycle_.push_back(j);
    const int next = target.holder;
    if (next < 0) return false;  // free machine: an ordinary candidate
    if (next == start) break;
    j = next;
  }
  // Verify closure: the last job wants the machine the first one holds.
  if (machines_[WantedMachine(cycle_.back())].holder != start) return false;
  DL_CHECK(cycle_.size() >= 2);

  // Everyone leaves, then everyone enters: all at the same instant.
  swapping_ = true;  // observers see the state before and after, not inside
  for (int c : cycle_) LeaveMachine(c);
  for (int c : cycle_) StartOperation(c, WantedMachine(c));
  swapping_ = false;
  ++result_.swaps;
  result_.swap_moves += static_cast<int>(cycle_.size());
  if (observer_) [[unlikely]] observer_(*this);
  return true;
}

void Simulator::Finish(Outcome outcome) {
  result_.outcome = outcome;
  result_.end_time = now_;
  candidates_.clear();
  if (outcome != Outcome::kCompleted) result_.makespan = 0;
}

EpisodeResult RunEpisode(const Instance& instance, const SimOptions& options,
                         std::uint64_t seed, Policy& policy) {
  SimOptions o = options;
  if (policy.decisions() == DecisionMode::kHold) o.decisions = DecisionMode::kHold;
  Simulator sim(instance, std::move(o));
  sim.Reset(seed);
  policy.Reset(seed);
  while (sim.AdvanceToDecision()) {
    const int choice = policy.Choose(sim, sim.candidates());
    sim.Apply(choice);
  }
  return sim.TakeResult();
}

}  // namespace dispatchlab::jobshop
