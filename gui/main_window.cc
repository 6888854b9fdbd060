#include "gui/main_window.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QSvgGenerator>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "gui/fleet_views.h"
#include "gui/gantt_widget.h"
#include "gui/models.h"
#include "gui/results_model.h"
#include "gui/results_view.h"
#include "scenarios/uam_json.h"
#include "sim/jobshop/parser.h"

namespace dispatchlab::gui {

MainWindow::MainWindow(QString db_path, std::shared_ptr<const policy::PolicyRegistry> registry,
                       QWidget* parent)
    : QMainWindow(parent), db_path_(std::move(db_path)), registry_(std::move(registry)) {
  setWindowTitle(tr("dispatchlab"));
  // Left: scenario browser.
  scenario_model_ = new ScenarioModel(this);
  scenario_filter_ = new ScenarioFilter(this);
  scenario_filter_->setSourceModel(scenario_model_);
  scenario_view_ = new QTableView(this);
  scenario_view_->setModel(scenario_filter_);
  scenario_view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  scenario_view_->setSelectionMode(QAbstractItemView::SingleSelection);
  scenario_view_->verticalHeader()->setVisible(false);
  scenario_view_->horizontalHeader()->setStretchLastSection(true);
  filter_text_ = new QLineEdit(this);
  filter_text_->setPlaceholderText(tr("filter by name"));
  filter_domain_ = new QComboBox(this);
  filter_domain_->addItems({tr("all"), "jobshop", "uam"});
  details_ = new QLabel(this);
  details_->setWordWrap(true);
  auto* import = new QPushButton(tr("Import scenario..."), this);
  auto* left = new QWidget(this);
  auto* ll = new QVBoxLayout(left);
  auto* fl = new QHBoxLayout;
  fl->addWidget(filter_text_, 1);
  fl->addWidget(filter_domain_);
  ll->addLayout(fl);
  ll->addWidget(scenario_view_, 1);
  ll->addWidget(details_);
  ll->addWidget(import);
  // Centre: views.
  tabs_ = new QTabWidget(this);
  schedule_ = new ScheduleView(this);
  gantt_ = schedule_->gantt();
  map_ = new MapView(this);
  timeline_ = new TimelineWidget(this);
  results_ = new ResultsView(this);
  tabs_->addTab(schedule_, tr("Schedule"));
  tabs_->addTab(map_, tr("Map"));
  tabs_->addTab(timeline_, tr("Fleet timeline"));
  tabs_->addTab(results_, tr("Results"));
  // Right: run panel.
  policy_ = new QComboBox(this);
  policy_->setEditable(true);  // any checkpoint path too
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1 << 30);
  episodes_ = new QSpinBox(this);
  episodes_->setRange(1, 1000000);
  disruption_ = new QDoubleSpinBox(this);
  disruption_->setRange(0, 1);
  disruption_->setSingleStep(0.05);
  disruption_->setDecimals(3);
  mode_ = new QComboBox(this);
  mode_->addItems({"bws", "bns"});
  run_ = new QPushButton(tr("Run"), this);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setEnabled(false);
  progress_ = new QProgressBar(this);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  auto* panel = new QGroupBox(tr("Run"), this);
  auto* form = new QFormLayout(panel);
  form_ = form;
  form->addRow(tr("Policy"), policy_);
  form->addRow(tr("First seed"), seed_);
  form->addRow(tr("Episodes"), episodes_);
  form->addRow(tr("Breakdown p"), disruption_);
  form->addRow(tr("Blocking mode"), mode_);
  // UAM: each uncertainty source on or off (all on = the stored level 1).
  uam_sources_ = new QWidget(this);
  unc_delay_ = new QCheckBox(tr("take-off delays"), uam_sources_);
  unc_weather_ = new QCheckBox(tr("weather closures"), uam_sources_);
  unc_down_ = new QCheckBox(tr("aircraft downtime"), uam_sources_);
  auto* ul = new QVBoxLayout(uam_sources_);
  ul->setContentsMargins(0, 0, 0, 0);
  for (QCheckBox* c : {unc_delay_, unc_weather_, unc_down_}) {
    c->setChecked(true);
    ul->addWidget(c);
  }
  form->addRow(tr("Uncertainty"), uam_sources_);
  adaptPanel("jobshop");
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(run_);
  buttons->addWidget(cancel_);
  form->addRow(buttons);
  form->addRow(progress_);
  form->addRow(summary_);
  split_ = new QSplitter(Qt::Horizontal, this);
  split_->addWidget(left);
  split_->addWidget(tabs_);
  split_->addWidget(panel);
  split_->setStretchFactor(1, 4);
  setCentralWidget(split_);
  // Menu.
  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open database..."), this, &MainWindow::openDatabase);
  file->addAction(tr("&Import scenario..."), this, &MainWindow::importScenario);
  file->addSeparator();
  file->addAction(tr("Export view as &PNG..."), this, &MainWindow::exportPng);
  file->addAction(tr("Export view as &SVG..."), this, &MainWindow::exportSvg);
  file->addSeparator();
  file->addAction(tr("&Quit"), this, &QWidget::close);

