#include "app/paths.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace dispatchlab::app {
namespace fs = std::filesystem;

namespace {

bool IsDataDir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "assets", ec);
}

std::string Normal(const fs::path& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  if (ec) abs = p;
  std::string s = abs.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string DefaultDbPath() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::string(xdg) + "/dispatchlab/dispatchlab.db";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.local/share/dispatchlab/dispatchlab.db";
  return "dispatchlab.db";
}

std::string ExecutableDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return "";
  return exe.parent_path().string();
}

Result<std::string> FindDataDir(const std::string& flag) {
  const char* env = std::getenv("DISPATCHLAB_DATA_DIR");
  return FindDataDir(flag, env ? env : "", ExecutableDir());
}

Result<std::string> FindDataDir(const std::string& flag, const std::string& env,
                                const std::string& exe_dir) {
  // An explicit choice is the user's intent: a wrong one is reported, not
  // replaced by a guess that would run other policies than asked for.
  if (!flag.empty()) {
    if (IsDataDir(flag)) return Normal(flag);
    return Error{"--data-dir " + flag + " is not a dispatchlab data directory (no assets/ in it)"};
  }
  if (!env.empty()) {
    if (IsDataDir(env)) return Normal(env);
    return Error{"DISPATCHLAB_DATA_DIR=" + env +
                 " is not a dispatchlab data directory (no assets/ in it)"};
  }
  if (exe_dir.empty())
    return Error{
        "cannot find the dispatchlab data directory: the executable's location is unknown "
        "(/proc/self/exe); pass --data-dir or set DISPATCHLAB_DATA_DIR"};
  const fs::path beside = fs::path(exe_dir) / ".." / "share" / "dispatchlab";
  if (IsDataDir(beside)) return Normal(beside);
  return Error{"cannot find the dispatchlab data directory: tried " + Normal(beside) +
               " (no assets/ in it); --data-dir and DISPATCHLAB_DATA_DIR are not set"};
}

}  // namespace dispatchlab::app
