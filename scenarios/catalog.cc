#include "scenarios/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <fnmatch.h>
#include <sstream>

#include "scenarios/embedded.h"
#include "sim/jobshop/parser.h"

namespace dispatchlab::scenarios {
namespace {

std::optional<std::int64_t> ParseOptional(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return std::stoll(s);
}

std::vector<JobShopReference> LoadReferences() {
  std::vector<JobShopReference> out;
  auto text = JobShopDataFile("reference");
  DL_CHECK_MSG(text.has_value(), "reference.csv is not embedded");
  std::istringstream in{std::string(*text)};
  std::string line;
  std::getline(in, line);  // header (checked by the catalog test)
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    while (f.size() < 8) f.emplace_back();
    JobShopReference r;
    r.instance = f[0];
    r.jobs = std::stoi(f[1]);
    r.machines = std::stoi(f[2]);
    r.jssp_lb = ParseOptional(f[3]);
    r.jssp_ub = ParseOptional(f[4]);
    r.bws_ub = ParseOptional(f[5]);
    r.bws_lb = ParseOptional(f[6]);
    r.bws_status = f[7];
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<std::string> BuiltinJobShopNames() {
  std::vector<std::string> names;
  for (const EmbeddedFile& f : EmbeddedJobShopInstances())
    names.emplace_back(f.name);
  return names;
}

Result<jobshop::Instance> LoadJobShopInstance(std::string_view name_or_path) {
  for (const EmbeddedFile& f : EmbeddedJobShopInstances())
    if (f.name == name_or_path)
      return jobshop::ParseInstance(f.text, fmt::format("builtin:{}", f.name),
                                    f.name);
  const bool looks_like_path =
      name_or_path.find('/') != std::string_view::npos ||
      name_or_path.find('.') != std::string_view::npos;
  auto loaded = jobshop::LoadInstanceFile(std::string(name_or_path));
  if (!loaded && !looks_like_path)
    return Error{fmt::format(
        "unknown instance '{}': not a built-in name (try `dispatchlab jobshop "
        "list`) and no such file",
        name_or_path)};
  return loaded;
}

Result<std::vector<std::string>> ExpandJobShopNames(std::string_view list) {
  std::vector<std::string> out;
  const auto names = BuiltinJobShopNames();
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t c = list.find(',', pos);
    if (c == std::string_view::npos) c = list.size();
    std::string item(list.substr(pos, c - pos));
    pos = c + 1;
    if (item.empty()) {
      if (c == list.size()) break;
      continue;
    }
    if (item.find_first_of("*?[") == std::string::npos) {
      out.push_back(item);
    } else {
      bool any = false;
      for (const auto& n : names)
        if (fnmatch(item.c_str(), n.c_str(), 0) == 0) {
          out.push_back(n);
          any = true;
        }
      if (!any)
        return Error{fmt::format("pattern '{}' matches no built-in instance",
                                 item)};
    }
    if (c == list.size()) break;
  }
  if (out.empty()) return Error{"empty instance list"};
  return out;
}

std::optional<JobShopReference> FindJobShopReference(std::string_view name) {
  static const std::vector<JobShopReference> kRefs = LoadReferences();
  for (const auto& r : kRefs)
    if (r.instance == name) return r;
  return std::nullopt;
}

std::optional<std::string_view> JobShopDataFile(std::string_view name) {
  for (const EmbeddedFile& f : EmbeddedJobShopData())
    if (f.name == name) return f.text;
  return std::nullopt;
}

}  // namespace dispatchlab::scenarios
