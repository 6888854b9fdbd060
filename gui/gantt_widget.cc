#include "gui/gantt_widget.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMouseEvent>
#include <QTableWidget>
#include <QVBoxLayout>
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
  // Down time: red cross-hatch across the machine row (drawn again over
  // the bars below, so a breakdown inside an operation is seen).
  auto downRect = [&](const GanttDown& d) {
    const double x0 = timeToX(static_cast<double>(d.start));
    const double w = std::max(3.0, timeToX(static_cast<double>(d.end)) - x0);  // never thinner than 3 px
    return QRectF(x0, p.top() + d.row * rh, w, rh);
  };
  for (const auto& d : data_.downs) {
    const QRectF r = downRect(d);
    g.fillRect(r, QColor(220, 60, 60, 60));
    g.fillRect(r, QBrush(QColor(190, 30, 30), Qt::DiagCrossPattern));
  }
  // Swap markers thin out: diamonds only when few are visible and the bar
  // is wide enough, else a short red tick.
  int visible_swaps = 0;
  for (int i = 0; i < static_cast<int>(data_.bars.size()); ++i)
    if (data_.bars[i].swapped_in) {
      const double xb = timeToX(static_cast<double>(data_.bars[i].start));
      visible_swaps += xb >= p.left() && xb <= p.right();
    }
  const bool diamonds = visible_swaps <= 40;
  // Ticks at least 16 px apart per row (zoom in to see every swap).
  std::vector<double> last_tick(data_.rows, -1e9);
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
    if (b.swapped_in && (!diamonds || full.width() < 10)) {
      if (full.left() - last_tick[b.row] >= 16) {
        last_tick[b.row] = full.left();
        g.setPen(QPen(QColor(200, 0, 0), 2));
        g.drawLine(QPointF(full.left(), full.top() - 2), QPointF(full.left(), full.top() + full.height() * 0.3));
      }
    } else if (b.swapped_in) {  // red diamond at the swap instant
      const QPointF c0(full.left(), full.center().y());
      QPolygonF diamond({c0 + QPointF(0, -6), c0 + QPointF(5, 0), c0 + QPointF(0, 6), c0 + QPointF(-5, 0)});
      g.setPen(QPen(QColor(150, 0, 0), 1));
      g.setBrush(QColor(220, 30, 30));
      g.drawPolygon(diamond);
      g.setBrush(Qt::NoBrush);
    }
  }
  // Breakdowns inside operations: a solid red band over the interrupted
  // part of the bar.
  for (int i = 0; i < static_cast<int>(data_.bars.size()); ++i) {
    if (data_.bars[i].down_inside <= 0) continue;
    const QRectF full = barRect(i);
    for (const auto& d : DownsInside(data_, i)) {
      const QRectF r = downRect(d);
      const QRectF band(r.left(), full.top(), r.width(), full.height());
      g.fillRect(band, QColor(200, 30, 30, 200));
      g.fillRect(band, QBrush(QColor(255, 255, 255), Qt::BDiagPattern));
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
  // Cmax label inside the plot, left of its line, on a white backing.
  g.setFont(small);
  const QString cmax = tr("Cmax = %1").arg(data_.makespan);
  const double cw = QFontMetrics(small).horizontalAdvance(cmax) + 8;
  const QRectF cr(std::max(p.left() + 2, xm - cw - 3), p.top() + 2, cw, 15);
  g.fillRect(cr, QColor(255, 255, 255, 220));
  g.setPen(QColor(200, 0, 0));
  g.drawText(cr, Qt::AlignCenter, cmax);
  g.setFont(font());
  g.setPen(QColor(120, 120, 120));
  g.drawRect(p);
  // Legend: jobs, then the patterns.
  const double lx = p.right() + 14;
  double ly = p.top();
  g.setFont(small);
  const double lh = std::min(18.0, std::max(11.0, (p.height() - 80) / std::max(1, data_.jobs)));
  if (data_.jobs * lh <= p.height() - 80) {
    for (int j = 0; j < data_.jobs; ++j, ly += lh) {
      g.fillRect(QRectF(lx, ly + 2, 14, lh - 4), ItemColor(j, data_.jobs));
      g.setPen(QColor(40, 40, 40));
      g.drawText(QRectF(lx + 20, ly, 120, lh), Qt::AlignVCenter, tr("job %1").arg(j));
    }
  } else {  // too many jobs for one row each: a colour strip and a hint
    g.setPen(QColor(40, 40, 40));
    g.drawText(QRectF(lx, ly, 150, 32), Qt::AlignLeft | Qt::TextWordWrap,
               tr("%1 jobs, one colour each").arg(data_.jobs));
    ly += 34;
    const int cols = 10;
    const double cell = 14;
    for (int j = 0; j < data_.jobs && ly + (j / cols) * cell < p.bottom() - 110; ++j)
      g.fillRect(QRectF(lx + (j % cols) * cell, ly + (j / cols) * cell, cell - 2, cell - 2),
                 ItemColor(j, data_.jobs));
    ly += std::min(std::ceil(data_.jobs / static_cast<double>(cols)) * cell, p.bottom() - 110 - ly) + 6;
    g.drawText(QRectF(lx, ly, 150, 32), Qt::AlignLeft | Qt::TextWordWrap,
               tr("hover a bar for its job; click to trace it"));
    ly += 34;
  }
  ly = std::max(ly + 6, p.bottom() - 62);
  const QColor demo(90, 140, 200);
  g.fillRect(QRectF(lx, ly, 14, 12), demo.lighter(135));
  g.fillRect(QRectF(lx, ly, 14, 12), QBrush(demo.darker(150), Qt::BDiagPattern));
  g.drawText(QRectF(lx + 20, ly - 2, 140, 16), Qt::AlignVCenter, tr("blocked (holds machine)"));
  ly += 18;
  g.fillRect(QRectF(lx, ly, 14, 12), QColor(200, 30, 30, 200));
  g.fillRect(QRectF(lx, ly, 14, 12), QBrush(QColor(255, 255, 255), Qt::BDiagPattern));
  g.drawText(QRectF(lx + 20, ly - 2, 150, 16), Qt::AlignVCenter,
             tr("breakdown (%1)").arg(data_.downs.size()));
  ly += 18;
  g.setBrush(QColor(220, 30, 30));
  g.setPen(QColor(150, 0, 0));
  g.drawPolygon(QPolygonF({QPointF(lx + 7, ly), QPointF(lx + 12, ly + 6), QPointF(lx + 7, ly + 12), QPointF(lx + 2, ly + 6)}));
  g.setPen(QColor(40, 40, 40));
  g.drawText(QRectF(lx + 20, ly - 2, 150, 32), Qt::AlignLeft | Qt::TextWordWrap,
             diamonds ? tr("swap (%1 cycles)").arg(data_.swaps)
                      : tr("swap (%1 cycles; ticks thinned, zoom in)").arg(data_.swaps));
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
  const double t = xToTime(e->position().x());
  const int bar = row >= 0 ? BarAt(data_, row, t) : -1;
  if (bar < 0) {
    for (const auto& d : data_.downs)  // a breakdown outside any operation
      if (d.row == row && t >= static_cast<double>(d.start) && t < static_cast<double>(d.end)) {
        QToolTip::showText(e->globalPosition().toPoint(),
                           tr("M%1 down (breakdown) %2 - %3: repair %4 time units").arg(d.row)
                               .arg(d.start).arg(d.end).arg(d.end - d.start), this);
        return;
      }
    QToolTip::hideText();
    return;
  }
  const GanttBar& b = data_.bars[bar];
  QString tip = tr("job %1, operation %2 on M%3\nstart %4, end %5 (processing %6)").arg(b.job).arg(b.op)
                    .arg(b.row).arg(b.start).arg(b.completion).arg(b.duration);
  if (b.leave > b.completion) tip += tr("\nblocked until %1").arg(b.leave);
  if (b.swapped_in) tip += tr("\nentered by a swap");
  for (const auto& d : DownsInside(data_, bar))
    tip += tr("\ninterrupted: M%1 broke down %2 - %3 (%4 time units), resumed after repair")
               .arg(d.row).arg(d.start).arg(d.end).arg(d.end - d.start);
  QToolTip::showText(e->globalPosition().toPoint(), tip, this);
}

void GanttWidget::mouseReleaseEvent(QMouseEvent*) { dragging_ = false; }

void GanttWidget::mouseDoubleClickEvent(QMouseEvent*) {
  t0_ = 0;
  t1_ = std::max<double>(1.0, static_cast<double>(data_.makespan) * 1.03);
  update();
}

ScheduleView::ScheduleView(QWidget* parent) : QWidget(parent) {
  gantt_ = new GanttWidget(this);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setTextFormat(Qt::RichText);
  table_ = new QTableWidget(0, 6, this);
  table_->setHorizontalHeaderLabels({tr("mach."), tr("util."), tr("busy"), tr("blocked"), tr("down"), tr("idle")});
  table_->verticalHeader()->setVisible(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  QFont tf = table_->font();
  tf.setPointSizeF(std::max(7.0, tf.pointSizeF() - 1));
  table_->setFont(tf);
  table_->horizontalHeader()->setFont(tf);
  table_->verticalHeader()->setDefaultSectionSize(20);
  auto* side = new QWidget(this);
  side->setMinimumWidth(260);
  side->setMaximumWidth(360);
  auto* sl = new QVBoxLayout(side);
  sl->setContentsMargins(4, 4, 4, 4);
  sl->addWidget(summary_);
  sl->addWidget(table_, 1);
  auto* lay = new QHBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->addWidget(gantt_, 3);
  lay->addWidget(side, 1);
}

void ScheduleView::setData(GanttData data, QString title, std::optional<std::int64_t> reference) {
  kpis_ = ComputeScheduleKpis(data, reference);
  gantt_->setData(std::move(data), std::move(title));
  const ScheduleKpis& k = kpis_;
  QString text = tr("<b>Makespan %1</b>").arg(k.makespan);
  if (k.reference)
    text += tr("<br>best known (BWS, no breakdowns) %1: gap <b>%2%</b>").arg(*k.reference)
                .arg(*k.gap_pct, 0, 'f', 1);
  else
    text += tr("<br>no best-known makespan for this instance/mode");
  text += tr("<br>mean utilisation %1% &nbsp; breakdowns %2 (down %3)<br>blocked time %4 &nbsp; swap cycles %5")
              .arg(100 * k.mean_utilisation, 0, 'f', 1).arg(k.breakdowns).arg(k.down).arg(k.blocked).arg(k.swaps);
  text += tr("<br><small>utilisation = busy (processing) / makespan; blocked: a finished job holds the "
             "machine; idle: neither occupied nor down</small>");
  summary_->setText(text);
  table_->setRowCount(static_cast<int>(k.machines.size()));
  for (int r = 0; r < static_cast<int>(k.machines.size()); ++r) {
    const MachineKpi& m = k.machines[r];
    const QString cells[] = {tr("M%1").arg(m.machine), QString("%1%").arg(100 * m.utilisation, 0, 'f', 1),
                             QString::number(m.busy), QString::number(m.blocked),
                             m.breakdowns ? tr("%1 (%2x)").arg(m.down).arg(m.breakdowns) : QString("0"),
                             QString::number(m.idle)};
    for (int c = 0; c < 6; ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      item->setTextAlignment(c == 0 ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
      if (c == 1) {  // a light bar of the utilisation
        const int shade = 255 - static_cast<int>(90 * m.utilisation);
        item->setBackground(QColor(shade, 255, shade));
      }
      if (c == 4 && m.down > 0) item->setBackground(QColor(255, 220, 220));
      table_->setItem(r, c, item);
    }
  }
}

}  // namespace dispatchlab::gui
