#include "sim/jobshop/planner.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "sim/core/check.h"

namespace dispatchlab::jobshop {

PlanProblem MakePlanProblem(const Instance& instance, BlockingMode mode) {
  PlanProblem p;
  p.instance = instance;
  p.mode = mode;
  return p;
}

std::vector<std::vector<JobId>> ToJobSequences(const Instance& instance,
                                               const MachineSeqs& seqs) {
  std::vector<int> job_of;
  for (int j = 0; j < instance.num_jobs(); ++j)
    for (std::size_t k = 0; k < instance.jobs[j].size(); ++k) job_of.push_back(j);
  std::vector<std::vector<JobId>> out(seqs.size());
  for (std::size_t m = 0; m < seqs.size(); ++m)
    for (int op : seqs[m]) out[m].push_back(JobId(job_of[op]));
  return out;
}

// ---------------------------------------------------------------------------
// SequenceEvaluator

SequenceEvaluator::SequenceEvaluator(const PlanProblem& problem)
    : mode_swap_(problem.mode == BlockingMode::kSwap) {
  const Instance& inst = problem.instance;
  const int n = inst.num_jobs();
  offset_.resize(n + 1, 0);
  len_.resize(n);
  for (int j = 0; j < n; ++j) {
    len_[j] = static_cast<int>(inst.jobs[j].size());
    offset_[j + 1] = offset_[j] + len_[j];
    for (int k = 0; k < len_[j]; ++k) {
      job_of_.push_back(j);
      k_of_.push_back(k);
      mach_.push_back(inst.jobs[j][k].machine.value);
      dur_.push_back(inst.jobs[j][k].duration);
    }
  }
  const int total = offset_[n];
  rel_ = problem.release.empty() ? std::vector<SimTime>(total, 0) : problem.release;
  DL_CHECK(static_cast<int>(rel_.size()) == total);
  full_len_ = len_;
  mpred_.assign(total, -1);
  succ_a_.assign(total, -1);
  succ_b_.assign(total, -1);
  indeg_.assign(total, 0);
  queue_.assign(total, 0);
  walk_.assign(total, 0);
  stamp_.assign(total, 0);
  mw_.assign(total, 0);
  start_.assign(total, 0);
  done_.assign(total, 0);
}

SimTime SequenceEvaluator::Evaluate(const MachineSeqs& seqs) {
  return EvaluatePartial(seqs, full_len_);
}

// Kahn's sweep over the present operations. A stall means every remaining
// node waits for another remaining one, so following "some unfinished
// predecessor" from any of them must close a cycle. We prefer the job
// predecessor while walking: then a cycle we find either contains a job arc
// (positive: infeasible) or consists of blocking arcs only, entered by nodes
// whose job predecessors are all done (a swap cycle, resolvable at once).
SimTime SequenceEvaluator::EvaluatePartial(const MachineSeqs& seqs,
                                           std::span<const int> present_len) {
  ++evaluations_;
  const int n = static_cast<int>(len_.size());
  int present = 0;
  for (int j = 0; j < n; ++j) {
    const int base = offset_[j];
    for (int k = 0; k < present_len[j]; ++k) {
      const int x = base + k;
      mpred_[x] = succ_a_[x] = succ_b_[x] = -1;
      indeg_[x] = k > 0 ? 1 : 0;
      done_[x] = 0;
    }
    present += present_len[j];
  }
  for (const auto& s : seqs) {
    for (std::size_t i = 1; i < s.size(); ++i) {
      const int a = s[i - 1], b = s[i];
      const bool last = k_of_[a] == present_len[job_of_[a]] - 1;
      const int src = last ? a : a + 1;
      mpred_[b] = src;
      mw_[b] = last ? dur_[a] : 0;
      ++indeg_[b];
      if (succ_a_[src] < 0) succ_a_[src] = b;
      else succ_b_[src] = b;
    }
  }
  int head = 0, tail = 0;
  for (int j = 0; j < n; ++j)
    for (int k = 0; k < present_len[j]; ++k)
      if (indeg_[offset_[j] + k] == 0) queue_[tail++] = offset_[j] + k;

  auto relax = [&](int x) {
    if (k_of_[x] + 1 < present_len[job_of_[x]]) {
      if (--indeg_[x + 1] == 0 && !done_[x + 1]) queue_[tail++] = x + 1;
    }
    const int a = succ_a_[x];
    if (a >= 0 && --indeg_[a] == 0 && !done_[a]) queue_[tail++] = a;
    const int b = succ_b_[x];
    if (b >= 0 && --indeg_[b] == 0 && !done_[b]) queue_[tail++] = b;
  };

  int processed = 0;
  int scan_job = 0, scan_k = 0;  // cursor for stalls; done is monotone
  for (;;) {
    while (head < tail) {
      const int x = queue_[head++];
      if (done_[x]) continue;
      SimTime s = rel_[x];
      if (k_of_[x] > 0) s = std::max(s, start_[x - 1] + dur_[x - 1]);
      if (mpred_[x] >= 0) s = std::max(s, start_[mpred_[x]] + mw_[x]);
      start_[x] = s;
      done_[x] = 1;
      ++processed;
      relax(x);
    }
    if (processed == present) break;
    // Stalled: find an unfinished node.
    int u = -1;
    while (scan_job < n) {
      if (scan_k >= present_len[scan_job]) {
        ++scan_job;
        scan_k = 0;
        continue;
      }
      const int x = offset_[scan_job] + scan_k;
      if (!done_[x]) {
        u = x;
        break;
      }
      ++scan_k;
    }
    DL_CHECK(u >= 0);
    // Walk predecessors until a node repeats. stamp_ marks this walk; older
    // walks left smaller values, so no reset is needed.
    const std::uint64_t walk_id = ++walk_counter_;
    int len = 0;
    int x = u;
    while (stamp_[x] != walk_id) {
      stamp_[x] = walk_id;
      walk_[x] = len;
      queue_[tail + len++] = x;  // the unused tail of the queue as scratch
      const int next = (k_of_[x] > 0 && !done_[x - 1]) ? x - 1 : mpred_[x];
      DL_DCHECK(next >= 0 && !done_[next]);
      x = next;
    }
    const int first = walk_[x];
    if (!mode_swap_) return kTimeInfinity;  // BNS: no cycle is allowed
    SimTime t = 0;
    for (int i = first; i < len; ++i) {
      const int c = queue_[tail + i];
      if (k_of_[c] > 0 && !done_[c - 1]) return kTimeInfinity;  // job arc
      if (mw_[c] != 0) return kTimeInfinity;  // last-operation arc
      SimTime r = rel_[c];
      if (k_of_[c] > 0) r = std::max(r, start_[c - 1] + dur_[c - 1]);
      t = std::max(t, r);
    }
    // Copy the cycle out of the scratch area before relax() reuses it.
    const int cycle_len = len - first;
    if (static_cast<int>(cycle_.size()) < cycle_len) cycle_.resize(cycle_len);
    for (int i = 0; i < cycle_len; ++i) cycle_[i] = queue_[tail + first + i];
    for (int i = 0; i < cycle_len; ++i) {
      const int c = cycle_[i];
      start_[c] = t;
      done_[c] = 1;
      ++processed;
    }
    for (int i = 0; i < cycle_len; ++i) relax(cycle_[i]);
  }
  SimTime makespan = 0;
  for (int j = 0; j < n; ++j) {
    if (present_len[j] == 0) continue;
    const int last = offset_[j] + present_len[j] - 1;
    makespan = std::max(makespan, start_[last] + dur_[last]);
  }
  last_len_.assign(present_len.begin(), present_len.end());
  return makespan;
}

void SequenceEvaluator::CriticalJobs(std::vector<int>* jobs) {
  jobs->clear();
  const int n = static_cast<int>(len_.size());
  int x = -1;
  SimTime end = -1;
  for (int j = 0; j < n; ++j) {
    if (last_len_[j] == 0) continue;
    const int last = offset_[j] + last_len_[j] - 1;
    if (start_[last] + dur_[last] > end) {
      end = start_[last] + dur_[last];
      x = last;
    }
  }
  const std::uint64_t walk_id = ++walk_counter_;
  while (x >= 0 && stamp_[x] != walk_id) {
    stamp_[x] = walk_id;
    const int j = job_of_[x];
    if (std::find(jobs->begin(), jobs->end(), j) == jobs->end()) jobs->push_back(j);
    if (k_of_[x] > 0 && start_[x - 1] + dur_[x - 1] == start_[x]) x = x - 1;
    else if (mpred_[x] >= 0 && start_[mpred_[x]] + mw_[x] == start_[x]) x = mpred_[x];
    else break;
  }
}

// ---------------------------------------------------------------------------
// Iterated greedy

namespace {

// What threads share inside an epoch: the best makespan seen (for
// on_improvement); solutions are exchanged only between epochs.
struct Shared {
  std::mutex mu;
  SimTime best = kTimeInfinity;
};

class Worker {
 public:
  Worker(const PlanProblem& problem, std::uint64_t seed, double temperature,
         int min_remove, int max_remove)
      : problem_(problem),
        eval_(problem),
        rng_(seed),
        temperature_(temperature),
        n_(problem.instance.num_jobs()),
        present_(n_, 0),
        removed_flag_(n_, 0) {
    for (int j = 0; j < n_; ++j) {
      const int first_free = Pinned(eval_.offset(j)) ? 1 : 0;
      if (eval_.job_len(j) > first_free) removable_.push_back(j);
    }
    const int nr = static_cast<int>(removable_.size());
    max_remove_ = std::clamp(max_remove, 1, std::max(1, nr > 1 ? nr - 1 : nr));
    min_remove_ = std::clamp(min_remove, 1, max_remove_);
  }

