#include "sim/jobshop/parser.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "sim/core/text.h"

namespace dispatchlab::jobshop {
namespace {

// A line split into integer tokens, with its 1-based line number.
struct Line {
  int number = 0;
  std::string_view text;
};

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  int number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({number, line});
    if (end == text.size()) break;
    pos = end + 1;
  }
  return lines;
}

bool IsBlankOrComment(std::string_view line) {
  for (char c : line) {
    if (c == '#') return true;
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Parses whitespace-separated integers; fails on anything else.
Result<std::vector<std::int64_t>> ParseInts(const Line& line,
                                            std::string_view source) {
  std::vector<std::int64_t> out;
  std::string_view s = line.text;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) break;
    std::size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    std::string_view tok = s.substr(i, j - i);
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
    if (ec != std::errc() || ptr != tok.data() + tok.size())
      return Error{fmt::format("{}:{}: expected an integer, found '{}'", source,
                               line.number, PrintableToken(tok))};
    out.push_back(v);
    i = j;
  }
  return out;
}

Error LineError(std::string_view source, int line, const std::string& what) {
  return Error{fmt::format("{}:{}: {}", source, line, what)};
}

// The header's sizes against the stated limits, before anything is
// allocated for them ("1000000000 1000000000" must not reserve memory).
Status CheckSizes(std::string_view source, int line, std::int64_t n,
                  std::int64_t m) {
  if (n <= 0 || m <= 0)
    return LineError(source, line,
                     fmt::format("jobs ({}) and machines ({}) must be positive",
                                 n, m));
  if (n > kMaxJobs)
    return LineError(source, line,
                     fmt::format("at most {} jobs, found {}", kMaxJobs, n));
  if (m > kMaxMachines)
    return LineError(source, line,
                     fmt::format("at most {} machines, found {}", kMaxMachines, m));
  if (n * m > kMaxOperations)
    return LineError(source, line,
                     fmt::format("at most {} operations, found {} jobs x {} "
                                 "machines = {}",
                                 kMaxOperations, n, m, n * m));
  return Status::Ok();
}

Status CheckTime(std::string_view source, int line, std::int64_t j,
                 std::int64_t k, std::int64_t time) {
  if (time < 0 || time > kMaxProcessingTime)
    return LineError(source, line,
                     fmt::format("job {} operation {}: processing time {} must "
                                 "be in [0, {}]",
                                 j, k, time, kMaxProcessingTime));
  return Status::Ok();
}

Result<Instance> ParseStandard(const std::vector<Line>& lines,
                               std::string_view source, std::string_view name) {
  Instance inst;
  inst.name = std::string(name);
  std::size_t i = 0;
  auto next_content = [&]() -> const Line* {
    while (i < lines.size() && IsBlankOrComment(lines[i].text)) ++i;
    return i < lines.size() ? &lines[i++] : nullptr;
  };
  const Line* header = next_content();
  if (!header) return Error{fmt::format("{}: empty instance file", source)};
  auto head = ParseInts(*header, source);
  if (!head) return head.error();
  if (head->size() != 2)
    return LineError(source, header->number,
                     "expected the header 'jobs machines'");
  const std::int64_t n = (*head)[0], m = (*head)[1];
  if (Status st = CheckSizes(source, header->number, n, m); !st.ok())
    return st.error();
  inst.num_machines = static_cast<int>(m);
  for (std::int64_t j = 0; j < n; ++j) {
    const Line* line = next_content();
    if (!line)
      return Error{fmt::format("{}: expected {} job lines, found {}", source, n,
                               j)};
    auto vals = ParseInts(*line, source);
    if (!vals) return vals.error();
    if (vals->size() != static_cast<std::size_t>(2 * m))
      return LineError(source, line->number,
                       fmt::format("job {} has {} numbers, expected {} "
                                   "(machine time pairs)",
                                   j, vals->size(), 2 * m));
    std::vector<Operation> job;
    for (std::int64_t k = 0; k < m; ++k) {
      const std::int64_t machine = (*vals)[2 * k], time = (*vals)[2 * k + 1];
      if (machine < 0 || machine >= m)
        return LineError(source, line->number,
                         fmt::format("job {} operation {}: machine {} out of "
                                     "range [0, {})",
                                     j, k, machine, m));
      if (Status st = CheckTime(source, line->number, j, k, time); !st.ok())
        return st.error();
      job.push_back({MachineId(static_cast<int>(machine)), time});
    }
    inst.jobs.push_back(std::move(job));
  }
  if (const Line* extra = next_content())
    return LineError(source, extra->number,
                     fmt::format("unexpected content after {} jobs", n));
  Status st = ValidateInstance(inst);
  if (!st.ok()) return Error{fmt::format("{}: {}", source, st.error().message)};
  return inst;
}

bool StartsWithWord(std::string_view line, std::string_view word) {
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line[0])))
    line.remove_prefix(1);
  if (line.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != word[i])
      return false;
  return true;
}

