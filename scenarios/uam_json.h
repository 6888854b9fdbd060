// UAM scenario files: JSON <-> uam::Scenario. Every field is optional and
// defaults to DESIGN.md's value except "vertiports"; unknown fields are
// errors (a typo must not silently fall back to a default). Errors name the
// file and the field path ("default.json: vertiports[2].stands: ...").
#pragma once

#include <string>

#include "sim/core/status.h"
#include "sim/uam/scenario.h"

namespace dispatchlab::scenarios {

Result<uam::Scenario> ParseUamScenario(const std::string& json_text,
                                       const std::string& source);
Result<uam::Scenario> LoadUamScenarioFile(const std::string& path);
std::string FormatUamScenario(const uam::Scenario& s);  // pretty JSON

// The built-in UAM scenario names ("default") and their loader: a built-in
// name, else a file path.
std::vector<std::string> BuiltinUamNames();
Result<uam::Scenario> LoadUamScenario(const std::string& name_or_path);

}  // namespace dispatchlab::scenarios
