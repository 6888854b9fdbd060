// Domain names, shared by the LibTorch and the torch-free builds.
#include <fmt/format.h>

#include "policy/neural.h"

namespace dispatchlab::policy {

const char* DomainName(Domain d) { return d == Domain::kJobShop ? "jobshop" : "uam"; }

Result<Domain> ParseDomain(const std::string& name) {
  if (name == "jobshop") return Domain::kJobShop;
  if (name == "uam") return Domain::kUam;
  return Error{fmt::format("unknown domain '{}' (jobshop or uam)", name)};
}

}  // namespace dispatchlab::policy
