// Results: for one scenario and domain, the table of its stored runs
// (exportable as CSV), a comparison of policies (bars from zero with 95%
// confidence intervals) and the domain's training curves.
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
  // Shows the scenario's stored results (an empty chart saying so when it
  // has none yet).
  void selectScenario(const QString& domain, const QString& name);
  QString currentScenario() const;
  QString currentDomain() const;
  // Writes the shown runs table (RunsCsv); false when it cannot.
  bool exportCsv(const QString& path) const;
  void exportCsvDialog();

 private:
  void updateChart();
  void updateTable();
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
