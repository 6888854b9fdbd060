// Entry point of the `dispatchlab` command, callable from tests.
//
// Exit codes: 0 success; 1 a completed command whose answer is "no" (replay
// deadlocked, schedule invalid); 2 bad input (arguments, files), with one
// clear line on stderr.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace dispatchlab::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNo = 1;
inline constexpr int kExitBadInput = 2;

// The command chosen on the command line, run after parsing.
using CliAction = std::function<int()>;
// Adds a command to `app` that sets *action when it is chosen.
using AddCommandFn = void (*)(CLI::App& app, CliAction* action, std::ostream& out,
                              std::ostream& err);

// args excludes the program name. add_train: how `train` runs; nullptr
// hands it to the dispatchlab-train executable (app/train_cli.h), so this
// process never loads LibTorch.
int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, AddCommandFn add_train = nullptr);

}  // namespace dispatchlab::app
