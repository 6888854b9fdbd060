// `dispatchlab` as a user runs it (child processes of the real binary):
// running learned policies loads no LibTorch -- the libraries mapped into
// the child at its exit, read from /proc/<pid>/maps while it is held there
// by ptrace -- and the shipped policies give the results they gave when
// they ran on LibTorch.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Child {
  int exit_code = -1;
  std::set<std::string> libraries;  // file names of the mapped shared objects
  bool traced = false;              // false: ptrace refused, maps not read
};

std::set<std::string> MappedLibraries(pid_t pid) {
  std::set<std::string> out;
  std::ifstream maps(fmt::format("/proc/{}/maps", pid));
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string file = fs::path(line.substr(slash)).filename().string();
    if (file.find(".so") != std::string::npos) out.insert(file);
  }
  return out;
}

// Runs `args` (args[0]: the binary) with ptrace, stopping it at its exit to
// read what it had mapped. Output goes to /dev/null.
Child RunTraced(std::vector<std::string> args) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(125);
    if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  Child c;
  int status = 0;
  waitpid(pid, &status, 0);  // stopped at exec (or exited: no ptrace)
  if (WIFEXITED(status)) {
    c.exit_code = WEXITSTATUS(status);
    return c;
  }
  c.traced = true;
  ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(PTRACE_O_TRACEEXIT));
  ptrace(PTRACE_CONT, pid, nullptr, nullptr);
  for (;;) {
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) {
      c.exit_code = WEXITSTATUS(status);
      return c;
    }
    if (WIFSIGNALED(status)) return c;
    if (WIFSTOPPED(status) && status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
      c.libraries = MappedLibraries(pid);  // everything it loaded, dlopen included
      ptrace(PTRACE_CONT, pid, nullptr, nullptr);
      continue;
    }
    const int sig = WIFSTOPPED(status) ? WSTOPSIG(status) : 0;
    ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig == SIGTRAP ? 0 : sig)));
  }
}

bool Loads(const std::set<std::string>& libs, const std::string& prefix) {
  for (const auto& l : libs)
    if (l.rfind(prefix, 0) == 0) return true;
  return false;
}

bool LoadsTorch(const std::set<std::string>& libs) {
  for (const auto& l : libs)
    if (l.rfind("libtorch", 0) == 0 || l.rfind("libc10", 0) == 0 || l.rfind("libgloo", 0) == 0)
      return true;
  return false;
}

bool LoadsQt(const std::set<std::string>& libs) {
  for (const auto& l : libs)
    if (l.rfind("libQt", 0) == 0) return true;
  return false;
}

std::string Joined(const std::set<std::string>& libs) {
  std::string s;
  for (const auto& l : libs) s += l + " ";
  return s;
}

// stdout of `dispatchlab args` (no shell: the arguments are ours).
std::string Output(const std::string& args) {
  const std::string cmd = fmt::format("{} {} 2>/dev/null", DISPATCHLAB_BIN, args);
  std::FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  while (p && !feof(p)) {
    const std::size_t n = fread(buf.data(), 1, buf.size(), p);
    out.append(buf.data(), n);
  }
  if (p) pclose(p);
  return out;
}

TEST(TorchFree, ShippedPoliciesRunWithoutLoadingLibtorch) {
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{DISPATCHLAB_BIN, "jobshop", "run", "--instance", "ft06",
                                 "--policy", "gat"},
        std::vector<std::string>{DISPATCHLAB_BIN, "uam", "run", "--policy", "gat"},
        std::vector<std::string>{DISPATCHLAB_BIN, "--version"}}) {
    const Child c = RunTraced(cmd);
    ASSERT_EQ(c.exit_code, 0) << cmd[1];
    if (!c.traced) GTEST_SKIP() << "ptrace is not permitted here: cannot read the child's maps";
    // The check reads real maps: the C++ runtime is there.
    EXPECT_TRUE(Loads(c.libraries, "libstdc++.so")) << Joined(c.libraries);
    EXPECT_FALSE(LoadsTorch(c.libraries)) << cmd[1] << " loaded: " << Joined(c.libraries);
    EXPECT_FALSE(LoadsQt(c.libraries)) << cmd[1] << " loaded: " << Joined(c.libraries);
  }
}

