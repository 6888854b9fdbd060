// Runs `dispatchlab` in-process for the CLI tests: exit code and both streams.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "app/cli.h"
#ifdef DISPATCHLAB_HAVE_TORCH
#include "app/train_cli.h"  // `train` in this process (the test links LibTorch)
#endif

namespace dispatchlab::app::cli_testing {

struct Out {
  int code;
  std::string out, err;
};

inline Out Cli(std::vector<std::string> args) {
  std::ostringstream out, err;
#ifdef DISPATCHLAB_HAVE_TORCH
  const int code = RunCli(args, out, err, &AddTrainCommands);
#else
  const int code = RunCli(args, out, err);  // `train` would say "built without LibTorch"
#endif
  return {code, out.str(), err.str()};
}

}  // namespace dispatchlab::app::cli_testing
