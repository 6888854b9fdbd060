// QtTest tests of the desktop explorer, run with QT_QPA_PLATFORM=offscreen.
#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <QCheckBox>
#include <QTableWidget>
#include <QWheelEvent>

#include "gui/fleet_model.h"
#include "gui/fleet_views.h"
#include "gui/gantt_model.h"
#include "gui/gantt_widget.h"
#include "gui/main_window.h"
#include "gui/models.h"
#include "gui/results_model.h"
#include "gui/results_view.h"
#include "gui/run_service.h"
#include "scenarios/catalog.h"
#include "scenarios/store.h"
#include "sim/jobshop/schedule.h"
#include "sim/uam/policies.h"
#include "sim/uam/scenario.h"

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

  void badInputsShowAMessageAndTheWindowKeepsRunning() {
    // A real store whose pages were damaged after its header: opening it or
    // listing it is an error message, not a crash.
    const QString db = Db("damaged.db");
    {
      auto store = scenarios::Store::Open(db.toStdString());
      QVERIFY(store.ok());
    }
    QFile f(db);
    QVERIFY(f.open(QIODevice::ReadWrite));
    const qint64 size = f.size();
    QVERIFY(size > 8192);
    for (qint64 at = 4096; at + 512 < size; at += 4096) {
      f.seek(at + 100);
      f.write(QByteArray(512, '\xa5'));
    }
    f.close();
    {
      MainWindow w(db, Registry());
      // SQLite may notice the damage at open, at listing or only when a run
      // reads or writes a page; whichever step fails must say why.
      const bool worked = w.storeOpen() && w.selectScenario("jobshop", "ft06") && w.runNow();
      if (!worked) QVERIFY2(!w.lastError().isEmpty(), "a failure without a message");
      w.show();
      QCoreApplication::processEvents();
      QVERIFY(w.isVisible());
    }
    // An unknown scenario name is a message.
    MainWindow w(Db("names.db"), Registry());
    QVERIFY(w.storeOpen());
    QVERIFY(!w.selectScenario("jobshop", "no_such_instance"));
    QVERIFY2(w.lastError().contains("no_such_instance"), qPrintable(w.lastError()));
    // A policy of the other domain: a UAM network for a job-shop scenario.
    QVERIFY(w.selectScenario("jobshop", "ft06"));
    for (const char* file : {"/assets/uam_gat.safetensors", "/assets/uam_gat.pt"}) {
      const QString path = QStringLiteral(DISPATCHLAB_SOURCE_DIR) + file;
      if (!QFile::exists(path)) continue;
      w.setPolicy(path);
      QVERIFY(!w.runNow());
      QVERIFY2(w.lastError().contains("uam"), qPrintable(w.lastError()));
    }
    // The window still works: a good run after the errors.
    w.setPolicy("spt");
    w.setEpisodes(1);
    QVERIFY2(w.runNow(), qPrintable(w.lastError()));
  }

  // --- models behind the views (issue 15) ---------------------------------

  void uamModelCountsEqualTheSimulatorsAtEveryEventTime() {
    // Expected: a passenger who arrived at a and did not board waits while
    // a <= t < a + patience, boarding takes the longest waiting first; so
    // after the last event of each second the model's waiting count per pair
    // equals Simulator::waiting(o, d). A departure frees its stand at take-off
    // and a landing takes one on reaching the stand: parked and chargers in
    // use equal the simulator's too, and pads busy equal the pad movements
    // [start, start + 90 s) the simulator recorded.
    const uam::Scenario sc = uam::DefaultScenario();
    const int n = sc.num_vertiports();
    struct Sample {
      std::vector<int> waiting, parked, charging;
      std::int64_t served = 0, spilled = 0;
    };
    std::map<SimTime, Sample> at;
    uam::Simulator sim(sc);
    sim.Reset(7);
    sim.set_observer([&](const uam::Simulator& s) {
      Sample x;
      for (int o = 0; o < n; ++o)
        for (int d = 0; d < n; ++d) x.waiting.push_back(o == d ? 0 : s.waiting(o, d));
      for (int v = 0; v < n; ++v) {
        x.parked.push_back(s.parked(v));
        x.charging.push_back(s.chargers_in_use(v));
      }
      x.served = s.kpis().served;
      x.spilled = s.kpis().spilled;
      at[s.now()] = std::move(x);
    });
    uam::GreedyPolicy greedy;
    greedy.Reset(sim);
    while (sim.AdvanceToDecision()) sim.Apply(greedy.Choose(sim));
    uam::Simulator fresh(sc);
    fresh.Reset(7);
    std::vector<std::vector<SimTime>> arrivals;
    std::vector<std::vector<std::pair<SimTime, SimTime>>> closures;
    for (int o = 0; o < n; ++o)
      for (int d = 0; d < n; ++d) {
        arrivals.push_back(fresh.demand_arrivals(o, d));
        closures.push_back(fresh.closures(o, d));
      }
    const UamDay day = BuildUamDay(std::make_shared<uam::Scenario>(sc), sim.timeline(), arrivals,
                                   closures, sim.kpis());
    QVERIFY(at.size() > 500);
    int checked = 0, nonzero = 0;
    for (const auto& [t, x] : at) {
      const auto ports = PortsAt(sc, day.fleet, day.demand, t);
      for (int o = 0; o < n; ++o) {
        int sum = 0;
        for (int d = 0; d < n; ++d) {
          QCOMPARE(WaitingAt(day.demand, o, d, t), x.waiting[o * n + d]);
          sum += x.waiting[o * n + d];
        }
        QCOMPARE(ports[o].waiting, sum);
        nonzero += sum > 0;
        QCOMPARE(ports[o].parked, x.parked[o]);
        QCOMPARE(ports[o].chargers_in_use, x.charging[o]);
        int pads = 0;
        for (const auto& m : sim.pad_movements())
          pads += m.vertiport == o && m.start <= t && t < m.start + sc.ops.pad_occupancy_s;
        QCOMPARE(ports[o].pads_busy, pads);
      }
      QCOMPARE(static_cast<std::int64_t>(day.demand.served.At(t)), x.served);
      QCOMPARE(static_cast<std::int64_t>(day.demand.spilled.At(t)), x.spilled);
      ++checked;
    }
    QVERIFY(nonzero > 100);
    // The day's totals: arrivals, served, spilled (incl. those still waiting
    // at the end of the day), profit (sum of the events' money) and the fleet
    // utilisation (mean of the per-aircraft airborne shares).
    const uam::Kpis& k = sim.kpis();
    QCOMPARE(day.demand.arrived, k.passengers_arrived);
    QCOMPARE(static_cast<std::int64_t>(day.demand.served.Max()), k.served);
    QCOMPARE(static_cast<std::int64_t>(day.demand.spilled.Max()), k.spilled);
    QVERIFY(std::abs(day.demand.profit.v.back() - k.profit()) < 1e-6);
    double util = 0;
    for (double u : day.fleet.utilisation) util += u / day.fleet.aircraft;
    QVERIFY(std::abs(util - k.utilisation) < 1e-12);
  }

  void uamFlightsCarryTheirMoneyAndEnergy() {
    // Sum over flights of fares = revenue, of operating + landing = those
    // costs, of energy = energy flown; over charges: energy charged and cost.
    const uam::Scenario sc = uam::DefaultScenario();
    uam::GreedyPolicy greedy;
    const auto r = uam::RunEpisode(sc, 3, greedy);
    const FleetData f = BuildFleet(sc, r.timeline);
    double fares = 0, cost = 0, energy = 0, charged = 0, charge_cost = 0;
    int flights = 0;
    for (const auto& segs : f.segments)
      for (const auto& s : segs) {
        if (s.kind == SegmentKind::kFlight) {
          ++flights;
          fares += s.revenue_usd;
          cost += s.cost_usd;
          energy += s.energy_kwh;
        } else if (s.kind == SegmentKind::kCharge) {
          charged += s.energy_kwh;
          charge_cost += s.cost_usd;
        }
      }
    QCOMPARE(flights, r.kpis.flights);
    QVERIFY(std::abs(fares - r.kpis.revenue) < 1e-6);
    QVERIFY(std::abs(cost - r.kpis.operating_cost - r.kpis.landing_fees) < 1e-6);
    QVERIFY(std::abs(energy - r.kpis.energy_flown_kwh) < 1e-6);
    QVERIFY(std::abs(charged - r.kpis.energy_charged_kwh) < 1e-6);
    QVERIFY(std::abs(charge_cost - r.kpis.energy_cost) < 1e-6);
    // Charge of an aircraft never leaves [0, battery].
    for (int a = 0; a < f.aircraft; ++a)
      for (SimTime t = f.day_start; t < f.day_end; t += 600) {
        const double soc = SocAt(f, a, t);
        QVERIFY(soc >= -1e-9 && soc <= sc.fleet.battery_kwh + 1e-9);
      }
  }

  void uamViewsShowTipsAndZoom() {
    MainWindow w(Db("uamviews.db"), Registry());
    QVERIFY(w.selectScenario("uam", "default"));
    w.setPolicy("greedy");
    w.setDisruption(1);
    w.resize(1400, 820);
    w.show();
    QVERIFY(w.runNow());
    QVERIFY(w.lastSnapshot()->stored);
    MapWidget* map = w.mapView()->map();
    w.mapView()->setTime(8 * 3600 + 900);
    QCoreApplication::processEvents();
    const UamDay* day = map->day();
    QVERIFY(day != nullptr);
    // Hovering a vertiport names it and its occupancy.
    const QString vtip = map->tipAt(map->vertiportPoint(0));
    QVERIFY2(vtip.contains(QString::fromStdString(day->scenario->vertiports[0].name)), qPrintable(vtip));
    QVERIFY(vtip.contains("waiting"));
    // The timeline: a flight's tooltip has origin -> destination, passengers,
    // energy and margin; the wheel zooms in around the cursor.
    TimelineWidget* tl = w.timeline();
    tl->resize(1400, 820);
    const QRectF p = tl->plot();
    const auto& segs = day->fleet.segments[0];
    auto flight = std::find_if(segs.begin(), segs.end(), [](auto& s) { return s.kind == SegmentKind::kFlight; });
    QVERIFY(flight != segs.end());
    const double span = tl->rangeEnd() - tl->rangeStart();
    const double mid = (flight->start + flight->end) / 2.0;
    const QPointF at(p.left() + (mid - tl->rangeStart()) / span * p.width(),
                     p.top() + 0.5 * p.height() / day->fleet.aircraft);
    const QString tip = tl->tipAt(at);
    QVERIFY2(tip.contains("->") && tip.contains("passengers") && tip.contains("kWh") && tip.contains("margin"),
             qPrintable(tip));
    QWheelEvent wheel(at, tl->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(tl, &wheel);
    QVERIFY(tl->rangeEnd() - tl->rangeStart() < span * 0.9);
    QVERIFY(tl->rangeStart() <= mid && mid <= tl->rangeEnd());
  }

  void machineKpisSplitTheMakespan() {
    // ft06 with breakdowns (p = 0.2): per machine, busy = the sum of its
    // operations' processing times, utilisation = busy / makespan, and
    // busy + down + blocked-while-up + idle = makespan (processing pauses
    // while down; a breakdown at an operation's last instant falls in the
    // blocked tail and counts as down). Gap to the best known BWS makespan 63:
    // 100 (Cmax - 63) / 63.
    auto store = scenarios::Store::Open(Db("kpis.db").toStdString());
    QVERIFY(store.ok());
    RunRequest req;
    const auto list = *(*store)->ListScenarios();
    for (const auto& r : list)
      if (r.domain == "jobshop" && r.name == "ft06") req.scenario = r;
    req.policy = "mwkr";
    req.seed = 3;
    req.disruption = 0.2;
    auto snap = ExecuteRun(req, *Registry(), nullptr, nullptr, nullptr);
    QVERIFY2(snap.ok(), snap.ok() ? "" : snap.error().message.c_str());
    QVERIFY(snap->reference.has_value());
    QCOMPARE(static_cast<long long>(*snap->reference), 63LL);
    const GanttData g = BuildGantt(*snap->instance, snap->rows, snap->downs);
    const ScheduleKpis k = ComputeScheduleKpis(g, snap->reference);
    QVERIFY(!snap->downs.empty());
    QCOMPARE(k.breakdowns, static_cast<int>(snap->downs.size()));
    QVERIFY(std::abs(*k.gap_pct - 100.0 * (k.makespan - 63) / 63.0) < 1e-9);
    for (const auto& m : k.machines) {
      SimTime busy = 0;
      for (const auto& job : snap->instance->jobs)
        for (const auto& op : job)
          if (op.machine.value == m.machine) busy += op.duration;
      QCOMPARE(static_cast<long long>(m.busy), static_cast<long long>(busy));
      QVERIFY(std::abs(m.utilisation - static_cast<double>(busy) / k.makespan) < 1e-12);
      QCOMPARE(static_cast<long long>(m.busy + m.blocked + m.down + m.idle), static_cast<long long>(k.makespan));
    }
    // A bar interrupted by a breakdown knows it: its down time inside is the
    // overlap with the machine's down intervals.
    int interrupted = 0;
    for (int i = 0; i < static_cast<int>(g.bars.size()); ++i) {
      SimTime inside = 0;
      for (const auto& d : DownsInside(g, i))
        inside += std::min(d.end, g.bars[i].completion) - std::max(d.start, g.bars[i].start);
      QCOMPARE(static_cast<long long>(g.bars[i].down_inside), static_cast<long long>(inside));
      interrupted += inside > 0;
    }
    QVERIFY(interrupted > 0);
    // The schedule view shows the same numbers.
    ScheduleView view;
    view.setData(g, "ft06", snap->reference);
    QCOMPARE(view.machineTable()->rowCount(), 6);
    QCOMPARE(view.kpis().makespan, k.makespan);
  }

  void resultsAreShownPerScenarioAndExportAsCsv() {
    const QString db = Db("results.db");
    auto store = scenarios::Store::Open(db.toStdString());
    QVERIFY(store.ok());
    auto list = *(*store)->ListScenarios();
    for (const char* name : {"ft06", "la01"}) {
      RunRequest req;
      for (const auto& r : list)
        if (r.domain == "jobshop" && r.name == name) req.scenario = r;
      req.policy = "spt";
      req.episodes = 2;
      req.disruption = 0.1;
      QVERIFY(ExecuteRun(req, *Registry(), store->get(), nullptr, nullptr).ok());
    }
    ResultsView view;
    view.refresh(**store);
    view.selectScenario("jobshop", "la01");
    QCOMPARE(view.runs()->rowCount(), 2);
    for (int r = 0; r < 2; ++r) QCOMPARE(view.runs()->index(r, 0).data().toString(), QString("la01"));
    QCOMPARE(view.runs()->headerData(5, Qt::Horizontal, Qt::DisplayRole).toString(), QString("makespan"));
    const QString csv = Db("la01.csv");
    QVERIFY(view.exportCsv(csv));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[0], QString("scenario,domain,policy,seed,level,mode,status,makespan,wall_ms"));
    bool ok = false;
    QVERIFY(lines[1].split(',')[7].toDouble(&ok) > 0 && ok);
    QCOMPARE(lines[1].split(',')[4], QString("0.1"));
    // A scenario without runs is selectable and says so.
    view.selectScenario("jobshop", "ta71");
    QCOMPARE(view.runs()->rowCount(), 0);
    // Axes start at zero and tick at 1/2/5 x 10^k: makespans 70..95 ->
    // 0..100 by 20; scores in [0, 1.3] -> one decimal.
    const NiceAxis a = MakeNiceAxis(70, 95, 6, true);
    QCOMPARE(a.lo, 0.0);
    QVERIFY(a.hi >= 95 && a.hi <= 100);
    QCOMPARE(a.step, 20.0);
    QCOMPARE(a.decimals, 0);
    const NiceAxis b = MakeNiceAxis(0.02, 1.3, 4, false);
    QVERIFY(b.decimals >= 1);
    QVERIFY(b.lo <= 0.02 && b.hi >= 1.3);
    const NiceAxis c = MakeNiceAxis(0, 400384, 5, true);
    QCOMPARE(c.step, 100000.0);
    QCOMPARE(c.hi, 500000.0);
    // The stored summary names the best non-clairvoyant policy.
    auto rows = (*store)->QueryResults({});
    QVERIFY(rows.ok());
    const std::string sum = StoredSummary(*rows, "jobshop", "ft06");
    QVERIFY2(sum.find("2 stored runs") != std::string::npos && sum.find("best spt") != std::string::npos,
             sum.c_str());
  }

  void runPanelAdaptsToTheDomain() {
    MainWindow w(Db("panel.db"), Registry());
    w.show();
    QVERIFY(w.selectScenario("jobshop", "ft06"));
    auto boxes = w.findChildren<QCheckBox*>();
    QCOMPARE(boxes.size(), 3);
    for (auto* b : boxes) QVERIFY(!b->isVisibleTo(&w));
    QVERIFY(w.summaryText().contains("ft06"));
    w.setPolicy("spt");
    QVERIFY(w.runNow());
    QVERIFY(w.summaryText().contains("makespan"));
    // UAM: sources instead of p; the status line no longer speaks of the
    // job-shop run; a partial mix runs but is not stored.
    QVERIFY(w.selectScenario("uam", "default"));
    for (auto* b : boxes) QVERIFY(b->isVisibleTo(&w));
    QVERIFY(!w.summaryText().contains("makespan"));
    QVERIFY2(w.summaryText().contains("default (uam)"), qPrintable(w.summaryText()));
    w.setPolicy("greedy");
    w.setUamSources(false, true, false);
    QVERIFY(w.runNow());
    const RunSnapshot* s = w.lastSnapshot();
    QVERIFY(!s->stored);
    QVERIFY(s->uam_scenario->uncertainty.weather);
    QVERIFY(!s->uam_scenario->uncertainty.takeoff_delay);
    QVERIFY(!s->uam_scenario->uncertainty.downtime);
    QVERIFY(w.summaryText().contains("not stored"));
    QVERIFY(w.summaryText().contains("profit"));
  }
};

QTEST_MAIN(GuiTest)
#include "gui_test.moc"
