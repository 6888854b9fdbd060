// Small, dependency-free SVG charts for the CLI (`results --plot`,
// `compare --plot`): horizontal bars with 95% CI whiskers, the value axis
// from zero (or through zero for differences), ticks at round numbers,
// labels never clipped (the left margin fits the longest label).
#pragma once

#include <string>
#include <vector>

namespace dispatchlab::app {

struct PlotBar {
  std::string label;
  double value = 0;
  double low = 0, high = 0;  // CI; equal to value when none
};

struct PlotSpec {
  std::string title;
  std::string axis;  // value axis label, with the unit
  std::vector<PlotBar> bars;
  // Differences: bars on the better side of zero are blue, the others
  // orange. Plain values (no sign meaning) are all blue.
  enum class Sign { kNone, kLowerIsBetter, kHigherIsBetter } sign = Sign::kNone;
};

// An SVG document (UTF-8 text).
std::string RenderBarChartSvg(const PlotSpec& spec);

// "Nice" tick step for a range (1, 2 or 5 x 10^k), about `target` ticks.
double NiceStep(double range, int target = 6);

}  // namespace dispatchlab::app
