// `dispatchlab`: parses the command line and runs the chosen command.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <ostream>

#include "app/cli.h"
#include "app/cli_common.h"
#include "app/train_cli.h"

namespace dispatchlab::app {
namespace {

// CLI11 says "A subcommand is required" for `jobshop frobnicate`; name the
// word it did not know and the commands it could have been.
std::string DescribeParseError(CLI::App& app, const std::vector<std::string>& args,
                               const CLI::ParseError& e) {
  CLI::App* cur = &app;
  for (bool descended = true; descended;) {
    descended = false;
    for (CLI::App* sub : cur->get_subcommands({}))
      if (sub->parsed()) {
        cur = sub;
        descended = true;
        break;
      }
  }
  const auto subs = cur->get_subcommands({});
  if (subs.empty() || std::string(e.what()).find("subcommand") == std::string::npos)
    return e.what();
  std::string names;
  for (CLI::App* sub : subs) names += (names.empty() ? "" : ", ") + sub->get_name();
  std::string unknown;
  bool after = cur == &app;
  for (const auto& a : args) {
    if (after && !a.empty() && a[0] != '-') {
      unknown = a;
      break;
    }
    if (a == cur->get_name()) after = true;
  }
  if (unknown.empty())
    return fmt::format("{} needs a command: {}", cur->get_name(), names);
  return fmt::format("unknown command '{}' for {} (choose one of: {})", unknown,
                     cur->get_name(), names);
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, AddCommandFn add_train) {
  CLI::App app{
      "dispatchlab: dispatch under disruption -- blocking job shops with swaps "
      "and breakdowns, and urban air mobility fleets.",
      "dispatchlab"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dispatchlab 0.1.0");
  CliAction action;
  CliContext ctx;
  app.add_option("--data-dir", ctx.data_dir_flag,
                 "Data directory with assets/ (shipped policies) and scenarios/ (default: "
                 "$DISPATCHLAB_DATA_DIR, else <executable>/../share/dispatchlab)");
  AddJobShopCommands(app, &action, out, err, ctx);
  AddUamCommands(app, &action, out, err, ctx);
  AddStoreCommands(app, &action, out, err, ctx);
  (add_train ? add_train : AddTrainLauncher)(app, &action, out, err);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    err << "dispatchlab: error: " << DescribeParseError(app, args, e) << "\n";
    err << "Run with --help for usage.\n";
    return kExitBadInput;
  } catch (const BadInput& e) {
    err << "dispatchlab: error: " << e.message << "\n";
    return kExitBadInput;
  }
  if (!action) {
    out << app.help();
    return kExitBadInput;
  }
  try {
    return action();
  } catch (const BadInput& e) {
    err << "dispatchlab: error: " << e.message << "\n";
    return kExitBadInput;
  }
}

}  // namespace dispatchlab::app
