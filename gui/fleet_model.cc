#include "gui/fleet_model.h"

#include <algorithm>

namespace dispatchlab::gui {

FleetData BuildFleet(const uam::Scenario& s, const std::vector<uam::TimelineEvent>& tl) {
  FleetData f;
  f.aircraft = s.fleet.aircraft;
  f.day_start = s.ops.day_start_s;
  f.day_end = s.ops.day_end_s;
  f.segments.assign(f.aircraft, {});
  for (int a = 0; a < f.aircraft; ++a)
    f.initial_vertiport.push_back(s.initial_vertiport.empty() ? a % s.num_vertiports()
                                                              : s.initial_vertiport[a]);
  std::vector<const uam::TimelineEvent*> open(f.aircraft, nullptr);
  for (const auto& e : tl) {
    if (e.aircraft < 0 || e.aircraft >= f.aircraft) continue;
    auto& segs = f.segments[e.aircraft];
    switch (e.kind) {
      case uam::TimelineKind::kDepart: open[e.aircraft] = &e; break;
      case uam::TimelineKind::kArrive: {
        const auto* d = open[e.aircraft];
        if (d) segs.push_back({SegmentKind::kFlight, d->time_s, e.time_s, d->vertiport,
                               d->destination, d->passengers});
        open[e.aircraft] = nullptr;
        break;
      }
      case uam::TimelineKind::kChargeStart:
        segs.push_back({SegmentKind::kCharge, e.time_s, e.time_s + s.ops.stay_s, e.vertiport, -1, 0});
        break;
      case uam::TimelineKind::kStay:
        segs.push_back({SegmentKind::kStay, e.time_s, e.time_s + s.ops.stay_s, e.vertiport, -1, 0});
        break;
      case uam::TimelineKind::kDown:
        segs.push_back({SegmentKind::kDown, e.time_s, e.time_s, e.vertiport, -1, 0});
        break;
      case uam::TimelineKind::kUp:
        for (auto it = segs.rbegin(); it != segs.rend(); ++it)
          if (it->kind == SegmentKind::kDown && it->end == it->start) {
            it->end = e.time_s;
            break;
          }
        break;
      default: break;
    }
  }
  for (auto& segs : f.segments) {
    for (auto& sg : segs)
      if (sg.kind == SegmentKind::kDown && sg.end == sg.start) sg.end = f.day_end;  // still down
    std::stable_sort(segs.begin(), segs.end(), [](auto& a, auto& b) { return a.start < b.start; });
  }
  return f;
}

std::vector<AircraftPosition> PositionsAt(const uam::Scenario& s, const FleetData& f, SimTime t) {
  std::vector<AircraftPosition> out(f.aircraft);
  for (int a = 0; a < f.aircraft; ++a) {
    int where = f.initial_vertiport[a];
    AircraftPosition p;
    bool placed = false;
    for (const auto& sg : f.segments[a]) {
      if (sg.kind != SegmentKind::kFlight) continue;
      if (sg.start > t) break;
      if (t < sg.end) {
        const auto& o = s.vertiports[sg.from];
        const auto& d = s.vertiports[sg.to];
        const double u = static_cast<double>(t - sg.start) / std::max<SimTime>(1, sg.end - sg.start);
        p.x_mi = o.x_mi + u * (d.x_mi - o.x_mi);
        p.y_mi = o.y_mi + u * (d.y_mi - o.y_mi);
        p.flying = true;
        p.passengers = sg.passengers;
        placed = true;
        break;
      }
      where = sg.to;
    }
    if (!placed) {
      p.vertiport = where;
      p.x_mi = s.vertiports[where].x_mi;
      p.y_mi = s.vertiports[where].y_mi;
    }
    out[a] = p;
  }
  return out;
}

}  // namespace dispatchlab::gui
