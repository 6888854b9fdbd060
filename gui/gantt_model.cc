#include "gui/gantt_model.h"

#include <algorithm>
#include <map>

namespace dispatchlab::gui {

GanttData BuildGantt(const jobshop::Instance& inst, const std::vector<jobshop::ScheduleRow>& rows,
                     const std::vector<jobshop::DownRow>& down) {
  GanttData g;
  g.rows = inst.num_machines;
  g.jobs = inst.num_jobs();
  std::vector<std::vector<jobshop::DownRow>> down_by(g.rows);
  for (const auto& d : down) {
    if (d.machine < 0 || d.machine >= g.rows) continue;
    g.downs.push_back({d.machine, d.start, d.end});
    down_by[d.machine].push_back(d);
  }
  for (auto& v : down_by)
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.start < b.start; });
  std::map<std::pair<int, int>, const jobshop::ScheduleRow*> by_op;
  for (const auto& r : rows) {
    if (r.machine < 0 || r.machine >= g.rows) continue;
    SimTime t = r.start, left = r.duration;
    for (const auto& d : down_by[r.machine]) {
      if (d.end <= t) continue;
      if (d.start >= t + left) break;
      left -= std::max<SimTime>(0, d.start - t);
      t = std::max(t, d.end);
    }
    const SimTime completion = t + left;
    g.bars.push_back({r.machine, r.job, r.op, r.start, completion, std::max(r.leave, completion),
                      false, r.duration, completion - r.start - r.duration});
    g.makespan = std::max(g.makespan, r.leave);
    by_op[{r.job, r.op}] = &r;
  }
  // Swap cycles: moves (machine a -> machine b) at one instant whose
  // machines form a cycle; each move's target op started inside a swap.
  std::map<SimTime, std::map<int, std::pair<int, std::size_t>>> moves;  // t -> from -> (to, bar)
  for (std::size_t i = 0; i < g.bars.size(); ++i) {
    const auto& b = g.bars[i];
    auto prev = by_op.find({b.job, b.op - 1});
    if (prev == by_op.end() || prev->second->leave != b.start) continue;
    moves[b.start][prev->second->machine] = {b.row, i};
  }
  for (auto& [t, m] : moves) {
    std::map<int, int> state;  // 0 unseen, 1 on path, 2 done
    for (auto& [start, unused] : m) {
      if (state[start]) continue;
      std::vector<int> path;
      int cur = start;
      while (m.count(cur) && state[cur] == 0) {
        state[cur] = 1;
        path.push_back(cur);
        cur = m[cur].first;
      }
      if (m.count(cur) && state[cur] == 1) {  // found a cycle starting at cur
        ++g.swaps;
        int c = cur;
        do {
          g.bars[m[c].second].swapped_in = true;
          c = m[c].first;
        } while (c != cur);
      }
      for (int p : path) state[p] = 2;
    }
  }
  return g;
}

int BarAt(const GanttData& g, int row, double time) {
  for (std::size_t i = 0; i < g.bars.size(); ++i) {
    const auto& b = g.bars[i];
    if (b.row == row && time >= static_cast<double>(b.start) && time < static_cast<double>(b.leave))
      return static_cast<int>(i);
  }
  return -1;
}

std::vector<GanttDown> DownsInside(const GanttData& g, int bar) {
  std::vector<GanttDown> out;
  const GanttBar& b = g.bars[bar];
  for (const auto& d : g.downs)
    if (d.row == b.row && d.start < b.completion && d.end > b.start) out.push_back(d);
  std::sort(out.begin(), out.end(), [](auto& x, auto& y) { return x.start < y.start; });
  return out;
}

namespace {
// Length of the union of intervals, clipped to [0, limit).
SimTime UnionLength(std::vector<std::pair<SimTime, SimTime>> iv, SimTime limit) {
  std::sort(iv.begin(), iv.end());
  SimTime total = 0, cur_a = 0, cur_b = 0;
  bool open = false;
  for (auto [a, b] : iv) {
    a = std::max<SimTime>(0, a);
    b = std::min(b, limit);
    if (b <= a) continue;
    if (open && a <= cur_b) {
      cur_b = std::max(cur_b, b);
      continue;
    }
    if (open) total += cur_b - cur_a;
    cur_a = a;
    cur_b = b;
    open = true;
  }
  if (open) total += cur_b - cur_a;
  return total;
}
}  // namespace

ScheduleKpis ComputeScheduleKpis(const GanttData& g, std::optional<std::int64_t> reference) {
  ScheduleKpis k;
  k.makespan = g.makespan;
  k.swaps = g.swaps;
  k.reference = reference;
  if (reference && *reference > 0 && g.makespan > 0)
    k.gap_pct = 100.0 * static_cast<double>(g.makespan - *reference) / static_cast<double>(*reference);
  std::vector<std::vector<std::pair<SimTime, SimTime>>> occupied(g.rows), tails(g.rows), down(g.rows);
  k.machines.resize(g.rows);
  for (int m = 0; m < g.rows; ++m) k.machines[m].machine = m;
  for (const auto& b : g.bars) {
    MachineKpi& mk = k.machines[b.row];
    mk.busy += b.duration;
    occupied[b.row].push_back({b.start, b.leave});
    if (b.leave > b.completion) tails[b.row].push_back({b.completion, b.leave});
  }
  for (const auto& d : g.downs) {
    ++k.machines[d.row].breakdowns;
    down[d.row].push_back({d.start, d.end});
  }
  for (int m = 0; m < g.rows; ++m) {
    MachineKpi& mk = k.machines[m];
    mk.down = UnionLength(down[m], g.makespan);
    // Processing pauses while down, so processing, down, blocked-while-up
    // and idle partition [0, makespan).
    auto blocked_or_down = tails[m];
    blocked_or_down.insert(blocked_or_down.end(), down[m].begin(), down[m].end());
    mk.blocked = UnionLength(blocked_or_down, g.makespan) - mk.down;
    auto all = occupied[m];
    all.insert(all.end(), down[m].begin(), down[m].end());
    mk.idle = g.makespan - UnionLength(all, g.makespan);
    mk.utilisation = g.makespan > 0 ? static_cast<double>(mk.busy) / static_cast<double>(g.makespan) : 0;
    k.mean_utilisation += mk.utilisation / std::max(1, g.rows);
    k.blocked += mk.blocked;
    k.down += mk.down;
    k.breakdowns += mk.breakdowns;
  }
  return k;
}

}  // namespace dispatchlab::gui
