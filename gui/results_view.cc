#include "gui/results_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>
#include <set>

#include "gui/palette.h"

namespace dispatchlab::gui {

ComparisonChart::ComparisonChart(QWidget* parent) : QWidget(parent) {
  setMinimumSize(360, 260);
  setBackgroundRole(QPalette::Base);
  setAutoFillBackground(true);
}

void ComparisonChart::setData(std::vector<scenarios::ReportRow> rows, QString title, QString y) {
  rows_ = std::move(rows);
  title_ = std::move(title);
  y_label_ = std::move(y);
  update();
}

void ComparisonChart::paintEvent(QPaintEvent*) {
  QPainter g(this);
  g.setRenderHint(QPainter::Antialiasing, true);
  QFont bold = font();
  bold.setBold(true);
  g.setFont(bold);
  g.drawText(QRectF(0, 4, width(), 20), Qt::AlignHCenter, title_);
  g.setFont(font());
  std::vector<const scenarios::ReportRow*> rows;
  for (const auto& r : rows_)
    if (r.n > 0) rows.push_back(&r);
  if (rows.empty()) {
    g.drawText(rect(), Qt::AlignCenter, tr("No stored results for this selection"));
    return;
  }
  const QRectF p(70, 34, width() - 90, height() - 34 - 56);
  double lo = 1e300, hi = -1e300;
  for (auto* r : rows) {
    lo = std::min(lo, r->mean - r->ci95);
    hi = std::max(hi, r->mean + r->ci95);
  }
  // Bars from a baseline that shows differences: 0 when all values share a
  // sign and are not far from 0, else a padded minimum.
  double base = (lo > 0 && lo < 0.5 * hi) ? 0 : lo - 0.1 * (hi - lo + 1e-9);
  if (hi < 0 && lo < 0) base = std::min(lo - 0.1 * (hi - lo + 1e-9), 0.0);
  const double top = hi + 0.08 * (hi - base + 1e-9);
  auto y = [&](double v) { return p.bottom() - (v - base) / (top - base) * p.height(); };
  const double step = NiceStep(top - base, 6);
  g.setPen(QColor(90, 90, 90));
  for (double v = std::ceil(base / step) * step; v <= top; v += step) {
    g.setPen(QColor(230, 230, 230));
    g.drawLine(QPointF(p.left(), y(v)), QPointF(p.right(), y(v)));
    g.setPen(QColor(70, 70, 70));
    g.drawText(QRectF(0, y(v) - 8, p.left() - 6, 16), Qt::AlignRight | Qt::AlignVCenter, QString::number(v, 'g', 6));
  }
  g.save();
  g.translate(12, p.center().y());
  g.rotate(-90);
  g.drawText(QRectF(-100, -8, 200, 16), Qt::AlignCenter, y_label_);
  g.restore();
  const double slot = p.width() / rows.size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = *rows[i];
    const double cx = p.left() + (i + 0.5) * slot;
    const double w = std::min(60.0, slot * 0.6);
    const QRectF bar(cx - w / 2, std::min(y(r.mean), y(base)), w, std::abs(y(r.mean) - y(base)));
    g.fillRect(bar, ItemColor(static_cast<int>(i) + 3, static_cast<int>(rows.size())));
    g.setPen(QColor(40, 40, 40));
    g.drawRect(bar);
    // 95% CI whisker.
    g.setPen(QPen(QColor(20, 20, 20), 1.5));
    g.drawLine(QPointF(cx, y(r.mean - r.ci95)), QPointF(cx, y(r.mean + r.ci95)));
    g.drawLine(QPointF(cx - 8, y(r.mean - r.ci95)), QPointF(cx + 8, y(r.mean - r.ci95)));
    g.drawLine(QPointF(cx - 8, y(r.mean + r.ci95)), QPointF(cx + 8, y(r.mean + r.ci95)));
    g.drawText(QRectF(cx - slot / 2, p.bottom() + 4, slot, 16), Qt::AlignHCenter,
               QString::fromStdString(r.key.empty() ? "" : r.key[0]));
    g.drawText(QRectF(cx - slot / 2, p.bottom() + 20, slot, 16), Qt::AlignHCenter,
               QString("%1 (n=%2)").arg(r.mean, 0, 'f', r.mean > 1000 ? 0 : 1).arg(r.n));
  }
  g.setPen(QColor(120, 120, 120));
  g.drawRect(p);
  g.drawText(QRectF(p.left(), height() - 16, p.width(), 14), Qt::AlignRight,
             tr("bars: mean; whiskers: 95% confidence interval"));
}

