#include "gui/results_view.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QMessageBox>
#include <QPushButton>
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
#include "gui/results_model.h"

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
  double lo = 1e300, hi = -1e300;
  for (auto* r : rows) {
    lo = std::min(lo, r->mean - r->ci95);
    hi = std::max(hi, r->mean + r->ci95);
  }
  // Bars start at zero: the axis always includes it, so heights compare.
  const NiceAxis axis = MakeNiceAxis(lo, hi, 6, true);
  const QFontMetrics fm(font());
  const double slot_w = (width() - 90.0) / rows.size();
  int widest = 0;
  for (auto* r : rows)
    widest = std::max(widest, fm.horizontalAdvance(QString::fromStdString(r->key.empty() ? "" : r->key[0])));
  // Means above the whiskers; names below, slanted when they do not fit.
  const bool slant = widest + 6 > slot_w;
  const double bottom = slant ? std::min(160.0, widest * 0.6 + 24) : 30;
  const QRectF p(70, 40, width() - 90, height() - 40 - bottom);
  int n_min = 1 << 30, n_max = 0;
  for (auto* r : rows) {
    n_min = std::min(n_min, r->n);
    n_max = std::max(n_max, r->n);
  }
  auto y = [&](double v) { return p.bottom() - (v - axis.lo) / (axis.hi - axis.lo) * p.height(); };
  for (int k = 0; k <= axis.ticks; ++k) {
    const double v = axis.lo + k * axis.step;
    g.setPen(v == 0 ? QColor(120, 120, 120) : QColor(230, 230, 230));
    g.drawLine(QPointF(p.left(), y(v)), QPointF(p.right(), y(v)));
    g.setPen(QColor(70, 70, 70));
    g.drawText(QRectF(0, y(v) - 8, p.left() - 6, 16), Qt::AlignRight | Qt::AlignVCenter,
               QString("%L1").arg(v, 0, 'f', axis.decimals));
  }
  g.save();
  g.translate(12, p.center().y());
  g.rotate(-90);
  g.drawText(QRectF(-150, -8, 300, 16), Qt::AlignCenter, y_label_);
  g.restore();
  const double slot = p.width() / rows.size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = *rows[i];
    const double cx = p.left() + (i + 0.5) * slot;
    const double w = std::min(60.0, slot * 0.6);
    const QRectF bar(cx - w / 2, std::min(y(r.mean), y(0)), w, std::abs(y(r.mean) - y(0)));
    g.fillRect(bar, ItemColor(static_cast<int>(i) + 3, static_cast<int>(rows.size())));
    g.setPen(QColor(40, 40, 40));
    g.drawRect(bar);
    // 95% CI whisker.
    g.setPen(QPen(QColor(20, 20, 20), 1.5));
    const double wh = std::min(8.0, w / 2);
    g.drawLine(QPointF(cx, y(r.mean - r.ci95)), QPointF(cx, y(r.mean + r.ci95)));
    g.drawLine(QPointF(cx - wh, y(r.mean - r.ci95)), QPointF(cx + wh, y(r.mean - r.ci95)));
    g.drawLine(QPointF(cx - wh, y(r.mean + r.ci95)), QPointF(cx + wh, y(r.mean + r.ci95)));
    QString name = QString::fromStdString(r.key.empty() ? "" : r.key[0]);
    const QString base = name.section('@', 0, 0);
    if (base == "ig" || base == "oracle") {  // sees the episode's future
      name += tr(" (clairvoyant)");
      g.fillRect(bar, QBrush(QColor(60, 60, 60), Qt::BDiagPattern));
    }
    QString value = QString("%L1").arg(r.mean, 0, 'f', std::abs(r.mean) >= 1000 ? 0 : 1);
    if (n_min != n_max) value += QString(" n=%1").arg(r.n);
    QFont vf = font();
    if (fm.horizontalAdvance(value) + 2 > slot) vf.setPointSizeF(std::max(6.5, font().pointSizeF() - 2));
    g.setFont(vf);
    const double top_y = std::min(y(r.mean + r.ci95), y(r.mean)) - 16;
    g.drawText(QRectF(cx - slot / 2, top_y, slot, 14), Qt::AlignHCenter | Qt::AlignBottom, value);
    g.setFont(font());
    if (slant) {
      g.save();
      g.translate(cx + 4, p.bottom() + 6);
      g.rotate(-35);
      g.drawText(QRectF(-240, -8, 240, 16), Qt::AlignRight | Qt::AlignVCenter, name);
      g.restore();
    } else {
      g.drawText(QRectF(cx - slot / 2, p.bottom() + 4, slot, 16), Qt::AlignHCenter, name);
    }
  }
  g.setPen(QColor(120, 120, 120));
  g.drawRect(p);
  g.setPen(QColor(110, 110, 110));
  g.drawText(QRectF(p.left(), 22, p.width(), 16), Qt::AlignRight | Qt::AlignVCenter,
             n_min == n_max ? tr("bars from 0: mean of %1 runs each; whiskers: 95% confidence interval").arg(n_min)
                            : tr("bars from 0: mean; whiskers: 95% confidence interval"));
}

