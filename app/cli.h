// Entry point of the `dispatchlab` command, callable from tests.
//
// Exit codes: 0 success; 1 a completed command whose answer is "no" (replay
// deadlocked, schedule invalid); 2 bad input (arguments, files), with one
// clear line on stderr.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace dispatchlab::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNo = 1;
inline constexpr int kExitBadInput = 2;

// args excludes the program name.
int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err);

}  // namespace dispatchlab::app
