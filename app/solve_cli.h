// `dispatchlab jobshop solve`: the planner (sim/jobshop/planner.h) on one
// instance, with a wall-clock limit and/or an evaluation budget.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>

#include "app/cli_common.h"

namespace dispatchlab::app {

// Adds `solve` under the `jobshop` command; sets *action when chosen.
void AddJobShopSolveCommand(CLI::App* jobshop, CliAction* action, std::ostream& out,
                            std::ostream& err);

}  // namespace dispatchlab::app
