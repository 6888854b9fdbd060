// Results: the table of stored runs, a comparison of policies on one
// scenario (bars with 95% confidence intervals) and training curves.
#pragma once

#include <QWidget>

#include "gui/models.h"
#include "scenarios/report.h"

class QComboBox;
class QTableView;
class QChartView;

namespace dispatchlab::gui {

// Bar chart of mean objective per policy with CI whiskers (QPainter).
class ComparisonChart : public QWidget {
  Q_OBJECT
 public:
  explicit ComparisonChart(QWidget* parent = nullptr);
  void setData(std::vector<scenarios::ReportRow> rows, QString title, QString y_label);
  QSize sizeHint() const override { return {700, 420}; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  std::vector<scenarios::ReportRow> rows_;
  QString title_, y_label_;
};

class ResultsView : public QWidget {
  Q_OBJECT
 public:
  explicit ResultsView(QWidget* parent = nullptr);
  // Reloads everything from the store.
  void refresh(scenarios::Store& store);
  RunsModel* runs() const { return runs_; }
  ComparisonChart* chart() const { return chart_; }
  void selectScenario(const QString& name);

 private:
  void updateChart();
  // Curves of the training runs of one domain (scores of the two domains
  // are on different scales and never share an axis).
  void updateCurves(const std::string& domain);
  scenarios::Store* store_ = nullptr;  // not owned; set by refresh()
  std::string curves_domain_ = "?";
  RunsModel* runs_;
  QTableView* table_;
  QComboBox* scenario_;
  QComboBox* level_;
  ComparisonChart* chart_;
  QWidget* curves_;
  std::vector<scenarios::ResultRow> all_;
};

}  // namespace dispatchlab::gui
