// Runs `dispatchlab` in-process for the CLI tests: exit code and both streams.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "app/cli.h"

namespace dispatchlab::app::cli_testing {

struct Out {
  int code;
  std::string out, err;
};

inline Out Cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = RunCli(args, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace dispatchlab::app::cli_testing
