// The scenario families (domains) the product simulates. Every layer names
// a domain with this enum; the strings are what the store, the CLI and the
// GUI show ("jobshop", "uam").
#pragma once

#include <string>
#include <string_view>

#include "sim/core/status.h"

namespace dispatchlab {

enum class Domain { kJobShop, kUam };

const char* DomainName(Domain d);
// "jobshop" | "uam"; anything else is an error naming the known ones.
Result<Domain> ParseDomain(std::string_view name);

}  // namespace dispatchlab
