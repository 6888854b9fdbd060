#include "sim/core/domain.h"

#include <fmt/format.h>

namespace dispatchlab {

const char* DomainName(Domain d) { return d == Domain::kJobShop ? "jobshop" : "uam"; }

Result<Domain> ParseDomain(std::string_view name) {
  if (name == "jobshop") return Domain::kJobShop;
  if (name == "uam") return Domain::kUam;
  return Error{fmt::format("unknown domain '{}' (jobshop or uam)", name)};
}

}  // namespace dispatchlab
