// The exact oracles of ../shared/data/jobshop: optimal ft06 schedules under
// blocking with swaps (63, needs a swap cycle) and without swaps (69).
#include <gtest/gtest.h>

#include "sim/jobshop/simulator.h"
#include "sim/jobshop/validator.h"
#include "test_util.h"

namespace dispatchlab::jobshop {
namespace {

using dispatchlab::testing::LoadBuiltin;
using dispatchlab::testing::LoadScheduleFile;

EpisodeResult Replay(const Instance& inst, const std::vector<ScheduleRow>& rows,
                     BlockingMode mode) {
  SimOptions o;
  o.mode = mode;
  o.machine_sequences.resize(inst.num_machines);
  const auto seq = MachineSequences(rows, inst.num_machines);
  for (int m = 0; m < inst.num_machines; ++m)
    for (int j : seq[m]) o.machine_sequences[m].push_back(JobId(j));
  Simulator sim(inst, o);
  sim.Reset(0);
  while (sim.AdvanceToDecision()) sim.Apply(0);
  return sim.TakeResult();
}

TEST(Oracle, Ft06BwsOptimalReplaysTo63WithASwap) {
  const Instance ft06 = LoadBuiltin("ft06");
  const auto rows = LoadScheduleFile("ft06_bws_optimal_63.csv");
  const EpisodeResult r = Replay(ft06, rows, BlockingMode::kSwap);
  ASSERT_EQ(r.outcome, Outcome::kCompleted);
  EXPECT_EQ(r.makespan, 63);
  EXPECT_GE(r.swaps, 1);
  // The replayed (semi-active) schedule is itself valid under BWS, and the
  // validator sees the swap too.
  const auto rep = ValidateSchedule(ft06, ToScheduleRows(r), {}, true);
  EXPECT_TRUE(rep.valid) << (rep.errors.empty() ? "" : rep.errors[0]);
  EXPECT_EQ(rep.makespan, 63);
  EXPECT_GE(rep.swaps, 1);
}

TEST(Oracle, Ft06BwsOrderDeadlocksWithoutSwaps) {
  const Instance ft06 = LoadBuiltin("ft06");
  const auto rows = LoadScheduleFile("ft06_bws_optimal_63.csv");
  const EpisodeResult r = Replay(ft06, rows, BlockingMode::kNoSwap);
  EXPECT_EQ(r.outcome, Outcome::kDeadlock);
  EXPECT_LT(r.operations_dispatched, ft06.num_operations());
}

TEST(Oracle, Ft06BnsOptimalReplaysTo69) {
  const Instance ft06 = LoadBuiltin("ft06");
  const auto rows = LoadScheduleFile("ft06_bns_optimal_69.csv");
  for (BlockingMode mode : {BlockingMode::kNoSwap, BlockingMode::kSwap}) {
    const EpisodeResult r = Replay(ft06, rows, mode);
    ASSERT_EQ(r.outcome, Outcome::kCompleted);
    EXPECT_EQ(r.makespan, 69);
    EXPECT_EQ(r.swaps, 0);
  }
}

TEST(Oracle, ValidatorAcceptsTheOptimalFilesInTheirModes) {
  const Instance ft06 = LoadBuiltin("ft06");
  const auto bws = LoadScheduleFile("ft06_bws_optimal_63.csv");
  const auto bns = LoadScheduleFile("ft06_bns_optimal_69.csv");
  auto r1 = ValidateSchedule(ft06, bws, {}, true);
  EXPECT_TRUE(r1.valid) << (r1.errors.empty() ? "" : r1.errors[0]);
  EXPECT_EQ(r1.makespan, 63);
  EXPECT_GE(r1.swaps, 1);
  auto r2 = ValidateSchedule(ft06, bns, {}, false);
  EXPECT_TRUE(r2.valid) << (r2.errors.empty() ? "" : r2.errors[0]);
  EXPECT_EQ(r2.makespan, 69);
  // The 63 schedule needs a swap: illegal without swaps.
  auto r3 = ValidateSchedule(ft06, bws, {}, false);
  EXPECT_FALSE(r3.valid);
  ASSERT_FALSE(r3.errors.empty());
  EXPECT_NE(r3.errors[0].find("swap cycle"), std::string::npos) << r3.errors[0];
}

}  // namespace
}  // namespace dispatchlab::jobshop
