// The validator must reject what breaks each rule; every case starts from
// the valid ft06 BNS optimum and breaks exactly one thing.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/jobshop/validator.h"
#include "test_util.h"

namespace dispatchlab::jobshop {
namespace {

using dispatchlab::testing::LoadBuiltin;
using dispatchlab::testing::LoadScheduleFile;

class ValidatorTest : public ::testing::Test {
 protected:
  Instance ft06 = LoadBuiltin("ft06");
  std::vector<ScheduleRow> rows = LoadScheduleFile("ft06_bns_optimal_69.csv");

  ScheduleRow& Row(int job, int op) {
    for (auto& r : rows)
      if (r.job == job && r.op == op) return r;
    ADD_FAILURE() << "no row";
    return rows[0];
  }
  ValidationReport Check(const std::vector<DownRow>& down = {}) {
    return ValidateSchedule(ft06, rows, down, false);
  }
  static bool Mentions(const ValidationReport& r, const std::string& s) {
    for (const auto& e : r.errors)
      if (e.find(s) != std::string::npos) return true;
    return false;
  }
};

TEST_F(ValidatorTest, AcceptsTheOptimum) { EXPECT_TRUE(Check().valid); }

TEST_F(ValidatorTest, RejectsMissingAndDuplicateOperations) {
  rows.pop_back();
  auto r = Check();
  EXPECT_FALSE(r.valid);
  EXPECT_TRUE(Mentions(r, "is missing"));
  rows.push_back(rows.front());
  EXPECT_TRUE(Mentions(Check(), "appears twice"));
}

TEST_F(ValidatorTest, RejectsWrongMachineOrDuration) {
  Row(0, 0).duration += 1;
  EXPECT_TRUE(Mentions(Check(), "duration"));
  Row(0, 0).duration -= 1;
  Row(0, 0).machine = (Row(0, 0).machine + 1) % 6;
  EXPECT_FALSE(Check().valid);
}

TEST_F(ValidatorTest, RejectsLeavingBeforeCompletion) {
  // Job 0 op 0 (machine 2, duration 1) starts at 0: leaving at 0 is too early.
  ScheduleRow& r = Row(0, 0);
  r.leave = r.start + r.duration - 1;
  Row(0, 1).start = r.leave;
  EXPECT_TRUE(Mentions(Check(), "before completing"));
}

TEST_F(ValidatorTest, RejectsBrokenBlockingChain) {
  // The next op must start exactly when the job leaves its machine.
  Row(2, 3).start += 1;
  EXPECT_TRUE(Mentions(Check(), "blocking"));
}

TEST_F(ValidatorTest, RejectsOverlappingOccupation) {
  // Move the second job on some machine to start while the first holds it.
  std::vector<ScheduleRow*> on0;
  for (auto& r : rows)
    if (r.machine == 0) on0.push_back(&r);
  std::sort(on0.begin(), on0.end(),
            [](auto* a, auto* b) { return a->start < b->start; });
  ScheduleRow& first = *on0[0];
  ScheduleRow& second = *on0[1];
  // Make the second interval begin one tick before the first one ends,
  // keeping its own job consistent by shifting its previous op's leave.
  const SimTime new_start = first.leave - 1;
  for (auto& r : rows)
    if (r.job == second.job && r.op == second.op - 1) r.leave = new_start;
  const SimTime delta = second.start - new_start;
  second.start = new_start;
  second.leave -= delta;
  auto rep = Check();
  EXPECT_FALSE(rep.valid);
  EXPECT_TRUE(Mentions(rep, "holds it until"));
}

TEST_F(ValidatorTest, DownTimeDelaysCompletionAndForbidsStarts) {
  // Job 0 op 0 runs on machine 2 during [0, 1). A down interval [0, 5) on
  // machine 2 means it cannot start at 0.
  EXPECT_TRUE(Mentions(Check({{2, 0, 5}}), "which is down"));
  // Machine 2 down in [1, 3) does not touch op (0,0) = [0,1) processing, but
  // any op starting on machine 2 inside it would be flagged; choose a gap
  // right after an op's start instead: that op's completion moves by 2.
  const ScheduleRow& r = Row(1, 1);  // job 1 op 1 on machine 2
  ASSERT_EQ(r.machine, 2);
  const std::vector<DownRow> down = {{2, r.start + 1, r.start + 1 + 50}};
  auto rep = Check(down);
  EXPECT_FALSE(rep.valid);
  EXPECT_TRUE(Mentions(rep, "before completing"));
}

TEST_F(ValidatorTest, RejectsBadDownIntervals) {
  EXPECT_TRUE(Mentions(Check({{9, 0, 5}}), "out of range"));
  EXPECT_TRUE(Mentions(Check({{1, 5, 5}}), "empty down interval"));
  EXPECT_TRUE(Mentions(Check({{1, 100, 110}, {1, 105, 120}}), "overlap"));
}

}  // namespace
}  // namespace dispatchlab::jobshop