Result<Instance> ParseTaillard(const std::vector<Line>& lines,
                               std::string_view source, std::string_view name) {
  Instance inst;
  inst.name = std::string(name);
  std::size_t i = 0;
  auto skip_blank = [&] {
    while (i < lines.size() && IsBlankOrComment(lines[i].text)) ++i;
  };
  skip_blank();
  if (i >= lines.size() || !StartsWithWord(lines[i].text, "nb of jobs"))
    return Error{fmt::format("{}: expected Taillard header 'Nb of jobs, Nb of "
                             "Machines, ...'",
                             source)};
  ++i;
  skip_blank();
  if (i >= lines.size())
    return Error{fmt::format("{}: missing the Taillard size line", source)};
  auto head = ParseInts(lines[i], source);
  if (!head) return head.error();
  if (head->size() < 2)
    return LineError(source, lines[i].number,
                     "expected at least 'jobs machines' on the size line");
  const std::int64_t n = (*head)[0], m = (*head)[1];
  if (Status st = CheckSizes(source, lines[i].number, n, m); !st.ok())
    return st.error();
  ++i;
  auto read_block = [&](std::string_view title, std::vector<int>* row_lines)
      -> Result<std::vector<std::vector<std::int64_t>>> {
    skip_blank();
    if (i >= lines.size() || !StartsWithWord(lines[i].text, title))
      return Error{fmt::format("{}:{}: expected the '{}' block", source,
                               i < lines.size() ? lines[i].number
                                                : static_cast<int>(lines.size()),
                               title)};
    ++i;
    std::vector<std::vector<std::int64_t>> rows;
    for (std::int64_t j = 0; j < n; ++j) {
      skip_blank();
      if (i >= lines.size())
        return Error{fmt::format("{}: '{}' block has {} rows, expected {}",
                                 source, title, j, n)};
      auto vals = ParseInts(lines[i], source);
      if (!vals) return vals.error();
      if (vals->size() != static_cast<std::size_t>(m))
        return LineError(source, lines[i].number,
                         fmt::format("row {} of '{}' has {} numbers, expected {}",
                                     j, title, vals->size(), m));
      rows.push_back(std::move(*vals));
      row_lines->push_back(lines[i].number);
      ++i;
    }
    return rows;
  };
  std::vector<int> times_rows, machines_rows;  // line number of each row
  auto times = read_block("times", &times_rows);
  if (!times) return times.error();
  auto machines = read_block("machines", &machines_rows);
  if (!machines) return machines.error();
  skip_blank();
  if (i < lines.size())
    return LineError(source, lines[i].number,
                     "unexpected content after the Machines block");
  inst.num_machines = static_cast<int>(m);
  for (std::int64_t j = 0; j < n; ++j) {
    std::vector<Operation> job;
    for (std::int64_t k = 0; k < m; ++k) {
      const std::int64_t t = (*times)[j][k], mach = (*machines)[j][k];
      // Report the offending row's own line.
      if (Status st = CheckTime(source, times_rows[j], j, k, t); !st.ok())
        return st.error();
      if (mach < 1 || mach > m)
        return LineError(
            source, machines_rows[j],
            fmt::format("job {} operation {}: machine {} out of range [1, {}] "
                        "(Taillard machines are 1-based)",
                        j, k, mach, m));
      job.push_back({MachineId(static_cast<int>(mach - 1)), t});
    }
    inst.jobs.push_back(std::move(job));
  }
  Status st = ValidateInstance(inst);
  if (!st.ok()) return Error{fmt::format("{}: {}", source, st.error().message)};
  return inst;
}

}  // namespace

Result<Instance> ParseInstance(std::string_view text, std::string_view source,
                               std::string_view name, InstanceFormat format) {
  const std::vector<Line> lines = SplitLines(text);
  if (format == InstanceFormat::kAuto) {
    format = InstanceFormat::kStandard;
    for (const Line& l : lines) {
      if (IsBlankOrComment(l.text)) continue;
      if (StartsWithWord(l.text, "nb of jobs")) format = InstanceFormat::kTaillard;
      break;
    }
  }
  return format == InstanceFormat::kTaillard ? ParseTaillard(lines, source, name)
                                             : ParseStandard(lines, source, name);
}

Result<Instance> LoadInstanceFile(const std::string& path,
                                  InstanceFormat format) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Error{fmt::format("{}: no such instance file", path)};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot open for reading", path)};
  std::ostringstream buf;
  buf << in.rdbuf();
  return ParseInstance(buf.str(), path,
                       std::filesystem::path(path).stem().string(), format);
}

std::string FormatStandard(const Instance& instance) {
  std::string out = fmt::format("# instance {}\n{} {}\n", instance.name,
                                instance.num_jobs(), instance.num_machines);
  for (const auto& job : instance.jobs) {
    for (std::size_t k = 0; k < job.size(); ++k)
      out += fmt::format("{}{} {}", k ? "  " : "", job[k].machine.value,
                         job[k].duration);
    out += '\n';
  }
  return out;
}

}  // namespace dispatchlab::jobshop
