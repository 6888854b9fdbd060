// Seeded random instances, Taillard-style: every job visits every machine
// once in a uniformly random order, processing times uniform integers in
// [min_time, max_time].
#pragma once

#include <cstdint>

#include "sim/core/status.h"
#include "sim/jobshop/instance.h"

namespace dispatchlab::jobshop {

struct GeneratorOptions {
  int jobs = 10;
  int machines = 10;
  SimTime min_time = 1;
  SimTime max_time = 99;
  std::uint64_t seed = 0;
};

// Bad options (non-positive sizes, min_time > max_time, min_time < 1) give
// an Error. Same options => identical instance.
Result<Instance> GenerateInstance(const GeneratorOptions& options);

}  // namespace dispatchlab::jobshop
