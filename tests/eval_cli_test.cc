// `dispatchlab eval`, `results` and `scenarios` as a user runs them,
// including a real process killed with SIGKILL in the middle of a batch.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "app/cli.h"
#include "tests/cli_run.h"
#include "policy/registry.h"
#include "scenarios/store.h"

namespace dispatchlab::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRules = "fifo,spt,lpt,mor,lor,mwkr,lwkr,stpt,ltpt,random";

using cli_testing::Cli;
using cli_testing::Out;

class EvalCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dl_eval_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::int64_t StoredRuns() {
    scenarios::StoreOptions o;
    o.read_only = true;
    auto s = scenarios::Store::Open(db_, o);
    if (!s) return -1;
    auto n = (*s)->CountRuns();
    return n ? *n : -1;
  }

  // Starts `dispatchlab` with args in a child process; returns its pid.
  pid_t Spawn(std::vector<std::string> args, const std::string& log_name = "child") {
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> argv;
      std::string bin = DISPATCHLAB_BIN;
      argv.push_back(bin.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      const std::string log = (dir_ / (log_name + ".err")).string();
      const std::string out = (dir_ / (log_name + ".out")).string();
      freopen(log.c_str(), "w", stderr);
      freopen(out.c_str(), "w", stdout);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    return pid;
  }

  bool WaitForRuns(std::int64_t at_least, double timeout_s) {
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
      if (fs::exists(db_) && StoredRuns() >= at_least) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  std::string Slurp(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(EvalCli, EvaluatesStoresAndSkipsOnRerun) {
  const std::vector<std::string> args = {"eval", "--db", db_, "--scenarios", "ft06,la0[12]",
                                         "--policies", "spt,mwkr", "--seeds", "4",
                                         "--shutdown-p", "0,0.1", "--threads", "2"};
  auto a = Cli(args);
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_NE(a.err.find("48 cells, 0 already stored, 48 run now"), std::string::npos) << a.err;
  EXPECT_NE(a.out.find("mwkr"), std::string::npos);
  EXPECT_NE(a.out.find("gap%"), std::string::npos);
  auto b = Cli(args);
  ASSERT_EQ(b.code, 0);
  EXPECT_NE(b.err.find("48 cells, 48 already stored, 0 run now"), std::string::npos) << b.err;
  EXPECT_EQ(a.out, b.out);  // same table from the store
  EXPECT_EQ(StoredRuns(), 48);  // 3 scenarios x 2 policies x 2 levels x 4 seeds

  auto r = Cli({"results", "--db", db_, "--group-by", "scenario,policy", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 6u);  // 3 scenarios x 2 policies
  EXPECT_EQ(j[0]["scenario"], "ft06");
  EXPECT_EQ(j[0]["runs"], 8);
  EXPECT_GE(j[0]["mean"].get<double>(), 63);  // never below the BWS optimum... at p=0
  EXPECT_TRUE(j[0]["ci_low"].is_number());
  EXPECT_EQ(j[0]["metric"], "makespan");
  auto csv = Cli({"results", "--db", db_, "--format", "csv", "--policies", "spt"});
  EXPECT_EQ(csv.out.rfind("policy,p,metric,unit,runs,n,mean,std,ci95,ci_low,ci_high,gap_pct", 0),
            0u)
      << csv.out;
  // CSV cells are plain numbers: no "±", no "+" signs.
  EXPECT_EQ(csv.out.find("±"), std::string::npos) << csv.out;
  EXPECT_EQ(csv.out.find(",+"), std::string::npos) << csv.out;
  auto pj = Cli({"results", "--db", db_, "--format", "json", "--group-by", "policy,p"});
  for (const auto& row : nlohmann::json::parse(pj.out)) EXPECT_TRUE(row["p"].is_number());
  auto runs = Cli({"results", "--db", db_, "--per-run", "--format", "json"});
  ASSERT_EQ(runs.code, 0) << runs.err;
  EXPECT_EQ(nlohmann::json::parse(runs.out).size(), 48u);  // every run
}

TEST_F(EvalCli, ComparePairsPoliciesAndRunsMissingCells) {
  auto r = Cli({"compare", "--db", db_, "--scenarios", "ft06,la01", "--policies", "spt,mwkr",
                "--seeds", "5", "--shutdown-p", "0.1", "--format", "json", "--quiet",
                "--plot", (dir_ / "c.svg").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(StoredRuns(), 2 * 2 * 5);  // the missing cells were run and stored
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);  // ft06, la01, all scenarios at p=0.1
  for (const auto& row : j) {
    EXPECT_EQ(row["policy"], "mwkr");
    EXPECT_EQ(row["baseline"], "spt");
    EXPECT_EQ(row["wins"].get<int>() + row["ties"].get<int>() + row["losses"].get<int>(),
              row["pairs"].get<int>());
    EXPECT_LE(row["ci_low"].get<double>(), row["mean_diff"].get<double>());
    EXPECT_GE(row["ci_high"].get<double>(), row["mean_diff"].get<double>());
    EXPECT_NEAR(row["mean_diff"].get<double>(),
                row["mean_policy"].get<double>() - row["mean_baseline"].get<double>(), 1e-9);
  }
  EXPECT_EQ(j[2]["pairs"], 10);
  std::ifstream svg(dir_ / "c.svg");
  std::string text((std::istreambuf_iterator<char>(svg)), {});
  EXPECT_NE(text.find("<svg"), std::string::npos);
  auto one = Cli({"compare", "--db", db_, "--policies", "spt"});
  EXPECT_EQ(one.code, 2);
  EXPECT_NE(one.err.find("at least two policies"), std::string::npos) << one.err;
}


// Data-parallel training as DESIGN's scale-out describes it: two processes
// on loopback, one rank each, rendezvous at a TCPStore served by rank 0.
TEST_F(EvalCli, TrainsDataParallelWithTwoProcessesOnLoopback) {
  if (!policy::HaveTorch()) GTEST_SKIP() << "built without LibTorch: no training";
  {
    std::ofstream cfg(dir_ / "tiny.json");
    cfg << R"({"rollout": 16, "jobs": [4], "machines": [3], "eval_every": 1, "epochs": 1,
              "minibatch": 16, "hidden": 16})";
  }
  const int port = 20000 + static_cast<int>(::getpid() % 20000);
  auto args = [&](int rank, const std::string& steps) {
    return std::vector<std::string>{
        "train", "--domain", "jobshop", "--config", (dir_ / "tiny.json").string(), "--steps",
        steps, "--envs", "2", "--threads", "1", "--out", (dir_ / "run").string(), "--db", db_,
        "--world-size", "2", "--rank", std::to_string(rank), "--master",
        "127.0.0.1:" + std::to_string(port), "--quiet"};
  };
  const pid_t r1 = Spawn(args(1, "128"), "rank1");
  const pid_t r0 = Spawn(args(0, "128"), "rank0");
  ASSERT_GT(r0, 0);
  ASSERT_GT(r1, 0);
  EXPECT_EQ(Wait(r0), 0) << Slurp("rank0.err");
  EXPECT_EQ(Wait(r1), 0) << Slurp("rank1.err");
  // 2 envs x 16 rollout x 2 ranks = 64 decisions per iteration.
  EXPECT_NE(Slurp("rank0.out").find("train: 128 steps, 2 iterations"), std::string::npos)
      << Slurp("rank0.out");
  EXPECT_NE(Slurp("rank1.out").find("rank 1 done: 128 steps (all ranks), 2 iterations"),
            std::string::npos)
      << Slurp("rank1.out");
  EXPECT_TRUE(fs::exists(dir_ / "run" / "checkpoint.pt"));
  EXPECT_TRUE(fs::exists(dir_ / "run" / "best.pt"));

  // Ranks started with different settings fail together, clearly.
  const pid_t b1 = Spawn(args(1, "256"), "bad1");
  const pid_t b0 = Spawn(args(0, "128"), "bad0");
  EXPECT_EQ(Wait(b0), 2);
  EXPECT_EQ(Wait(b1), 2);
  EXPECT_NE(Slurp("bad0.err").find("rank 1 was started with a different configuration"),
            std::string::npos)
      << Slurp("bad0.err");
  EXPECT_NE(Slurp("bad1.err").find("different configuration"), std::string::npos)
      << Slurp("bad1.err");
  // Bad flags are refused before any network traffic.
  auto bad_rank = Cli({"train", "--world-size", "2", "--rank", "2", "--steps", "1"});
  EXPECT_EQ(bad_rank.code, 2);
  EXPECT_NE(bad_rank.err.find("--rank 2 is not in [0, 2)"), std::string::npos) << bad_rank.err;
  auto bad_master = Cli({"train", "--world-size", "2", "--master", "localhost", "--steps", "1"});
  EXPECT_EQ(bad_master.code, 2);
  EXPECT_NE(bad_master.err.find("expected HOST:PORT"), std::string::npos) << bad_master.err;
}

// Two processes split one grid with --shard and write into one store; the
// union is the whole grid, each cell once.
TEST_F(EvalCli, ShardsSplitOneGridAcrossProcesses) {
  auto args = [&](const std::string& shard) {
    return std::vector<std::string>{"eval", "--db", db_, "--scenarios", "ft06,la0[12]",
                                    "--policies", "spt,mwkr", "--seeds", "4", "--shutdown-p",
                                    "0,0.1", "--threads", "1", "--shard", shard};
  };
  ASSERT_EQ(Cli({"scenarios", "list", "--db", db_}).code, 0);  // create the store first
  const pid_t a = Spawn(args("0/2"), "shard0");
  const pid_t b = Spawn(args("1/2"), "shard1");
  EXPECT_EQ(Wait(a), 0) << Slurp("shard0.err");
  EXPECT_EQ(Wait(b), 0) << Slurp("shard1.err");
  EXPECT_NE(Slurp("shard0.err").find("24 cells, 0 already stored, 24 run now"), std::string::npos)
      << Slurp("shard0.err");
  EXPECT_EQ(StoredRuns(), 48);
  auto all = Cli(args("0/1"));
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_NE(all.err.find("48 cells, 48 already stored, 0 run now"), std::string::npos) << all.err;
  for (const char* bad : {"2/2", "1", "a/b", "0/0", "1/2x"}) {
    auto r = Cli(args(bad));
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.err.find("expected K/N"), std::string::npos) << r.err;
  }
}

// Ctrl-C on any rank stops every rank at the same iteration with the
// checkpoint saved; the same command with --resume continues the curve.
TEST_F(EvalCli, DataParallelTrainingStopsTogetherAndResumes) {
  if (!policy::HaveTorch()) GTEST_SKIP() << "built without LibTorch: no training";
  {
    std::ofstream cfg(dir_ / "tiny.json");
    cfg << R"({"rollout": 16, "jobs": [4], "machines": [3], "eval_every": 1, "epochs": 1,
              "minibatch": 16, "hidden": 16, "checkpoint_every": 1})";
  }
  const int port = 20000 + static_cast<int>((::getpid() + 4099) % 20000);
  auto args = [&](int rank, bool resume) {
    std::vector<std::string> a = {
        "train", "--domain", "jobshop", "--config", (dir_ / "tiny.json").string(), "--steps",
        "100000000", "--envs", "2", "--threads", "1", "--out", (dir_ / "run").string(), "--db",
        db_, "--world-size", "2", "--rank", std::to_string(rank), "--master",
        "127.0.0.1:" + std::to_string(port + (resume ? 1 : 0))};
    if (resume) a.push_back("--resume");
    return a;
  };
  const pid_t r1 = Spawn(args(1, false), "rank1");
  const pid_t r0 = Spawn(args(0, false), "rank0");
  const auto checkpoint = dir_ / "run" / "checkpoint.pt";
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(checkpoint) && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(checkpoint)) << Slurp("rank0.err");
  kill(r1, SIGINT);  // rank 1 only: rank 0 must stop too
  EXPECT_EQ(Wait(r1), 130) << Slurp("rank1.err");
  EXPECT_EQ(Wait(r0), 130) << Slurp("rank0.err");
  EXPECT_NE(Slurp("rank0.err").find("--resume"), std::string::npos) << Slurp("rank0.err");
  // Resume both ranks for a short while: the step count goes on.
  const auto stopped = Slurp("rank0.out");
  const auto at = stopped.find("train: ");
  ASSERT_NE(at, std::string::npos) << stopped;
  const std::int64_t done = std::stoll(stopped.substr(at + 7));
  ASSERT_GT(done, 0);
  auto resume0 = args(0, true), resume1 = args(1, true);
  for (auto* a : {&resume0, &resume1}) {
    (*a)[6] = std::to_string(done + 128);  // --steps: a change, so say it is meant
    a->push_back("--override");
  }
  const pid_t q1 = Spawn(resume1, "resume1");
  const pid_t q0 = Spawn(resume0, "resume0");
  EXPECT_EQ(Wait(q0), 0) << Slurp("resume0.err");
  EXPECT_EQ(Wait(q1), 0) << Slurp("resume1.err");
  EXPECT_NE(Slurp("resume0.out").find(fmt::format("train: {} steps", done + 128)),
            std::string::npos)
      << Slurp("resume0.out") << " after " << done;
}

