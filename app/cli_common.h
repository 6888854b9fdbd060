// Helpers shared by the command modules of `dispatchlab`.
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/paths.h"  // DefaultDbPath, FindDataDir
#include "policy/registry.h"
#include "sim/core/status.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::app {

// Bad input travels up as this exception inside the CLI only; RunCli turns it
// into one line on stderr and exit code 2.
struct BadInput {
  std::string message;
};

template <typename T>
T OrBadInput(Result<T> r) {
  if (!r) throw BadInput{r.error().message};
  return std::move(r).value();
}

inline double WallSeconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

// The whole of `text` as a decimal integer, or nothing ("2x", "" and
// out-of-range values are nothing).
inline std::optional<int> ParseWholeInt(const std::string& text) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

inline jobshop::BlockingMode ParseMode(const std::string& s) {
  if (s == "bws") return jobshop::BlockingMode::kSwap;
  if (s == "bns") return jobshop::BlockingMode::kNoSwap;
  throw BadInput{fmt::format("--mode must be bws or bns, not '{}'", s)};
}

inline std::vector<double> ParseProbabilities(const std::string& list) {
  std::vector<double> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    std::size_t used = 0;
    double p = 0;
    try {
      p = std::stod(item, &used);
    } catch (...) {
      used = 0;
    }
    if (used != item.size())
      throw BadInput{fmt::format("--shutdown-p: '{}' is not a number", item)};
    if (!(p >= 0.0 && p <= 1.0))
      throw BadInput{fmt::format("--shutdown-p: {} is outside [0, 1]", item)};
    out.push_back(p);
  }
  if (out.empty()) throw BadInput{"--shutdown-p: no probability given"};
  return out;
}


// The command chosen on the command line, run after parsing.
using CliAction = std::function<int()>;

// What commands share beyond their own flags: the global --data-dir flag
// and the policy registry built from it on first use (a command that needs
// no policy never looks for the data directory).
class CliContext {
 public:
  std::string data_dir_flag;
  const policy::PolicyRegistry& Registry() {
    if (!registry_) {
      const std::string dir = OrBadInput(FindDataDir(data_dir_flag));
      registry_ = std::make_unique<policy::PolicyRegistry>(dir + "/assets");
    }
    return *registry_;
  }

 private:
  std::unique_ptr<policy::PolicyRegistry> registry_;
};

void AddJobShopCommands(CLI::App& app, CliAction* action, std::ostream& out,
                        std::ostream& err, CliContext& ctx);
void AddUamCommands(CLI::App& app, CliAction* action, std::ostream& out,
                    std::ostream& err, CliContext& ctx);
void AddTrainCommands(CLI::App& app, CliAction* action, std::ostream& out,
                      std::ostream& err);
void AddStoreCommands(CLI::App& app, CliAction* action, std::ostream& out,
                      std::ostream& err, CliContext& ctx);

}  // namespace dispatchlab::app
