// Shared colours and small drawing helpers for the views.
#pragma once

#include <QColor>
#include <QPainter>
#include <QString>

namespace dispatchlab::gui {

// Distinguishable colour for item i of n (golden-angle hues, two lightness
// levels so neighbours differ).
QColor ItemColor(int i, int n);
// "06:15" for seconds since midnight.
QString ClockText(long long seconds);
// A "nice" tick step (1, 2, 5 x 10^k) for about `target` ticks over `span`.
double NiceStep(double span, int target);

}  // namespace dispatchlab::gui
