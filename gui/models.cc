#include "gui/models.h"

#include "scenarios/uam_json.h"
#include "sim/jobshop/parser.h"

namespace dispatchlab::gui {

void ScenarioModel::setScenarios(std::vector<scenarios::ScenarioRecord> s) {
  beginResetModel();
  rows_ = std::move(s);
  sizes_.clear();
  for (const auto& r : rows_) {
    QString size = "-";
    if (r.domain == "jobshop") {
      if (auto i = jobshop::ParseInstance(r.body, r.name, r.name); i)
        size = QString("%1 x %2").arg(i->num_jobs()).arg(i->num_machines);
    } else if (auto u = scenarios::ParseUamScenario(r.body, r.name); u) {
      size = QString("%1 vertiports, %2 aircraft").arg(u->num_vertiports()).arg(u->fleet.aircraft);
    }
    sizes_.push_back(size);
  }
  endResetModel();
}

int ScenarioModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}
int ScenarioModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : 4; }

QVariant ScenarioModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const auto& r = rows_[index.row()];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case 0: return QString::fromStdString(r.domain);
      case 1: return QString::fromStdString(r.name);
      case 2: return sizes_[index.row()];
      case 3: return r.builtin ? tr("built-in") : tr("imported");
    }
  }
  if (role == Qt::UserRole) return QString::fromStdString(r.domain);
  return {};
}

QVariant ScenarioModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* kNames[] = {"domain", "name", "size", "source"};
  return section >= 0 && section < 4 ? tr(kNames[section]) : QVariant();
}

void ScenarioFilter::setDomain(const QString& d) {
  domain_ = d;
  invalidateFilter();
}
void ScenarioFilter::setText(const QString& t) {
  text_ = t;
  invalidateFilter();
}
bool ScenarioFilter::filterAcceptsRow(int row, const QModelIndex& parent) const {
  const auto* m = sourceModel();
  const QString domain = m->index(row, 0, parent).data().toString();
  const QString name = m->index(row, 1, parent).data().toString();
  return (domain_.isEmpty() || domain == domain_) &&
         (text_.isEmpty() || name.contains(text_, Qt::CaseInsensitive));
}

void RunsModel::setRows(std::vector<scenarios::ResultRow> rows) {
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
}
int RunsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}
int RunsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : 9; }

QVariant RunsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const auto& r = rows_[index.row()];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case 0: return QString::fromStdString(r.scenario);
      case 1: return QString::fromStdString(r.policy);
      case 2: return QVariant::fromValue<qulonglong>(r.seed);
      case 3: return r.disruption;
      case 4: return QString::fromStdString(r.status);
      case 5: return r.objective ? QVariant(*r.objective) : QVariant(QString("-"));
      case 6: return QString::number(r.wall_s * 1000, 'f', 2);
      case 7: return QString::fromStdString(r.mode);
      case 8: return QString::fromStdString(r.domain);
    }
  }
  if (role == Qt::TextAlignmentRole && index.column() >= 2 && index.column() != 4 && index.column() < 7)
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  const bool uam = !rows_.empty() && rows_.front().domain == "uam";
  if (section == 3) return uam ? tr("uncertainty") : tr("p");
  if (section == 5) return uam ? tr("profit (USD)") : tr("makespan");
  static const char* kNames[] = {"scenario", "policy", "seed", "level", "status",
                                 "objective", "wall ms", "mode", "domain"};
  return section >= 0 && section < 9 ? tr(kNames[section]) : QVariant();
}

}  // namespace dispatchlab::gui