#ifdef DISPATCHLAB_TRAIN_BIN
// The same check sees LibTorch where it is: in the training executable.
TEST(TorchFree, TheCheckSeesLibtorchInTheTrainingExecutable) {
  const Child c = RunTraced({DISPATCHLAB_TRAIN_BIN, "--version"});
  ASSERT_EQ(c.exit_code, 0);
  if (!c.traced) GTEST_SKIP() << "ptrace is not permitted here";
  EXPECT_TRUE(LoadsTorch(c.libraries)) << Joined(c.libraries);
}

// `dispatchlab train` is dispatchlab-train's `train`: same flags, same help.
TEST(TorchFree, TrainGoesToTheTrainingExecutable) {
  const std::string help = Output("train --help");
  EXPECT_NE(help.find("--resume"), std::string::npos) << help;
  EXPECT_NE(help.find("--override"), std::string::npos) << help;
  EXPECT_NE(help.find("export"), std::string::npos) << help;
}
#else
TEST(TorchFree, TrainWithoutLibtorchSaysSo) {
  const std::string cmd = fmt::format("{} train --steps 1 2>&1", DISPATCHLAB_BIN);
  std::FILE* p = popen(cmd.c_str(), "r");
  std::string out(4096, '\0');
  out.resize(fread(out.data(), 1, out.size(), p));
  const int status = pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(out.find("built without LibTorch"), std::string::npos) << out;
}
#endif

// The shipped policies' recorded results (`jobshop run --instance laNN
// --policy gat`, seed 0, p = 0, recorded when the DAgger policy with reserve
// actions shipped; policy_test checks that LibTorch takes the same actions on
// whole episodes; `uam run --policy gat`, seed 0, uncertainty on, recorded
// when the UAM policy that imitates the rollout planner shipped).
TEST(TorchFree, ShippedPoliciesGiveTheirRecordedResults) {
  const int expected[20] = {1066, 1063, 829,  1123, 813,  1422, 1360, 1362, 1588, 1579,
                            2070, 1735, 1810, 2189, 1906, 1401, 1315, 1396, 1297, 1439};
  for (int i = 0; i < 20; ++i) {
    const std::string name = fmt::format("la{:02d}", i + 1);
    const auto j = nlohmann::json::parse(
        Output(fmt::format("jobshop run --instance {} --policy gat --json", name)), nullptr, false);
    ASSERT_TRUE(j.is_object()) << name;
    EXPECT_EQ(j["makespan_mean"].get<double>(), expected[i]) << name;
    EXPECT_TRUE(j["valid"].get<bool>()) << name;
  }
  const auto u = nlohmann::json::parse(Output("uam run --policy gat --json"), nullptr, false);
  ASSERT_TRUE(u.is_object());
  EXPECT_EQ(u["profit_mean"].get<double>(), 67818.29866366845);
  EXPECT_EQ(u["served"].get<double>(), 1499);
  EXPECT_EQ(u["flights"].get<double>(), 703);
}

// The clairvoyant oracle is seeded with the shipped learned policy: it is
// never below it (nor greedy), so it is a ceiling for both.
TEST(TorchFree, UamOracleIsACeilingForTheShippedPolicy) {
  const std::string file = ::testing::TempDir() + "/oracle_ceiling.json";
  Output(fmt::format("uam generate --vertiports 4 --aircraft 10 --seed 4711 --out {}", file));
  for (int seed : {0, 1}) {
    double profit[3];
    const char* policies[3] = {"greedy", "gat", "oracle"};
    for (int i = 0; i < 3; ++i) {
      const auto j = nlohmann::json::parse(
          Output(fmt::format("uam run --scenario {} --policy {} --seed {} --oracle-trials 20 --json",
                             file, policies[i], seed)),
          nullptr, false);
      ASSERT_TRUE(j.is_object()) << policies[i];
      profit[i] = j["profit_mean"].get<double>();
    }
    EXPECT_GE(profit[2], profit[1]) << "seed " << seed;
    EXPECT_GE(profit[2], profit[0]) << "seed " << seed;
  }
}

}  // namespace