ResultsView::ResultsView(QWidget* parent) : QWidget(parent) {
  runs_ = new RunsModel(this);
  table_ = new QTableView(this);
  table_->setModel(runs_);
  table_->setSortingEnabled(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->setVisible(false);
  table_->verticalHeader()->setDefaultSectionSize(20);
  scenario_ = new QComboBox(this);
  scenario_->setMinimumContentsLength(18);
  level_ = new QComboBox(this);
  auto* export_csv = new QPushButton(tr("Export table as CSV..."), this);
  connect(export_csv, &QPushButton::clicked, this, &ResultsView::exportCsvDialog);
  chart_ = new ComparisonChart(this);
  curves_ = new QWidget(this);
  auto* curves_layout = new QVBoxLayout(curves_);
  curves_layout->setContentsMargins(0, 0, 0, 0);
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Scenario"), this));
  top->addWidget(scenario_, 1);
  top->addWidget(new QLabel(tr("at level"), this));
  top->addWidget(level_);
  auto* right = new QWidget(this);
  auto* rl = new QVBoxLayout(right);
  rl->setContentsMargins(0, 0, 0, 0);
  rl->addLayout(top);
  rl->addWidget(chart_, 3);
  rl->addWidget(curves_, 2);
  top->addWidget(export_csv);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(table_);
  split->addWidget(right);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  split->setSizes({560, 840});
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
  // One entry per (scenario, domain) with results; the table and chart show
  // that entry's runs only (scenarios and domains never mix).
  const QVariant keep = scenario_->currentData();
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& r : all_) keys.insert({r.scenario, r.domain});
  QSignalBlocker block(scenario_);
  scenario_->clear();
  for (const auto& [name, domain] : keys)
    scenario_->addItem(QString::fromStdString(name + " (" + domain + ")"),
                       QStringList{QString::fromStdString(domain), QString::fromStdString(name)});
  if (keep.isValid()) {
    const QStringList k = keep.toStringList();
    selectScenario(k.value(0), k.value(1));
  } else {
    updateChart();
  }
}

void ResultsView::selectScenario(const QString& name) { selectScenario(QString(), name); }

void ResultsView::selectScenario(const QString& domain, const QString& name) {
  int found = -1;
  for (int i = 0; i < scenario_->count(); ++i) {
    const QStringList k = scenario_->itemData(i).toStringList();
    if (k.value(1) == name && (domain.isEmpty() || k.value(0) == domain)) found = i;
  }
  if (found < 0 && !domain.isEmpty()) {  // no results yet: shown as such
    scenario_->addItem(tr("%1 (%2, no runs yet)").arg(name, domain), QStringList{domain, name});
    found = scenario_->count() - 1;
  }
  if (found < 0) return;
  {
    QSignalBlocker block(scenario_);
    scenario_->setCurrentIndex(found);
  }
  updateChart();
}

