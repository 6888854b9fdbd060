// The desktop explorer: scenario browser (left), views (centre: schedule,
// map, timeline, results), run panel (right). Runs go to a background
// thread and come back as immutable snapshots; the window never blocks.
#pragma once

#include <QFutureWatcher>
#include <QMainWindow>

#include <memory>

#include "policy/registry.h"
#include <atomic>
#include <memory>

#include "gui/run_service.h"
#include "scenarios/store.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QSplitter;
class QTabWidget;
class QTableView;

namespace dispatchlab::gui {

class GanttWidget;
class ScheduleView;
class MapView;
class TimelineWidget;
class ResultsView;
class ScenarioModel;
class ScenarioFilter;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum class View { kGantt, kMap, kTimeline, kResults };

  // Opens the store at db_path; on failure the window shows why and stays
  // usable for opening another database.
  // `registry` resolves the policy names the run panel offers.
  MainWindow(QString db_path, std::shared_ptr<const policy::PolicyRegistry> registry,
             QWidget* parent = nullptr);
  ~MainWindow() override;

  bool storeOpen() const { return store_ != nullptr; }
  QString lastError() const { return last_error_; }
  bool selectScenario(const QString& domain, const QString& name);
  void setPolicy(const QString& policy);
  void setSeed(int seed);
  void setEpisodes(int episodes);
  void setDisruption(double p);
  void showView(View v);
  // Gives the whole window to the views (screenshots).
  void focusViews();
  QWidget* viewWidget(View v) const;
  bool running() const { return running_; }
  const RunSnapshot* lastSnapshot() const { return snapshot_.get(); }

  GanttWidget* gantt() const { return gantt_; }
  ScheduleView* schedule() const { return schedule_; }
  // The run panel's status line (tests).
  QString summaryText() const;
  // UAM uncertainty sources of the run panel (take-off delay, weather,
  // downtime); setDisruption sets all of them to (p > 0).
  void setUamSources(bool takeoff_delay, bool weather, bool downtime);
  MapView* mapView() const { return map_; }
  TimelineWidget* timeline() const { return timeline_; }
  ResultsView* results() const { return results_; }
  ScenarioModel* scenarioModel() const { return scenario_model_; }

  // Runs synchronously (screenshot mode) and shows the result.
  bool runNow();
  // Shows a snapshot in the views.
  void showSnapshot(std::shared_ptr<const RunSnapshot> snap);

 signals:
  void runFinished(bool ok);

 public slots:
  void startRun();
  void cancelRun();
  void importScenario();
  void openDatabase();
  void exportPng();
  void exportSvg();

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  void openStore(const QString& path);
  void reloadScenarios();
  void onScenarioSelected();
  void showError(const QString& message);
  RunRequest currentRequest(bool* ok);
  void restoreSettings();
  // Shows the run panel's rows of the domain: p and mode for the job shop,
  // the uncertainty sources for UAM.
  void adaptPanel(const QString& domain);

  QString db_path_;
  std::shared_ptr<const policy::PolicyRegistry> registry_;
  std::unique_ptr<scenarios::Store> store_;
  QString last_error_;
  ScenarioModel* scenario_model_;
  ScenarioFilter* scenario_filter_;
  QTableView* scenario_view_;
  QLineEdit* filter_text_;
  QComboBox* filter_domain_;
  QLabel* details_;
  QTabWidget* tabs_;
  ScheduleView* schedule_;
  GanttWidget* gantt_;
  MapView* map_;
  TimelineWidget* timeline_;
  ResultsView* results_;
  QComboBox* policy_;
  QSpinBox* seed_;
  QSpinBox* episodes_;
  QDoubleSpinBox* disruption_;
  QComboBox* mode_;
  QFormLayout* form_;
  QWidget* uam_sources_;
  QCheckBox* unc_delay_;
  QCheckBox* unc_weather_;
  QCheckBox* unc_down_;
  QPushButton* run_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* summary_;
  QSplitter* split_;
  std::atomic<bool> cancel_flag_{false};
  bool running_ = false;
  QFutureWatcher<Result<RunSnapshot>>* watcher_;
  std::shared_ptr<const RunSnapshot> snapshot_;
  std::optional<scenarios::ScenarioRecord> current_;
};

// Writes a widget as PNG (grab) or SVG (QSvgGenerator); false on failure.
bool SaveWidgetPng(QWidget* w, const QString& path);
bool SaveWidgetSvg(QWidget* w, const QString& path);

}  // namespace dispatchlab::gui
