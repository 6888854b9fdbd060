// Independent checker of a finished job-shop schedule. It shares no code with
// the simulator: it sees only the instance, the schedule rows and the down
// intervals, and re-derives every constraint from DESIGN.md:
//   * every operation exactly once, on its machine, with its duration;
//   * precedence and blocking: S(j,k+1) == leaves_machine_at(j,k), and a job
//     leaves only after its operation is complete;
//   * completion accounts for down time: processing pauses while the machine
//     is down, so complete = start + duration + down time inside;
//   * a job never starts on a machine that is down;
//   * occupation intervals [start, leave) on a machine do not overlap;
//   * simultaneous moves that form a cycle of machines are swaps: legal with
//     BlockingMode::kSwap, an error with kNoSwap.
#pragma once

#include <string>
#include <vector>

#include "sim/jobshop/instance.h"
#include "sim/jobshop/schedule.h"

namespace dispatchlab::jobshop {

struct ValidationReport {
  bool valid = false;
  std::vector<std::string> errors;  // at most kMaxErrors, most useful first
  SimTime makespan = 0;             // max leave over all operations
  int swaps = 0;                    // swap cycles found
  static constexpr int kMaxErrors = 20;
};

// `allow_swaps`: true for BWS, false for BNS.
ValidationReport ValidateSchedule(const Instance& instance,
                                  const std::vector<ScheduleRow>& rows,
                                  const std::vector<DownRow>& down,
                                  bool allow_swaps);

}  // namespace dispatchlab::jobshop
