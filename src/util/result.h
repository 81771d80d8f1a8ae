// Expected failures as values: a Result<T> holds either a T or an Error.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ag {

/// An expected failure: what went wrong and where: a file (with a line when known), "flag --x",
/// "input INPUT_X", or nothing when there is no better place to point at.
struct Error {
  std::string message;
  std::string where{};
  int line = 0;          ///< 1-based line in `where`; 0 when not applicable.
  std::string detail{};  ///< Longer text for the log: a traceback, a tool's output.
  /// What kind of failure it is, when its source names one: for the Python worker's errors, the
  /// exception's class ("AlembicIncompatible", "KeyError"). Empty otherwise.
  std::string kind{};

  /// "where:line: message", "where: message" or just the message.
  [[nodiscard]] std::string describe() const {
    std::string place = line > 0 ? where + ":" + std::to_string(line) : where;
    return place.empty() ? message : place + ": " + message;
  }
};

/// The value of an operation that may fail in an expected way.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  /// Contract: ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// Contract: !ok().
  [[nodiscard]] const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

/// The result of an operation that yields nothing but may fail.
struct Done {};
using Status = Result<Done>;
inline Status ok() {
  return Done{};
}

}  // namespace ag
