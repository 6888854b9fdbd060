// The `dispatchlab` command as a user meets it: outputs, files written, and
// one clear line with exit code 2 on bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli.h"
#include "tests/cli_run.h"

namespace dispatchlab::app {
namespace {

using cli_testing::Cli;
using cli_testing::Out;

std::string Data(const std::string& f) { return std::string(DISPATCHLAB_TEST_DATA) + "/" + f; }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dl_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& f) { return (dir_ / f).string(); }
  std::string Write(const std::string& f, const std::string& text) {
    std::ofstream(Path(f)) << text;
    return Path(f);
  }
  std::filesystem::path dir_;
};

TEST_F(CliTest, RunJsonHasTheDocumentedFields) {
  auto r = Cli({"jobshop", "run", "--instance", "la01", "--policy", "spt",
                "--shutdown-p", "0.05", "--episodes", "5", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["instance"], "la01");
  EXPECT_EQ(j["episodes"], 5);
  EXPECT_EQ(j["operations"], 5 * 50);  // la01: 10 jobs x 5 machines
  EXPECT_TRUE(j["valid"].get<bool>());
  EXPECT_GE(j["makespan_min"].get<double>(), 793);  // BWS optimum of la01
  EXPECT_LE(j["makespan_min"].get<double>(), j["makespan_mean"].get<double>());
  EXPECT_GE(j["wall_s"].get<double>(), 0.0);
  for (const char* k : {"makespan_std", "makespan_max", "swaps", "breakdowns",
                        "decisions", "deadlocks"})
    EXPECT_TRUE(j.contains(k)) << k;
}

TEST_F(CliTest, ScheduleOutWritesOracleColumnsAndValidates) {
  const std::string csv = Path("s.csv");
  auto r = Cli({"jobshop", "run", "--instance", "ft06", "--policy", "mwkr",
                "--shutdown-p", "0.2", "--seed", "4", "--schedule-out", csv});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "job,op,machine,start,duration,leaves_machine_at");
  ASSERT_TRUE(std::filesystem::exists(Path("s.down.csv")));
  // validate picks up s.down.csv beside the schedule.
  auto v = Cli({"jobshop", "validate", "--instance", "ft06", "--schedule", csv});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("valid bws schedule"), std::string::npos) << v.out;
}

TEST_F(CliTest, ReplayOracles) {
  auto a = Cli({"jobshop", "replay", "--instance", "ft06", "--schedule",
                Data("ft06_bws_optimal_63.csv")});
  EXPECT_EQ(a.code, 0);
  EXPECT_NE(a.out.find("makespan 63"), std::string::npos) << a.out;
  auto b = Cli({"jobshop", "replay", "--instance", "ft06", "--schedule",
                Data("ft06_bws_optimal_63.csv"), "--mode", "bns"});
  EXPECT_EQ(b.code, 1);
  EXPECT_NE(b.out.find("deadlock"), std::string::npos) << b.out;
  auto c = Cli({"jobshop", "replay", "--instance", "ft06", "--schedule",
                Data("ft06_bns_optimal_69.csv"), "--mode", "bns", "--json"});
  EXPECT_EQ(c.code, 0);
  EXPECT_EQ(nlohmann::json::parse(c.out)["makespan"], 69);
}

TEST_F(CliTest, ValidateRejectsSwapInBnsMode) {
  auto r = Cli({"jobshop", "validate", "--instance", "ft06", "--schedule",
                Data("ft06_bws_optimal_63.csv"), "--mode", "bns"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("swap cycle"), std::string::npos) << r.out;
}

TEST_F(CliTest, RulesTableShowsGapToReference) {
  // ig is the clairvoyant ceiling: shown (marked ^) and far better than any
  // rule, but never the "best" of a row.
  auto r = Cli({"jobshop", "rules", "--instances", "la0[1-2]", "--policies", "spt,mwkr,ig",
                "--threads", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("la01"), std::string::npos);
  EXPECT_NE(r.out.find("la02"), std::string::npos);
  EXPECT_EQ(r.out.find("la03"), std::string::npos);
  EXPECT_NE(r.out.find("793"), std::string::npos);   // bws_ub of la01
  EXPECT_NE(r.out.find("mean gap%"), std::string::npos);
  EXPECT_NE(r.out.find("ig^"), std::string::npos);
  std::istringstream lines(r.out);
  int rows = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("la0", 0) != 0) continue;
    ++rows;
    // Cells are gaps (+NN.N); the last column names a rule, never ig.
    EXPECT_NE(line.find(" +"), std::string::npos) << line;
    const std::string best = line.substr(line.find_last_of(' ') + 1);
    EXPECT_TRUE(best == "spt" || best == "mwkr") << line;
  }
  EXPECT_EQ(rows, 2);
  // The same numbers on one thread.
  auto one = Cli({"jobshop", "rules", "--instances", "la0[1-2]", "--policies", "spt,mwkr,ig",
                  "--threads", "1"});
  EXPECT_EQ(one.out, r.out);
}

