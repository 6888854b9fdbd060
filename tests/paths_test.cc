// app/paths.h: the default store path and where the data directory is found.
#include "app/paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace dispatchlab::app {
namespace {
namespace fs = std::filesystem;

// A fresh temporary tree; removed at the end of the test.
class TempTree : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "paths_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }
  // <root>/<rel> as a data directory (with assets/); returns its path.
  std::string MakeDataDir(const std::string& rel) {
    fs::create_directories(root_ / rel / "assets");
    return (root_ / rel).string();
  }
  fs::path root_;
};

TEST_F(TempTree, FlagWinsOverEnvironmentAndExecutable) {
  const std::string flag = MakeDataDir("flag"), env = MakeDataDir("env");
  MakeDataDir("prefix/share/dispatchlab");
  fs::create_directories(root_ / "prefix/bin");
  const auto r = FindDataDir(flag, env, (root_ / "prefix/bin").string());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, flag);
}

TEST_F(TempTree, EnvironmentWinsOverExecutable) {
  const std::string env = MakeDataDir("env");
  MakeDataDir("prefix/share/dispatchlab");
  fs::create_directories(root_ / "prefix/bin");
  const auto r = FindDataDir("", env, (root_ / "prefix/bin").string());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, env);
}

TEST_F(TempTree, BesideTheExecutableNormalised) {
  // <prefix>/bin/dispatchlab -> <prefix>/share/dispatchlab, without "..".
  const std::string want = MakeDataDir("prefix/share/dispatchlab");
  fs::create_directories(root_ / "prefix/bin");
  const auto r = FindDataDir("", "", (root_ / "prefix/bin").string());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, want);
}

TEST_F(TempTree, WrongExplicitChoiceIsAnErrorNotSkipped) {
  // A valid data directory beside the executable does not hide a typo in
  // the flag or the variable.
  MakeDataDir("prefix/share/dispatchlab");
  fs::create_directories(root_ / "prefix/bin");
  fs::create_directories(root_ / "empty");
  const std::string bin = (root_ / "prefix/bin").string();
  const std::string empty = (root_ / "empty").string();

  const auto by_flag = FindDataDir(empty, "", bin);
  ASSERT_FALSE(by_flag.ok());
  EXPECT_NE(by_flag.error().message.find("--data-dir " + empty), std::string::npos)
      << by_flag.error().message;

  const auto by_env = FindDataDir("", (root_ / "missing").string(), bin);
  ASSERT_FALSE(by_env.ok());
  EXPECT_NE(by_env.error().message.find("DISPATCHLAB_DATA_DIR=" + (root_ / "missing").string()),
            std::string::npos)
      << by_env.error().message;
}

TEST_F(TempTree, NothingFoundNamesThePlaceTried) {
  fs::create_directories(root_ / "prefix/bin");
  const auto r = FindDataDir("", "", (root_ / "prefix/bin").string());
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_NE(m.find((root_ / "prefix/share/dispatchlab").string()), std::string::npos) << m;
  EXPECT_NE(m.find("--data-dir"), std::string::npos) << m;
  EXPECT_NE(m.find("DISPATCHLAB_DATA_DIR"), std::string::npos) << m;

  const auto unknown = FindDataDir("", "", "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("--data-dir"), std::string::npos);
}

TEST(Paths, BuildTreeHasADataDirectoryBesideTheTestBinaries) {
  // This binary is build/tests/paths_test; CMake copies the shipped files to
  // build/share/dispatchlab, so the build tree resolves like an install.
  const auto r = FindDataDir("", "", ExecutableDir());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(fs::exists(*r + "/scenarios/jobshop/instances/ft06.txt")) << *r;
  EXPECT_TRUE(fs::exists(*r + "/scenarios/uam/default.json")) << *r;
  EXPECT_TRUE(fs::exists(*r + "/assets/train_jobshop.json")) << *r;
}

TEST(Paths, ExecutableDirIsThisBinarysDirectory) {
  EXPECT_TRUE(fs::exists(ExecutableDir() + "/paths_test")) << ExecutableDir();
}

// Sets an environment variable for one scope, restoring the old value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Paths, DefaultDbPathFollowsXdgThenHome) {
  {
    ScopedEnv xdg("XDG_DATA_HOME", "/x/data");
    ScopedEnv home("HOME", "/home/u");
    EXPECT_EQ(DefaultDbPath(), "/x/data/dispatchlab/dispatchlab.db");
  }
  {
    ScopedEnv xdg("XDG_DATA_HOME", "");  // set but empty: ignored (XDG spec)
    ScopedEnv home("HOME", "/home/u");
    EXPECT_EQ(DefaultDbPath(), "/home/u/.local/share/dispatchlab/dispatchlab.db");
  }
  {
    ScopedEnv xdg("XDG_DATA_HOME", nullptr);
    ScopedEnv home("HOME", nullptr);
    EXPECT_EQ(DefaultDbPath(), "dispatchlab.db");
  }
}

}  // namespace
}  // namespace dispatchlab::app