ResultsView::ResultsView(QWidget* parent) : QWidget(parent) {
  runs_ = new RunsModel(this);
  table_ = new QTableView(this);
  table_->setModel(runs_);
  table_->setSortingEnabled(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->setVisible(false);
  scenario_ = new QComboBox(this);
  level_ = new QComboBox(this);
  chart_ = new ComparisonChart(this);
  curves_ = new QWidget(this);
  auto* curves_layout = new QVBoxLayout(curves_);
  curves_layout->setContentsMargins(0, 0, 0, 0);
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Compare policies on"), this));
  top->addWidget(scenario_, 1);
  top->addWidget(new QLabel(tr("at level"), this));
  top->addWidget(level_);
  auto* right = new QWidget(this);
  auto* rl = new QVBoxLayout(right);
  rl->setContentsMargins(0, 0, 0, 0);
  rl->addLayout(top);
  rl->addWidget(chart_, 3);
  rl->addWidget(curves_, 2);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(table_);
  split->addWidget(right);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  auto* lay = new QVBoxLayout(this);
  lay->addWidget(split);
  connect(scenario_, &QComboBox::currentTextChanged, this, [this] { updateChart(); });
  connect(level_, &QComboBox::currentTextChanged, this, [this] { updateChart(); });
}

void ResultsView::refresh(scenarios::Store& store) {
  store_ = &store;
  curves_domain_ = "?";
  auto rows = store.QueryResults({});
  all_ = rows ? *rows : std::vector<scenarios::ResultRow>{};
  // The table lists the most recent runs first (at most 2000).
  std::vector<scenarios::ResultRow> recent = all_;
  std::sort(recent.begin(), recent.end(), [](auto& a, auto& b) { return a.run_id > b.run_id; });
  if (recent.size() > 2000) recent.resize(2000);
  runs_->setRows(recent);
  table_->resizeColumnsToContents();
  const QString keep = scenario_->currentText();
  std::set<std::string> names;
  for (const auto& r : all_) names.insert(r.scenario);
  QSignalBlocker block(scenario_);
  scenario_->clear();
  for (const auto& n : names) scenario_->addItem(QString::fromStdString(n));
  if (!keep.isEmpty()) scenario_->setCurrentText(keep);
  updateChart();
}

void ResultsView::selectScenario(const QString& name) { scenario_->setCurrentText(name); }

void ResultsView::updateChart() {
  const std::string scen = scenario_->currentText().toStdString();
  std::set<double> levels;
  for (const auto& r : all_)
    if (r.scenario == scen) levels.insert(r.disruption);
  const QString keep = level_->currentText();
  {
    QSignalBlocker block(level_);
    level_->clear();
    for (double l : levels) level_->addItem(QString::number(l));
    if (!keep.isEmpty() && level_->findText(keep) >= 0) level_->setCurrentText(keep);
  }
  const double level = level_->currentText().toDouble();
  std::vector<scenarios::ResultRow> sel;
  std::string domain;
  for (const auto& r : all_)
    if (r.scenario == scen && r.disruption == level) {
      sel.push_back(r);
      domain = r.domain;
    }
  auto report = scenarios::Aggregate(sel, {scenarios::GroupKey::kPolicy}, nullptr);
  // Best first: lowest makespan or highest profit.
  std::sort(report.begin(), report.end(), [&](auto& a, auto& b) {
    return domain == "uam" ? a.mean > b.mean : a.mean < b.mean;
  });
  updateCurves(domain.empty() ? "jobshop" : domain);
  chart_->setData(report,
                  tr("%1 at %2 %3").arg(QString::fromStdString(scen)).arg(domain == "uam" ? tr("uncertainty") : tr("p =")).arg(level),
                  domain == "uam" ? tr("profit per day (USD)") : tr("makespan"));
}

void ResultsView::updateCurves(const std::string& domain) {
  if (!store_ || domain == curves_domain_) return;
  curves_domain_ = domain;
  scenarios::Store& store = *store_;
  auto* lay = curves_->layout();
  while (auto* item = lay->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  auto runs = store.ListTrainingRuns();
  if (runs) std::erase_if(*runs, [&](const auto& r) { return r.domain != domain; });
  if (!runs || runs->empty()) {
    lay->addWidget(new QLabel(tr("No %1 training runs in this store (dispatchlab train).")
                                  .arg(QString::fromStdString(domain)), curves_));
    return;
  }
  auto* chart = new QChart;
  chart->setTitle(domain == "uam" ? tr("Training: validation profit (USD/day) by step")
                                  : tr("Training: validation score (-mean makespan) by step"));
  auto* ax = new QValueAxis;
  auto* ay = new QValueAxis;
  ax->setTitleText(tr("decisions trained"));
  ax->setLabelFormat("%.0f");
  ay->setLabelFormat("%.0f");
  ay->setTitleText(tr("score"));
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  double xmax = 1, ymin = 1e300, ymax = -1e300;
  for (const auto& r : *runs) {
    auto m = store.TrainingMetric(r.id, "eval_score");
    if (!m || m->empty()) continue;
    auto* s = new QLineSeries;
    s->setName(QString::fromStdString(r.name + " (" + r.domain + ")"));
    for (auto [step, v] : *m) {
      s->append(static_cast<double>(step), v);
      xmax = std::max(xmax, static_cast<double>(step));
      ymin = std::min(ymin, v);
      ymax = std::max(ymax, v);
    }
    chart->addSeries(s);
    s->attachAxis(ax);
    s->attachAxis(ay);
  }
  ax->setRange(0, xmax);
  if (ymin <= ymax) ay->setRange(ymin - 0.05 * (ymax - ymin + 1), ymax + 0.05 * (ymax - ymin + 1));
  auto* view = new QChartView(chart, curves_);
  view->setRenderHint(QPainter::Antialiasing);
  lay->addWidget(view);
}

}  // namespace dispatchlab::gui
