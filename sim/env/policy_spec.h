// A policy as every front end sees it (CLI, batch, GUI): its identity in the
// store and a factory. Each worker thread makes its own instance, so a
// factory must be callable concurrently. Exactly one of make_jobshop /
// make_uam is set, the one of `domain`.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sim/core/domain.h"
#include "sim/jobshop/simulator.h"
#include "sim/uam/simulator.h"

namespace dispatchlab {

struct PolicySpec {
  Domain domain = Domain::kJobShop;
  std::string name;              // as stored and shown
  std::string kind = "rule";     // "rule" | "search" | "baseline" | "neural" | "ceiling"
  std::string parameters = "{}"; // JSON stored with the policy row; a learned policy's
                                 // weights hash is part of it, so new weights = new policy
  std::function<std::unique_ptr<jobshop::Policy>()> make_jobshop;
  std::function<std::unique_ptr<uam::Policy>()> make_uam;
};

}  // namespace dispatchlab
