#include <gtest/gtest.h>

#include "sim/jobshop/generator.h"
#include "sim/jobshop/parser.h"
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
        BadCase{"2 2\n0 1 1 2\n1 -3 0 2\n", "bad.txt:3: job 1 operation 0: processing time -3 must be positive"},
        BadCase{"2 2\n0 1 1 2\n1 3 0\n", "bad.txt:3: job 1 has 3 numbers, expected 4"},
        BadCase{"2 2\n0 1 1 2\n", "expected 2 job lines, found 1"},
        BadCase{"1 2\n0 1 1 2\n9 9 9 9\n", "bad.txt:3: unexpected content"},
        BadCase{"2\n", "bad.txt:1: expected the header"},
        BadCase{"1 2\n0 1 0 2\n", "visits machine 0 twice in a row"},
        BadCase{"Nb of jobs, Nb of Machines\n2 2\nTimes\n1 2\n3 4\nMachines\n1 2\n2 3\n",
                "bad.txt:8: job 1 operation 1: machine 3 out of range [1, 2]"},
        BadCase{"Nb of jobs, Nb of Machines\n2 2\nTimes\n1 2\n3 4\n", "expected the 'machines' block"}));

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
