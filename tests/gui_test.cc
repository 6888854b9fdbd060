// QtTest tests of the desktop explorer, run with QT_QPA_PLATFORM=offscreen.
#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "gui/fleet_views.h"
#include "gui/gantt_model.h"
#include "gui/gantt_widget.h"
#include "gui/main_window.h"
#include "gui/models.h"
#include "gui/results_view.h"
#include "scenarios/catalog.h"
#include "scenarios/store.h"
#include "sim/jobshop/schedule.h"

using namespace dispatchlab;
using namespace dispatchlab::gui;

class GuiTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString Db(const QString& name) { return dir_.filePath(name); }
  static std::shared_ptr<const policy::PolicyRegistry> Registry() {
    return std::make_shared<policy::PolicyRegistry>(DISPATCHLAB_SOURCE_DIR "/assets");
  }

  static std::vector<jobshop::ScheduleRow> OracleRows(const char* name) {
    auto text = scenarios::JobShopDataFile(name);
    auto rows = jobshop::ParseScheduleCsv(std::string(*text), name);
    return *rows;
  }

 private slots:
  void scenarioAndRunModelsPassTheModelTester() {
    auto store = scenarios::Store::Open(Db("models.db").toStdString());
    QVERIFY(store.ok());
    ScenarioModel scen;
    QAbstractItemModelTester t1(&scen, QAbstractItemModelTester::FailureReportingMode::QtTest);
    scen.setScenarios(*(*store)->ListScenarios());
    QCOMPARE(scen.rowCount(), 36);  // 35 job-shop instances + default UAM
    ScenarioFilter filter;
    filter.setSourceModel(&scen);
    QAbstractItemModelTester t2(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setDomain("uam");
    QCOMPARE(filter.rowCount(), 1);
    filter.setDomain("");
    filter.setText("la1");
    QCOMPARE(filter.rowCount(), 10);  // la10 .. la19
    RunsModel runs;
    QAbstractItemModelTester t3(&runs, QAbstractItemModelTester::FailureReportingMode::QtTest);
    scenarios::ResultRow r;
    r.scenario = "ft06";
    r.policy = "spt";
    r.objective = 77;
    runs.setRows({r, r});
    QCOMPARE(runs.rowCount(), 2);
    QCOMPARE(runs.index(0, 5).data().toDouble(), 77.0);
  }

  void ganttPutsEveryOperationOfTheOptimumInPlace() {
    // ft06 BWS optimum: every operation in its machine's row, at x(start),
    // width x(leave) - x(start); the swap cycle is detected.
    auto inst = scenarios::LoadJobShopInstance("ft06");
    QVERIFY(inst.ok());
    const auto rows = OracleRows("ft06_bws_optimal_63");
    GanttData g = BuildGantt(*inst, rows, {});
    QCOMPARE(g.rows, 6);
    QCOMPARE(static_cast<int>(g.bars.size()), 36);
    QCOMPARE(static_cast<long long>(g.makespan), 63LL);
    QVERIFY(g.swaps >= 1);
    GanttWidget w;
    w.resize(1000, 500);
    w.setData(g, "ft06");
    const QRectF plot = w.plotRect();
    const double row_h = plot.height() / 6;
    for (int i = 0; i < static_cast<int>(g.bars.size()); ++i) {
      const auto& b = g.bars[i];
      const auto& src = *std::find_if(rows.begin(), rows.end(), [&](auto& r) {
        return r.job == b.job && r.op == b.op;
      });
      QCOMPARE(b.row, src.machine);
      const QRectF r = w.barRect(i);
      QVERIFY(std::abs(r.left() - w.timeToX(static_cast<double>(src.start))) < 1e-6);
      QVERIFY(std::abs(r.right() - w.timeToX(static_cast<double>(src.leave))) < 1e-6);
      QVERIFY(r.center().y() > plot.top() + src.machine * row_h);
      QVERIFY(r.center().y() < plot.top() + (src.machine + 1) * row_h);
    }
    // x is linear in time: start 0 at the plot's left edge.
    QVERIFY(std::abs(w.timeToX(0) - plot.left()) < 1e-9);
    // Clicking a bar highlights its job.
    const QRectF first = w.barRect(0);
    QTest::mouseClick(&w, Qt::LeftButton, {}, first.center().toPoint());
    QCOMPARE(w.highlightedJob(), g.bars[0].job);
    QImage img = w.grab().toImage();
    QVERIFY(!img.isNull());
  }

  void runFromThePanelIsStoredAndListed() {
    MainWindow w(Db("run.db"), Registry());
    QVERIFY(w.storeOpen());
    QVERIFY(w.selectScenario("jobshop", "ft06"));
    w.setPolicy("spt");
    w.setSeed(5);
    w.setEpisodes(3);
    w.setDisruption(0.1);
    const int before = w.results()->runs()->rowCount();
    QSignalSpy done(&w, &MainWindow::runFinished);
    w.startRun();
    QVERIFY(w.running());
    QVERIFY(done.wait(20000));
    QCOMPARE(done.takeFirst().at(0).toBool(), true);
    QCOMPARE(w.results()->runs()->rowCount(), before + 3);
    QCOMPARE(w.results()->runs()->index(0, 1).data().toString(), QString("spt"));
    QVERIFY(w.lastSnapshot() != nullptr);
    QCOMPARE(w.lastSnapshot()->episodes_done, 3);
    QCOMPARE(w.gantt()->data().bars.size(), std::size_t{36});
  }

  void cancelStopsALongRun() {
    MainWindow w(Db("cancel.db"), Registry());
    QVERIFY(w.selectScenario("jobshop", "ta71"));  // 100 x 20
    w.setPolicy("random");
    w.setEpisodes(100000);
    QSignalSpy done(&w, &MainWindow::runFinished);
    w.startRun();
    QTest::qWait(300);
    QVERIFY(w.running());
    w.cancelRun();
    QVERIFY(done.wait(10000));
    QVERIFY(!w.running());
    QVERIFY(w.lastSnapshot() != nullptr);
    QVERIFY(w.lastSnapshot()->cancelled);
    QVERIFY(w.lastSnapshot()->episodes_done < 100000);
  }

  void uamRunFillsMapAndTimeline() {
    MainWindow w(Db("uam.db"), Registry());
    QVERIFY(w.selectScenario("uam", "default"));
    w.setPolicy("greedy");
    w.setDisruption(1);
    QVERIFY(w.runNow());
    QCOMPARE(w.timeline()->sizeHint().isValid(), true);
    QCOMPARE(w.mapView()->map()->fleet().aircraft, 40);
    int flights = 0;
    for (const auto& segs : w.mapView()->map()->fleet().segments)
      for (const auto& s : segs) flights += s.kind == SegmentKind::kFlight;
    QVERIFY(flights > 100);
  }

  void errorsShowInTheWindowNotAsACrash() {
    // A file that is not a database: the window opens, says why, runs nothing.
    const QString junk = Db("junk.db");
    QFile f(junk);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(4096, 'x'));
    f.close();
    MainWindow w(junk, Registry());
    QVERIFY(!w.storeOpen());
    QVERIFY(w.lastError().contains("not a dispatchlab database"));
    w.startRun();
    QVERIFY(!w.running());
    // A missing checkpoint as the policy.
    MainWindow ok(Db("err.db"), Registry());
    QVERIFY(ok.selectScenario("jobshop", "ft06"));
    ok.setPolicy("/no/such/model.pt");
    QVERIFY(!ok.runNow());
    QVERIFY(ok.lastError().contains("/no/such/model.pt"));
  }
};

QTEST_MAIN(GuiTest)
#include "gui_test.moc"
