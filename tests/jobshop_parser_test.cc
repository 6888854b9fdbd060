#include <gtest/gtest.h>

#include "sim/jobshop/generator.h"
#include "sim/jobshop/parser.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/schedule.h"
#include "sim/jobshop/simulator.h"
#include "sim/jobshop/validator.h"
#include "test_util.h"

namespace dispatchlab::jobshop {
namespace {

using dispatchlab::testing::DataPath;

TEST(Parser, ReadsFt06StandardFile) {
  auto r = LoadInstanceFile(DataPath("ft06.txt"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "ft06");
  EXPECT_EQ(r->num_jobs(), 6);
  EXPECT_EQ(r->num_machines, 6);
  // First line "2 1 0 3 1 6 3 7 5 3 4 6": job 0 starts on machine 2 for 1.
  EXPECT_EQ(r->jobs[0][0].machine.value, 2);
  EXPECT_EQ(r->jobs[0][0].duration, 1);
  EXPECT_EQ(r->jobs[0][5].machine.value, 4);
  EXPECT_EQ(r->jobs[0][5].duration, 6);
  // Last line "1 3 3 3 5 9 0 10 4 4 2 1".
  EXPECT_EQ(r->jobs[5][3].machine.value, 0);
  EXPECT_EQ(r->jobs[5][3].duration, 10);
  EXPECT_EQ(r->TotalWork(), 197);  // sum of ft06 processing times
}

TEST(Parser, TaillardFormatEqualsStandardConversion) {
  auto std_form = LoadInstanceFile(DataPath("ta01.txt"));
  auto tai = LoadInstanceFile(DataPath("ta01_taillard.txt"));
  ASSERT_TRUE(std_form.ok()) << std_form.error().message;
  ASSERT_TRUE(tai.ok()) << tai.error().message;
  ASSERT_EQ(tai->num_jobs(), 15);
  ASSERT_EQ(tai->num_machines, 15);
  for (int j = 0; j < 15; ++j)
    for (int k = 0; k < 15; ++k) {
      EXPECT_EQ(tai->jobs[j][k].machine, std_form->jobs[j][k].machine);
      EXPECT_EQ(tai->jobs[j][k].duration, std_form->jobs[j][k].duration);
    }
  // ta01's first operation: machine 6 (0-based) for 94 time units.
  EXPECT_EQ(tai->jobs[0][0].machine.value, 6);
  EXPECT_EQ(tai->jobs[0][0].duration, 94);
}

struct BadCase {
  const char* text;
  const char* expected;  // substring of the error
};

void PrintTo(const BadCase& b, std::ostream* os) { *os << b.expected; }

class ParserErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParserErrors, NamesSourceAndLine) {
  auto r = ParseInstance(GetParam().text, "bad.txt", "bad");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(GetParam().expected), std::string::npos)
      << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParserErrors,
    ::testing::Values(
        BadCase{"", "empty instance file"},
        BadCase{"# c\n2 2\n0 1 1 2\n0 x 1 2\n", "bad.txt:4: expected an integer, found 'x'"},
        BadCase{"2 2\n0 1 2 2\n1 1 0 2\n", "bad.txt:2: job 0 operation 1: machine 2 out of range"},
        BadCase{"2 2\n0 1 1 2\n1 -3 0 2\n", "bad.txt:3: job 1 operation 0: processing time -3 must be in [0, 1000000000]"},
        BadCase{"2 2\n0 1 1 2\n1 3 0\n", "bad.txt:3: job 1 has 3 numbers, expected 4"},
        BadCase{"2 2\n0 1 1 2\n", "expected 2 job lines, found 1"},
        BadCase{"1 2\n0 1 1 2\n9 9 9 9\n", "bad.txt:3: unexpected content"},
        BadCase{"2\n", "bad.txt:1: expected the header"},
        BadCase{"1 2\n0 1 0 2\n", "visits machine 0 twice in a row"},
        BadCase{"Nb of jobs, Nb of Machines\n2 2\nTimes\n1 2\n3 4\nMachines\n1 2\n2 3\n",
                "bad.txt:8: job 1 operation 1: machine 3 out of range [1, 2]"},
        BadCase{"Nb of jobs, Nb of Machines\n2 2\nTimes\n1 2\n3 4\n", "expected the 'machines' block"}));

// OR-Library instances may contain zero-duration operations: legal in the
// parser (both formats), the simulator (every rule, BWS and BNS, with
// breakdowns), the validator and the schedule CSV.
TEST(Parser, ZeroDurationOperationsAreLegalEverywhere) {
  // Job 1 has two zero-duration operations in a row: it passes M0 and M2 at
  // the instant it enters them.
  const char* text = "3 3\n0 0  1 5  2 3\n1 4  0 0  2 0\n2 2  1 0  0 6\n";
  auto inst = ParseInstance(text, "zero.txt", "zero");
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ(inst->jobs[0][0].duration, 0);
  EXPECT_EQ(inst->TotalWork(), 20);
  auto tai = ParseInstance(
      "Nb of jobs, Nb of Machines\n2 2\nTimes\n0 3\n2 0\nMachines\n1 2\n2 1\n",
      "zero_tai.txt", "zt");
  ASSERT_TRUE(tai.ok()) << tai.error().message;
  EXPECT_EQ(tai->jobs[1][1].duration, 0);
  for (const Instance* in : {&*inst, &*tai}) {
    for (Rule rule : AllRules()) {
      for (BlockingMode mode : {BlockingMode::kSwap, BlockingMode::kNoSwap}) {
        for (double p : {0.0, 0.5}) {
          SimOptions o;
          o.mode = mode;
          o.breakdowns = PerOperationBreakdowns(p);
          auto policy = MakeRulePolicy(rule);
          const EpisodeResult r = RunEpisode(*in, o, 7, *policy);
          if (r.outcome == Outcome::kDeadlock) continue;  // BNS may deadlock
          ASSERT_EQ(r.outcome, Outcome::kCompleted);
          auto rows = ParseScheduleCsv(FormatScheduleCsv(ToScheduleRows(r)), "z.csv");
          ASSERT_TRUE(rows.ok()) << rows.error().message;
          const auto v = ValidateSchedule(*in, *rows, ToDownRows(r),
                                          mode == BlockingMode::kSwap);
          EXPECT_TRUE(v.valid) << RuleName(rule) << " p=" << p << ": "
                               << (v.errors.empty() ? "" : v.errors[0]);
          EXPECT_EQ(v.makespan, r.makespan);
        }
      }
    }
  }
}

// A zero-duration operation occupies its machine for [t, t) when its job
// moves on at once; another job may enter the machine at t.
TEST(Validator, EmptyOccupationBeforeAnotherAtTheSameInstant) {
  auto inst = ParseInstance("2 2\n0 0 1 4\n0 3 1 1\n", "z.txt", "z");
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  // Job 0 passes M0 at t=0 (leaves at 0), job 1 enters M0 at 0.
  const std::vector<ScheduleRow> rows = {
      {0, 0, 0, 0, 0, 0}, {0, 1, 1, 0, 4, 4}, {1, 0, 0, 0, 3, 4}, {1, 1, 1, 4, 1, 5}};
  const auto v = ValidateSchedule(*inst, rows, {}, true);
  EXPECT_TRUE(v.valid) << (v.errors.empty() ? "" : v.errors[0]);
  EXPECT_EQ(v.makespan, 5);
  const auto seq = MachineSequences(rows, 2);
  EXPECT_EQ(seq[0], (std::vector<int>{0, 1}));
}

// Sizes are checked against stated limits from the header, before anything
// is allocated for them.
TEST(Parser, AbsurdHeadersAreRefusedWithTheLimit) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c : {
           Case{"1000000000 1000000000\n", "big.txt:1: at most 100000 jobs, found 1000000000"},
           Case{"5 1000000000\n", "big.txt:1: at most 10000 machines, found 1000000000"},
           Case{"100000 10000\n", "big.txt:1: at most 10000000 operations"},
           Case{"Nb of jobs, Nb of Machines\n1000000000 1000000000 1 2\nTimes\n",
                "big.txt:2: at most 100000 jobs"},
           Case{"1 2\n0 1 1 1000000001\n", "big.txt:2: job 0 operation 1: processing time "
                                            "1000000001 must be in [0, 1000000000]"},
           Case{"1 2\n0 1 1 99999999999999999999\n", "big.txt:2: expected an integer"},
       }) {
    auto r = ParseInstance(c.text, "big.txt", "big");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos) << r.error().message;
  }
}

