// Plain-text tables and small statistics for CLI output.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace dispatchlab::app {

// Columns are right-aligned except the first. Rows may be shorter than the
// header (missing cells print empty).
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void AddSeparator() { rows_.emplace_back(); }
  std::string Render() const;
  std::string RenderCsv() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

struct Stats {
  int n = 0;
  double mean = 0, std = 0, min = 0, max = 0;
};
// Sample standard deviation (n - 1); 0 for n < 2.
Stats Summarize(const std::vector<double>& xs);

}  // namespace dispatchlab::app