  watcher_ = new QFutureWatcher<Result<RunSnapshot>>(this);
  connect(watcher_, &QFutureWatcher<Result<RunSnapshot>>::finished, this, [this] {
    running_ = false;
    run_->setEnabled(true);
    cancel_->setEnabled(false);
    const Result<RunSnapshot> r = watcher_->result();
    if (!r.ok()) {
      showError(QString::fromStdString(r.error().message));
      emit runFinished(false);
      return;
    }
    showSnapshot(std::make_shared<RunSnapshot>(*r));
    if (store_) results_->refresh(*store_);
    emit runFinished(true);
  });
  connect(run_, &QPushButton::clicked, this, &MainWindow::startRun);
  connect(cancel_, &QPushButton::clicked, this, &MainWindow::cancelRun);
  connect(import, &QPushButton::clicked, this, &MainWindow::importScenario);
  connect(filter_text_, &QLineEdit::textChanged, scenario_filter_, &ScenarioFilter::setText);
  connect(filter_domain_, &QComboBox::currentIndexChanged, this, [this](int i) {
    scenario_filter_->setDomain(i == 0 ? QString() : filter_domain_->currentText());
  });
  connect(scenario_view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this] { onScenarioSelected(); });
  openStore(db_path_);
  restoreSettings();
  statusBar()->showMessage(storeOpen() ? tr("Store: %1").arg(db_path_) : tr("No store open"));
}

MainWindow::~MainWindow() {
  cancel_flag_ = true;
  watcher_->waitForFinished();
}

void MainWindow::restoreSettings() {
  QSettings s("dispatchlab", "dispatchlab");
  restoreGeometry(s.value("window/geometry").toByteArray());
  split_->restoreState(s.value("window/split").toByteArray());
  const QString last = s.value("scenario/last").toString();
  const QString domain = s.value("scenario/domain").toString();
  if (!last.isEmpty()) selectScenario(domain, last);
}

void MainWindow::closeEvent(QCloseEvent* e) {
  QSettings s("dispatchlab", "dispatchlab");
  s.setValue("window/geometry", saveGeometry());
  s.setValue("window/split", split_->saveState());
  if (current_) {
    s.setValue("scenario/last", QString::fromStdString(current_->name));
    s.setValue("scenario/domain", QString::fromStdString(current_->domain));
  }
  cancel_flag_ = true;
  e->accept();
}

void MainWindow::showError(const QString& message) {
  last_error_ = message;
  statusBar()->showMessage(message);
  summary_->setText(tr("<span style='color:#b00'>%1</span>").arg(message.toHtmlEscaped()));
}

void MainWindow::openStore(const QString& path) {
  auto opened = scenarios::Store::Open(path.toStdString());
  if (!opened) {
    store_.reset();
    showError(QString::fromStdString(opened.error().message));
    scenario_model_->setScenarios({});
    return;
  }
  store_ = std::move(*opened);
  db_path_ = path;
  reloadScenarios();
  results_->refresh(*store_);
}