TEST(Schedule, CsvFieldsOutOfRangeNameTheLine) {
  auto r = ParseScheduleCsv(
      "job,op,machine,start,duration,leaves_machine_at\n0,0,4294967296,0,1,1\n", "s.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("s.csv:2: field 'machine' is 4294967296, at most 2147483647"),
            std::string::npos) << r.error().message;
  auto d = ParseDownCsv("machine,start,end\n0,0,9223372036854775807\n", "d.csv");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("d.csv:2: field 'end'"), std::string::npos)
      << d.error().message;
}

TEST(Parser, MissingFileIsAnError) {
  auto r = LoadInstanceFile("/nonexistent/dir/x.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/dir/x.txt"), std::string::npos);
}

TEST(Parser, StandardFormatRoundTrips) {
  auto r = LoadInstanceFile(DataPath("la01.txt"));
  ASSERT_TRUE(r.ok());
  auto again = ParseInstance(FormatStandard(*r), "roundtrip", "la01");
  ASSERT_TRUE(again.ok()) << again.error().message;
  for (int j = 0; j < r->num_jobs(); ++j)
    for (int k = 0; k < r->num_machines; ++k) {
      EXPECT_EQ(again->jobs[j][k].machine, r->jobs[j][k].machine);
      EXPECT_EQ(again->jobs[j][k].duration, r->jobs[j][k].duration);
    }
}

TEST(Generator, DeterministicAndWithinBounds) {
  GeneratorOptions o{.jobs = 15, .machines = 10, .min_time = 5, .max_time = 20, .seed = 9};
  auto a = GenerateInstance(o), b = GenerateInstance(o);
  o.seed = 10;
  auto c = GenerateInstance(o);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(FormatStandard(*a), FormatStandard(*b));
  EXPECT_NE(FormatStandard(*a), FormatStandard(*c));
  EXPECT_TRUE(ValidateInstance(*a).ok());
  for (const auto& job : a->jobs) {
    std::vector<bool> seen(10, false);
    for (const auto& op : job) {
      EXPECT_GE(op.duration, 5);
      EXPECT_LE(op.duration, 20);
      EXPECT_FALSE(seen[op.machine.value]) << "a machine visited twice";
      seen[op.machine.value] = true;
    }
  }
  EXPECT_FALSE(GenerateInstance({.jobs = 0}).ok());
  EXPECT_FALSE(GenerateInstance({.min_time = 10, .max_time = 5}).ok());
}

}  // namespace
}  // namespace dispatchlab::jobshop