QString ResultsView::currentDomain() const { return scenario_->currentData().toStringList().value(0); }
QString ResultsView::currentScenario() const { return scenario_->currentData().toStringList().value(1); }

void ResultsView::updateTable() {
  runs_->setRows(RunsOf(all_, currentDomain().toStdString(), currentScenario().toStdString()));
  table_->resizeColumnsToContents();
}

bool ResultsView::exportCsv(const QString& path) const {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
  const std::string csv = RunsCsv(runs_->rows());
  return f.write(csv.data(), static_cast<qint64>(csv.size())) == static_cast<qint64>(csv.size());
}

void ResultsView::exportCsvDialog() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Export runs as CSV"),
                                                 currentScenario() + "_runs.csv", tr("CSV (*.csv)"));
  if (!f.isEmpty() && !exportCsv(f)) QMessageBox::warning(this, tr("Export"), tr("Cannot write %1").arg(f));
}

void ResultsView::updateChart() {
  updateTable();
  const std::string scen = currentScenario().toStdString();
  const std::string domain = currentDomain().toStdString();
  std::set<double> levels;
  for (const auto& r : all_)
    if (r.scenario == scen && r.domain == domain) levels.insert(r.disruption);
  const QString keep = level_->currentText();
  {
    QSignalBlocker block(level_);
    level_->clear();
    for (double l : levels)
      level_->addItem(domain == "uam" ? (l > 0 ? tr("uncertainty on") : tr("uncertainty off"))
                                      : QString("p = %1").arg(l),
                      l);
    if (!keep.isEmpty() && level_->findText(keep) >= 0) level_->setCurrentText(keep);
  }
  const double level = level_->currentData().toDouble();
  std::vector<scenarios::ResultRow> sel;
  for (const auto& r : all_)
    if (r.scenario == scen && r.domain == domain && r.disruption == level) sel.push_back(r);
  auto report = scenarios::Aggregate(sel, {scenarios::GroupKey::kPolicy}, nullptr);
  // Best first: lowest makespan or highest profit.
  std::sort(report.begin(), report.end(), [&](auto& a, auto& b) {
    return domain == "uam" ? a.mean > b.mean : a.mean < b.mean;
  });
  updateCurves(domain.empty() ? "jobshop" : domain);
  chart_->setData(report,
                  scen.empty() ? tr("No stored results")
                               : tr("%1 (%2), %3").arg(QString::fromStdString(scen), QString::fromStdString(domain),
                                                       level_->currentText()),
                  domain == "uam" ? tr("profit per day (USD)") : tr("makespan (time units)"));
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
  // Nice ranges and tick counts, labels with the digits the steps need.
  const NiceAxis nx = MakeNiceAxis(0, xmax, 5, true);
  ax->setRange(nx.lo, nx.hi);
  ax->setTickCount(nx.ticks + 1);
  ax->setLabelFormat(QString("%.%1f").arg(nx.decimals));
  if (ymin <= ymax) {
    const NiceAxis ny = MakeNiceAxis(ymin, ymax, 4, false);
    ay->setRange(ny.lo, ny.hi);
    ay->setTickCount(ny.ticks + 1);
    ay->setLabelFormat(QString("%.%1f").arg(ny.decimals));
  }
  if (chart->series().isEmpty()) {  // runs without validation scores
    delete chart;
    lay->addWidget(new QLabel(tr("The %1 training runs in this store recorded no validation scores yet.")
                                  .arg(QString::fromStdString(domain)), curves_));
    return;
  }
  auto* view = new QChartView(chart, curves_);
  view->setRenderHint(QPainter::Antialiasing);
  lay->addWidget(view);
}

}  // namespace dispatchlab::gui
