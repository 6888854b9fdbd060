// Error values for bad input (files, arguments, checkpoints, databases).
// A function that can meet bad input returns Result<T>; app/ and gui/ turn an
// Error into one clear message. Invariant violations use check.h instead.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "sim/core/check.h"

namespace dispatchlab {

struct Error {
  std::string message;  // one line, names the file/field/line at fault
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit
  Result(Error error) : v_(std::move(error)) {}     // NOLINT: implicit

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { DL_CHECK(ok()); return std::get<T>(v_); }
  T& value() & { DL_CHECK(ok()); return std::get<T>(v_); }
  T&& value() && { DL_CHECK(ok()); return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const { DL_CHECK(!ok()); return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Status Ok() { return {}; }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { DL_CHECK(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace dispatchlab
