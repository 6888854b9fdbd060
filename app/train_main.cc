// `dispatchlab-train`: the dispatchlab CLI with the LibTorch trainer in
// this process. `dispatchlab train ARGS` execs `dispatchlab-train train
// ARGS` (app/train_cli.h); the other commands work here too.
#include <iostream>

#include "app/cli.h"
#include "app/train_cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return dispatchlab::app::RunCli(args, std::cout, std::cerr, &dispatchlab::app::AddTrainCommands);
}
