#pragma once

#include <gtest/gtest.h>

#include <string>

#include "sim/core/file_io.h"
#include "scenarios/catalog.h"
#include "sim/jobshop/parser.h"
#include "sim/jobshop/schedule.h"

namespace dispatchlab::testing {

inline std::string DataPath(const std::string& file) {
  return std::string(DISPATCHLAB_TEST_DATA) + "/" + file;
}

inline jobshop::Instance LoadBuiltin(const std::string& name) {
  auto r = scenarios::LoadJobShopInstance(name);
  if (!r) ADD_FAILURE() << r.error().message;
  return r ? *r : jobshop::Instance{};
}

inline std::vector<jobshop::ScheduleRow> LoadScheduleFile(const std::string& file) {
  auto text = ReadTextFile(DataPath(file));
  if (!text) ADD_FAILURE() << text.error().message;
  auto rows = jobshop::ParseScheduleCsv(*text, file);
  if (!rows) ADD_FAILURE() << rows.error().message;
  return *rows;
}

}  // namespace dispatchlab::testing