struct BadArgs {
  std::vector<std::string> args;
  std::string expected;
};

void PrintTo(const BadArgs& b, std::ostream* os) { *os << b.expected; }

class CliBadInput : public CliTest, public ::testing::WithParamInterface<BadArgs> {};

TEST_P(CliBadInput, OneClearLineAndExitTwo) {
  auto args = GetParam().args;
  for (auto& a : args)
    if (a.rfind("@", 0) == 0) a = Data(a.substr(1));
  auto r = Cli(args);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find(GetParam().expected), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    ::testing::Values(
        BadArgs{{"jobshop", "run", "--instance", "/no/such/file.txt"}, "/no/such/file.txt: no such instance file"},
        BadArgs{{"jobshop", "run", "--instance", "nosuchname"}, "unknown instance 'nosuchname'"},
        BadArgs{{"jobshop", "run", "--instance", "ft06", "--policy", "best"}, "unknown policy 'best'"},
        BadArgs{{"jobshop", "run", "--instance", "ft06", "--shutdown-p", "1.5"}, "outside [0, 1]"},
        BadArgs{{"jobshop", "run", "--instance", "ft06", "--shutdown-p", "abc"}, "not a number"},
        BadArgs{{"jobshop", "run", "--instance", "ft06", "--mode", "xyz"}, "--mode must be bws or bns"},
        BadArgs{{"jobshop", "run", "--instance", "ft06", "--episodes", "0"}, "--episodes must be at least 1"},
        BadArgs{{"jobshop", "run"}, "--instance is required"},
        BadArgs{{"jobshop", "frobnicate"}, "unknown command 'frobnicate' for jobshop (choose one of: run, replay"},
        BadArgs{{"jobshop", "replay", "--instance", "ft06", "--schedule", "/no/x.csv"}, "/no/x.csv: no such file"},
        BadArgs{{"jobshop", "replay", "--instance", "la01", "--schedule", "@ft06_bws_optimal_63.csv"}, "machine 5 out of range for la01"},
        BadArgs{{"jobshop", "rules", "--instances", "zz*"}, "pattern 'zz*' matches no built-in instance"}));

TEST_F(CliTest, MalformedInstanceFileNamesFileAndLine) {
  const std::string f = Write("broken.txt", "2 2\n0 5 1 5\n0 5 7 5\n");
  auto r = Cli({"jobshop", "run", "--instance", f});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(f + ":3: job 1 operation 1: machine 7 out of range"),
            std::string::npos) << r.err;
  const std::string g = Write("neg.txt", "1 2\n0 5 1 -5\n");
  r = Cli({"jobshop", "run", "--instance", g});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(g + ":2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("must be in [0, 1000000000]"), std::string::npos) << r.err;
}

TEST_F(CliTest, MalformedScheduleNamesLine) {
  const std::string s = Write("bad.csv", "job,op,machine,start,duration,leaves_machine_at\n0,0,2,0,1\n");
  auto r = Cli({"jobshop", "validate", "--instance", "ft06", "--schedule", s});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(s + ":2: expected 6 fields"), std::string::npos) << r.err;
}

TEST_F(CliTest, HelpAndGenerate) {
  auto h = Cli({"--help"});
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.out.find("jobshop"), std::string::npos);
  const std::string f = Path("g.txt");
  auto g = Cli({"jobshop", "generate", "--jobs", "4", "--machines", "3", "--seed", "2", "--out", f});
  ASSERT_EQ(g.code, 0) << g.err;
  auto r = Cli({"jobshop", "run", "--instance", f, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["operations"], 12);
}

}  // namespace
}  // namespace dispatchlab::app
