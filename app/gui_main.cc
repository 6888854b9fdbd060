// dispatchlab-gui: the desktop explorer, or a headless screenshot of one
// view (for docs and tests) with --screenshot.
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QStringList>
#include <QTextStream>
#include <QPixmap>
#include <QScreen>
#include <QThread>
#include <QWindow>

#include "app/paths.h"
#include "gui/fleet_views.h"
#include "gui/main_window.h"

using dispatchlab::gui::MainWindow;

namespace {

void AddOptions(QCommandLineParser& p) {
  p.setApplicationDescription("dispatchlab desktop explorer");
  p.addHelpOption();
  p.addVersionOption();
  p.addOptions({
      {"db", "Database file (default $XDG_DATA_HOME/dispatchlab/dispatchlab.db).", "file"},
      {"data-dir", "Data directory with assets/ (default $DISPATCHLAB_DATA_DIR, else "
                   "<executable>/../share/dispatchlab).", "dir"},
      {"screenshot", "Render a view to FILE.png (or .svg) and exit.", "file"},
      {"scenario", "Scenario name for --screenshot.", "name"},
      {"domain", "Scenario domain (jobshop or uam) when a name is ambiguous.", "domain"},
      {"policy", "Policy for --screenshot.", "policy", "mwkr"},
      {"seed", "Seed.", "seed", "0"},
      {"p", "Disruption: job-shop breakdown probability, UAM uncertainty (0 or 1).", "p", "0"},
      {"episodes", "Episodes.", "n", "1"},
      {"view", "gantt, map, timeline or results.", "view", "gantt"},
      {"size", "Window size WxH for --screenshot.", "size", "1400x820"},
      {"time", "Map time of day in hours for --screenshot.", "hours"},
      {"range", "Fleet timeline time range in hours, FROM-TO (e.g. 7-10), for --screenshot.",
       "hours"},
      {"window", "With --screenshot: the whole window (scenario browser, views, run panel), "
                 "not only the view."},
  });
}

// What the command line asks for before any window exists.
enum class Early { kRun, kHelpOrVersion, kBadFlags };

// --help and --version need no window: they are answered on a
// QCoreApplication, which needs no display (a QApplication aborts without
// one). Bad flags are too when no display could be opened anyway (no
// DISPLAY, WAYLAND_DISPLAY, QT_QPA_PLATFORM, -platform or --screenshot);
// otherwise Qt's own flags (-platform, -style ...), unknown to this parser,
// must reach QApplication first, which then reports bad flags as before.
Early Classify(int argc, char** argv) {
  QStringList args;
  bool can_display = !qEnvironmentVariableIsEmpty("DISPLAY") ||
                     !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
                     !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
  for (int i = 0; i < argc; ++i) {
    const QByteArray a(argv[i]);
    if (i > 0 && (a.startsWith("-platform") || a.startsWith("--platform") ||
                  a.startsWith("--screenshot")))
      can_display = true;
    args << QString::fromLocal8Bit(a);
  }
  QCommandLineParser p;
  AddOptions(p);
  const bool parsed = p.parse(args);
  if (p.isSet("help") || p.isSet("help-all") || p.isSet("version")) return Early::kHelpOrVersion;
  return !parsed && !can_display ? Early::kBadFlags : Early::kRun;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication::setApplicationName("dispatchlab");
  QCoreApplication::setApplicationVersion(DISPATCHLAB_VERSION);
  if (const Early early = Classify(argc, argv); early != Early::kRun) {
    QCoreApplication core(argc, argv);
    QCommandLineParser p;
    AddOptions(p);
    if (early == Early::kBadFlags) p.process(core);  // prints the error, exits 1
    (void)p.parse(QCoreApplication::arguments());
    if (p.isSet("version")) p.showVersion();  // both exit 0
    p.showHelp(0);
  }
  // --screenshot needs no display: default to the offscreen platform. With
  // a display (QT_QPA_PLATFORM=xcb, e.g. under Xvfb) the PNG is grabbed
  // from the real window on the screen.
  for (int i = 1; i < argc; ++i)
    if (QByteArray(argv[i]).startsWith("--screenshot") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
      qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QCommandLineParser p;
  AddOptions(p);
  p.process(app);
  QTextStream err(stderr);
  // Without a data directory the rules still run; only shipped policies
  // are missing, and the user is told why.
  auto data_dir = dispatchlab::app::FindDataDir(p.value("data-dir").toStdString());
  if (!data_dir)
    err << "dispatchlab-gui: warning: " << QString::fromStdString(data_dir.error().message)
        << "; shipped policies are unavailable\n";
  auto registry = std::make_shared<dispatchlab::policy::PolicyRegistry>(
      data_dir ? *data_dir + "/assets" : std::string());
  MainWindow w(p.isSet("db") ? p.value("db")
                            : QString::fromStdString(dispatchlab::app::DefaultDbPath()),
               registry);
  if (!p.isSet("screenshot")) {
    w.show();
    return app.exec();
  }
  if (!w.storeOpen()) {
    err << "dispatchlab-gui: error: " << w.lastError() << "\n";
    return 2;
  }
  const QString view = p.value("view");
  const QMap<QString, MainWindow::View> views = {{"gantt", MainWindow::View::kGantt},
                                                 {"map", MainWindow::View::kMap},
                                                 {"timeline", MainWindow::View::kTimeline},
                                                 {"results", MainWindow::View::kResults}};
  if (!views.contains(view)) {
    err << "dispatchlab-gui: error: --view must be gantt, map, timeline or results\n";
    return 2;
  }
  if (!p.isSet("scenario") || !w.selectScenario(p.value("domain"), p.value("scenario"))) {
    err << "dispatchlab-gui: error: --screenshot needs --scenario with a scenario of the store ("
        << p.value("scenario") << " not found)\n";
    return 2;
  }
  const QStringList wh = p.value("size").split('x');
  if (wh.size() != 2 || wh[0].toInt() < 200 || wh[1].toInt() < 200) {
    err << "dispatchlab-gui: error: --size must be WxH, at least 200x200\n";
    return 2;
  }
  w.resize(wh[0].toInt(), wh[1].toInt());
  w.show();
  if (views[view] != MainWindow::View::kResults) {
    w.setPolicy(p.value("policy"));
    w.setSeed(p.value("seed").toInt());
    w.setDisruption(p.value("p").toDouble());
    w.setEpisodes(std::max(1, p.value("episodes").toInt()));
    if (!w.runNow()) {
      err << "dispatchlab-gui: error: " << w.lastError() << "\n";
      return 2;
    }
  }
  w.showView(views[view]);
  if (!p.isSet("window")) w.focusViews();
  if (p.isSet("range")) {
    const QStringList r = p.value("range").split('-');
    bool ok0 = false, ok1 = false;
    const double h0 = r.value(0).toDouble(&ok0), h1 = r.value(1).toDouble(&ok1);
    if (r.size() != 2 || !ok0 || !ok1 || h1 <= h0) {
      err << "dispatchlab-gui: error: --range must be FROM-TO in hours, FROM < TO\n";
      return 2;
    }
    w.timeline()->setRange(h0 * 3600, h1 * 3600);
  }
  if (p.isSet("time") && w.mapView())
    w.mapView()->setTime(static_cast<long long>(p.value("time").toDouble() * 3600));
  QApplication::processEvents();
  const QString out = p.value("screenshot");
  QWidget* target = p.isSet("window") ? static_cast<QWidget*>(&w) : w.viewWidget(views[view]);
  bool ok = false;
  if (out.endsWith(".svg")) {
    ok = dispatchlab::gui::SaveWidgetSvg(target, out);
  } else if (QGuiApplication::platformName() == "offscreen") {
    ok = dispatchlab::gui::SaveWidgetPng(target, out);
  } else {
    // A real window: wait until it is exposed and painted, then read its
    // pixels back from the display server.
    for (int i = 0; i < 50 && !w.windowHandle()->isExposed(); ++i) {
      QApplication::processEvents(QEventLoop::AllEvents, 20);
      QThread::msleep(20);
    }
    for (int i = 0; i < 10; ++i) {
      QApplication::processEvents(QEventLoop::AllEvents, 20);
      QThread::msleep(20);
    }
    QPixmap shot = w.screen()->grabWindow(w.winId());
    if (target != &w)
      shot = shot.copy(QRect(target->mapTo(&w, QPoint(0, 0)), target->size()));
    ok = !shot.isNull() && shot.save(out, "PNG");
  }
  if (!ok) {
    err << "dispatchlab-gui: error: cannot write " << out << "\n";
    return 2;
  }
  return 0;
}