void MainWindow::reloadScenarios() {
  if (!store_) return;
  auto list = store_->ListScenarios();
  if (!list) {
    showError(QString::fromStdString(list.error().message));
    return;
  }
  scenario_model_->setScenarios(*list);
  scenario_view_->resizeColumnsToContents();
}

bool MainWindow::selectScenario(const QString& domain, const QString& name) {
  for (int r = 0; r < scenario_filter_->rowCount(); ++r) {
    const QModelIndex i = scenario_filter_->index(r, 1);
    if (i.data().toString() == name &&
        (domain.isEmpty() || scenario_filter_->index(r, 0).data().toString() == domain)) {
      scenario_view_->setCurrentIndex(i);
      scenario_view_->selectRow(r);
      onScenarioSelected();
      return true;
    }
  }
  showError(tr("No scenario named '%1'%2 in the store").arg(
      name, domain.isEmpty() ? QString() : tr(" (%1)").arg(domain)));
  return false;
}

void MainWindow::onScenarioSelected() {
  const QModelIndex i = scenario_filter_->mapToSource(scenario_view_->currentIndex());
  if (!i.isValid()) return;
  current_ = scenario_model_->scenario(i.row());
  const QString domain = QString::fromStdString(current_->domain);
  const QString keep = policy_->currentText();
  policy_->clear();
  for (const auto& p : PolicyChoices(*registry_, current_->domain)) policy_->addItem(QString::fromStdString(p));
  if (policy_->findText(keep) >= 0) policy_->setCurrentText(keep);
  else policy_->setCurrentText(domain == "uam" ? "greedy" : "mwkr");
  adaptPanel(domain);
  QString text = tr("<b>%1</b> (%2)<br>").arg(QString::fromStdString(current_->name), domain);
  if (domain == "jobshop") {
    if (auto inst = jobshop::ParseInstance(current_->body, current_->name, current_->name); inst)
      text += tr("%1 jobs x %2 machines, %3 operations, mean processing time %4")
                  .arg(inst->num_jobs()).arg(inst->num_machines).arg(inst->num_operations())
                  .arg(inst->MeanDuration(), 0, 'f', 1);
    disruption_->setToolTip(tr("breakdown probability per operation start"));
  } else if (auto sc = scenarios::ParseUamScenario(current_->body, current_->name); sc) {
    text += tr("%1 vertiports, %2 aircraft, demand level %3, day %4-%5 h")
                .arg(sc->num_vertiports()).arg(sc->fleet.aircraft).arg(sc->demand.level)
                .arg(sc->ops.day_start_s / 3600).arg(sc->ops.day_end_s / 3600);
    disruption_->setToolTip(tr("0 = uncertainty off, > 0 = on"));
  }
  details_->setText(text);
  results_->selectScenario(domain, QString::fromStdString(current_->name));
  // The status line belongs to the shown run; for another scenario it says
  // what the store holds for the selected one.
  if (!snapshot_ || snapshot_->scenario != current_->name || snapshot_->domain != current_->domain) {
    std::vector<scenarios::ResultRow> stored;
    if (store_) {
      scenarios::ResultFilter filter;
      filter.domain = current_->domain;
      filter.scenarios = {current_->name};
      if (auto r = store_->QueryResults(filter); r) stored = std::move(*r);
    }
    summary_->setText(QString::fromStdString(StoredSummary(stored, current_->domain, current_->name)));
  }
}

void MainWindow::setPolicy(const QString& p) { policy_->setCurrentText(p); }
void MainWindow::setSeed(int s) { seed_->setValue(s); }
void MainWindow::setEpisodes(int e) { episodes_->setValue(e); }
void MainWindow::setDisruption(double p) {
  disruption_->setValue(p);
  setUamSources(p > 0, p > 0, p > 0);
}

void MainWindow::setUamSources(bool takeoff_delay, bool weather, bool downtime) {
  unc_delay_->setChecked(takeoff_delay);
  unc_weather_->setChecked(weather);
  unc_down_->setChecked(downtime);
}

QString MainWindow::summaryText() const { return summary_->text(); }

