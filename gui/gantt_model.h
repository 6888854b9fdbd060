// Qt-free model of a job-shop Gantt chart: one row per machine, one bar per
// operation (processing from start to completion, then a blocked tail until
// the job leaves the machine), machine down intervals, and which operations
// began inside a swap cycle. Built from plain schedule rows, so it draws a
// simulator run, a stored run or an oracle CSV alike.
#pragma once

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

}  // namespace dispatchlab::gui
