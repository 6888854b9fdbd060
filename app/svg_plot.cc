#include "app/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace dispatchlab::app {
namespace {

std::string Escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

std::string Tick(double v, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
  return fmt::format("{:.{}f}", v, decimals);
}

}  // namespace

double NiceStep(double range, int target) {
  if (!(range > 0)) return 1;
  const double raw = range / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

std::string RenderBarChartSvg(const PlotSpec& spec) {
  const int bar_h = 22, gap = 10, top = 48, bottom = 52, right = 40;
  std::size_t longest = 8;
  for (const auto& b : spec.bars) longest = std::max(longest, b.label.size());
  const int left = 20 + static_cast<int>(7.2 * static_cast<double>(longest));
  const int plot_w = 560;
  const int n = static_cast<int>(spec.bars.size());
  const int height = top + bottom + std::max(1, n) * (bar_h + gap);
  const int width = left + plot_w + right;
  // Value range: always includes zero.
  double lo = 0, hi = 0;
  for (const auto& b : spec.bars) {
    lo = std::min({lo, b.value, b.low});
    hi = std::max({hi, b.value, b.high});
  }
  if (hi == lo) hi = lo + 1;
  const double step = NiceStep(hi - lo);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  auto x = [&](double v) { return left + (v - lo) / (hi - lo) * plot_w; };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{}</text>\n",
      width, height, width, height, left, Escape(spec.title));
  const int axis_y = height - bottom + 6;
  for (double t = lo; t <= hi + step / 2; t += step) {
    const double tx = x(t);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#e0e0e0\"/>\n"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\" fill=\"#333\">{4}</text>\n",
        tx, top - 6, axis_y, axis_y + 16, Tick(std::abs(t) < step / 1e6 ? 0.0 : t, step));
  }
  svg += fmt::format(
      "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#333\" "
      "stroke-width=\"1.5\"/>\n",
      x(0), top - 6, axis_y);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     left + plot_w / 2.0, axis_y + 36, Escape(spec.axis));
  for (int i = 0; i < n; ++i) {
    const auto& b = spec.bars[i];
    const int y = top + i * (bar_h + gap);
    const double x0 = x(std::min(0.0, b.value)), x1 = x(std::max(0.0, b.value));
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>\n"
        "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"/>\n",
        left - 8, y + bar_h / 2, Escape(b.label), x0, y, std::max(1.0, x1 - x0), bar_h,
        (spec.sign == PlotSpec::Sign::kNone ||
         (spec.sign == PlotSpec::Sign::kLowerIsBetter) == (b.value < 0))
            ? "#4c78a8"
            : "#f58518");
    if (b.high > b.low) {
      const double cy = y + bar_h / 2.0;
      svg += fmt::format(
          "<line x1=\"{0:.1f}\" y1=\"{2:.1f}\" x2=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"black\"/>\n"
          "<line x1=\"{0:.1f}\" y1=\"{3:.1f}\" x2=\"{0:.1f}\" y2=\"{4:.1f}\" stroke=\"black\"/>\n"
          "<line x1=\"{1:.1f}\" y1=\"{3:.1f}\" x2=\"{1:.1f}\" y2=\"{4:.1f}\" stroke=\"black\"/>\n",
          x(b.low), x(b.high), cy, cy - 6, cy + 6);
    }
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace dispatchlab::app
