// Job-shop Gantt chart (QPainter): machines as rows, bars coloured by job
// with a legend, blocked time as a hatched tail in the job's colour, machine
// down time cross-hatched, swaps marked, makespan line. Wheel zooms around
// the cursor, drag pans, double-click resets; hover shows job, operation,
// start and end; click highlights a job's route across machines.
#pragma once

#include <QWidget>

#include "gui/gantt_model.h"

class QLabel;
class QTableWidget;

namespace dispatchlab::gui {

class GanttWidget : public QWidget {
  Q_OBJECT
 public:
  explicit GanttWidget(QWidget* parent = nullptr);
  void setData(GanttData data, QString title);
  const GanttData& data() const { return data_; }
  void setHighlightedJob(int job);
  int highlightedJob() const { return highlight_; }
  // Geometry, public for tests: x of a time, rectangle of bar i.
  double timeToX(double t) const;
  QRectF barRect(int i) const;
  QRectF plotRect() const;
  QSize sizeHint() const override { return {1100, 520}; }

 protected:
  void paintEvent(QPaintEvent*) override;
  void wheelEvent(QWheelEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void mouseDoubleClickEvent(QMouseEvent*) override;

 private:
  double xToTime(double x) const;
  int rowAt(double y) const;
  GanttData data_;
  QString title_;
  double t0_ = 0, t1_ = 1;
  int highlight_ = -1;
  bool dragging_ = false;
  double drag_x_ = 0, drag_t0_ = 0;
};

// The Gantt chart with the schedule's KPIs beside it: makespan, gap to the
// best known makespan, breakdowns, swaps, and per machine utilisation
// (busy / makespan), blocked, down and idle time (ComputeScheduleKpis).
class ScheduleView : public QWidget {
  Q_OBJECT
 public:
  explicit ScheduleView(QWidget* parent = nullptr);
  GanttWidget* gantt() const { return gantt_; }
  QTableWidget* machineTable() const { return table_; }
  const ScheduleKpis& kpis() const { return kpis_; }
  void setData(GanttData data, QString title, std::optional<std::int64_t> reference);

 private:
  GanttWidget* gantt_;
  QLabel* summary_;
  QTableWidget* table_;
  ScheduleKpis kpis_;
};

}  // namespace dispatchlab::gui
