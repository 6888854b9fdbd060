#include "sim/jobshop/generator.h"

#include <fmt/format.h>

#include <numeric>
#include <vector>

#include "sim/core/rng.h"

namespace dispatchlab::jobshop {

Result<Instance> GenerateInstance(const GeneratorOptions& o) {
  if (o.jobs <= 0 || o.machines <= 0)
    return Error{fmt::format("generator: jobs ({}) and machines ({}) must be "
                             "positive",
                             o.jobs, o.machines)};
  if (o.min_time < 1 || o.min_time > o.max_time)
    return Error{fmt::format("generator: need 1 <= min_time ({}) <= max_time "
                             "({})",
                             o.min_time, o.max_time)};
  Instance inst;
  inst.name = fmt::format("rand_{}x{}_s{}", o.jobs, o.machines, o.seed);
  inst.num_machines = o.machines;
  Rng rng = Rng::Stream(o.seed, StreamTag::kGenerator,
                        static_cast<std::uint64_t>(o.jobs),
                        static_cast<std::uint64_t>(o.machines));
  std::vector<int> order(o.machines);
  for (int j = 0; j < o.jobs; ++j) {
    std::iota(order.begin(), order.end(), 0);
    for (int i = o.machines - 1; i > 0; --i)  // Fisher-Yates
      std::swap(order[i], order[rng.UniformInt(0, i)]);
    std::vector<Operation> job;
    for (int k = 0; k < o.machines; ++k)
      job.push_back({MachineId(order[k]), rng.UniformInt(o.min_time, o.max_time)});
    inst.jobs.push_back(std::move(job));
  }
  return inst;
}

}  // namespace dispatchlab::jobshop
