#include "sim/jobshop/validator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <map>

namespace dispatchlab::jobshop {
namespace {

class Errors {
 public:
  explicit Errors(ValidationReport& r) : r_(r) {}
  template <typename... Args>
  void Add(fmt::format_string<Args...> f, Args&&... args) {
    if (static_cast<int>(r_.errors.size()) < ValidationReport::kMaxErrors)
      r_.errors.push_back(fmt::format(f, std::forward<Args>(args)...));
    ++count_;
  }
  int count() const { return count_; }

 private:
  ValidationReport& r_;
  int count_ = 0;
};

// Earliest completion of `duration` units of work started at `start` on a
// machine with the given sorted, disjoint down intervals.
SimTime CompletionWithDowntime(SimTime start, SimTime duration,
                               const std::vector<DownRow>& down) {
  SimTime t = start, left = duration;
  for (const DownRow& d : down) {
    if (d.end <= t) continue;
    if (d.start >= t + left) break;
    left -= std::max<SimTime>(0, d.start - t);
    t = std::max(t, d.end);
  }
  return t + left;
}

}  // namespace

ValidationReport ValidateSchedule(const Instance& inst,
                                  const std::vector<ScheduleRow>& rows,
                                  const std::vector<DownRow>& down,
                                  bool allow_swaps) {
  ValidationReport report;
  Errors err(report);
  const int n = inst.num_jobs(), m = inst.num_machines;

  // --- down intervals: sane and disjoint per machine -----------------------
  std::vector<std::vector<DownRow>> down_by(m);
  for (const DownRow& d : down) {
    if (d.machine < 0 || d.machine >= m) {
      err.Add("down interval on machine {} out of range", d.machine);
      continue;
    }
    if (d.end <= d.start) {
      err.Add("machine {}: empty down interval [{}, {})", d.machine, d.start, d.end);
      continue;
    }
    down_by[d.machine].push_back(d);
  }
  for (int mm = 0; mm < m; ++mm) {
    auto& v = down_by[mm];
    std::sort(v.begin(), v.end(),
              [](const DownRow& a, const DownRow& b) { return a.start < b.start; });
    for (std::size_t i = 1; i < v.size(); ++i)
      if (v[i].start < v[i - 1].end)
        err.Add("machine {}: down intervals [{}, {}) and [{}, {}) overlap", mm,
                v[i - 1].start, v[i - 1].end, v[i].start, v[i].end);
  }

  // --- every operation exactly once, as the instance says ------------------
  std::vector<std::vector<const ScheduleRow*>> by_op(n);
  for (int j = 0; j < n; ++j) by_op[j].assign(inst.jobs[j].size(), nullptr);
  for (const ScheduleRow& r : rows) {
    if (r.job < 0 || r.job >= n || r.op < 0 ||
        r.op >= static_cast<int>(inst.jobs[r.job].size())) {
      err.Add("row for job {} op {} does not exist in {}", r.job, r.op, inst.name);
      continue;
    }
    if (by_op[r.job][r.op]) {
      err.Add("job {} op {} appears twice", r.job, r.op);
      continue;
    }
    by_op[r.job][r.op] = &r;
    const Operation& op = inst.jobs[r.job][r.op];
    if (r.machine != op.machine.value)
      err.Add("job {} op {}: on machine {}, instance says {}", r.job, r.op,
              r.machine, op.machine.value);
    if (r.duration != op.duration)
      err.Add("job {} op {}: duration {}, instance says {}", r.job, r.op,
              r.duration, op.duration);
  }
  for (int j = 0; j < n; ++j)
    for (std::size_t k = 0; k < by_op[j].size(); ++k)
      if (!by_op[j][k]) err.Add("job {} op {} is missing", j, k);
  if (err.count() > 0) return report;

  // --- per operation: start on an up machine, complete before leaving ------
  for (int j = 0; j < n; ++j) {
    const auto& ops = by_op[j];
    for (std::size_t k = 0; k < ops.size(); ++k) {
      const ScheduleRow& r = *ops[k];
      if (r.start < 0) err.Add("job {} op {}: negative start {}", j, k, r.start);
      const auto& dv = down_by[r.machine];
      for (const DownRow& d : dv)
        if (d.start <= r.start && r.start < d.end)
          err.Add("job {} op {} starts at {} on machine {}, which is down in "
                  "[{}, {})",
                  j, k, r.start, r.machine, d.start, d.end);
      const SimTime complete = CompletionWithDowntime(r.start, r.duration, dv);
      if (r.leave < complete)
        err.Add("job {} op {}: leaves machine {} at {} before completing at {}",
                j, k, r.machine, r.leave, complete);
      if (k + 1 < ops.size() && ops[k + 1]->start != r.leave)
        err.Add("job {}: op {} starts at {} but op {} leaves its machine at {} "
                "(blocking: the job moves when the next op starts)",
                j, k + 1, ops[k + 1]->start, k, r.leave);
      report.makespan = std::max(report.makespan, r.leave);
    }
  }

  // --- machine occupation intervals do not overlap ---------------------------
  std::vector<std::vector<const ScheduleRow*>> by_machine(m);
  for (const ScheduleRow& r : rows) by_machine[r.machine].push_back(&r);
  for (int mm = 0; mm < m; ++mm) {
    auto& v = by_machine[mm];
    // Ties on start: an empty occupation [t, t) (a zero-duration operation
    // whose job moves on at once) comes before an interval starting at t.
    std::sort(v.begin(), v.end(), [](const ScheduleRow* a, const ScheduleRow* b) {
      return a->start != b->start ? a->start < b->start : a->leave < b->leave;
    });
    for (std::size_t i = 1; i < v.size(); ++i)
      if (v[i]->start < v[i - 1]->leave)
        err.Add("machine {}: job {} op {} enters at {} while job {} op {} "
                "holds it until {}",
                mm, v[i]->job, v[i]->op, v[i]->start, v[i - 1]->job,
                v[i - 1]->op, v[i - 1]->leave);
  }

  // --- swaps: moves at one instant that cannot happen one after another ----
  // A move is job j entering O(j,k+1) on machine b at t = leave(j,k) =
  // start(j,k+1). It can only happen once b's previous occupant has left b;
  // if that occupant leaves b at t by a move too, that move comes first.
  // A zero-duration operation makes its job move twice at one instant, in
  // order. Moves that must all come before one another (a cycle of these
  // precedences: a strongly connected component of >= 2 moves) can only
  // happen simultaneously: a swap cycle. (With positive durations this is
  // the cycle of machines handed around at t.)
  //
  // Occupation order per machine: by start, then leave (an empty [t, t)
  // first), then job and op, as in the overlap check above.
  std::map<std::pair<int, int>, const ScheduleRow*> prev_on_machine;  // (job, op) -> row
  for (int mm = 0; mm < m; ++mm) {
    auto& v = by_machine[mm];
    std::stable_sort(v.begin(), v.end(), [](const ScheduleRow* a, const ScheduleRow* b) {
      if (a->start != b->start) return a->start < b->start;
      if (a->leave != b->leave) return a->leave < b->leave;
      return a->job != b->job ? a->job < b->job : a->op < b->op;
    });
    for (std::size_t i = 1; i < v.size(); ++i) prev_on_machine[{v[i]->job, v[i]->op}] = v[i - 1];
  }
  // Moves by instant: (job, op entered).
  std::map<SimTime, std::vector<std::pair<int, int>>> moves;
  for (int j = 0; j < n; ++j)
    for (std::size_t k = 1; k < by_op[j].size(); ++k)
      moves[by_op[j][k]->start].push_back({j, static_cast<int>(k)});
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  for (const auto& [t, list] : moves) {
    if (list.size() < 2) continue;
    std::map<std::pair<int, int>, int> node;
    for (std::size_t i = 0; i < list.size(); ++i) node[list[i]] = static_cast<int>(i);
    Graph g(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto [j, k] = list[i];
      // The same job's earlier move at this instant (through a zero-duration op).
      if (auto it = node.find({j, k - 1}); it != node.end()) boost::add_edge(it->second, i, g);
      // The departure of the machine's previous occupant, when it is a move at t.
      auto prev = prev_on_machine.find({j, k});
      if (prev == prev_on_machine.end() || prev->second->leave != t) continue;
      const ScheduleRow* q = prev->second;
      if (auto it = node.find({q->job, q->op + 1}); it != node.end() && it->second != static_cast<int>(i))
        boost::add_edge(it->second, i, g);
    }
    std::vector<int> comp(list.size());
    const int ncomp = boost::strong_components(
        g, boost::make_iterator_property_map(comp.begin(),
                                             boost::get(boost::vertex_index, g)));
    std::vector<std::vector<int>> members(ncomp);
    for (std::size_t i = 0; i < list.size(); ++i) members[comp[i]].push_back(static_cast<int>(i));
    for (const auto& c : members) {
      if (c.size() < 2) continue;
      ++report.swaps;
      if (!allow_swaps) {
        std::vector<int> machines;
        for (int i : c) machines.push_back(by_op[list[i].first][list[i].second]->machine);
        std::sort(machines.begin(), machines.end());
        machines.erase(std::unique(machines.begin(), machines.end()), machines.end());
        err.Add("swap cycle at t={} among machines {} is not allowed without swaps (BNS)", t,
                fmt::join(machines, " "));
      }
    }
  }

  report.valid = err.count() == 0;
  return report;
}

}  // namespace dispatchlab::jobshop
