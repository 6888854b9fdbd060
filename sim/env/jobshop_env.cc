#include "sim/env/jobshop_env.h"

#include <algorithm>

namespace dispatchlab::env {

using jobshop::Simulator;

JobShopObserver::JobShopObserver(const jobshop::Instance& instance) : instance_(&instance) {

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

}

void JobShopObserver::Init(Observation* obs) const {
  const jobshop::Instance& instance = *instance_;
  const int n = instance.num_jobs(), m = instance.num_machines;
  const int ops = instance.num_operations();
  obs->node_sets = {NodeSet{"op", ops, kOpFeatureCount, {}},
                    NodeSet{"machine", m, kMachineFeatureCount, {}}};
  obs->node_sets[0].features.assign(static_cast<std::size_t>(ops) * kOpFeatureCount, 0.f);
  obs->node_sets[1].features.assign(static_cast<std::size_t>(m) * kMachineFeatureCount, 0.f);
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
  obs->mask.assign(n, 0);
  obs->action_node_set = 0;
  obs->action_nodes.assign(n, -1);
  }

int CandidateOfJob(const jobshop::Simulator& sim, int job) {
  const auto c = sim.candidates();
  for (int i = 0; i < static_cast<int>(c.size()); ++i)
    if (c[i].job.value == job) return i;
  return -1;
}

JobShopEnv::JobShopEnv(const jobshop::Instance& instance, jobshop::SimOptions options)
    : instance_(&instance), sim_(instance, std::move(options)), observer_(instance) {
  observer_.Init(&obs_);
}

double JobShopEnv::TimeReward(SimTime from) {
  return -static_cast<double>(sim_.now() - from) / observer_.mean_duration();
}

void JobShopEnv::DoReset(std::uint64_t seed) {
  sim_.Reset(seed);
  sim_.AdvanceToDecision();
  observer_.Write(sim_, &obs_);
}

StepResult JobShopEnv::DoStep(int action) {
  const SimTime before = sim_.now();
  const int c = CandidateOfJob(sim_, action);
  DL_CHECK(c >= 0);
  sim_.Apply(c);
  sim_.AdvanceToDecision();
  StepResult r;
  r.reward = TimeReward(before);
  r.done = sim_.done();
  if (r.done && sim_.result().outcome == jobshop::Outcome::kDeadlock)
    r.reward -= kDeadlockPenalty * observer_.total_work() / observer_.mean_duration();
  observer_.Write(sim_, &obs_);
  return r;
}

void JobShopObserver::Write(const Simulator& sim_, Observation* obs) const {
  Observation& obs_ = *obs;
  const int n = instance_->num_jobs(), m = instance_->num_machines;
  const SimTime now = sim_.now();
  std::fill(obs_.mask.begin(), obs_.mask.end(), 0);
  std::fill(obs_.action_nodes.begin(), obs_.action_nodes.end(), -1);
  std::vector<int> candidate_of_job_(n, -1);
  const auto cands = sim_.candidates();
  for (int i = 0; i < static_cast<int>(cands.size()); ++i) {
    const int j = cands[i].job.value;
    candidate_of_job_[j] = i;
    obs_.mask[j] = 1;
    obs_.action_nodes[j] = sim_.op_index(j, cands[i].op);
  }

  NodeSet& ops = obs_.node_sets[0];
  NodeSet& machines = obs_.node_sets[1];
  std::fill(ops.features.begin(), ops.features.end(), 0.f);
  std::fill(machines.features.begin(), machines.features.end(), 0.f);
  std::vector<SimTime> queued(m, 0);
  for (int j = 0; j < n; ++j) {
    const auto& job = instance_->jobs[j];
    const int next = sim_.next_op(j);
    const auto status = sim_.job_status(j);
    SimTime suffix = 0;  // work of ops k..end
    for (int k = static_cast<int>(job.size()) - 1; k >= 0; --k) {
      const int idx = sim_.op_index(j, k);
      const int mach = job[k].machine.value;
      suffix += job[k].duration;
      auto f = [&](int feat) -> float& { return ops.at(idx, feat); };
      f(kOpDuration) = static_cast<float>(job[k].duration) / max_duration_;
      f(kOpMachineDown) = sim_.machine_down(mach) ? 1.f : 0.f;
      if (sim_.machine_down(mach))
        f(kOpMachineRepairLeft) =
            static_cast<float>(sim_.repair_time(mach) - now) / max_duration_;
      f(kOpJobRemainingOps) = static_cast<float>(job.size() - k) / m;
      // While processing, next_op is the running op; while blocked, the
      // held op is next_op - 1 and next_op is the one to start.
      const bool processing = status == Simulator::JobStatus::kProcessing;
      const bool running = processing && k == next;
      const bool blocked = status == Simulator::JobStatus::kBlocked && k == next - 1;
      const int first_unstarted = processing ? next + 1 : next;
      if (running) {
        f(kOpProcessing) = 1.f;
        f(kOpRemainingProcessing) =
            static_cast<float>(sim_.remaining_processing(j)) / max_duration_;
      } else if (blocked) {
        f(kOpBlocked) = 1.f;
      } else if (k < first_unstarted) {
        f(kOpDone) = 1.f;
      } else {
        if (k == next && candidate_of_job_[j] >= 0) f(kOpCandidate) = 1.f;
        else f(kOpFuture) = 1.f;
        queued[mach] += job[k].duration;
        if (k == next)
          f(kOpWaiting) = static_cast<float>(now - sim_.ready_time(j)) / max_duration_;
        f(kOpJobRemainingWork) = static_cast<float>(suffix) / max_job_work_;
      }
    }
  }
  for (int mm = 0; mm < m; ++mm) {
    auto f = [&](int feat) -> float& { return machines.at(mm, feat); };
    const int holder = sim_.machine_holder(mm);
    f(kMachineFree) = holder < 0 ? 1.f : 0.f;
    f(kMachineDown) = sim_.machine_down(mm) ? 1.f : 0.f;
    if (holder >= 0) {
      if (sim_.job_status(holder) == Simulator::JobStatus::kProcessing)
        f(kMachineHolderProcessing) = 1.f;
      else
        f(kMachineHolderBlocked) = 1.f;
    }
    if (sim_.machine_down(mm))
      f(kMachineRepairLeft) =
          static_cast<float>(sim_.repair_time(mm) - now) / max_duration_;
    f(kMachineQueuedWork) = static_cast<float>(queued[mm]) / total_work_;
  }
  obs_.globals[0] = static_cast<float>(now) / total_work_;
  obs_.globals[1] = static_cast<float>(cands.size()) / n;
}

}  // namespace dispatchlab::env
