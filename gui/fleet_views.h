// UAM views: the vertiport map with aircraft at the time of a slider
// (play/pause), and the fleet timeline (one row per aircraft).
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

// Map of vertiports and corridors (closed ones red and dashed) with the
// aircraft positions at time().
class MapWidget : public QWidget {
  Q_OBJECT
 public:
  using ClosedFn = std::function<bool(int, int, long long)>;
  explicit MapWidget(QWidget* parent = nullptr);
  void setData(std::shared_ptr<const uam::Scenario> scenario, FleetData fleet, ClosedFn closed,
               QString title);
  void setTime(long long t);
  long long time() const { return t_; }
  const FleetData& fleet() const { return fleet_; }
  QSize sizeHint() const override { return {900, 700}; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  QPointF toScreen(double x, double y) const;
  std::shared_ptr<const uam::Scenario> scenario_;
  FleetData fleet_;
  ClosedFn closed_;
  QString title_;
  long long t_ = 0;
  double minx_ = 0, miny_ = 0, scale_ = 1;
};

// MapWidget plus a time slider and play/pause.
class MapView : public QWidget {
  Q_OBJECT
 public:
  explicit MapView(QWidget* parent = nullptr);
  MapWidget* map() const { return map_; }
  void setData(std::shared_ptr<const uam::Scenario> scenario, FleetData fleet,
               MapWidget::ClosedFn closed, QString title);
  void setTime(long long t);

 private:
  MapWidget* map_;
  QSlider* slider_;
  QPushButton* play_;
  QLabel* clock_;
  QTimer timer_;
};

// Fleet timeline: flights (with passenger counts), charging, staying, down.
class TimelineWidget : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineWidget(QWidget* parent = nullptr);
  void setData(FleetData fleet, QString title);
  QSize sizeHint() const override { return {1100, 720}; }

 protected:
  void paintEvent(QPaintEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;

 private:
  QRectF plot() const;
  FleetData fleet_;
  QString title_;
};

}  // namespace dispatchlab::gui