// `train --resume` continues the run as it was started (the README's
// resume line has no --steps: it must not fall back to the default);
// a flag that changes a setting is refused, naming it, unless --override.
// The best score reported is a real validation score even when the run
// ends before its first periodic validation.
TEST_F(EvalCli, TrainResumeKeepsTheRunsSettings) {
  if (!policy::HaveTorch()) GTEST_SKIP() << "built without LibTorch: no training";
  {
    std::ofstream cfg(dir_ / "tiny.json");
    cfg << R"({"rollout": 16, "jobs": [4], "machines": [3], "eval_every": 1000, "epochs": 1,
              "minibatch": 16, "hidden": 16})";
  }
  const std::string out = (dir_ / "run").string();
  auto first = Cli({"train", "--config", (dir_ / "tiny.json").string(), "--steps", "64", "--envs",
                    "2", "--threads", "1", "--out", out, "--db", db_, "--quiet"});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("train: 64 steps, 2 iterations"), std::string::npos) << first.out;
  // Job shop: minus the mean validation makespan (of 4x3 instances: tens).
  const auto at = first.out.find("best validation score ");
  ASSERT_NE(at, std::string::npos) << first.out;
  const double best = std::stod(first.out.substr(at + 22));
  EXPECT_LT(best, 0);
  EXPECT_GT(best, -1e6) << first.out;  // not the -1e300 "nothing validated yet"
  EXPECT_TRUE(fs::exists(dir_ / "run" / "best.pt"));
  EXPECT_TRUE(fs::exists(dir_ / "run" / "best.safetensors"));
  EXPECT_TRUE(fs::exists(dir_ / "run" / "checkpoint.safetensors"));

  // Resumed with no flags: the run's 64 steps, not the default 200,000.
  auto same = Cli({"train", "--out", out, "--resume", "--threads", "1", "--db", db_, "--quiet"});
  ASSERT_EQ(same.code, 0) << same.err;
  EXPECT_NE(same.out.find("train: 64 steps, 2 iterations"), std::string::npos) << same.out;
  // The same flags again are fine too.
  auto again = Cli({"train", "--config", (dir_ / "tiny.json").string(), "--steps", "64", "--envs",
                    "2", "--threads", "1", "--out", out, "--db", db_, "--quiet", "--resume",
                    "--domain", "jobshop"});
  ASSERT_EQ(again.code, 0) << again.err;

  // A different flag: refused, naming the setting.
  auto more = Cli({"train", "--out", out, "--resume", "--steps", "128", "--db", db_, "--quiet"});
  EXPECT_EQ(more.code, 2);
  EXPECT_NE(more.err.find("steps 64 -> 128"), std::string::npos) << more.err;
  EXPECT_NE(more.err.find("--override"), std::string::npos) << more.err;
  auto other_domain = Cli({"train", "--out", out, "--resume", "--domain", "uam", "--db", db_});
  EXPECT_EQ(other_domain.code, 2);
  EXPECT_NE(other_domain.err.find("holds a jobshop policy, not uam"), std::string::npos)
      << other_domain.err;
  auto no_resume = Cli({"train", "--out", out, "--override", "--db", db_});
  EXPECT_EQ(no_resume.code, 2);
  EXPECT_NE(no_resume.err.find("--override only applies with --resume"), std::string::npos);

  // ...unless the change is meant: the run goes on to 128.
  auto extended = Cli({"train", "--out", out, "--resume", "--steps", "128", "--override",
                       "--threads", "1", "--db", db_, "--quiet"});
  ASSERT_EQ(extended.code, 0) << extended.err;
  EXPECT_NE(extended.out.find("train: 128 steps, 4 iterations"), std::string::npos)
      << extended.out;
  // The new step count is the run's setting from now on.
  auto after = Cli({"train", "--out", out, "--resume", "--threads", "1", "--db", db_, "--quiet"});
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_NE(after.out.find("train: 128 steps"), std::string::npos) << after.out;

  // `train export` writes the weights file that run/eval load.
  auto exported = Cli({"train", "export", "--checkpoint", (dir_ / "run" / "best.pt").string(),
                       "--out", (dir_ / "exported.safetensors").string()});
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_NE(exported.out.find("jobshop policy"), std::string::npos) << exported.out;
  auto run = Cli({"jobshop", "run", "--instance", "ft06", "--policy",
                  (dir_ / "exported.safetensors").string()});
  EXPECT_EQ(run.code, 0) << run.err;
  auto bad = Cli({"train", "export", "--checkpoint", (dir_ / "nope.pt").string()});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("no such checkpoint"), std::string::npos) << bad.err;

  // `train average` writes a checkpoint and the weights file beside it.
  const std::string latest = (dir_ / "run" / "checkpoint.pt").string();
  const std::string best_pt = (dir_ / "run" / "best.pt").string();
  const std::string mean = (dir_ / "mean.pt").string();
  auto averaged = Cli({"train", "average", latest, best_pt, "--out", mean});
  ASSERT_EQ(averaged.code, 0) << averaged.err;
  EXPECT_NE(averaged.out.find("mean of 2 jobshop checkpoints"), std::string::npos) << averaged.out;
  EXPECT_TRUE(fs::exists(dir_ / "mean.safetensors"));
  auto mean_run = Cli({"jobshop", "run", "--instance", "ft06", "--policy", mean});
  EXPECT_EQ(mean_run.code, 0) << mean_run.err;
  auto one = Cli({"train", "average", latest, "--out", mean});
  EXPECT_EQ(one.code, 2);
  EXPECT_NE(one.err.find("at least two"), std::string::npos) << one.err;
  auto onto = Cli({"train", "average", latest, best_pt, "--out", best_pt});
  EXPECT_EQ(onto.code, 2);
  EXPECT_NE(onto.err.find("is one of the inputs"), std::string::npos) << onto.err;
  auto missing = Cli({"train", "average", latest, (dir_ / "nope.pt").string(), "--out", mean});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("no such checkpoint"), std::string::npos) << missing.err;
}

