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
#include <algorithm>
#include <cmath>

#include "gui/palette.h"

namespace dispatchlab::gui {
namespace {
QColor PaxColor(int pax) {
  static const QColor kColors[] = {QColor(150, 150, 150), QColor(158, 202, 225),
                                   QColor(107, 174, 214), QColor(49, 130, 189), QColor(8, 81, 156)};
  return kColors[std::clamp(pax, 0, 4)];
}
}  // namespace

MapWidget::MapWidget(QWidget* parent) : QWidget(parent) {
  setMinimumSize(420, 360);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

void MapWidget::setData(std::shared_ptr<const uam::Scenario> scenario, FleetData fleet,
                        ClosedFn closed, QString title) {
  scenario_ = std::move(scenario);
  fleet_ = std::move(fleet);
  closed_ = std::move(closed);
  title_ = std::move(title);
  t_ = fleet_.day_start;
  update();
}

void MapWidget::setTime(long long t) {
  t_ = t;
  update();
}

QPointF MapWidget::toScreen(double x, double y) const {
  return QPointF(40 + (x - minx_) * scale_, height() - 50 - (y - miny_) * scale_);
}

void MapWidget::paintEvent(QPaintEvent*) {
  QPainter g(this);
  g.setRenderHint(QPainter::Antialiasing, true);
  QFont bold = font();
  bold.setBold(true);
  if (!scenario_) {
    g.drawText(rect(), Qt::AlignCenter, tr("Run a UAM scenario to see the fleet on the map"));
    return;
  }
  const auto& vp = scenario_->vertiports;
  double maxx = -1e9, maxy = -1e9;
  minx_ = miny_ = 1e9;
  for (const auto& v : vp) {
    minx_ = std::min(minx_, v.x_mi);
    miny_ = std::min(miny_, v.y_mi);
    maxx = std::max(maxx, v.x_mi);
    maxy = std::max(maxy, v.y_mi);
  }
  scale_ = std::min((width() - 220.0) / std::max(1.0, maxx - minx_),
                    (height() - 110.0) / std::max(1.0, maxy - miny_));
  g.setFont(bold);
  g.drawText(QRectF(0, 4, width(), 20), Qt::AlignHCenter, title_ + "   " + ClockText(t_));
  g.setFont(font());
  // Corridors: open light grey, closed red dashed.
  const int n = static_cast<int>(vp.size());
  int closed_count = 0;
  for (int u = 0; u < n; ++u)
    for (int v = u + 1; v < n; ++v) {
      const bool closed = closed_ && closed_(u, v, t_);
      closed_count += closed;
      g.setPen(closed ? QPen(QColor(210, 30, 30), 2.5, Qt::DashLine) : QPen(QColor(215, 215, 215), 1));
      g.drawLine(toScreen(vp[u].x_mi, vp[u].y_mi), toScreen(vp[v].x_mi, vp[v].y_mi));
    }
  // Aircraft.
  const auto pos = PositionsAt(*scenario_, fleet_, t_);
  std::vector<int> ground(n, 0);
  int flying = 0;
  for (const auto& p : pos) {
    if (!p.flying) {
      if (p.vertiport >= 0) ++ground[p.vertiport];
      continue;
    }
    ++flying;
    const QPointF c = toScreen(p.x_mi, p.y_mi);
    g.setPen(QPen(QColor(30, 30, 30), 1));
    g.setBrush(PaxColor(p.passengers));
    g.drawEllipse(c, 5, 5);
  }
  // Vertiports with the number of aircraft on the ground.
  for (int v = 0; v < n; ++v) {
    const QPointF c = toScreen(vp[v].x_mi, vp[v].y_mi);
    const bool hub = vp[v].kind == uam::VertiportKind::kHub;
    const double r = hub ? 14 : 10;
    g.setPen(QPen(QColor(20, 20, 20), 1.5));
    g.setBrush(hub ? QColor(40, 70, 140) : QColor(40, 150, 130));
    g.drawEllipse(c, r, r);
    g.setPen(Qt::white);
    g.drawText(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), Qt::AlignCenter, QString::number(ground[v]));
    g.setPen(QColor(20, 20, 20));
    g.drawText(QRectF(c.x() + r + 3, c.y() - 9, 140, 18), Qt::AlignVCenter, QString::fromStdString(vp[v].name));
  }
  // Legend.
  double ly = 34;
  const double lx = width() - 170;
  auto item = [&](const QColor& col, bool circle, const QString& text) {
    g.setPen(QColor(30, 30, 30));
    g.setBrush(col);
    if (circle) g.drawEllipse(QPointF(lx + 7, ly + 8), 6, 6);
    else g.drawRect(QRectF(lx + 1, ly + 3, 12, 10));
    g.drawText(QRectF(lx + 20, ly, 150, 16), Qt::AlignVCenter, text);
    ly += 19;
  };
  item(QColor(40, 70, 140), true, tr("hub (aircraft parked)"));
  item(QColor(40, 150, 130), true, tr("residential"));
  for (int pax = 0; pax <= 4; ++pax) item(PaxColor(pax), true, tr("flying, %1 passengers").arg(pax));
  g.setPen(QPen(QColor(210, 30, 30), 2.5, Qt::DashLine));
  g.drawLine(QPointF(lx, ly + 8), QPointF(lx + 14, ly + 8));
  g.setPen(QColor(30, 30, 30));
  g.drawText(QRectF(lx + 20, ly, 150, 16), Qt::AlignVCenter, tr("corridor closed"));
  ly += 26;
  g.drawText(QRectF(lx, ly, 160, 16), Qt::AlignVCenter, tr("%1 flying, %2 closures").arg(flying).arg(closed_count));
}

MapView::MapView(QWidget* parent) : QWidget(parent) {
  map_ = new MapWidget(this);
  slider_ = new QSlider(Qt::Horizontal, this);
  play_ = new QPushButton(tr("Play"), this);
  clock_ = new QLabel("--:--", this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(play_);
  bar->addWidget(slider_, 1);
  bar->addWidget(clock_);
  auto* lay = new QVBoxLayout(this);
  lay->addWidget(map_, 1);
  lay->addLayout(bar);
  connect(slider_, &QSlider::valueChanged, this, [this](int v) {
    map_->setTime(v);
    clock_->setText(ClockText(v));
  });
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

void MapView::setData(std::shared_ptr<const uam::Scenario> scenario, FleetData fleet,
                      MapWidget::ClosedFn closed, QString title) {
  const long long start = fleet.day_start, end = fleet.day_end;
  map_->setData(std::move(scenario), std::move(fleet), std::move(closed), std::move(title));
  slider_->setRange(static_cast<int>(start), static_cast<int>(end));
  setTime(start + 2 * 3600);  // morning peak
}

void MapView::setTime(long long t) {
  slider_->setValue(static_cast<int>(t));
  map_->setTime(t);
  clock_->setText(ClockText(t));
}

TimelineWidget::TimelineWidget(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(500, 300);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

void TimelineWidget::setData(FleetData fleet, QString title) {
  fleet_ = std::move(fleet);
  title_ = std::move(title);
  update();
}

QRectF TimelineWidget::plot() const { return QRectF(52, 30, width() - 52 - 170, height() - 30 - 34); }

void TimelineWidget::paintEvent(QPaintEvent*) {
  QPainter g(this);
  QFont bold = font();
  bold.setBold(true);
  g.setFont(bold);
  g.drawText(QRectF(0, 4, width(), 20), Qt::AlignHCenter, title_);
  g.setFont(font());
  if (fleet_.aircraft == 0) {
    g.drawText(rect(), Qt::AlignCenter, tr("Run a UAM scenario to see the fleet timeline"));
    return;
  }
  const QRectF p = plot();
  const double rh = p.height() / fleet_.aircraft;
  const double span = static_cast<double>(fleet_.day_end - fleet_.day_start);
  auto x = [&](long long t) { return p.left() + (t - fleet_.day_start) / span * p.width(); };
  QFont small = font();
  small.setPointSizeF(std::max(6.5, std::min(font().pointSizeF() - 1, rh * 0.55)));
  g.setFont(small);
  for (int h = static_cast<int>(fleet_.day_start / 3600); h <= fleet_.day_end / 3600; ++h) {
    const double xx = x(h * 3600LL);
    g.setPen(QColor(228, 228, 228));
    g.drawLine(QPointF(xx, p.top()), QPointF(xx, p.bottom()));
    g.setPen(QColor(60, 60, 60));
    g.drawText(QRectF(xx - 20, p.bottom() + 4, 40, 14), Qt::AlignHCenter, ClockText(h * 3600LL));
  }
  const int label_every = std::max(1, static_cast<int>(std::ceil(12.0 / rh)));
  g.setClipRect(p.adjusted(0, 0, 0, 0).united(QRectF(0, p.top(), p.left(), p.height())));
  for (int a = 0; a < fleet_.aircraft; ++a) {
    const double y = p.top() + a * rh;
    if (a % 2) g.fillRect(QRectF(p.left(), y, p.width(), rh), QColor(248, 248, 248));
    if (a % label_every == 0) {
      g.setPen(QColor(60, 60, 60));
      g.drawText(QRectF(0, y, p.left() - 6, std::max(rh, 12.0)), Qt::AlignRight | Qt::AlignVCenter,
                 QString("A%1").arg(a));
    }
    for (const auto& s : fleet_.segments[a]) {
      const QRectF r(x(s.start), y + rh * 0.12, std::max(1.0, x(s.end) - x(s.start)), rh * 0.76);
      switch (s.kind) {
        case SegmentKind::kFlight:
          g.fillRect(r, PaxColor(s.passengers));
          if (r.width() > 9 && rh > 9) {
            g.setPen(s.passengers >= 3 ? Qt::white : QColor(20, 20, 20));
            g.drawText(r, Qt::AlignCenter, QString::number(s.passengers));
          }
          break;
        case SegmentKind::kCharge: g.fillRect(r, QColor(90, 180, 90)); break;
        case SegmentKind::kStay: g.fillRect(r, QColor(215, 215, 215)); break;
        case SegmentKind::kDown:
          g.fillRect(r, QColor(230, 120, 120));
          g.fillRect(r, QBrush(QColor(150, 20, 20), Qt::BDiagPattern));
          break;
      }
    }
  }
  g.setClipping(false);
  g.setPen(QColor(140, 140, 140));
  g.drawRect(p);
  // Legend.
  double ly = p.top();
  const double lx = p.right() + 14;
  auto item = [&](const QColor& c, const QString& t, bool hatch = false) {
    g.fillRect(QRectF(lx, ly + 3, 16, 11), c);
    if (hatch) g.fillRect(QRectF(lx, ly + 3, 16, 11), QBrush(QColor(150, 20, 20), Qt::BDiagPattern));
    g.setPen(QColor(30, 30, 30));
    g.drawText(QRectF(lx + 22, ly, 140, 16), Qt::AlignVCenter, t);
    ly += 19;
  };
  for (int pax = 0; pax <= 4; ++pax) item(PaxColor(pax), tr("flight, %1 passengers").arg(pax));
  item(QColor(90, 180, 90), tr("charging"));
  item(QColor(215, 215, 215), tr("staying (no charger)"));
  item(QColor(230, 120, 120), tr("down"), true);
  g.drawText(QRectF(lx, ly + 6, 160, 16), Qt::AlignVCenter, tr("white gaps: turnaround"));
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* e) {
  const QRectF p = plot();
  if (fleet_.aircraft == 0 || !p.contains(e->position())) return;
  const int a = static_cast<int>((e->position().y() - p.top()) / (p.height() / fleet_.aircraft));
  const double t = fleet_.day_start + (e->position().x() - p.left()) / p.width() *
                                          static_cast<double>(fleet_.day_end - fleet_.day_start);
  if (a < 0 || a >= fleet_.aircraft) return;
  for (const auto& s : fleet_.segments[a]) {
    if (t < s.start || t >= s.end) continue;
    QString what;
    switch (s.kind) {
      case SegmentKind::kFlight: what = tr("flight %1 -> %2, %3 passengers").arg(s.from).arg(s.to).arg(s.passengers); break;
      case SegmentKind::kCharge: what = tr("charging"); break;
      case SegmentKind::kStay: what = tr("staying"); break;
      case SegmentKind::kDown: what = tr("down"); break;
    }
    QToolTip::showText(e->globalPosition().toPoint(),
                       tr("A%1: %2\n%3 - %4").arg(a).arg(what).arg(ClockText(s.start)).arg(ClockText(s.end)), this);
    return;
  }
  QToolTip::hideText();
}

}  // namespace dispatchlab::gui
