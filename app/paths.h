// Where dispatchlab finds its files on this machine: the default store and
// the data directory (shipped policies, built-in scenario files). Torch-free
// and Qt-free, so both executables link it (target dispatchlab_paths).
//
// Layout of a data directory, the same in an installed tree and in a build
// tree (CMake copies the files into build/share/dispatchlab at build time):
//
//   <data dir>/assets/      shipped policies (*_gat.pt, *.safetensors) and
//                           training configs (*.json)
//   <data dir>/scenarios/   built-in scenario files, as in the source tree
//                           (jobshop/instances/*.txt, jobshop/*.csv, uam/*.json)
#pragma once

#include <string>

#include "sim/core/status.h"

namespace dispatchlab::app {

// The store used when --db is not given:
// $XDG_DATA_HOME/dispatchlab/dispatchlab.db when XDG_DATA_HOME is set and
// non-empty, else $HOME/.local/share/dispatchlab/dispatchlab.db, else
// ./dispatchlab.db (no HOME at all). The directory may not exist yet.
std::string DefaultDbPath();

// Directory of the running executable (/proc/self/exe, symlinks resolved),
// or "" when /proc is not readable.
std::string ExecutableDir();

// The data directory, absolute and normalised. The first of these wins:
//   1. `flag` (the --data-dir flag) when non-empty;
//   2. $DISPATCHLAB_DATA_DIR when set and non-empty;
//   3. <ExecutableDir()>/../share/dispatchlab: <prefix>/bin of an installed
//      tree, and build/app, build/tests, build/bench of a build tree (all
//      one level below build/, where CMake puts share/dispatchlab).
// A data directory is a directory with an assets/ subdirectory. An explicit
// choice (1 or 2) that is not one is an error, never silently skipped. The
// error names every place tried.
Result<std::string> FindDataDir(const std::string& flag);

// FindDataDir with its inputs explicit (tests): `env` is the value of
// DISPATCHLAB_DATA_DIR ("" = unset), `exe_dir` the executable's directory
// ("" = unknown).
Result<std::string> FindDataDir(const std::string& flag, const std::string& env,
                                const std::string& exe_dir);

}  // namespace dispatchlab::app