  bool Pinned(int op) const {
    return !problem_.pinned.empty() && problem_.pinned[op] != 0;
  }
  SequenceEvaluator& eval() { return eval_; }
  bool can_search() const { return !removable_.empty(); }

  // Builds a solution from scratch: pinned ops first, then every job
  // inserted greedily, longest total work first.
  // Fails only for a residual problem whose pinned operations leave no
  // completion that this greedy finds.
  bool Construct() {
    const int m = problem_.instance.num_machines;
    work_.assign(m, {});
    for (int j = 0; j < n_; ++j) {
      present_[j] = 0;
      if (eval_.job_len(j) > 0 && Pinned(eval_.offset(j))) {
        work_[eval_.machine_of(eval_.offset(j))].push_back(eval_.offset(j));
        present_[j] = 1;
      }
    }
    std::vector<std::pair<SimTime, int>> order;
    for (int j = 0; j < n_; ++j) {
      SimTime w = 0;
      for (int k = 0; k < eval_.job_len(j); ++k) w += eval_.duration(eval_.offset(j) + k);
      order.push_back({-w, j});
    }
    std::sort(order.begin(), order.end());
    for (const auto& [w, j] : order)
      if (!InsertJob(j)) return false;
    const SimTime ms = eval_.Evaluate(work_);
    DL_CHECK(ms != kTimeInfinity);
    SetCurrent(work_, ms);
    return true;
  }

