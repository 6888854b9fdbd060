// Item models over store records (thin Qt adapters; the data is plain).
#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <vector>

#include "scenarios/store.h"

namespace dispatchlab::gui {

// Scenarios: domain, name, size, built-in.
class ScenarioModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  using QAbstractTableModel::QAbstractTableModel;
  void setScenarios(std::vector<scenarios::ScenarioRecord> s);
  const scenarios::ScenarioRecord& scenario(int row) const { return rows_[row]; }
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  std::vector<scenarios::ScenarioRecord> rows_;
  std::vector<QString> sizes_;
};

// Filters scenarios by a name substring and a domain ("" = all).
class ScenarioFilter : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;
  void setDomain(const QString& d);
  void setText(const QString& t);

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

 private:
  QString domain_, text_;
};

// Stored runs: scenario, policy, seed, level, status, objective (its
// header names the metric and unit of the rows' domain), wall ms, mode,
// domain.
class RunsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  using QAbstractTableModel::QAbstractTableModel;
  void setRows(std::vector<scenarios::ResultRow> rows);
  const std::vector<scenarios::ResultRow>& rows() const { return rows_; }
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  std::vector<scenarios::ResultRow> rows_;
};

}  // namespace dispatchlab::gui
