#include "app/output.h"

#include <fmt/format.h>

#include <algorithm>

namespace dispatchlab::app {

std::string Table::Render() const {
  std::vector<std::size_t> width(header_.size(), 0);
  auto widen = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  };
  widen(header_);
  for (const auto& r : rows_) widen(r);
  std::size_t total = 0;
  for (auto w : width) total += w + 2;
  auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (std::size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      out += i == 0 ? fmt::format("{:<{}}", cell, width[i])
                    : fmt::format("  {:>{}}", cell, width[i]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header_);
  out += std::string(total > 2 ? total - 2 : 0, '-') + "\n";
  for (const auto& r : rows_)
    out += r.empty() ? std::string(total > 2 ? total - 2 : 0, '-') + "\n" : line(r);
  return out;
}

std::string Table::RenderCsv() const {
  auto line = [](const std::vector<std::string>& row) {
    std::string out;
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + row[i];
    return out + "\n";
  };
  std::string out = line(header_);
  for (const auto& r : rows_)
    if (!r.empty()) out += line(r);
  return out;
}

Stats Summarize(const std::vector<double>& xs) {
  Stats s;
  s.n = static_cast<int>(xs.size());
  if (xs.empty()) return s;
  s.min = *std::min_element(xs.begin(), xs.end());
  s.max = *std::max_element(xs.begin(), xs.end());
  double sum = 0;
  for (double x : xs) sum += x;
  s.mean = sum / s.n;
  if (s.n > 1) {
    double ss = 0;
    for (double x : xs) ss += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(ss / (s.n - 1));
  }
  return s;
}

}  // namespace dispatchlab::app
