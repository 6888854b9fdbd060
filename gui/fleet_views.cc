#include "gui/fleet_views.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "gui/palette.h"

namespace dispatchlab::gui {
namespace {
const QColor kHub(40, 70, 140), kHome(30, 140, 120), kWaiting(230, 120, 0);
const QColor kCharge(90, 180, 90), kStay(215, 215, 215), kDown(230, 120, 120);

QString Money(double usd) { return QString("%L1").arg(usd, 0, 'f', 0); }

QString VpName(const uam::Scenario& s, int v) {
  return v >= 0 && v < s.num_vertiports() ? QString::fromStdString(s.vertiports[v].name) : "?";
}

// A step series as a path over [t0, t1] in plot p with y = value / vmax.
QPainterPath StepPath(const StepSeries& s, double t0, double t1, double vmax, const QRectF& p) {
  auto X = [&](double t) { return p.left() + (t - t0) / (t1 - t0) * p.width(); };
  auto Y = [&](double v) { return p.bottom() - v / vmax * p.height(); };
  QPainterPath path;
  double last = s.At(static_cast<SimTime>(t0));
  path.moveTo(X(t0), Y(last));
  for (std::size_t i = 0; i < s.t.size(); ++i) {
    const double t = static_cast<double>(s.t[i]);
    if (t <= t0) continue;
    if (t > t1) break;
    path.lineTo(X(t), Y(last));
    last = s.v[i];
    path.lineTo(X(t), Y(last));
  }
  path.lineTo(X(t1), Y(last));
  return path;
}
}  // namespace

QColor PassengerColor(int pax) {
  static const QColor kColors[] = {QColor(255, 255, 255), QColor(254, 217, 118),
                                   QColor(253, 141, 60), QColor(227, 26, 28), QColor(128, 0, 38)};
  return kColors[std::clamp(pax, 0, 4)];
}

// --- map -------------------------------------------------------------------

MapWidget::MapWidget(QWidget* parent) : QWidget(parent) {
  setMinimumSize(520, 360);
  setMouseTracking(true);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

const FleetData& MapWidget::fleet() const {
  static const FleetData kEmpty;
  return day_ ? day_->fleet : kEmpty;
}

void MapWidget::setData(std::shared_ptr<const UamDay> day, QString title) {
  day_ = std::move(day);
  title_ = std::move(title);
  t_ = day_ ? day_->fleet.day_start : 0;
  layoutMap();
  update();
}

void MapWidget::setTime(long long t) {
  t_ = t;
  update();
}

void MapWidget::resizeEvent(QResizeEvent*) { layoutMap(); }

QRectF MapWidget::panelRect() const {
  const double w = std::clamp(width() * 0.3, 340.0, 420.0);
  return QRectF(width() - w - 6, 30, w, height() - 36);
}

void MapWidget::layoutMap() {
  if (!day_) return;
  const auto& vp = day_->scenario->vertiports;
  double maxx = -1e9, maxy = -1e9;
  minx_ = miny_ = 1e9;
  for (const auto& v : vp) {
    minx_ = std::min(minx_, v.x_mi);
    miny_ = std::min(miny_, v.y_mi);
    maxx = std::max(maxx, v.x_mi);
    maxy = std::max(maxy, v.y_mi);
  }
  // The map fills the area left of the panel; room for names at the right
  // and waiting bars above.
  const QRectF area(40, 112, panelRect().left() - 40 - 150, height() - 112 - 34);
  const double ex = std::max(1.0, maxx - minx_), ey = std::max(1.0, maxy - miny_);
  scale_ = std::max(0.1, std::min(area.width() / ex, area.height() / ey));
  offx_ = area.left() + (area.width() - ex * scale_) / 2;
  offy_ = area.bottom() - (area.height() - ey * scale_) / 2;
}

QPointF MapWidget::toScreen(double x, double y) const {
  return QPointF(offx_ + (x - minx_) * scale_, offy_ - (y - miny_) * scale_);
}

QPointF MapWidget::vertiportPoint(int v) const {
  const auto& p = day_->scenario->vertiports[v];
  return toScreen(p.x_mi, p.y_mi);
}

void MapWidget::paintEvent(QPaintEvent*) {
  QPainter g(this);
  g.setRenderHint(QPainter::Antialiasing, true);
  QFont bold = font();
  bold.setBold(true);
  QFont small = font();
  small.setPointSizeF(std::max(7.0, font().pointSizeF() - 1.5));
  if (!day_) {
    g.drawText(rect(), Qt::AlignCenter, tr("Run a UAM scenario to see the fleet on the map"));
    return;
  }
  const uam::Scenario& sc = *day_->scenario;
  const auto& vp = sc.vertiports;
  const int n = static_cast<int>(vp.size());
  g.setFont(bold);
  g.drawText(QRectF(0, 4, width(), 20), Qt::AlignHCenter, title_ + "   " + ClockText(t_));
  g.setFont(font());
  // Corridors: open light grey, closed red dashed.
  int closed_count = 0;
  for (int u = 0; u < n; ++u)
    for (int v = u + 1; v < n; ++v) {
      const bool closed = ClosedAt(*day_, u, v, t_);
      closed_count += closed;
      g.setPen(closed ? QPen(QColor(210, 30, 30), 2.5, Qt::DashLine) : QPen(QColor(222, 222, 222), 1));
      g.drawLine(vertiportPoint(u), vertiportPoint(v));
    }
  const auto ports = PortsAt(sc, day_->fleet, day_->demand, t_);
  double wmax = 1;
  for (const auto& w : day_->demand.waiting) wmax = std::max(wmax, w.Max());
  const double bar_scale = std::min(6.0, 80.0 / wmax);  // px per passenger
  // Vertiports: circle with the aircraft on the ground, waiting bar above.
  for (int v = 0; v < n; ++v) {
    const QPointF c = vertiportPoint(v);
    const bool hub = vp[v].kind == uam::VertiportKind::kHub;
    const double r = hub ? 15 : 12;
    const double h = ports[v].waiting * bar_scale;
    const QRectF bar(c.x() - 5, c.y() - r - 3 - h, 10, h);
    g.setBrush(kWaiting);
    g.setPen(kWaiting.darker(140));
    g.drawRect(bar);
    g.setBrush(Qt::NoBrush);
    g.setFont(bold);
    g.drawText(QRectF(c.x() - 30, bar.top() - 17, 60, 16), Qt::AlignHCenter | Qt::AlignBottom,
               QString::number(ports[v].waiting));
    g.setFont(font());
    g.setPen(QPen(QColor(20, 20, 20), 1.5));
    g.setBrush(hub ? kHub : kHome);
    g.drawEllipse(c, r, r);
    g.setPen(Qt::white);
    g.setFont(bold);
    g.drawText(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), Qt::AlignCenter, QString::number(ports[v].parked));
    g.setFont(font());
    g.setPen(QColor(20, 20, 20));
    g.drawText(QRectF(c.x() + r + 4, c.y() - 10, 160, 18), Qt::AlignVCenter, QString::fromStdString(vp[v].name));
    g.setFont(small);
    g.setPen(QColor(90, 90, 90));
    g.drawText(QRectF(c.x() + r + 4, c.y() + 6, 200, 14), Qt::AlignVCenter,
               tr("pads %1/%2  chg %3/%4").arg(ports[v].pads_busy).arg(ports[v].pads)
                   .arg(ports[v].chargers_in_use).arg(ports[v].chargers));
    g.setFont(font());
  }
  // Flying aircraft: passengers inside the dot, id beside it.
  const auto pos = PositionsAt(sc, day_->fleet, t_);
  int flying = 0;
  for (int a = 0; a < static_cast<int>(pos.size()); ++a) {
    const auto& p = pos[a];
    if (!p.flying) continue;
    ++flying;
    const QPointF c = toScreen(p.x_mi, p.y_mi);
    g.setPen(QPen(QColor(30, 30, 30), 1.2));
    g.setBrush(PassengerColor(p.passengers));
    g.drawEllipse(c, 8, 8);
    g.setFont(small);
    g.setPen(p.passengers >= 3 ? Qt::white : QColor(20, 20, 20));
    g.drawText(QRectF(c.x() - 8, c.y() - 8, 16, 16), Qt::AlignCenter, QString::number(p.passengers));
    g.setPen(QColor(80, 80, 80));
    g.drawText(QRectF(c.x() + 9, c.y() - 16, 40, 12), Qt::AlignLeft | Qt::AlignVCenter, QString("A%1").arg(a));
    g.setFont(font());
  }
  // Side panel: the day so far, per-vertiport occupancy, legend.
  const QRectF panel = panelRect();
  g.setPen(QColor(200, 200, 200));
  g.setBrush(QColor(250, 250, 250));
  g.drawRect(panel);
  double y = panel.top() + 8;
  const double x0 = panel.left() + 10, pw = panel.width() - 20;
  const auto& d = day_->demand;
  g.setFont(bold);
  g.setPen(QColor(20, 20, 20));
  g.drawText(QRectF(x0, y, pw, 18), Qt::AlignLeft, tr("At %1").arg(ClockText(t_)));
  y += 22;
  g.setFont(font());
  auto line = [&](const QString& label, const QString& value, const QColor& col = QColor(20, 20, 20)) {
    g.setPen(QColor(70, 70, 70));
    g.drawText(QRectF(x0, y, pw * 0.55, 18), Qt::AlignLeft | Qt::AlignVCenter, label);
    g.setPen(col);
    g.drawText(QRectF(x0 + pw * 0.5, y, pw * 0.5, 18), Qt::AlignRight | Qt::AlignVCenter, value);
    y += 19;
  };
  const double profit = d.profit.At(t_);
  line(tr("profit so far"), tr("%1 USD").arg(Money(profit)), profit < 0 ? QColor(180, 0, 0) : QColor(0, 110, 0));
  line(tr("served / spilled so far"), tr("%1 / %2").arg(d.served.At(t_), 0, 'f', 0).arg(d.spilled.At(t_), 0, 'f', 0));
  line(tr("waiting now"), QString::number(d.waiting_total.At(t_), 'f', 0), kWaiting.darker(130));
  line(tr("flying / closed corridors"), tr("%1 / %2").arg(flying).arg(closed_count));
  line(tr("whole day: profit"), tr("%1 USD").arg(Money(day_->kpis.profit())));
  line(tr("whole day: served / spilled"), tr("%1 / %2").arg(day_->kpis.served).arg(day_->kpis.spilled));
  y += 8;
  // Table.
  const double cw[] = {0.30, 0.17, 0.15, 0.19, 0.19};
  const QString head[] = {tr("vertiport"), tr("waiting"), tr("pads"), tr("chargers"), tr("stands")};
  auto cells = [&](const QString* text, bool header, int v) {
    double cx = x0;
    for (int c = 0; c < 5; ++c) {
      const QRectF cell(cx, y, pw * cw[c], 19);
      if (!header && c >= 2) {  // full: light red
        const auto& pt = ports[v];
        const bool full = (c == 2 && pt.pads_busy >= pt.pads) ||
                          (c == 3 && pt.chargers_in_use >= pt.chargers) ||
                          (c == 4 && pt.parked >= pt.stands);
        if (full) g.fillRect(cell, QColor(255, 215, 215));
      }
      if (!header && c == 1 && ports[v].waiting > 0) g.fillRect(cell.adjusted(0, 2, 0, -2), QColor(255, 230, 200));
      g.setPen(QColor(30, 30, 30));
      g.drawText(cell.adjusted(3, 0, -3, 0), (c == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter, text[c]);
      cx += pw * cw[c];
    }
    y += 19;
  };
  QFont small_bold = small;
  small_bold.setBold(true);
  g.setFont(small_bold);
  cells(head, true, 0);
  g.setFont(font());
  g.setPen(QColor(200, 200, 200));
  g.drawLine(QPointF(x0, y), QPointF(x0 + pw, y));
  const double legend_h = 150;
  for (int v = 0; v < n; ++v) {
    if (y > panel.bottom() - legend_h - 20) {
      g.drawText(QRectF(x0, y, pw, 18), Qt::AlignLeft, tr("... %1 more").arg(n - v));
      y += 19;
      break;
    }
    const auto& pt = ports[v];
    const QString row[] = {QString::fromStdString(vp[v].name), QString::number(pt.waiting),
                           QString("%1/%2").arg(pt.pads_busy).arg(pt.pads),
                           QString("%1/%2").arg(pt.chargers_in_use).arg(pt.chargers),
                           QString("%1/%2").arg(pt.parked).arg(pt.stands)};
    g.fillRect(QRectF(x0 - 7, y + 4, 4, 11), ItemColor(v, n));
    cells(row, false, v);
  }
  // Legend.
  y = std::max(y + 10, panel.bottom() - legend_h);
  g.setFont(small);
  auto item = [&](auto draw, const QString& text) {
    draw(QPointF(x0 + 8, y + 8));
    g.setPen(QColor(30, 30, 30));
    g.drawText(QRectF(x0 + 22, y, pw - 22, 16), Qt::AlignVCenter, text);
    y += 17;
  };
  item([&](QPointF c) { g.setPen(Qt::black); g.setBrush(kHub); g.drawEllipse(c, 7, 7); },
       tr("hub / residential (teal): number = aircraft on the ground"));
  item([&](QPointF c) { g.fillRect(QRectF(c.x() - 4, c.y() - 7, 8, 14), kWaiting); },
       tr("bar: passengers waiting to depart"));
  item([&](QPointF c) {
         for (int k = 0; k <= 4; ++k) {
           g.setPen(QColor(30, 30, 30));
           g.setBrush(PassengerColor(k));
           g.drawEllipse(c + QPointF(k * 17 - 2, 0), 7, 7);
           g.setPen(k >= 3 ? Qt::white : Qt::black);
           g.drawText(QRectF(c.x() + k * 17 - 9, c.y() - 7, 14, 14), Qt::AlignCenter, QString::number(k));
         }
       }, QString());
  g.setPen(QColor(30, 30, 30));
  g.drawText(QRectF(x0 + 90, y - 17, pw - 90, 16), Qt::AlignVCenter, tr("flying, passengers on board"));
  item([&](QPointF c) {
         g.setPen(QPen(QColor(210, 30, 30), 2.5, Qt::DashLine));
         g.drawLine(c - QPointF(7, 0), c + QPointF(7, 0));
       }, tr("corridor closed (weather)"));
  item([&](QPointF) {}, tr("red cell: pads, chargers or stands all in use"));
  item([&](QPointF) {}, tr("hover an aircraft or vertiport for details"));
}

QString MapWidget::tipAt(QPointF at) const {
  if (!day_) return {};
  const uam::Scenario& sc = *day_->scenario;
  const auto pos = PositionsAt(sc, day_->fleet, t_);
  for (int a = 0; a < static_cast<int>(pos.size()); ++a) {
    const auto& p = pos[a];
    if (!p.flying || QLineF(toScreen(p.x_mi, p.y_mi), at).length() > 10) continue;
    return tr("A%1: %2 -> %3\n%4 passengers\ncharge %5 kWh (%6%)").arg(a).arg(VpName(sc, p.from))
        .arg(VpName(sc, p.to)).arg(p.passengers).arg(p.soc_kwh, 0, 'f', 0)
        .arg(100 * p.soc_kwh / day_->fleet.battery_kwh, 0, 'f', 0);
  }
  const auto ports = PortsAt(sc, day_->fleet, day_->demand, t_);
  for (int v = 0; v < sc.num_vertiports(); ++v) {
    if (QLineF(vertiportPoint(v), at).length() > 16) continue;
    const auto& pt = ports[v];
    QString text = tr("%1 (%2)\nwaiting %3\npads %4/%5, chargers %6/%7, stands %8/%9")
                       .arg(VpName(sc, v))
                       .arg(sc.vertiports[v].kind == uam::VertiportKind::kHub ? tr("hub") : tr("residential"))
                       .arg(pt.waiting).arg(pt.pads_busy).arg(pt.pads).arg(pt.chargers_in_use)
                       .arg(pt.chargers).arg(pt.parked).arg(pt.stands);
    QStringList ground;
    for (int a = 0; a < static_cast<int>(pos.size()); ++a)
      if (!pos[a].flying && pos[a].vertiport == v)
        ground << QString("A%1 %2%").arg(a).arg(100 * pos[a].soc_kwh / day_->fleet.battery_kwh, 0, 'f', 0);
    if (!ground.isEmpty()) text += tr("\non the ground (charge): ") + ground.join(", ");
    return text;
  }
  return {};
}

void MapWidget::mouseMoveEvent(QMouseEvent* e) {
  const QString tip = tipAt(e->position());
  if (tip.isEmpty()) QToolTip::hideText();
  else QToolTip::showText(e->globalPosition().toPoint(), tip, this);
}

// --- day chart -------------------------------------------------------------

DayChart::DayChart(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(130);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

void DayChart::setData(std::shared_ptr<const UamDay> day) {
  day_ = std::move(day);
  update();
}

void DayChart::setTime(long long t) {
  t_ = t;
  update();
}

QRectF DayChart::leftPlot() const { return QRectF(52, 22, width() / 2.0 - 52 - 20, height() - 22 - 22); }
QRectF DayChart::rightPlot() const {
  return QRectF(width() / 2.0 + 62, 22, width() / 2.0 - 62 - 56, height() - 22 - 22);
}

void DayChart::paintEvent(QPaintEvent*) {
  QPainter g(this);
  g.setRenderHint(QPainter::Antialiasing, true);
  if (!day_) return;
  QFont small = font();
  small.setPointSizeF(std::max(7.0, font().pointSizeF() - 1.5));
  const double t0 = static_cast<double>(day_->fleet.day_start), t1 = static_cast<double>(day_->fleet.day_end);
  const auto& d = day_->demand;
  const int n = d.vertiports;
  auto frame = [&](const QRectF& p, const QString& title, double vmax, const QString& unit, bool right) {
    g.setPen(QColor(30, 30, 30));
    g.drawText(QRectF(p.left(), 2, p.width(), 18), Qt::AlignLeft | Qt::AlignVCenter, title);
    g.setFont(small);
    for (int h = static_cast<int>(t0 / 3600); h * 3600.0 <= t1; h += 2) {
      const double xx = p.left() + (h * 3600.0 - t0) / (t1 - t0) * p.width();
      if (xx < p.left() - 1) continue;
      g.setPen(QColor(232, 232, 232));
      g.drawLine(QPointF(xx, p.top()), QPointF(xx, p.bottom()));
      g.setPen(QColor(80, 80, 80));
      g.drawText(QRectF(xx - 20, p.bottom() + 3, 40, 14), Qt::AlignHCenter, ClockText(h * 3600LL));
    }
    const double step = NiceStep(vmax, 3);
    for (double v = 0; v <= vmax * 1.001; v += step) {
      const double yy = p.bottom() - v / vmax * p.height();
      g.setPen(QColor(232, 232, 232));
      g.drawLine(QPointF(p.left(), yy), QPointF(p.right(), yy));
      g.setPen(QColor(80, 80, 80));
      g.drawText(QRectF(p.left() - 50, yy - 7, 46, 14), Qt::AlignRight | Qt::AlignVCenter,
                 QString("%L1").arg(v, 0, 'f', 0));
    }
    g.setPen(QColor(150, 150, 150));
    g.setBrush(Qt::NoBrush);
    g.drawRect(p);
    (void)unit;
    (void)right;
    g.setFont(font());
  };
  // Left: waiting passengers per vertiport (colours as in the map's table).
  const QRectF lp = leftPlot();
  double wmax = 1;
  for (const auto& w : d.waiting) wmax = std::max(wmax, w.Max());
  wmax = NiceStep(wmax, 3) * std::ceil(wmax / NiceStep(wmax, 3));
  frame(lp, tr("Waiting passengers per vertiport"), wmax, "", false);
  g.setClipRect(lp);
  for (int v = 0; v < n; ++v) {
    g.setPen(QPen(ItemColor(v, n).darker(115), 1.4));
    g.drawPath(StepPath(d.waiting[v], t0, t1, wmax, lp));
  }
  g.setClipping(false);
  // Right: cumulative served and spilled (passengers) and profit (USD).
  const QRectF rp = rightPlot();
  double pmax = 1;
  pmax = std::max({pmax, d.served.Max(), d.spilled.Max()});
  pmax = NiceStep(pmax, 3) * std::ceil(pmax / NiceStep(pmax, 3));
  frame(rp, QString(), pmax, "", true);
  {  // title with coloured words instead of a legend
    double tx = rp.left();
    for (const auto& [text, col] : {std::pair{tr("So far: "), QColor(30, 30, 30)},
                                    std::pair{tr("served"), QColor(30, 150, 60)},
                                    std::pair{tr(", "), QColor(30, 30, 30)},
                                    std::pair{tr("spilled"), QColor(200, 40, 40)},
                                    std::pair{tr(" (passengers), "), QColor(30, 30, 30)},
                                    std::pair{tr("profit (USD, right)"), QColor(40, 90, 200)}}) {
      g.setPen(col);
      g.drawText(QRectF(tx, 2, 400, 18), Qt::AlignLeft | Qt::AlignVCenter, text);
      tx += QFontMetrics(font()).horizontalAdvance(text);
    }
  }
  g.setClipRect(rp.adjusted(-1, -1, 1, 1));
  g.setPen(QPen(QColor(30, 150, 60), 2));
  g.drawPath(StepPath(d.served, t0, t1, pmax, rp));
  g.setPen(QPen(QColor(200, 40, 40), 2));
  g.drawPath(StepPath(d.spilled, t0, t1, pmax, rp));
  double umin = 0, umax = 1;
  for (double v : d.profit.v) {
    umin = std::min(umin, v);
    umax = std::max(umax, v);
  }
  const double ustep = NiceStep(umax - umin, 3);
  umax = std::ceil(umax / ustep) * ustep;
  umin = std::floor(umin / ustep) * ustep;
  StepSeries shifted = d.profit;
  for (double& v : shifted.v) v -= umin;
  g.setPen(QPen(QColor(40, 90, 200), 2));
  g.drawPath(StepPath(shifted, t0, t1, umax - umin, rp));
  g.setClipping(false);
  g.setFont(small);
  g.setPen(QColor(40, 90, 200));
  for (double v = umin; v <= umax + 1e-9; v += ustep) {
    const double yy = rp.bottom() - (v - umin) / (umax - umin) * rp.height();
    g.drawText(QRectF(rp.right() + 3, yy - 7, 54, 14), Qt::AlignLeft | Qt::AlignVCenter,
               QString("%L1k").arg(v / 1000, 0, 'f', ustep < 1000 ? 1 : 0));
  }
  // Cursor.
  for (const QRectF& p : {lp, rp}) {
    const double xx = p.left() + (t_ - t0) / (t1 - t0) * p.width();
    g.setPen(QPen(QColor(20, 20, 20), 1.5, Qt::DashLine));
    g.drawLine(QPointF(xx, p.top()), QPointF(xx, p.bottom()));
  }
}

void DayChart::mousePressEvent(QMouseEvent* e) {
  if (!day_) return;
  for (const QRectF& p : {leftPlot(), rightPlot()}) {
    if (!p.contains(e->position())) continue;
    const double u = (e->position().x() - p.left()) / p.width();
    emit timeClicked(day_->fleet.day_start +
                     static_cast<long long>(u * static_cast<double>(day_->fleet.day_end - day_->fleet.day_start)));
  }
}

MapView::MapView(QWidget* parent) : QWidget(parent) {
  map_ = new MapWidget(this);
  chart_ = new DayChart(this);
  slider_ = new QSlider(Qt::Horizontal, this);
  play_ = new QPushButton(tr("Play"), this);
  clock_ = new QLabel("--:--", this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(play_);
  bar->addWidget(slider_, 1);
  bar->addWidget(clock_);
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(2, 2, 2, 2);
  lay->setSpacing(2);
  lay->addWidget(map_, 4);
  lay->addWidget(chart_, 1);
  lay->addLayout(bar);
  connect(slider_, &QSlider::valueChanged, this, [this](int v) {
    map_->setTime(v);
    chart_->setTime(v);
    clock_->setText(ClockText(v));
  });
  connect(chart_, &DayChart::timeClicked, this, [this](long long t) { setTime(t); });
  connect(play_, &QPushButton::clicked, this, [this] {
    if (timer_.isActive()) {
      timer_.stop();
      play_->setText(tr("Play"));
    } else {
      timer_.start(40);
      play_->setText(tr("Pause"));
    }
  });
  connect(&timer_, &QTimer::timeout, this, [this] {
    const int v = slider_->value() + 60;  // one simulated minute per tick
    if (v >= slider_->maximum()) {
      timer_.stop();
      play_->setText(tr("Play"));
    }
    slider_->setValue(std::min(v, slider_->maximum()));
  });
}

void MapView::setData(std::shared_ptr<const UamDay> day, QString title) {
  const long long start = day ? day->fleet.day_start : 0, end = day ? day->fleet.day_end : 1;
  map_->setData(day, std::move(title));
  chart_->setData(day);
  slider_->setRange(static_cast<int>(start), static_cast<int>(end));
  setTime(start + 2 * 3600);  // morning peak
}

void MapView::setTime(long long t) {
  slider_->setValue(static_cast<int>(t));
  map_->setTime(t);
  chart_->setTime(t);
  clock_->setText(ClockText(t));
}

// --- timeline --------------------------------------------------------------

TimelineWidget::TimelineWidget(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(500, 300);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

void TimelineWidget::setData(std::shared_ptr<const UamDay> day, QString title) {
  day_ = std::move(day);
  title_ = std::move(title);
  if (day_) setRange(static_cast<double>(day_->fleet.day_start), static_cast<double>(day_->fleet.day_end));
  update();
}

void TimelineWidget::setRange(double t0, double t1) {
  t0_ = t0;
  t1_ = std::max(t1, t0 + 60);
  update();
}

QRectF TimelineWidget::demandStrip() const { return QRectF(58, 30, width() - 58 - 230, 52); }
QRectF TimelineWidget::plot() const {
  return QRectF(58, 30 + 52 + 8, width() - 58 - 230, height() - 90 - 34);
}
double TimelineWidget::x(double t) const {
  const QRectF p = plot();
  return p.left() + (t - t0_) / (t1_ - t0_) * p.width();
}
double TimelineWidget::timeAt(double xx) const {
  const QRectF p = plot();
  return t0_ + (xx - p.left()) / p.width() * (t1_ - t0_);
}

void TimelineWidget::paintEvent(QPaintEvent*) {
  QPainter g(this);
  QFont bold = font();
  bold.setBold(true);
  g.setFont(bold);
  g.drawText(QRectF(0, 4, width(), 20), Qt::AlignHCenter, title_);
  g.setFont(font());
  if (!day_ || day_->fleet.aircraft == 0) {
    g.drawText(rect(), Qt::AlignCenter, tr("Run a UAM scenario to see the fleet timeline"));
    return;
  }
  const FleetData& f = day_->fleet;
  const QRectF p = plot();
  const double rh = p.height() / f.aircraft;
  QFont small = font();
  small.setPointSizeF(std::max(6.5, std::min(font().pointSizeF() - 1, rh * 0.55)));
  // Ticks on whole clock steps (10 min .. 3 h), at most about 14.
  double step = 10800;
  for (double s : {600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0})
    if ((t1_ - t0_) / s <= 14) {
      step = s;
      break;
    }
  g.setFont(small);
  for (double t = std::ceil(t0_ / step) * step; t <= t1_; t += step) {
    const double xx = x(t);
    g.setPen(QColor(228, 228, 228));
    g.drawLine(QPointF(xx, demandStrip().top()), QPointF(xx, p.bottom()));
    g.setPen(QColor(60, 60, 60));
    g.drawText(QRectF(xx - 20, p.bottom() + 4, 40, 14), Qt::AlignHCenter, ClockText(static_cast<long long>(t)));
  }
  g.drawText(QRectF(p.left(), p.bottom() + 18, p.width(), 14), Qt::AlignHCenter,
             tr("time of day (wheel: zoom, drag: pan, double-click: whole day)"));
  // Demand strip: all passengers waiting.
  const QRectF ds = demandStrip();
  const double wmax = std::max(1.0, day_->demand.waiting_total.Max());
  g.setClipRect(ds);
  QPainterPath area = StepPath(day_->demand.waiting_total, t0_, t1_, wmax * 1.1, ds);
  area.lineTo(ds.right(), ds.bottom());
  area.lineTo(ds.left(), ds.bottom());
  area.closeSubpath();
  g.fillPath(area, QColor(253, 190, 120));
  g.setPen(QPen(kWaiting.darker(120), 1.2));
  g.drawPath(StepPath(day_->demand.waiting_total, t0_, t1_, wmax * 1.1, ds));
  g.setClipping(false);
  g.setPen(QColor(150, 150, 150));
  g.drawRect(ds);
  g.setPen(QColor(60, 60, 60));
  g.drawText(QRectF(0, ds.top(), ds.left() - 6, ds.height()), Qt::AlignRight | Qt::AlignVCenter,
             tr("waiting\n(max %1)").arg(wmax, 0, 'f', 0));
  // Rows.
  const int label_every = std::max(1, static_cast<int>(std::ceil(12.0 / rh)));
  g.setClipRect(QRectF(0, p.top(), width(), p.height()));
  for (int a = 0; a < f.aircraft; ++a) {
    const double y = p.top() + a * rh;
    if (a % 2) g.fillRect(QRectF(p.left(), y, p.width() + 60, rh), QColor(246, 246, 246));
    if (a % label_every == 0) {
      g.setPen(QColor(60, 60, 60));
      g.drawText(QRectF(0, y, p.left() - 6, std::max(rh, 12.0)), Qt::AlignRight | Qt::AlignVCenter,
                 QString("A%1").arg(a));
      // Utilisation: airborne share of the day.
      g.drawText(QRectF(p.right() + 4, y, 50, std::max(rh, 12.0)), Qt::AlignRight | Qt::AlignVCenter,
                 QString("%1%").arg(100 * f.utilisation[a], 0, 'f', 0));
    }
    g.save();
    g.setClipRect(p);
    for (const auto& s : f.segments[a]) {
      if (s.end < t0_ || s.start > t1_) continue;
      const QRectF r(x(static_cast<double>(s.start)), y + rh * 0.1,
                     std::max(1.0, x(static_cast<double>(s.end)) - x(static_cast<double>(s.start))), rh * 0.8);
      switch (s.kind) {
        case SegmentKind::kFlight:
          g.fillRect(r, PassengerColor(s.passengers));
          g.setPen(QPen(QColor(120, 120, 120), 0.6));
          g.drawRect(r);
          if (r.width() > 9 && rh > 9) {
            g.setPen(s.passengers >= 3 ? Qt::white : QColor(20, 20, 20));
            g.drawText(r, Qt::AlignCenter, QString::number(s.passengers));
          }
          break;
        case SegmentKind::kCharge: g.fillRect(r, kCharge); break;
        case SegmentKind::kStay: g.fillRect(r, kStay); break;
        case SegmentKind::kDown:
          g.fillRect(r, kDown);
          g.fillRect(r, QBrush(QColor(150, 20, 20), Qt::BDiagPattern));
          break;
      }
    }
    g.restore();
  }
  g.setClipping(false);
  g.setPen(QColor(140, 140, 140));
  g.drawRect(p);
  g.setPen(QColor(60, 60, 60));
  g.drawText(QRectF(p.right() + 4, p.top() - 16, 56, 14), Qt::AlignRight, tr("airborne"));
  // Legend.
  double ly = ds.top();
  const double lx = p.right() + 66;
  g.setFont(font());
  auto item = [&](const QColor& c, const QString& t, bool hatch = false) {
    g.fillRect(QRectF(lx, ly + 3, 16, 11), c);
    g.setPen(QColor(120, 120, 120));
    g.drawRect(QRectF(lx, ly + 3, 16, 11));
    if (hatch) g.fillRect(QRectF(lx, ly + 3, 16, 11), QBrush(QColor(150, 20, 20), Qt::BDiagPattern));
    g.setPen(QColor(30, 30, 30));
    g.drawText(QRectF(lx + 22, ly, 150, 16), Qt::AlignVCenter, t);
    ly += 19;
  };
  item(QColor(253, 190, 120), tr("passengers waiting"));
  ly += 6;
  for (int pax = 0; pax <= 4; ++pax) item(PassengerColor(pax), tr("flight, %1 passengers").arg(pax));
  item(kCharge, tr("charging"));
  item(kStay, tr("staying (no charger)"));
  item(kDown, tr("down"), true);
  g.drawText(QRectF(lx, ly + 4, 160, 16), Qt::AlignVCenter, tr("white gaps: turnaround"));
  ly += 24;
  double mean_util = 0;
  for (double u : f.utilisation) mean_util += u / f.aircraft;
  g.drawText(QRectF(lx, ly, 160, 64), Qt::AlignLeft | Qt::TextWordWrap,
             tr("airborne: share of the day in the air; fleet %1%").arg(100 * mean_util, 0, 'f', 1));
}

QString TimelineWidget::tipAt(QPointF pt) const {
  if (!day_) return {};
  const QRectF p = plot();
  const FleetData& f = day_->fleet;
  if (f.aircraft == 0 || !p.contains(pt)) return {};
  const int a = static_cast<int>((pt.y() - p.top()) / (p.height() / f.aircraft));
  const double t = timeAt(pt.x());
  if (a < 0 || a >= f.aircraft) return {};
  const uam::Scenario& sc = *day_->scenario;
  for (const auto& s : f.segments[a]) {
    if (t < s.start || t >= s.end) continue;
    QString what;
    switch (s.kind) {
      case SegmentKind::kFlight:
        what = tr("flight %1 -> %2\n%3 passengers, %4 kWh\nfares %5 USD - operating and landing %6 USD = margin %7 USD")
                   .arg(VpName(sc, s.from)).arg(VpName(sc, s.to)).arg(s.passengers)
                   .arg(s.energy_kwh, 0, 'f', 1).arg(s.revenue_usd, 0, 'f', 0).arg(s.cost_usd, 0, 'f', 0)
                   .arg(s.margin_usd(), 0, 'f', 0);
        break;
      case SegmentKind::kCharge:
        what = tr("charging at %1: +%2 kWh, %3 USD").arg(VpName(sc, s.from)).arg(s.energy_kwh, 0, 'f', 1)
                   .arg(s.cost_usd, 0, 'f', 2);
        break;
      case SegmentKind::kStay: what = tr("staying at %1 (no charger)").arg(VpName(sc, s.from)); break;
      case SegmentKind::kDown: what = tr("down at %1").arg(VpName(sc, s.from)); break;
    }
    return tr("A%1: %2\n%3 - %4").arg(a).arg(what).arg(ClockText(s.start)).arg(ClockText(s.end));
  }
  return tr("A%1 at %2: on the ground, charge %3%").arg(a).arg(ClockText(static_cast<long long>(t)))
      .arg(100 * SocAt(f, a, static_cast<SimTime>(t)) / f.battery_kwh, 0, 'f', 0);
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* e) {
  if (dragging_ && (e->buttons() & Qt::LeftButton)) {
    const double span = t1_ - t0_;
    const double dt = (e->position().x() - drag_x_) / plot().width() * span;
    setRange(drag_t0_ - dt, drag_t0_ - dt + span);
    return;
  }
  const QString tip = tipAt(e->position());
  if (tip.isEmpty()) QToolTip::hideText();
  else QToolTip::showText(e->globalPosition().toPoint(), tip, this);
}

void TimelineWidget::mousePressEvent(QMouseEvent* e) {
  dragging_ = true;
  drag_x_ = e->position().x();
  drag_t0_ = t0_;
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent*) { dragging_ = false; }

void TimelineWidget::mouseDoubleClickEvent(QMouseEvent*) {
  if (day_) setRange(static_cast<double>(day_->fleet.day_start), static_cast<double>(day_->fleet.day_end));
}

void TimelineWidget::wheelEvent(QWheelEvent* e) {
  const double t = timeAt(e->position().x());
  const double k = e->angleDelta().y() > 0 ? 0.8 : 1.25;
  setRange(t - (t - t0_) * k, t + (t1_ - t) * k);
}

}  // namespace dispatchlab::gui