  void SetCurrent(const MachineSeqs& s, SimTime ms) {
    cur_ = s;
    cur_ms_ = ms;
    if (ms < best_ms_) {
      best_ = s;
      best_ms_ = ms;
    }
  }
  void ResetBest() {
    best_ = cur_;
    best_ms_ = cur_ms_;
  }

  // One destruction + construction + acceptance step. Returns true when the
  // worker's best improved.
  bool Iterate() {
    const int nr = static_cast<int>(removable_.size());
    int d = static_cast<int>(rng_.UniformInt(min_remove_, max_remove_));
    // Stagnation: back to the best solution, then one large forced move.
    bool kick = false;
    if (stagnation_ > 0 && eval_.evaluations() - last_improvement_ > stagnation_) {
      cur_ = best_;
      cur_ms_ = best_ms_;
      d = std::max(d, std::min(nr > 1 ? nr - 1 : nr, kick_remove_));
      kick = true;
      last_improvement_ = eval_.evaluations();
    }
    // Choose d distinct removable jobs (partial Fisher-Yates), the first one
    // from the current solution's critical path with probability
    // critical_prob_.
    int first = 0;
    if (critical_prob_ > 0 && !critical_.empty() && rng_.Uniform() < critical_prob_) {
      const int cj = critical_[rng_.UniformInt(0, static_cast<std::int64_t>(critical_.size()) - 1)];
      const auto it = std::find(removable_.begin(), removable_.end(), cj);
      if (it != removable_.end()) {
        std::swap(removable_[0], *it);
        first = 1;
      }
    }
    for (int i = first; i < d && i < nr; ++i) {
      const auto r = rng_.UniformInt(i, nr - 1);
      std::swap(removable_[i], removable_[r]);
    }
    chosen_.assign(removable_.begin(), removable_.begin() + std::min(d, nr));
    for (int j = 0; j < n_; ++j) present_[j] = eval_.job_len(j);
    for (int j : chosen_) {
      removed_flag_[j] = 1;
      present_[j] = Pinned(eval_.offset(j)) ? 1 : 0;
    }
    work_.resize(cur_.size());
    for (std::size_t m = 0; m < cur_.size(); ++m) {
      auto& w = work_[m];
      w.clear();
      for (int op : cur_[m]) {
        const int j = eval_.job_of(op);
        if (removed_flag_[j] && eval_.k_of(op) >= present_[j]) continue;
        w.push_back(op);
      }
    }
    for (int j : chosen_) removed_flag_[j] = 0;
    for (int j : chosen_)
      if (!InsertJob(j)) return false;  // only with pinned operations
    const SimTime ms = eval_.Evaluate(work_);
    DL_CHECK(ms != kTimeInfinity);
    bool accept = kick || ms <= cur_ms_;
    if (!accept && temperature_ > 0) {
      accept = rng_.Uniform() < std::exp(-static_cast<double>(ms - cur_ms_) / temperature_);
    }
    if (!accept) return false;
    std::swap(cur_, work_);
    cur_ms_ = ms;
    if (critical_prob_ > 0) eval_.CriticalJobs(&critical_);
    if (ms < best_ms_) {
      best_ = cur_;
      best_ms_ = ms;
      last_improvement_ = eval_.evaluations();
      return true;
    }
    return false;
  }