void MainWindow::adaptPanel(const QString& domain) {
  const bool uam = domain == "uam";
  form_->setRowVisible(disruption_, !uam);
  form_->setRowVisible(mode_, !uam);
  form_->setRowVisible(uam_sources_, uam);
}

QWidget* MainWindow::viewWidget(View v) const {
  switch (v) {
    case View::kGantt: return schedule_;
    case View::kMap: return map_;
    case View::kTimeline: return timeline_;
    case View::kResults: return results_;
  }
  return gantt_;
}

void MainWindow::showView(View v) { tabs_->setCurrentWidget(viewWidget(v)); }

void MainWindow::focusViews() { split_->setSizes({0, width(), 0}); }

RunRequest MainWindow::currentRequest(bool* ok) {
  RunRequest req;
  *ok = false;
  if (!store_) {
    showError(tr("No store is open (File > Open database)."));
    return req;
  }
  if (!current_) {
    showError(tr("Select a scenario first."));
    return req;
  }
  req.scenario = *current_;
  req.policy = policy_->currentText().toStdString();
  req.seed = static_cast<std::uint64_t>(seed_->value());
  req.episodes = episodes_->value();
  req.disruption = disruption_->value();
  if (current_->domain == "uam") {
    req.uam_sources = {unc_delay_->isChecked(), unc_weather_->isChecked(), unc_down_->isChecked()};
    req.disruption = req.uam_sources.any() ? 1.0 : 0.0;
  }
  req.mode = mode_->currentText().toStdString();
  *ok = true;
  return req;
}

void MainWindow::startRun() {
  if (running_) return;
  bool ok = false;
  const RunRequest req = currentRequest(&ok);
  if (!ok) return;
  running_ = true;
  cancel_flag_ = false;
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setRange(0, req.episodes);
  progress_->setValue(0);
  summary_->setText(tr("running %1 on %2...").arg(QString::fromStdString(req.policy),
                                                  QString::fromStdString(req.scenario.name)));
  const std::string path = db_path_.toStdString();
  watcher_->setFuture(QtConcurrent::run([this, req, path, registry = registry_]() -> Result<RunSnapshot> {
    // The worker has its own connection: SQLite handles are per thread.
    auto store = scenarios::Store::Open(path, {.read_only = false, .import_builtins = false});
    if (!store) return store.error();
    return ExecuteRun(req, *registry, store->get(),
                      [this](int done, int total) {
                        QMetaObject::invokeMethod(this, [this, done, total] {
                          progress_->setRange(0, total);
                          progress_->setValue(done);
                        }, Qt::QueuedConnection);
                      },
                      &cancel_flag_);
  }));
}

void MainWindow::cancelRun() { cancel_flag_ = true; }

bool MainWindow::runNow() {
  bool ok = false;
  const RunRequest req = currentRequest(&ok);
  if (!ok) return false;
  auto r = ExecuteRun(req, *registry_, store_.get(), nullptr, nullptr);
  if (!r) {
    showError(QString::fromStdString(r.error().message));
    return false;
  }
  showSnapshot(std::make_shared<RunSnapshot>(*r));
  results_->refresh(*store_);
  return true;
}

