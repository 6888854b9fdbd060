#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <ostream>

#include "app/cli_common.h"
#include "app/train_cli.h"
#include "policy/registry.h"

namespace dispatchlab::app {
namespace {

int ExecTrain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::string bin = (self.parent_path() / kTrainExecutable).string();
  if (ec || ::access(bin.c_str(), X_OK) != 0) {
    if (!policy::HaveTorch())
      throw BadInput{"this dispatchlab was built without LibTorch: `train` is unavailable "
                     "(install libtorch-dev and rebuild; running learned policies needs no "
                     "LibTorch)"};
    throw BadInput{fmt::format("`train` runs {}, which is missing or not executable (it is "
                               "built and installed beside dispatchlab)",
                               bin)};
  }
  std::vector<std::string> argv_text = {bin, "train"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  out.flush();
  err.flush();
  std::cout.flush();
  std::cerr.flush();
  ::execv(bin.c_str(), argv.data());
  throw BadInput{fmt::format("cannot run {}: {}", bin, std::strerror(errno))};
}

}  // namespace

void AddTrainLauncher(CLI::App& app, CliAction* action, std::ostream& out, std::ostream& err) {
  auto* c = app.add_subcommand(
      "train", "Train a graph-attention policy with PPO (runs dispatchlab-train; `train --help` "
               "for its flags)");
  c->set_help_flag();  // --help is dispatchlab-train's
  c->fallthrough(false);  // nothing goes to the parent: every argument is passed on
  c->allow_extras();
  c->prefix_command();
  c->callback([c, action, &out, &err] {
    const std::vector<std::string> rest = c->remaining();
    *action = [rest, &out, &err] { return ExecTrain(rest, out, err); };
  });
}

}  // namespace dispatchlab::app
