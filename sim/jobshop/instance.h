// The job-shop instance: plain data, immutable once built.
//
// n jobs, m machines. Job j is a chain of operations O(j,0..len-1); O(j,k)
// runs on machine ops[j][k].machine for ops[j][k].duration time units
// (integer ticks, >= 0: OR-Library instances contain zero-duration
// operations, which start and complete at the same instant). Machines are 0-based. A job may have fewer operations
// than m (generated instances), but never visits a machine twice in a row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/status.h"
#include "sim/core/strong_id.h"
#include "sim/core/time.h"

namespace dispatchlab::jobshop {

struct JobTag {};
struct MachineTag {};
using JobId = StrongId<JobTag>;
using MachineId = StrongId<MachineTag>;

struct Operation {
  MachineId machine;
  SimTime duration = 0;  // in [0, kMaxProcessingTime]
};

// Size limits, stated in parser messages ("at most 100000 jobs") and checked
// from a file's header before anything is allocated for it. With them every
// sum of processing times fits SimTime with room to spare.
inline constexpr int kMaxJobs = 100000;
inline constexpr int kMaxMachines = 10000;
inline constexpr std::int64_t kMaxOperations = 10'000'000;
inline constexpr SimTime kMaxProcessingTime = 1'000'000'000;

struct Instance {
  std::string name;
  int num_machines = 0;
  std::vector<std::vector<Operation>> jobs;  // jobs[j][k] = O(j,k)

  int num_jobs() const { return static_cast<int>(jobs.size()); }
  int num_operations() const;
  double MeanDuration() const;  // mean processing time over all operations
  SimTime TotalWork() const;    // sum of all processing times
};

// Checks the invariants above; the error names the instance and the job.
Status ValidateInstance(const Instance& instance);

}  // namespace dispatchlab::jobshop
