// A finished job-shop schedule as plain rows: what the CSV files hold, what
// the validator checks and what a Gantt chart draws. Independent of the
// simulator (the validator must not share code with it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/status.h"
#include "sim/core/time.h"

namespace dispatchlab::jobshop {

struct EpisodeResult;

// One operation. Occupation of its machine is [start, leave).
struct ScheduleRow {
  int job = 0;
  int op = 0;  // 0-based position in the job
  int machine = 0;
  SimTime start = 0;
  SimTime duration = 0;  // processing time (excludes down time)
  SimTime leave = 0;     // "leaves_machine_at": start of the next op of the
                         // job, or the completion of the last one
};

// A machine down interval [start, end).
struct DownRow {
  int machine = 0;
  SimTime start = 0;
  SimTime end = 0;
};

std::vector<ScheduleRow> ToScheduleRows(const EpisodeResult& result);
std::vector<DownRow> ToDownRows(const EpisodeResult& result);

// CSV with header job,op,machine,start,duration,leaves_machine_at (the
// format of ../shared/data/jobshop/ft06_bws_optimal_63.csv).
std::string FormatScheduleCsv(const std::vector<ScheduleRow>& rows);
Result<std::vector<ScheduleRow>> ParseScheduleCsv(const std::string& text,
                                                  const std::string& source);
// CSV with header machine,start,end.
std::string FormatDownCsv(const std::vector<DownRow>& rows);
Result<std::vector<DownRow>> ParseDownCsv(const std::string& text,
                                          const std::string& source);

// Per machine, the jobs in order of start time (the schedule's machine
// sequences, which a semi-active replay follows).
std::vector<std::vector<int>> MachineSequences(
    const std::vector<ScheduleRow>& rows, int num_machines);

}  // namespace dispatchlab::jobshop
