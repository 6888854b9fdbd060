#include "sim/core/file_io.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dispatchlab {

Result<std::string> ReadTextFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Error{fmt::format("{}: no such file", path)};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot open for reading", path)};
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Status WriteTextFileAtomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Error{fmt::format("{}: cannot open for writing", path)};
    out << text;
    out.flush();
    if (!out) return Error{fmt::format("{}: write failed", path)};
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Error{fmt::format("{}: cannot replace: {}", path, ec.message())};
  }
  return Status::Ok();
}

}  // namespace dispatchlab
