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
    g.bars.push_back({r.machine, r.job, r.op, r.start, t + left, std::max(r.leave, t + left), false});
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

}  // namespace dispatchlab::gui
