// Classic dispatching rules as Policies. Each scores every candidate and
// takes the best; ties go to the first candidate in the simulator's order
// (machine, then job), so every rule is deterministic.
//
//   FIFO  earliest ready time (time the job became free to move)
//   SPT   shortest processing time of the operation to start
//   LPT   longest processing time
//   MOR   most operations remaining (the one to start included)
//   LOR   least operations remaining
//   MWKR  most work remaining (processing time of unstarted operations)
//   LWKR  least work remaining
//   STPT  smallest total processing time of the job
//   LTPT  largest total processing time of the job
//   RANDOM uniform, from the episode's policy stream (seedable)
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/status.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::jobshop {

enum class Rule { kFifo, kSpt, kLpt, kMor, kLor, kMwkr, kLwkr, kStpt, kLtpt,
                  kRandom };

// All rules, in the order above.
const std::vector<Rule>& AllRules();
std::string RuleName(Rule rule);  // lower case: "spt"
// Case-insensitive; the error lists the known names.
Result<Rule> ParseRule(std::string_view name);

std::unique_ptr<Policy> MakeRulePolicy(Rule rule);

// Picks among the candidates with the rule; exposed for tests and for
// policies that fall back to a rule.
int ChooseByRule(Rule rule, const Simulator& sim,
                 std::span<const Candidate> candidates);

}  // namespace dispatchlab::jobshop
