// The `train` command has two implementations, chosen by what is linked,
// so that `dispatchlab` itself never loads LibTorch:
//
//   dispatchlab train ARGS --exec--> dispatchlab-train train ARGS
//   (AddTrainLauncher,               (AddTrainCommands, app/train_cli.cc:
//    torch-free, in dispatchlab_cli)   trains in-process with LibTorch)
//
// The launcher replaces the process (same pid, signals, terminal and exit
// code) with the dispatchlab-train beside the running executable
// (/proc/self/exe), so flags, output and Ctrl-C behave as if `train` ran
// in `dispatchlab`. dispatchlab-train is the full CLI with the in-process
// trainer; tests that train in-process pass AddTrainCommands to RunCli.
#pragma once

#include <iosfwd>

#include "app/cli.h"

namespace dispatchlab::app {

// The file name of the training executable, beside `dispatchlab`.
inline constexpr const char* kTrainExecutable = "dispatchlab-train";

// `train ...` = exec dispatchlab-train (error 2, clearly, if it is missing
// or this build has no LibTorch). Every argument after `train`, --help
// included, goes to dispatchlab-train unparsed.
void AddTrainLauncher(CLI::App& app, CliAction* action, std::ostream& out, std::ostream& err);

// `train ...` and `train export ...` in this process (needs LibTorch: only
// dispatchlab-train and torch-linked tests link it).
void AddTrainCommands(CLI::App& app, CliAction* action, std::ostream& out, std::ostream& err);

}  // namespace dispatchlab::app