void MainWindow::showSnapshot(std::shared_ptr<const RunSnapshot> snap) {
  snapshot_ = std::move(snap);
  const RunSnapshot& s = *snapshot_;
  double mean = 0;
  for (double x : s.objectives) mean += x;
  if (!s.objectives.empty()) mean /= static_cast<double>(s.objectives.size());
  const QString head = QString("%1, %2, seed %3").arg(QString::fromStdString(s.scenario),
                                                       QString::fromStdString(s.policy))
                           .arg(s.seed + std::max(0, s.episodes_done - 1));
  const QString stored = s.stored ? QString() : tr(" (not stored%1)").arg(
      s.note.empty() ? QString() : QString(": ") + QString::fromStdString(s.note).section(": ", 1));
  if (s.domain == "jobshop" && s.instance) {
    schedule_->setData(BuildGantt(*s.instance, s.rows, s.downs),
                       tr("%1, p = %2%3").arg(head).arg(s.disruption).arg(s.deadlock ? tr(" (deadlock)") : ""),
                       s.reference);
    showView(View::kGantt);
    const ScheduleKpis& k = schedule_->kpis();
    summary_->setText(tr("%1, %2: %3 episode(s)%4: mean makespan %5; shown (seed %6): makespan %7, "
                         "utilisation %8%, %9 breakdowns%10")
                          .arg(QString::fromStdString(s.scenario), QString::fromStdString(s.policy))
                          .arg(s.episodes_done).arg(s.cancelled ? tr(" (cancelled)") : "").arg(mean, 0, 'f', 1)
                          .arg(s.seed + std::max(0, s.episodes_done - 1)).arg(k.makespan)
                          .arg(100 * k.mean_utilisation, 0, 'f', 1).arg(k.breakdowns).arg(stored));
  } else if (s.domain == "uam" && s.uam_scenario) {
    auto day = std::make_shared<const UamDay>(
        BuildUamDay(s.uam_scenario, s.timeline, s.demand_arrivals, s.closures, s.kpis));
    map_->setData(day, head);
    timeline_->setData(day, head + tr(", profit %L1 USD").arg(s.kpis.profit(), 0, 'f', 0));
    showView(View::kMap);
    summary_->setText(tr("%1, %2: %3 day(s)%4: mean profit %5 USD; last day served %6, spilled %7%8")
                          .arg(QString::fromStdString(s.scenario), QString::fromStdString(s.policy))
                          .arg(s.episodes_done).arg(s.cancelled ? tr(" (cancelled)") : "")
                          .arg(mean, 0, 'f', 0).arg(s.kpis.served).arg(s.kpis.spilled).arg(stored));
  }
}

void MainWindow::importScenario() {
  if (!store_) return showError(tr("No store is open."));
  const QString f = QFileDialog::getOpenFileName(this, tr("Import scenario"), QString(),
                                                 tr("Scenarios (*.txt *.json);;All files (*)"));
  if (f.isEmpty()) return;
  scenarios::ScenarioRecord rec;
  if (f.endsWith(".json")) {
    auto sc = scenarios::LoadUamScenarioFile(f.toStdString());
    if (!sc) return showError(QString::fromStdString(sc.error().message));
    rec = {0, "uam", sc->name, "uam-json", scenarios::FormatUamScenario(*sc), "", false};
  } else {
    auto inst = jobshop::LoadInstanceFile(f.toStdString());
    if (!inst) return showError(QString::fromStdString(inst.error().message));
    rec = {0, "jobshop", inst->name, "jobshop-standard", jobshop::FormatStandard(*inst), "", false};
  }
  auto id = store_->PutScenario(rec);
  if (!id) return showError(QString::fromStdString(id.error().message));
  reloadScenarios();
  selectScenario(QString::fromStdString(rec.domain), QString::fromStdString(rec.name));
  statusBar()->showMessage(tr("Imported %1").arg(f));
}

void MainWindow::openDatabase() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Open or create a database"), db_path_,
                                                 tr("dispatchlab store (*.db);;All files (*)"),
                                                 nullptr, QFileDialog::DontConfirmOverwrite);
  if (!f.isEmpty()) openStore(f);
}

void MainWindow::exportPng() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Export PNG"), "view.png", tr("PNG (*.png)"));
  if (!f.isEmpty() && !SaveWidgetPng(tabs_->currentWidget(), f)) showError(tr("Cannot write %1").arg(f));
}

void MainWindow::exportSvg() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Export SVG"), "view.svg", tr("SVG (*.svg)"));
  if (!f.isEmpty() && !SaveWidgetSvg(tabs_->currentWidget(), f)) showError(tr("Cannot write %1").arg(f));
}

bool SaveWidgetPng(QWidget* w, const QString& path) { return w->grab().save(path, "PNG"); }

bool SaveWidgetSvg(QWidget* w, const QString& path) {
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(w->size());
  svg.setViewBox(QRect(QPoint(0, 0), w->size()));
  svg.setTitle("dispatchlab");
  QPainter p;
  if (!p.begin(&svg)) return false;
  w->render(&p);
  return p.end();
}

}  // namespace dispatchlab::gui
