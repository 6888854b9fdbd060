#include "gui/palette.h"

#include <cmath>

namespace dispatchlab::gui {

QColor ItemColor(int i, int n) {
  (void)n;
  const int hue = static_cast<int>(std::fmod(i * 137.508, 360.0));
  const int sat = (i % 2 == 0) ? 170 : 120;
  const int val = (i % 3 == 0) ? 225 : ((i % 3 == 1) ? 195 : 245);
  return QColor::fromHsv(hue, sat, val);
}

QString ClockText(long long s) {
  return QString("%1:%2").arg((s / 3600) % 24, 2, 10, QChar('0')).arg((s / 60) % 60, 2, 10, QChar('0'));
}

double NiceStep(double span, int target) {
  if (span <= 0) return 1;
  const double raw = span / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / mag;
  const double nice = r < 1.5 ? 1 : (r < 3.5 ? 2 : (r < 7.5 ? 5 : 10));
  return nice * mag;
}

}  // namespace dispatchlab::gui