  void SetCriticalProb(double p) { critical_prob_ = p; }
  void SetStagnation(std::int64_t evaluations, int kick_remove) {
    stagnation_ = evaluations;
    kick_remove_ = kick_remove;
  }

  const MachineSeqs& best() const { return best_; }
  SimTime best_ms() const { return best_ms_; }
  const MachineSeqs& current() const { return cur_; }
  SimTime current_ms() const { return cur_ms_; }

 private:
  // Ties on the makespan are the rule, not the exception; breaking them at
  // random (rather than by position or by the sum of start times) is what
  // keeps the search from cycling among the same few solutions (measured:
  // 5.1% vs 7.4-8.0% mean gap at 1M evaluations on la01-20/ft06-20).
  struct Cand {
    SimTime ms;
    std::uint64_t tie;
    int pos;
    bool operator<(const Cand& o) const {
      if (ms != o.ms) return ms < o.ms;
      if (tie != o.tie) return tie < o.tie;
      return pos < o.pos;
    }
  };

  // Inserts the absent operations of job j (present_[j] onward) into work_,
  // one at a time, each at the best position whose "rest of the job at the
  // end" completion is feasible.
  bool InsertJob(int j) {
    const int len = eval_.job_len(j);
    const int first = present_[j];
    // The whole job is present from now on; its not yet sequenced
    // operations are free nodes (no machine arcs), so the makespan of a
    // candidate counts the job's remaining work and its own delay.
    present_[j] = len;
    if (first == len) return true;
    if (levels_.size() < static_cast<std::size_t>(len)) levels_.resize(len);
    budget_ = (first > 0 ? 8 : 2) * (len - first) + 4;
    if (Place(j, first)) return true;
    return InsertJobSafe(j, first);
  }

  // Candidate positions of op (j,k) whose partial schedule is acyclic,
  // best first.
  void Candidates(int j, int k, std::vector<Cand>* out) {
    const int x = eval_.offset(j) + k;
    auto& s = work_[eval_.machine_of(x)];
    const int lo = (!s.empty() && Pinned(s[0])) ? 1 : 0;
    out->clear();
    for (int pos = lo; pos <= static_cast<int>(s.size()); ++pos) {
      s.insert(s.begin() + pos, x);
      const SimTime ms = eval_.EvaluatePartial(work_, present_);
      if (ms != kTimeInfinity) out->push_back({ms, rng_.NextU64(), pos});
      s.erase(s.begin() + pos);
    }
    std::sort(out->begin(), out->end());
  }

