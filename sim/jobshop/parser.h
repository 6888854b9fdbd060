// Parsers for job-shop instance files. Errors name the source and the line.
//
// Standard / OR-Library format:
//   # comment lines (anywhere)
//   n m
//   one line per job: m pairs "machine time", machines 0-based
// Taillard's original format:
//   Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound
//   <n> <m> <...>
//   Times
//   n lines of m processing times
//   Machines
//   n lines of m machine numbers, 1-based
#pragma once

#include <string>
#include <string_view>

#include "sim/core/status.h"
#include "sim/jobshop/instance.h"

namespace dispatchlab::jobshop {

enum class InstanceFormat { kAuto, kStandard, kTaillard };

// `source` names the text in errors (a path or a built-in name); `name`
// becomes Instance::name.
Result<Instance> ParseInstance(std::string_view text, std::string_view source,
                               std::string_view name,
                               InstanceFormat format = InstanceFormat::kAuto);

// Reads and parses a file; the instance is named after the file's stem.
Result<Instance> LoadInstanceFile(const std::string& path,
                                  InstanceFormat format = InstanceFormat::kAuto);

// Writes the standard format (round-trips through ParseInstance).
std::string FormatStandard(const Instance& instance);

}  // namespace dispatchlab::jobshop
