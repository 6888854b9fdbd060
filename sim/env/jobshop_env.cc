#include "sim/env/jobshop_env.h"

#include <algorithm>

namespace dispatchlab::env {

using jobshop::Simulator;

namespace {
// The machine of the op after job j's running one, or -1.
int ReserveMachine(const jobshop::Simulator& sim, int j) {
  if (sim.job_status(j) != jobshop::Simulator::JobStatus::kProcessing) return -1;
  const auto& job = sim.instance().jobs[j];
  const int k = sim.next_op(j) + 1;
  return k < static_cast<int>(job.size()) ? job[k].machine.value : -1;
}
}  // namespace

int CandidateOfAction(const jobshop::Simulator& sim, int action, int features) {
  const int n = sim.instance().num_jobs();
  if (action < n) {
    const int c = CandidateOfJob(sim, action);
    if (c >= 0 || !JobShopReserves(features)) return c;
    const int m = ReserveMachine(sim, action);
    const auto cands = sim.candidates();
    for (int i = 0; i < static_cast<int>(cands.size()); ++i)
      if (cands[i].hold() && cands[i].machine.value == m) return i;
    return -1;
  }
  const auto c = sim.candidates();
  for (int i = 0; i < static_cast<int>(c.size()); ++i)
    if (c[i].hold() && c[i].machine.value == action - n) return i;
  return -1;
}

int ActionOfCandidate(const jobshop::Simulator& sim, const jobshop::Candidate& c) {
  return c.hold() ? sim.instance().num_jobs() + c.machine.value : c.job.value;
}

int JobShopOpFeatures(int version) {
  return version >= 3 ? JobShopFeatures::kOpFeatureCount : JobShopFeatures::kOpFeatureCountV2;
}
int JobShopMachineFeatures(int version) {
  return version >= 3 ? JobShopFeatures::kMachineFeatureCount
                      : JobShopFeatures::kMachineFeatureCountV2;
}

JobShopObserver::JobShopObserver(const jobshop::Instance& instance, int features)
    : instance_(&instance),
      features_(features),
      op_dim_(JobShopOpFeatures(features)),
      machine_dim_(JobShopMachineFeatures(features)) {
  DL_CHECK_MSG(features >= 1 && features <= kJobShopFeaturesNewest,
               "unknown job-shop feature version");
  SimTime max_dur = 1, max_job = 1;
  for (const auto& job : instance.jobs) {
    SimTime w = 0;
    for (const auto& op : job) {
      max_dur = std::max(max_dur, op.duration);
      w += op.duration;
    }
    max_job = std::max(max_job, w);
  }
  max_duration_ = static_cast<float>(max_dur);
  max_job_work_ = static_cast<float>(max_job);
  total_work_ = static_cast<float>(std::max<SimTime>(1, instance.TotalWork()));
  mean_duration_ = std::max(1e-9, instance.MeanDuration());
  load_scale_ = features_ == 1 ? total_work_
                               : total_work_ / static_cast<float>(std::max(1, instance.num_machines));
  // The same float expressions Write used to evaluate per step, so rows stay
  // bit-identical.
  const int m = instance.num_machines;
  ops_.reserve(static_cast<std::size_t>(instance.num_operations()));
  for (const auto& job : instance.jobs) {
    std::vector<SimTime> suffix(job.size() + 1, 0);  // work of ops k..end
    for (std::size_t k = job.size(); k-- > 0;) suffix[k] = suffix[k + 1] + job[k].duration;
    for (std::size_t k = 0; k < job.size(); ++k)
      ops_.push_back({static_cast<float>(job[k].duration) / max_duration_,
                      static_cast<float>(job.size() - k) / m,
                      static_cast<float>(suffix[k]) / max_job_work_, job[k].machine.value,
                      job[k].duration});
  }
  machine_begin_.assign(m + 1, 0);
  for (const OpStatic& st : ops_) ++machine_begin_[st.machine + 1];
  for (int mm = 0; mm < m; ++mm) machine_begin_[mm + 1] += machine_begin_[mm];
  machine_ops_.resize(ops_.size());
  std::vector<std::int32_t> fill(machine_begin_.begin(), machine_begin_.end() - 1);
  for (std::size_t i = 0; i < ops_.size(); ++i)
    machine_ops_[fill[ops_[i].machine]++] = static_cast<std::int32_t>(i);
}

void JobShopObserver::Init(Observation* obs) const {
  const jobshop::Instance& instance = *instance_;
  const int n = instance.num_jobs(), m = instance.num_machines;
  const int ops = instance.num_operations();
  obs->node_sets = {NodeSet{"op", ops, op_dim_, {}}, NodeSet{"machine", m, machine_dim_, {}}};
  obs->node_sets[0].features.assign(static_cast<std::size_t>(ops) * op_dim_, 0.f);
  obs->node_sets[1].features.assign(static_cast<std::size_t>(m) * machine_dim_, 0.f);
  EdgeSet next{"next", 0, 0, {}, {}}, prev{"prev", 0, 0, {}, {}};
  EdgeSet om{"op_machine", 0, 1, {}, {}}, mo{"machine_op", 1, 0, {}, {}};
  int idx = 0;
  for (int j = 0; j < n; ++j) {
    const auto& job = instance.jobs[j];
    for (std::size_t k = 0; k < job.size(); ++k, ++idx) {
      if (k + 1 < job.size()) {
        next.src.push_back(idx);
        next.dst.push_back(idx + 1);
        prev.src.push_back(idx + 1);
        prev.dst.push_back(idx);
      }
      om.src.push_back(idx);
      om.dst.push_back(job[k].machine.value);
      mo.src.push_back(job[k].machine.value);
      mo.dst.push_back(idx);
    }
  }
  obs->edge_sets = {std::move(next), std::move(prev), std::move(om), std::move(mo)};
  obs->globals.assign(2, 0.f);
  const int actions = JobShopActions(*instance_, features_);
  obs->mask.assign(actions, 0);
  obs->action_node_set = 0;
  obs->action_nodes.assign(actions, -1);
  obs->action_sets.clear();
  if (actions > n) {  // holds act on machine nodes
    obs->action_sets.assign(actions, 0);
    std::fill(obs->action_sets.begin() + n, obs->action_sets.end(), std::uint8_t{1});
  }
  }

int CandidateOfJob(const jobshop::Simulator& sim, int job) {
  const auto c = sim.candidates();
  for (int i = 0; i < static_cast<int>(c.size()); ++i)
    if (c[i].job.value == job) return i;
  return -1;
}

namespace {
jobshop::SimOptions WithDecisions(jobshop::SimOptions options, int features) {
  if (JobShopHolds(features)) options.decisions = jobshop::DecisionMode::kHold;
  return options;
}
}  // namespace

JobShopEnv::JobShopEnv(const jobshop::Instance& instance, jobshop::SimOptions options,
                       int features)
    : instance_(&instance),
      sim_(instance, WithDecisions(std::move(options), features)),
      observer_(instance, features) {
  observer_.Init(&obs_);
}

void JobShopEnv::MirrorFeatures(float* op_rows, float* machine_rows) {
  DL_CHECK((op_rows == nullptr) == (machine_rows == nullptr));
  written_.mirror_op_rows = op_rows;
  written_.mirror_machine_rows = machine_rows;
  if (!op_rows) return;
  std::copy(obs_.node_sets[0].features.begin(), obs_.node_sets[0].features.end(), op_rows);
  std::copy(obs_.node_sets[1].features.begin(), obs_.node_sets[1].features.end(), machine_rows);
}

double JobShopEnv::TimeReward(SimTime from) {
  return -static_cast<double>(sim_.now() - from) / observer_.mean_duration();
}

void JobShopEnv::DoReset(std::uint64_t seed) {
  sim_.Reset(seed);
  sim_.AdvanceToDecision();
  observer_.Write(sim_, &obs_, &written_);
}

StepResult JobShopEnv::DoStep(int action) {
  const SimTime before = sim_.now();
  const int c = CandidateOfAction(sim_, action, observer_.features());
  DL_CHECK(c >= 0);
  sim_.Apply(c);
  sim_.AdvanceToDecision();
  StepResult r;
  r.reward = TimeReward(before);
  r.done = sim_.done();
  if (r.done && sim_.result().outcome == jobshop::Outcome::kDeadlock)
    r.reward -= kDeadlockPenalty * observer_.total_work() / observer_.mean_duration();
  observer_.Update(sim_, &obs_, &written_);
  return r;
}

namespace {
// Where job j's rows change with its state: [lo, hi] (see Written), and its
// first unstarted operation.
struct JobRows {
  int lo, hi, first_unstarted;
};
JobRows RowsOf(const Simulator& sim, int j) {
  const int next = sim.next_op(j);
  switch (sim.job_status(j)) {
    case Simulator::JobStatus::kProcessing: return {next, next, next + 1};
    case Simulator::JobStatus::kBlocked: return {next - 1, next, next};
    default: return {next, next, next};  // input store, or done (next == len)
  }
}
}  // namespace

void JobShopObserver::WriteOpRows(const Simulator& sim, int j, int from, int to,
                                  bool candidate, float* op_rows) const {
  const SimTime now = sim.now();
  const int next = sim.next_op(j);
  const auto status = sim.job_status(j);
  // While processing, next_op is the running op; while blocked, the
  // held op is next_op - 1 and next_op is the one to start.
  const bool processing = status == Simulator::JobStatus::kProcessing;
  const int running = processing ? next : -1;
  const int held = status == Simulator::JobStatus::kBlocked ? next - 1 : -1;
  const int first_unstarted = processing ? next + 1 : next;
  const int base = sim.op_index(j, 0);
  for (int k = from; k <= to; ++k) {
    const OpStatic& st = ops_[base + k];
    const int mach = st.machine;
    float* row = op_rows + static_cast<std::size_t>(base + k) * op_dim_;
    std::fill_n(row, op_dim_, 0.f);
    row[kOpDuration] = st.duration;
    if (sim.machine_down(mach)) {
      row[kOpMachineDown] = 1.f;
      row[kOpMachineRepairLeft] =
          static_cast<float>(sim.repair_time(mach) - now) / max_duration_;
    }
    row[kOpJobRemainingOps] = st.remaining_ops;
    if (k == running) {
      row[kOpProcessing] = 1.f;
      row[kOpRemainingProcessing] =
          static_cast<float>(sim.remaining_processing(j)) / max_duration_;
    } else if (k == held) {
      row[kOpBlocked] = 1.f;
    } else if (k < first_unstarted) {
      row[kOpDone] = 1.f;
    } else {
      if (k == next && candidate) row[kOpCandidate] = 1.f;
      else row[kOpFuture] = 1.f;
      if (k == next)
        row[kOpWaiting] = static_cast<float>(now - sim.ready_time(j)) / max_duration_;
      row[kOpJobRemainingWork] = st.remaining_work;
      // Waiting or blocked jobs only: their next row is rewritten at every
      // step (a processing job's next unstarted row is not).
      if (features_ >= 3 && k == next && !processing) WriteSuccessor(sim, j, k, held >= 0, row);
    }
  }
}

void JobShopObserver::WriteSuccessor(const Simulator& sim, int j, int k, bool blocked,
                                     float* row) const {
  row[kOpJobBlocked] = blocked ? 1.f : 0.f;
  if (k + 1 >= static_cast<int>(instance_->jobs[j].size())) return;  // frees its machine at once
  const int succ = ops_[sim.op_index(j, k + 1)].machine;
  const int holder = sim.machine_holder(succ);
  if (holder < 0 || holder == j) return;
  row[kOpSuccMachineHeld] = 1.f;
  if (sim.job_status(holder) != Simulator::JobStatus::kProcessing) return;
  const SimTime left = sim.remaining_processing(holder);
  row[kOpSuccMachineLeft] = static_cast<float>(left) / max_duration_;
  row[kOpBlockingRisk] =
      static_cast<float>(std::max<SimTime>(0, left - ops_[sim.op_index(j, k)].work)) / max_duration_;
}

void JobShopObserver::WriteSmall(const Simulator& sim, const SimTime* queued,
                                 float* machine_rows, Observation* obs) const {
  const int n = instance_->num_jobs(), m = instance_->num_machines;
  const SimTime now = sim.now();
  for (int mm = 0; mm < m; ++mm) {
    float* row = machine_rows + static_cast<std::size_t>(mm) * machine_dim_;
    std::fill_n(row, machine_dim_, 0.f);
    const int holder = sim.machine_holder(mm);
    row[kMachineFree] = holder < 0 ? 1.f : 0.f;
    if (holder >= 0) {
      if (sim.job_status(holder) == Simulator::JobStatus::kProcessing)
        row[kMachineHolderProcessing] = 1.f;
      else
        row[kMachineHolderBlocked] = 1.f;
    }
    if (sim.machine_down(mm)) {
      row[kMachineDown] = 1.f;
      row[kMachineRepairLeft] = static_cast<float>(sim.repair_time(mm) - now) / max_duration_;
    }
    row[kMachineQueuedWork] = static_cast<float>(queued[mm]) / load_scale_;
    if (features_ >= 3 && holder >= 0 &&
        sim.job_status(holder) == Simulator::JobStatus::kProcessing)
      row[kMachineHolderLeft] = static_cast<float>(sim.remaining_processing(holder)) / max_duration_;
  }
  if (features_ >= 3) {
    // Jobs in the input store or blocked, counted at their next op's machine.
    for (int j = 0; j < n; ++j) {
      const auto status = sim.job_status(j);
      if (status != Simulator::JobStatus::kInput && status != Simulator::JobStatus::kBlocked)
        continue;
      const int mach = ops_[sim.op_index(j, sim.next_op(j))].machine;
      machine_rows[static_cast<std::size_t>(mach) * machine_dim_ + kMachineWaiting] += 1.f / n;
    }
  }
  obs->globals[0] = static_cast<float>(now) / load_scale_;
  obs->globals[1] = static_cast<float>(sim.candidates().size()) / n;
}

namespace {
// Mask and action nodes of the current decision point.
void WriteMask(const Simulator& sim, int n, Observation* obs, bool reserves) {
  std::uint8_t* mask = obs->mask.data();
  std::int32_t* action_nodes = obs->action_nodes.data();
  std::fill(obs->mask.begin(), obs->mask.end(), 0);
  std::fill(obs->action_nodes.begin(), obs->action_nodes.end(), -1);
  for (const auto& c : sim.candidates()) {
    if (c.hold() && reserves) continue;  // below
    if (c.hold()) {  // only offered in the wide mode (version 4's action space)
      const int a = n + c.machine.value;
      DL_DCHECK(a < static_cast<int>(obs->mask.size()));
      mask[a] = 1;
      action_nodes[a] = c.machine.value;
      continue;
    }
    const int j = c.job.value;
    mask[j] = 1;
    action_nodes[j] = sim.op_index(j, c.op);
  }
  if (!reserves) return;
  // Machines offering a hold: on the stack up to 256 machines, else heap.
  const int machines = sim.instance().num_machines;
  constexpr int kStackMachines = 256;
  std::uint8_t open_stack[kStackMachines] = {};
  std::vector<std::uint8_t> open_heap;
  std::uint8_t* open = open_stack;
  if (machines > kStackMachines) open = (open_heap.assign(machines, 0), open_heap.data());
  for (const auto& c : sim.candidates())
    if (c.hold()) open[c.machine.value] = 1;
  for (int j = 0; j < n; ++j) {
    if (mask[j]) continue;
    const int m = ReserveMachine(sim, j);
    if (m < 0 || !open[m]) continue;
    mask[j] = 1;
    action_nodes[j] = sim.op_index(j, sim.next_op(j) + 1);
  }
}
}  // namespace

void JobShopObserver::Write(const Simulator& sim, Observation* obs) const {
  const int n = instance_->num_jobs(), m = instance_->num_machines;
  WriteMask(sim, n, obs, JobShopReserves(features_));
  constexpr int kStackMachines = 64;
  SimTime queued_stack[kStackMachines] = {};
  std::vector<SimTime> queued_heap;
  SimTime* queued = queued_stack;
  if (m > kStackMachines) queued = (queued_heap.assign(m, 0), queued_heap.data());
  float* op_rows = obs->node_sets[0].features.data();
  for (int j = 0; j < n; ++j) {
    const int len = static_cast<int>(instance_->jobs[j].size());
    WriteOpRows(sim, j, 0, len - 1, obs->mask[j] != 0, op_rows);
    const int base = sim.op_index(j, 0);
    for (int k = RowsOf(sim, j).first_unstarted; k < len; ++k)
      queued[ops_[base + k].machine] += ops_[base + k].work;
  }
  WriteSmall(sim, queued, obs->node_sets[1].features.data(), obs);
}

void JobShopObserver::Write(const Simulator& sim, Observation* obs, Written* w) const {
  const int n = instance_->num_jobs(), m = instance_->num_machines;
  Write(sim, obs);
  w->lo.resize(n);
  w->hi.resize(n);
  w->first_unstarted.resize(n);
  w->queued.assign(m, 0);
  w->down.resize(m);
  for (int j = 0; j < n; ++j) {
    const JobRows r = RowsOf(sim, j);
    w->lo[j] = r.lo;
    w->hi[j] = r.hi;
    w->first_unstarted[j] = r.first_unstarted;
    const int base = sim.op_index(j, 0), len = static_cast<int>(instance_->jobs[j].size());
    for (int k = r.first_unstarted; k < len; ++k)
      w->queued[ops_[base + k].machine] += ops_[base + k].work;
  }
  for (int mm = 0; mm < m; ++mm) w->down[mm] = sim.machine_down(mm);
  w->now = sim.now();
  if (w->mirror_op_rows) {
    const auto& nodes = obs->node_sets;
    std::copy(nodes[0].features.begin(), nodes[0].features.end(), w->mirror_op_rows);
    std::copy(nodes[1].features.begin(), nodes[1].features.end(), w->mirror_machine_rows);
  }
}

void JobShopObserver::Update(const Simulator& sim, Observation* obs, Written* w) const {
  const int n = instance_->num_jobs(), m = instance_->num_machines;
  const SimTime now = sim.now();
  DL_DCHECK(static_cast<int>(w->lo.size()) == n && now >= w->now);
  WriteMask(sim, n, obs, JobShopReserves(features_));
  float* op_rows = obs->node_sets[0].features.data();
  SimTime* queued = w->queued.data();
  // Rows before both intervals were and are "done", rows after both were
  // and are "future": only the union can differ (and the machine columns).
  for (int j = 0; j < n; ++j) {
    const int len = static_cast<int>(instance_->jobs[j].size());
    const JobRows r = RowsOf(sim, j);
    const int from = std::min(w->lo[j], r.lo);
    const int to = std::min(std::max(w->hi[j], r.hi), len - 1);
    const int base = sim.op_index(j, 0);
    if (from <= to) {
      WriteOpRows(sim, j, from, to, obs->mask[j] != 0, op_rows);
      w->changed.push_back({base + from, base + to + 1});
    }
    DL_DCHECK(r.first_unstarted >= w->first_unstarted[j]);
    for (int k = w->first_unstarted[j]; k < r.first_unstarted; ++k)
      queued[ops_[base + k].machine] -= ops_[base + k].work;
    w->lo[j] = r.lo;
    w->hi[j] = r.hi;
    w->first_unstarted[j] = r.first_unstarted;
  }
  // The machine columns of every row on a machine that is or was down.
  for (int mm = 0; mm < m; ++mm) {
    const bool down = sim.machine_down(mm);
    if (!down && !w->down[mm]) continue;
    const float flag = down ? 1.f : 0.f;
    const float left =
        down ? static_cast<float>(sim.repair_time(mm) - now) / max_duration_ : 0.f;
    for (float* rows : {op_rows, w->mirror_op_rows}) {
      if (!rows) continue;
      for (int i = machine_begin_[mm]; i < machine_begin_[mm + 1]; ++i) {
        float* row = rows + static_cast<std::size_t>(machine_ops_[i]) * op_dim_;
        row[kOpMachineDown] = flag;
        row[kOpMachineRepairLeft] = left;
      }
    }
    w->down[mm] = down;
  }
  WriteSmall(sim, queued, obs->node_sets[1].features.data(), obs);
  if (w->mirror_op_rows) {
    WriteSmall(sim, queued, w->mirror_machine_rows, obs);
    // Copied only now: reading rows straight after their scalar stores
    // would stall on store forwarding.
    for (const auto& [b, e] : w->changed)
      std::copy(op_rows + static_cast<std::size_t>(b) * op_dim_,
                op_rows + static_cast<std::size_t>(e) * op_dim_,
                w->mirror_op_rows + static_cast<std::size_t>(b) * op_dim_);
  }
  w->changed.clear();
  w->now = now;
}

}  // namespace dispatchlab::env
