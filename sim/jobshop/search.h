// A strong improvement heuristic as the quality ceiling for the dispatching
// policies (DESIGN.md, domain A baselines): iterated greedy over machine
// sequences, with the simulator as the evaluator.
//
// A solution is, per machine, a priority order of the operations it
// processes. Executed by the simulator (non-delay, blocking, swaps,
// breakdowns as configured), a contested machine starts the waiting
// operation that comes first in its order. The search starts from the best
// schedule of the ten dispatching rules (read back as machine orders, which
// replay that rule exactly), then repeats: take one machine, remove a few of
// its operations, reinsert each at the position that gives the smallest
// makespan; accept the result if it is no worse (or, rarely, worse: a
// Ruiz-Stuetzle temperature), keep the best.
//
// Clairvoyant by design: the search simulates the episode's own seed, so it
// sees that episode's breakdowns in advance. That makes it an upper bound on
// what any dispatcher could reach under the same disruptions, not a policy
// one could run online. At p = 0 it is a plain heuristic for the blocking
// job shop.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/core/rng.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::jobshop {

struct IteratedGreedyOptions {
  int evaluations = 5000;     // simulated episodes per search (la16: 37 ms)
  int remove = 2;             // operations taken out of one machine order per iteration
  double temperature = 0.4;   // x mean processing time / 10, as in Ruiz & Stuetzle
  std::uint64_t seed = 1;     // the search's own randomness (mixed with the episode seed)
};

struct SearchResult {
  // order[m]: global operation ids (job-major numbering) in priority order.
  std::vector<std::vector<int>> order;
  SimTime makespan = 0;          // of the best order (kTimeInfinity if none completes)
  SimTime start_makespan = 0;    // of the best dispatching rule (kTimeInfinity: all deadlock)
  int evaluations = 0;
};

// Searches machine orders for `instance` under `options` on episode `seed`.
SearchResult IteratedGreedySearch(const Instance& instance, const SimOptions& options,
                                  std::uint64_t seed, const IteratedGreedyOptions& search);

// The policy that searches at the first decision of an episode and then
// follows the best order. Name "ig".
class IteratedGreedyPolicy final : public Policy {
 public:
  explicit IteratedGreedyPolicy(IteratedGreedyOptions options = {}) : options_(options) {}
  std::string name() const override { return "ig"; }
  void Reset(std::uint64_t seed) override;
  int Choose(const Simulator& sim, std::span<const Candidate> candidates) override;

  const SearchResult& last_search() const { return search_; }

 private:
  IteratedGreedyOptions options_;
  std::uint64_t seed_ = 0;
  bool planned_ = false;
  SearchResult search_;
  std::vector<int> rank_;          // per global operation id
  std::vector<int> op_offset_;     // first global id of each job
};

}  // namespace dispatchlab::jobshop
