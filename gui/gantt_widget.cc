#include "gui/gantt_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "gui/palette.h"

namespace dispatchlab::gui {
namespace {
constexpr int kLeft = 78, kTop = 34, kBottom = 40, kLegend = 170;
}

GanttWidget::GanttWidget(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(500, 260);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

void GanttWidget::setData(GanttData data, QString title) {
  data_ = std::move(data);
  title_ = std::move(title);
  t0_ = 0;
  t1_ = std::max<double>(1.0, static_cast<double>(data_.makespan) * 1.03);
  highlight_ = -1;
  update();
}

void GanttWidget::setHighlightedJob(int job) {
  highlight_ = job;
  update();
}

QRectF GanttWidget::plotRect() const {
  return QRectF(kLeft, kTop, std::max(10, width() - kLeft - kLegend), std::max(10, height() - kTop - kBottom));
}

double GanttWidget::timeToX(double t) const {
  const QRectF p = plotRect();
  return p.left() + (t - t0_) / (t1_ - t0_) * p.width();
}

double GanttWidget::xToTime(double x) const {
  const QRectF p = plotRect();
  return t0_ + (x - p.left()) / p.width() * (t1_ - t0_);
}

int GanttWidget::rowAt(double y) const {
  const QRectF p = plotRect();
  if (data_.rows == 0 || y < p.top() || y >= p.bottom()) return -1;
  return static_cast<int>((y - p.top()) / (p.height() / data_.rows));
}

QRectF GanttWidget::barRect(int i) const {
  const GanttBar& b = data_.bars[i];
  const QRectF p = plotRect();
  const double rh = p.height() / std::max(1, data_.rows);
  const double x0 = timeToX(static_cast<double>(b.start));
  const double x1 = timeToX(static_cast<double>(b.leave));
  return QRectF(x0, p.top() + b.row * rh + rh * 0.15, x1 - x0, rh * 0.7);
}

void GanttWidget::paintEvent(QPaintEvent*) {
  QPainter g(this);
  g.setRenderHint(QPainter::Antialiasing, true);
  const QRectF p = plotRect();
  QFont small = font();
  small.setPointSizeF(std::max(7.0, font().pointSizeF() - 1));
  g.setPen(palette().color(QPalette::Text));
  QFont bold = font();
  bold.setBold(true);
  g.setFont(bold);
  g.drawText(QRectF(0, 4, width(), kTop - 6), Qt::AlignHCenter | Qt::AlignVCenter, title_);
  g.setFont(font());
  if (data_.rows == 0) {
    g.drawText(rect(), Qt::AlignCenter, tr("Run a job-shop scenario to see its schedule"));
    return;
  }
  const double rh = p.height() / data_.rows;
  // Rows and machine labels.
  for (int r = 0; r < data_.rows; ++r) {
    const QRectF row(p.left(), p.top() + r * rh, p.width(), rh);
    g.fillRect(row, r % 2 ? QColor(246, 246, 246) : QColor(255, 255, 255));
    g.setPen(QColor(60, 60, 60));
    g.drawText(QRectF(4, row.top(), kLeft - 10, rh), Qt::AlignRight | Qt::AlignVCenter,
               tr("M%1").arg(r));
  }
  // Time axis with ticks.
  g.setFont(small);
  const double step = NiceStep(t1_ - t0_, 10);
  for (double t = std::ceil(t0_ / step) * step; t <= t1_; t += step) {
    const double x = timeToX(t);
    g.setPen(QColor(225, 225, 225));
    g.drawLine(QPointF(x, p.top()), QPointF(x, p.bottom()));
    g.setPen(QColor(70, 70, 70));
    g.drawText(QRectF(x - 40, p.bottom() + 4, 80, 16), Qt::AlignHCenter, QString::number(t, 'g', 6));
  }
  g.drawText(QRectF(p.left(), p.bottom() + 20, p.width(), 16), Qt::AlignHCenter, tr("time"));
  g.setClipRect(p);
  // Down time: grey cross-hatch across the machine row.
  for (const auto& d : data_.downs) {
    const QRectF r(timeToX(static_cast<double>(d.start)), p.top() + d.row * rh,
                   timeToX(static_cast<double>(d.end)) - timeToX(static_cast<double>(d.start)), rh);
    g.fillRect(r, QColor(120, 120, 120, 70));
    g.fillRect(r, QBrush(QColor(90, 90, 90), Qt::DiagCrossPattern));
  }
  // Bars.
  for (int i = 0; i < static_cast<int>(data_.bars.size()); ++i) {
    const GanttBar& b = data_.bars[i];
    QColor c = ItemColor(b.job, data_.jobs);
    const bool faded = highlight_ >= 0 && b.job != highlight_;
    if (faded) c.setAlpha(55);
    const QRectF full = barRect(i);
    const double xc = timeToX(static_cast<double>(b.completion));
    const QRectF proc(full.left(), full.top(), xc - full.left(), full.height());
    const QRectF tail(xc, full.top(), full.right() - xc, full.height());
    g.fillRect(proc, c);
    if (tail.width() > 0.5) {
      QColor light = c.lighter(135);
      light.setAlpha(faded ? 40 : 140);
      g.fillRect(tail, light);
      g.fillRect(tail, QBrush(c.darker(faded ? 110 : 150), Qt::BDiagPattern));
    }
    g.setPen(QPen(faded ? QColor(0, 0, 0, 40) : QColor(40, 40, 40), b.job == highlight_ ? 2.0 : 0.8));
    g.setBrush(Qt::NoBrush);
    g.drawRect(full);
    if (proc.width() > 26 && !faded) {
      g.setPen(QColor(20, 20, 20));
      g.drawText(proc, Qt::AlignCenter, QString("J%1").arg(b.job));
    }
    if (b.swapped_in) {  // red diamond at the swap instant
      const QPointF c0(full.left(), full.center().y());
      QPolygonF diamond({c0 + QPointF(0, -6), c0 + QPointF(5, 0), c0 + QPointF(0, 6), c0 + QPointF(-5, 0)});
      g.setPen(QPen(QColor(150, 0, 0), 1));
      g.setBrush(QColor(220, 30, 30));
      g.drawPolygon(diamond);
      g.setBrush(Qt::NoBrush);
    }
  }
  // Route of the highlighted job.
  if (highlight_ >= 0) {
    std::vector<std::pair<int, QPointF>> pts;
    for (int i = 0; i < static_cast<int>(data_.bars.size()); ++i)
      if (data_.bars[i].job == highlight_) pts.push_back({data_.bars[i].op, barRect(i).center()});
    std::sort(pts.begin(), pts.end(), [](auto& a, auto& b) { return a.first < b.first; });
    g.setPen(QPen(QColor(20, 20, 20), 2, Qt::DashLine));
    for (std::size_t k = 1; k < pts.size(); ++k) g.drawLine(pts[k - 1].second, pts[k].second);
  }
  // Makespan.
  const double xm = timeToX(static_cast<double>(data_.makespan));
  g.setPen(QPen(QColor(200, 0, 0), 2, Qt::DashLine));
  g.drawLine(QPointF(xm, p.top()), QPointF(xm, p.bottom()));
  g.setClipping(false);
  g.setPen(QColor(200, 0, 0));
  g.drawText(QRectF(xm - 60, p.top() - 16, 120, 14), Qt::AlignHCenter,
             tr("Cmax = %1").arg(data_.makespan));
  g.setPen(QColor(120, 120, 120));
  g.drawRect(p);
  // Legend: jobs, then the patterns.
  const double lx = p.right() + 14;
  double ly = p.top();
  g.setFont(small);
  const double lh = std::min(18.0, std::max(11.0, (p.height() - 80) / std::max(1, data_.jobs)));
  for (int j = 0; j < data_.jobs && ly < p.bottom() - 70; ++j, ly += lh) {
    g.fillRect(QRectF(lx, ly + 2, 14, lh - 4), ItemColor(j, data_.jobs));
    g.setPen(QColor(40, 40, 40));
    g.drawText(QRectF(lx + 20, ly, 120, lh), Qt::AlignVCenter, tr("job %1").arg(j));
  }
  ly = std::max(ly + 6, p.bottom() - 62);
  const QColor demo(90, 140, 200);
  g.fillRect(QRectF(lx, ly, 14, 12), demo.lighter(135));
  g.fillRect(QRectF(lx, ly, 14, 12), QBrush(demo.darker(150), Qt::BDiagPattern));
  g.drawText(QRectF(lx + 20, ly - 2, 140, 16), Qt::AlignVCenter, tr("blocked (holds machine)"));
  ly += 18;
  g.fillRect(QRectF(lx, ly, 14, 12), QColor(120, 120, 120, 70));
  g.fillRect(QRectF(lx, ly, 14, 12), QBrush(QColor(90, 90, 90), Qt::DiagCrossPattern));
  g.drawText(QRectF(lx + 20, ly - 2, 140, 16), Qt::AlignVCenter, tr("machine down"));
  ly += 18;
  g.setBrush(QColor(220, 30, 30));
  g.setPen(QColor(150, 0, 0));
  g.drawPolygon(QPolygonF({QPointF(lx + 7, ly), QPointF(lx + 12, ly + 6), QPointF(lx + 7, ly + 12), QPointF(lx + 2, ly + 6)}));
  g.setPen(QColor(40, 40, 40));
  g.drawText(QRectF(lx + 20, ly - 2, 140, 16), Qt::AlignVCenter, tr("swap (%1 cycles)").arg(data_.swaps));
}

void GanttWidget::wheelEvent(QWheelEvent* e) {
  const double t = xToTime(e->position().x());
  const double f = e->angleDelta().y() > 0 ? 0.8 : 1.25;
  t0_ = t - (t - t0_) * f;
  t1_ = t + (t1_ - t) * f;
  if (t1_ - t0_ < 1) t1_ = t0_ + 1;
  update();
}

void GanttWidget::mousePressEvent(QMouseEvent* e) {
  dragging_ = true;
  drag_x_ = e->position().x();
  drag_t0_ = t0_;
  const int row = rowAt(e->position().y());
  const int bar = row >= 0 ? BarAt(data_, row, xToTime(e->position().x())) : -1;
  setHighlightedJob(bar >= 0 && data_.bars[bar].job != highlight_ ? data_.bars[bar].job : -1);
}

void GanttWidget::mouseMoveEvent(QMouseEvent* e) {
  if (dragging_ && (e->buttons() & Qt::LeftButton)) {
    const double span = t1_ - t0_;
    const double dt = (e->position().x() - drag_x_) / plotRect().width() * span;
    if (std::abs(e->position().x() - drag_x_) > 3) {
      t0_ = drag_t0_ - dt;
      t1_ = t0_ + span;
      update();
    }
    return;
  }
  const int row = rowAt(e->position().y());
  const int bar = row >= 0 ? BarAt(data_, row, xToTime(e->position().x())) : -1;
  if (bar < 0) {
    QToolTip::hideText();
    return;
  }
  const GanttBar& b = data_.bars[bar];
  QString tip = tr("job %1, operation %2 on M%3\nstart %4, end %5").arg(b.job).arg(b.op).arg(b.row)
                    .arg(b.start).arg(b.completion);
  if (b.leave > b.completion) tip += tr("\nblocked until %1").arg(b.leave);
  if (b.swapped_in) tip += tr("\nentered by a swap");
  QToolTip::showText(e->globalPosition().toPoint(), tip, this);
}

void GanttWidget::mouseReleaseEvent(QMouseEvent*) { dragging_ = false; }

void GanttWidget::mouseDoubleClickEvent(QMouseEvent*) {
  t0_ = 0;
  t1_ = std::max<double>(1.0, static_cast<double>(data_.makespan) * 1.03);
  update();
}

}  // namespace dispatchlab::gui
