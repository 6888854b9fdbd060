// Qt-free model of a job-shop Gantt chart: one row per machine, one bar per
// operation (processing from start to completion, then a blocked tail until
// the job leaves the machine), machine down intervals, and which operations
// began inside a swap cycle. Built from plain schedule rows, so it draws a
// simulator run, a stored run or an oracle CSV alike.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/core/time.h"
#include "sim/jobshop/instance.h"
#include "sim/jobshop/schedule.h"

namespace dispatchlab::gui {

struct GanttBar {
  int row = 0;  // machine
  int job = 0, op = 0;
  SimTime start = 0;
  SimTime completion = 0;  // end of processing (incl. down time inside)
  SimTime leave = 0;       // end of occupation; > completion when blocked
  bool swapped_in = false; // started as part of a swap cycle
  SimTime duration = 0;    // processing time p(j,k)
  SimTime down_inside = 0; // machine down time inside [start, completion)
};

struct GanttDown {
  int row = 0;
  SimTime start = 0, end = 0;
};

struct GanttData {
  int rows = 0;
  int jobs = 0;
  SimTime makespan = 0;
  std::vector<GanttBar> bars;
  std::vector<GanttDown> downs;
  int swaps = 0;
};

// `completion` of each op is recomputed from its duration and the machine's
// down intervals (processing pauses while down).
GanttData BuildGantt(const jobshop::Instance& instance,
                     const std::vector<jobshop::ScheduleRow>& rows,
                     const std::vector<jobshop::DownRow>& down);

// Index of the bar under (row, time), or -1.
int BarAt(const GanttData& g, int row, double time);

// Down intervals of the bar's machine that interrupt its processing
// (overlap [start, completion)).
std::vector<GanttDown> DownsInside(const GanttData& g, int bar);

// Per-machine partition of [0, makespan): busy (processing, the sum of
// p(j,k) on the machine; processing pauses while down), down (repair,
// clipped to the makespan), blocked (a finished job holds the machine
// while it is up) and idle (neither occupied nor down); the four add up to
// the makespan. utilisation = busy / makespan.
struct MachineKpi {
  int machine = 0;
  SimTime busy = 0, blocked = 0, down = 0, idle = 0;
  int breakdowns = 0;
  double utilisation = 0;
};

struct ScheduleKpis {
  SimTime makespan = 0;
  std::vector<MachineKpi> machines;
  double mean_utilisation = 0;
  SimTime blocked = 0, down = 0;  // totals over machines
  int breakdowns = 0, swaps = 0;
  // Best known makespan (BWS, no breakdowns) when known, and the gap
  // 100 (makespan - reference) / reference.
  std::optional<std::int64_t> reference;
  std::optional<double> gap_pct;
};

ScheduleKpis ComputeScheduleKpis(const GanttData& g, std::optional<std::int64_t> reference);

}  // namespace dispatchlab::gui