TEST_F(EvalCli, KilledBatchResumesWithOneResultPerCell) {
  // 2 x 10 x 150 = 3000 runs of 50x15/50x20 instances: seconds of work.
  // The ten rules explicitly: "all" would include the shipped learned policy.
  const std::vector<std::string> args = {"eval", "--db", db_, "--scenarios", "ta51,ta61",
                                         "--policies", kRules, "--seeds", "150", "--shutdown-p", "0.05",
                                         "--threads", "1", "--keep-schedules", "none"};
  const pid_t pid = Spawn(args);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitForRuns(1, 60)) << "no run stored by the child";
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  const std::int64_t partial = StoredRuns();
  ASSERT_GT(partial, 0);
  ASSERT_LT(partial, 3000) << "the batch finished before it was killed";

  auto r = Cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("3000 cells, " + std::to_string(partial) + " already stored"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(StoredRuns(), 3000);
}

TEST_F(EvalCli, InterruptCommitsAndSaysHowToResume) {
  const std::vector<std::string> args = {"eval", "--db", db_, "--scenarios", "ta71",
                                         "--policies", kRules, "--seeds", "300", "--shutdown-p", "0",
                                         "--threads", "1", "--keep-schedules", "none"};
  const pid_t pid = Spawn(args);
  ASSERT_TRUE(WaitForRuns(1, 60));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  std::ifstream in(dir_ / "child.err");
  const std::string err((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
  EXPECT_NE(err.find("Run the same command again"), std::string::npos) << err;
  EXPECT_GT(StoredRuns(), 0);
}

TEST_F(EvalCli, BadDatabaseFilesGiveAClearErrorAndStayIntact) {
  const std::string junk = (dir_ / "junk.db").string();
  std::ofstream(junk) << std::string(4096, 'x');
  auto r = Cli({"eval", "--db", junk, "--scenarios", "ft06", "--seeds", "1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not a dispatchlab database"), std::string::npos) << r.err;
  EXPECT_EQ(fs::file_size(junk), 4096u);

  r = Cli({"results", "--db", (dir_ / "none.db").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no such database"), std::string::npos) << r.err;

  r = Cli({"eval", "--db", "/proc/dl/x.db", "--scenarios", "ft06", "--seeds", "1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("/proc/dl"), std::string::npos) << r.err;
}

TEST_F(EvalCli, UnknownNamesAreErrorsAndStoreNothing) {
  auto r = Cli({"eval", "--db", db_, "--scenarios", "nosuch", "--seeds", "1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no jobshop scenario matches 'nosuch'"), std::string::npos) << r.err;
  r = Cli({"eval", "--db", db_, "--scenarios", "ft06", "--policies", "spt,magic"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown policy 'magic'"), std::string::npos) << r.err;
  r = Cli({"eval", "--db", db_, "--scenarios", "ft06", "--shutdown-p", "2"});
  EXPECT_EQ(r.code, 2);
  r = Cli({"results", "--db", db_, "--group-by", "colour"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown key 'colour'"), std::string::npos) << r.err;
  EXPECT_EQ(StoredRuns(), 0);
}

TEST_F(EvalCli, UamDomainEvaluatesBaselines) {
  auto r = Cli({"eval", "--domain", "uam", "--db", db_, "--policies", "random,greedy",
                "--seeds", "2", "--uncertainty", "both", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 4u);  // 2 policies x 2 uncertainty levels
  EXPECT_EQ(j[0]["policy"], "greedy");
  EXPECT_EQ(j[0]["runs"], 2);
  EXPECT_GT(j[0]["mean"].get<double>(), j[2]["mean"].get<double>());  // greedy > random
  r = Cli({"eval", "--domain", "uam", "--db", db_, "--policies", "magic"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown UAM policy 'magic'"), std::string::npos) << r.err;
  r = Cli({"eval", "--domain", "uam", "--db", db_, "--uncertainty", "maybe"});
  EXPECT_EQ(r.code, 2);
}

TEST_F(EvalCli, ScenariosImportListExport) {
  const std::string f = (dir_ / "mine.txt").string();
  std::ofstream(f) << "# tiny\n2 2\n0 3 1 4\n1 2 0 5\n";
  auto r = Cli({"scenarios", "import", f, "--db", db_});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli({"scenarios", "list", "--db", db_});
  EXPECT_NE(r.out.find("mine"), std::string::npos);
  EXPECT_NE(r.out.find("2x2"), std::string::npos);
  r = Cli({"eval", "--db", db_, "--scenarios", "mine", "--seeds", "2", "--policies", "spt"});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string back = (dir_ / "back.txt").string();
  r = Cli({"scenarios", "export", "mine", "--db", db_, "--out", back});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli({"jobshop", "run", "--instance", back, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["operations"], 4);
  // A different file under the same name is refused.
  std::ofstream(f) << "2 2\n0 9 1 4\n1 2 0 5\n";
  r = Cli({"scenarios", "import", f, "--db", db_});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("different content"), std::string::npos) << r.err;
  r = Cli({"scenarios", "export", "nothere", "--db", db_});
  EXPECT_EQ(r.code, 2);
}

TEST_F(EvalCli, ResultsOfAMixedDomainStoreNeverMixDomains) {
  // "random" exists in both domains; job-shop level p = 1 and UAM level 1
  // (uncertainty on) coincide. `results` without --domain must give one
  // row per domain, never the mean of makespans and profits.
  ASSERT_EQ(Cli({"eval", "--db", db_, "--domain", "jobshop", "--scenarios", "ft06",
                 "--policies", "random", "--seeds", "2", "--shutdown-p", "1", "--quiet"})
                .code,
            0);
  ASSERT_EQ(Cli({"eval", "--db", db_, "--domain", "uam", "--policies", "random", "--seeds",
                 "1", "--uncertainty", "on", "--quiet"})
                .code,
            0);
  auto r = Cli({"results", "--db", db_, "--group-by", "policy,p", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u) << r.out;
  std::set<std::string> domains;
  for (const auto& row : j) {
    domains.insert(row["domain"].get<std::string>());
    EXPECT_EQ(row["policy"], "random");
    // ft06 makespans are below 500; a UAM day's profit is in the thousands
    // (positive or negative): each row is one domain's number.
    if (row["domain"] == "jobshop") EXPECT_LT(row["mean"].get<double>(), 500);
    if (row["domain"] == "uam") EXPECT_EQ(row["runs"], 1);
  }
  EXPECT_EQ(domains, (std::set<std::string>{"jobshop", "uam"}));
}

}  // namespace
}  // namespace dispatchlab::app
