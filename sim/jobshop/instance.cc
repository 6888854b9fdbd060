#include "sim/jobshop/instance.h"

#include <fmt/format.h>

namespace dispatchlab::jobshop {

int Instance::num_operations() const {
  int n = 0;
  for (const auto& job : jobs) n += static_cast<int>(job.size());
  return n;
}

SimTime Instance::TotalWork() const {
  SimTime total = 0;
  for (const auto& job : jobs)
    for (const auto& op : job) total += op.duration;
  return total;
}

double Instance::MeanDuration() const {
  const int n = num_operations();
  return n == 0 ? 0.0 : static_cast<double>(TotalWork()) / n;
}

Status ValidateInstance(const Instance& instance) {
  if (instance.num_machines <= 0)
    return Error{fmt::format("{}: number of machines must be positive",
                             instance.name)};
  if (instance.num_machines > kMaxMachines)
    return Error{fmt::format("{}: at most {} machines, found {}", instance.name,
                             kMaxMachines, instance.num_machines)};
  if (instance.jobs.empty())
    return Error{fmt::format("{}: instance has no jobs", instance.name)};
  if (instance.num_jobs() > kMaxJobs)
    return Error{fmt::format("{}: at most {} jobs, found {}", instance.name,
                             kMaxJobs, instance.num_jobs())};
  if (instance.num_operations() > kMaxOperations)
    return Error{fmt::format("{}: at most {} operations, found {}",
                             instance.name, kMaxOperations,
                             instance.num_operations())};
  for (int j = 0; j < instance.num_jobs(); ++j) {
    const auto& job = instance.jobs[j];
    if (job.empty())
      return Error{fmt::format("{}: job {} has no operations", instance.name, j)};
    for (std::size_t k = 0; k < job.size(); ++k) {
      const Operation& op = job[k];
      if (op.machine.value < 0 || op.machine.value >= instance.num_machines)
        return Error{fmt::format(
            "{}: job {} operation {}: machine {} out of range [0, {})",
            instance.name, j, k, op.machine.value, instance.num_machines)};
      if (op.duration < 0 || op.duration > kMaxProcessingTime)
        return Error{fmt::format(
            "{}: job {} operation {}: processing time {} must be in [0, {}]",
            instance.name, j, k, op.duration, kMaxProcessingTime)};
      if (k > 0 && job[k - 1].machine == op.machine)
        return Error{fmt::format(
            "{}: job {} visits machine {} twice in a row (operations {} and "
            "{}); a blocking job shop cannot hand a job to the machine it "
            "holds",
            instance.name, j, op.machine.value, k - 1, k)};
    }
  }
  return Status::Ok();
}

}  // namespace dispatchlab::jobshop