  // Depth-first: op k at its best acyclic position, then the rest; backs up
  // when a later op has no acyclic position, within a small budget.
  bool Place(int j, int k) {
    const int len = eval_.job_len(j);
    const int x = eval_.offset(j) + k;
    auto& s = work_[eval_.machine_of(x)];
    std::vector<Cand>& cands = levels_[k];
    Candidates(j, k, &cands);
    for (std::size_t i = 0; i < cands.size(); ++i) {
      if (--budget_ < 0) return false;
      const int pos = levels_[k][i].pos;
      s.insert(s.begin() + pos, x);
      if (k + 1 == len || Place(j, k + 1)) return true;
      s.erase(s.begin() + pos);
    }
    return false;
  }

  // The guaranteed insertion: each op at its best position among those for
  // which the rest of the job at the end of its machines stays feasible.
  // (Guaranteed for a job without a pinned operation: nobody waits for a job
  // that is last everywhere. A pinned job holds its machine meanwhile, so
  // there it can fail; the caller then drops the attempt.)
  bool InsertJobSafe(int j, int first) {
    const int len = eval_.job_len(j);
    for (int k = first; k < len; ++k) {
      const int x = eval_.offset(j) + k;
      auto& s = work_[eval_.machine_of(x)];
      Candidates(j, k, &cand_);
      bool placed = false;
      for (const Cand& c : cand_) {
        s.insert(s.begin() + c.pos, x);
        if (k + 1 == len || TailFeasible(j, k)) {
          placed = true;
          break;
        }
        s.erase(s.begin() + c.pos);
      }
      if (!placed) {
        DL_CHECK(first > 0);  // the end position is feasible for free jobs
        for (int kk = first; kk < k; ++kk) {  // undo this job's insertions
          auto& w = work_[eval_.machine_of(eval_.offset(j) + kk)];
          w.erase(std::find(w.begin(), w.end(), eval_.offset(j) + kk));
        }
        present_[j] = first;
        return false;
      }
    }
    return true;
  }

  bool TailFeasible(int j, int k) {
    const int len = eval_.job_len(j);
    const int base = eval_.offset(j);
    for (int t = k + 1; t < len; ++t) work_[eval_.machine_of(base + t)].push_back(base + t);
    const bool ok = eval_.EvaluatePartial(work_, present_) != kTimeInfinity;
    for (int t = len - 1; t > k; --t) work_[eval_.machine_of(base + t)].pop_back();
    return ok;
  }

  const PlanProblem& problem_;
  SequenceEvaluator eval_;
  Rng rng_;
  double temperature_;
  int n_;
  int min_remove_ = 1, max_remove_ = 1;
  std::vector<int> removable_, chosen_, present_;
  std::vector<std::uint8_t> removed_flag_;
  std::vector<Cand> cand_;
  std::vector<std::vector<Cand>> levels_;
  int budget_ = 0;
  MachineSeqs cur_, best_, work_;
  SimTime cur_ms_ = kTimeInfinity, best_ms_ = kTimeInfinity;
  std::int64_t stagnation_ = 0, last_improvement_ = 0;
  double critical_prob_ = 0;
  std::vector<int> critical_;  // jobs on a critical path of cur_
  int kick_remove_ = 0;
};

bool CoversAllOps(const PlanProblem& problem, const MachineSeqs& seqs) {
  const Instance& inst = problem.instance;
  if (static_cast<int>(seqs.size()) != inst.num_machines) return false;
  std::vector<int> machine_of;
  for (const auto& job : inst.jobs)
    for (const Operation& op : job) machine_of.push_back(op.machine.value);
  std::vector<std::uint8_t> seen(machine_of.size(), 0);
  for (int m = 0; m < inst.num_machines; ++m) {
    for (std::size_t i = 0; i < seqs[m].size(); ++i) {
      const int op = seqs[m][i];
      if (op < 0 || op >= static_cast<int>(seen.size()) || seen[op] || machine_of[op] != m)
        return false;
      if (!problem.pinned.empty() && problem.pinned[op] && i != 0) return false;
      seen[op] = 1;
    }
  }
  return std::all_of(seen.begin(), seen.end(), [](std::uint8_t s) { return s != 0; });
}

}  // namespace

PlanResult Plan(const PlanProblem& problem, const PlannerOptions& options) {
  const int threads = std::max(1, options.threads);
  const double mean = problem.instance.num_operations() > 0
                          ? static_cast<double>(problem.instance.TotalWork()) /
                                problem.instance.num_operations()
                          : 1.0;
  const double temperature = options.temperature * mean / 10.0;

  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) {
    const std::uint64_t seed =
        Rng::Stream(options.seed, StreamTag::kPolicy, 0x9a11, static_cast<std::uint64_t>(t))
            .NextU64();
    workers.push_back(std::make_unique<Worker>(problem, seed, temperature,
                                               options.min_remove, options.max_remove));
    workers.back()->SetCriticalProb(options.critical_prob);
    workers.back()->SetStagnation(
        options.stagnation_evaluations,
        std::max(1, static_cast<int>(std::lround(options.kick_fraction *
                                                 problem.instance.num_jobs()))));
  }
  PlanResult out;
  // Start: the warm start if it is usable, else the greedy construction.
  Worker& w0 = *workers[0];
  bool warm = false;
  if (!options.initial.empty() && CoversAllOps(problem, options.initial)) {
    const SimTime ms = w0.eval().Evaluate(options.initial);
    if (ms != kTimeInfinity) {
      w0.SetCurrent(options.initial, ms);
      warm = true;
    }
  }
  if (!warm && !w0.Construct()) return out;  // no feasible start found
  out.initial_makespan = w0.current_ms();
  MachineSeqs incumbent = w0.current();
  SimTime incumbent_ms = w0.current_ms();
  for (int t = 1; t < threads; ++t) {
    workers[t]->SetCurrent(incumbent, incumbent_ms);
    workers[t]->ResetBest();
  }
  if (options.on_improvement) options.on_improvement(incumbent_ms, 0);

