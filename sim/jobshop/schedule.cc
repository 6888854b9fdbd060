#include "sim/jobshop/schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/text.h"
#include "sim/jobshop/simulator.h"

namespace dispatchlab::jobshop {
namespace {

std::vector<std::string_view> SplitComma(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t c = line.find(',', pos);
    std::string_view f = line.substr(pos, c == std::string_view::npos
                                               ? std::string_view::npos
                                               : c - pos);
    while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
    while (!f.empty() && (f.back() == ' ' || f.back() == '\t' || f.back() == '\r'))
      f.remove_suffix(1);
    out.push_back(f);
    if (c == std::string_view::npos) break;
    pos = c + 1;
  }
  return out;
}

// Field limits: ids (the first `id_columns` fields) fit an int; times are
// small enough that sums of them cannot overflow SimTime in the validator.
constexpr std::int64_t kMaxId = 2'147'483'647;
constexpr std::int64_t kMaxTime = 1'000'000'000'000;

// Parses a CSV with the given header into rows of integers.
Result<std::vector<std::vector<std::int64_t>>> ParseIntCsv(
    const std::string& text, const std::string& source,
    const std::vector<std::string_view>& header, std::size_t id_columns) {
  std::vector<std::vector<std::int64_t>> rows;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  bool have_header = false;
  std::string expected;
  for (auto h : header) expected += (expected.empty() ? "" : ",") + std::string(h);
  while (std::getline(in, line)) {
    ++number;
    std::string_view sv(line);
    while (!sv.empty() && (sv.back() == '\r' || sv.back() == ' ')) sv.remove_suffix(1);
    if (sv.empty() || sv.front() == '#') continue;
    auto fields = SplitComma(sv);
    if (!have_header) {
      if (fields != header)
        return Error{fmt::format("{}:{}: expected the header '{}'", source,
                                 number, expected)};
      have_header = true;
      continue;
    }
    if (fields.size() != header.size())
      return Error{fmt::format("{}:{}: expected {} fields ({}), found {}",
                               source, number, header.size(), expected,
                               fields.size())};
    std::vector<std::int64_t> vals;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::int64_t v = 0;
      auto f = fields[i];
      auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      if (ec != std::errc() || p != f.data() + f.size())
        return Error{fmt::format("{}:{}: field '{}' is not an integer: '{}'",
                                 source, number, header[i], PrintableToken(f))};
      if (v < 0)
        return Error{fmt::format("{}:{}: field '{}' is negative: {}", source,
                                 number, header[i], v)};
      const std::int64_t max_value = i < id_columns ? kMaxId : kMaxTime;
      if (v > max_value)
        return Error{fmt::format("{}:{}: field '{}' is {}, at most {}", source,
                                 number, header[i], v, max_value)};
      vals.push_back(v);
    }
    rows.push_back(std::move(vals));
  }
  if (!have_header)
    return Error{fmt::format("{}: empty file, expected the header '{}'", source,
                             expected)};
  return rows;
}

}  // namespace

std::vector<ScheduleRow> ToScheduleRows(const EpisodeResult& result) {
  std::vector<ScheduleRow> rows;
  rows.reserve(result.schedule.size());
  for (const ScheduledOp& op : result.schedule) {
    if (op.start < 0) continue;  // never started (deadlock)
    rows.push_back({op.job.value, op.op, op.machine.value, op.start,
                    op.duration, op.leave});
  }
  return rows;
}

std::vector<DownRow> ToDownRows(const EpisodeResult& result) {
  std::vector<DownRow> rows;
  for (const DownInterval& d : result.down)
    rows.push_back({d.machine.value, d.start, d.end});
  return rows;
}

std::string FormatScheduleCsv(const std::vector<ScheduleRow>& rows) {
  std::string out = "job,op,machine,start,duration,leaves_machine_at\n";
  for (const ScheduleRow& r : rows)
    out += fmt::format("{},{},{},{},{},{}\n", r.job, r.op, r.machine, r.start,
                       r.duration, r.leave);
  return out;
}

Result<std::vector<ScheduleRow>> ParseScheduleCsv(const std::string& text,
                                                  const std::string& source) {
  auto rows = ParseIntCsv(text, source,
                          {"job", "op", "machine", "start", "duration",
                           "leaves_machine_at"},
                          3);
  if (!rows) return rows.error();
  std::vector<ScheduleRow> out;
  for (const auto& v : *rows)
    out.push_back({static_cast<int>(v[0]), static_cast<int>(v[1]),
                   static_cast<int>(v[2]), v[3], v[4], v[5]});
  return out;
}

std::string FormatDownCsv(const std::vector<DownRow>& rows) {
  std::string out = "machine,start,end\n";
  for (const DownRow& r : rows)
    out += fmt::format("{},{},{}\n", r.machine, r.start, r.end);
  return out;
}

Result<std::vector<DownRow>> ParseDownCsv(const std::string& text,
                                          const std::string& source) {
  auto rows = ParseIntCsv(text, source, {"machine", "start", "end"}, 1);
  if (!rows) return rows.error();
  std::vector<DownRow> out;
  for (const auto& v : *rows)
    out.push_back({static_cast<int>(v[0]), v[1], v[2]});
  return out;
}

std::vector<std::vector<int>> MachineSequences(
    const std::vector<ScheduleRow>& rows, int num_machines) {
  std::vector<std::vector<const ScheduleRow*>> per(num_machines);
  for (const ScheduleRow& r : rows)
    if (r.machine >= 0 && r.machine < num_machines) per[r.machine].push_back(&r);
  std::vector<std::vector<int>> seq(num_machines);
  for (int m = 0; m < num_machines; ++m) {
    std::stable_sort(per[m].begin(), per[m].end(),
                     [](const ScheduleRow* a, const ScheduleRow* b) {
                       // An empty occupation [t, t) precedes one from t.
                       return a->start != b->start ? a->start < b->start
                                                   : a->leave < b->leave;
                     });
    for (const ScheduleRow* r : per[m]) seq[m].push_back(r->job);
  }
  return seq;
}

}  // namespace dispatchlab::jobshop
