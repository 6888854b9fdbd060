// UAM views: the vertiport map with aircraft, waiting passengers and
// occupancy at the time of a slider (play/pause) above a day chart
// (waiting passengers per vertiport, running profit, served, spilled), and
// the fleet timeline (one row per aircraft, zoom and pan, per-aircraft
// utilisation, waiting passengers on top). The widgets only draw a UamDay
// (gui/fleet_model.h); every number comes from there.
#pragma once

#include <QTimer>
#include <QWidget>
#include <functional>
#include <memory>

#include "gui/fleet_model.h"

class QSlider;
class QPushButton;
class QLabel;

namespace dispatchlab::gui {

// Colour of a flight with `pax` passengers (0 = empty, white).
QColor PassengerColor(int pax);

// Map of vertiports and corridors (closed ones red and dashed) with the
// aircraft positions at time(), waiting passengers as bars, and a side
// panel of per-vertiport occupancy and the day so far.
class MapWidget : public QWidget {
  Q_OBJECT
 public:
  explicit MapWidget(QWidget* parent = nullptr);
  void setData(std::shared_ptr<const UamDay> day, QString title);
  void setTime(long long t);
  long long time() const { return t_; }
  const FleetData& fleet() const;
  const UamDay* day() const { return day_.get(); }
  // Screen position of vertiport v (after a paint or resize).
  QPointF vertiportPoint(int v) const;
  // Tooltip text for the point (aircraft or vertiport under it), or "".
  QString tipAt(QPointF p) const;
  QSize sizeHint() const override { return {1100, 640}; }

 protected:
  void paintEvent(QPaintEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void resizeEvent(QResizeEvent*) override;

 private:
  void layoutMap();
  QPointF toScreen(double x, double y) const;
  QRectF panelRect() const;
  std::shared_ptr<const UamDay> day_;
  QString title_;
  long long t_ = 0;
  double minx_ = 0, miny_ = 0, scale_ = 1, offx_ = 0, offy_ = 0;
};

// Waiting passengers per vertiport and the running profit / served /
// spilled over the day, with a cursor at the map's time; a click moves it.
class DayChart : public QWidget {
  Q_OBJECT
 public:
  explicit DayChart(QWidget* parent = nullptr);
  void setData(std::shared_ptr<const UamDay> day);
  void setTime(long long t);
  QSize sizeHint() const override { return {1100, 170}; }

 signals:
  void timeClicked(long long t);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent*) override;

 private:
  QRectF leftPlot() const;
  QRectF rightPlot() const;
  std::shared_ptr<const UamDay> day_;
  long long t_ = 0;
};

// MapWidget and DayChart plus a time slider and play/pause.
class MapView : public QWidget {
  Q_OBJECT
 public:
  explicit MapView(QWidget* parent = nullptr);
  MapWidget* map() const { return map_; }
  DayChart* chart() const { return chart_; }
  void setData(std::shared_ptr<const UamDay> day, QString title);
  void setTime(long long t);

 private:
  MapWidget* map_;
  DayChart* chart_;
  QSlider* slider_;
  QPushButton* play_;
  QLabel* clock_;
  QTimer timer_;
};

// Fleet timeline: flights (coloured by passengers), charging, staying,
// down; wheel zooms around the cursor, drag pans, double-click resets;
// hover shows a flight's origin, destination, passengers, energy and
// margin. Utilisation per aircraft at the right of its row.
class TimelineWidget : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineWidget(QWidget* parent = nullptr);
  void setData(std::shared_ptr<const UamDay> day, QString title);
  void setRange(double t0, double t1);
  double rangeStart() const { return t0_; }
  double rangeEnd() const { return t1_; }
  // Tooltip text at a widget point, or "".
  QString tipAt(QPointF p) const;
  QRectF plot() const;
  QSize sizeHint() const override { return {1100, 720}; }

 protected:
  void paintEvent(QPaintEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void mouseDoubleClickEvent(QMouseEvent*) override;
  void wheelEvent(QWheelEvent*) override;

 private:
  double x(double t) const;
  double timeAt(double x) const;
  QRectF demandStrip() const;
  std::shared_ptr<const UamDay> day_;
  QString title_;
  double t0_ = 0, t1_ = 1;
  bool dragging_ = false;
  double drag_x_ = 0, drag_t0_ = 0;
};

}  // namespace dispatchlab::gui