  auto total_evals = [&] {
    std::int64_t s = 0;
    for (const auto& w : workers) s += w->eval().evaluations();
    return s;
  };

  Shared shared;
  shared.best = incumbent_ms;
  const bool budgeted = options.evaluations > 0;
  std::atomic<bool> stopped{false};
  std::vector<std::int64_t> best_at(threads, 0);
  std::int64_t to_best = 0;

  while (w0.can_search()) {
    const std::int64_t used = total_evals();
    if (budgeted && used >= options.evaluations) break;
    if (stopped.load()) break;
    std::int64_t per_thread = std::max<std::int64_t>(1, options.epoch_evaluations);
    if (budgeted)
      per_thread = std::min(per_thread, (options.evaluations - used + threads - 1) / threads);
    const std::int64_t epoch_start = used;
    auto run = [&](int t) {
      Worker& w = *workers[t];
      const std::int64_t target = w.eval().evaluations() + per_thread;
      while (w.eval().evaluations() < target) {
        if (options.stop && options.stop()) {
          stopped.store(true);
          break;
        }
        if (w.Iterate()) {
          best_at[t] = w.eval().evaluations();
          std::lock_guard<std::mutex> lock(shared.mu);
          if (w.best_ms() < shared.best) {
            shared.best = w.best_ms();
            if (options.on_improvement)
              options.on_improvement(w.best_ms(), epoch_start + (best_at[t] - (target - per_thread)) * threads);
          }
        }
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(run, t);
    run(0);
    for (auto& th : pool) th.join();

    // Merge, deterministically: the best worker (lowest index on ties).
    int best_t = -1;
    for (int t = 0; t < threads; ++t)
      if (workers[t]->best_ms() < incumbent_ms &&
          (best_t < 0 || workers[t]->best_ms() < workers[best_t]->best_ms()))
        best_t = t;
    if (best_t >= 0) {
      incumbent = workers[best_t]->best();
      incumbent_ms = workers[best_t]->best_ms();
      to_best = threads == 1 ? best_at[0] : total_evals();
    }
    // Workers far behind the incumbent restart from it.
    if (threads > 1) {
      for (int t = 0; t < threads; ++t) {
        Worker& w = *workers[t];
        if (w.best_ms() > incumbent_ms) {
          w.SetCurrent(incumbent, incumbent_ms);
          w.ResetBest();
        }
      }
    }
  }
  out.sequences = incumbent;
  out.makespan = incumbent_ms;
  out.evaluations = total_evals();
  out.evaluations_to_best = to_best;
  SequenceEvaluator check(problem);
  const SimTime ms = check.Evaluate(out.sequences);
  DL_CHECK(ms == out.makespan);
  out.start = check.start();
  return out;
}

}  // namespace dispatchlab::jobshop
