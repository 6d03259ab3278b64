// Error and Result<T>: the typed error path used by every loader and parser.
// Result is shaped like std::expected so it can be swapped for it at C++23.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace mynah::util {

struct Error {
  std::string message;
};

template <class... Args>
Error make_error(fmt::format_string<Args...> format, Args&&... args) {
  return Error{fmt::format(format, std::forward<Args>(args)...)};
}

template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(E error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const { return std::get<1>(state_); }
  E&& take_error() { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, E> state_;
};

// Result<void>: success or an error.
template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { return error_; }
  E&& take_error() { return std::move(error_); }

 private:
  E error_{};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace mynah::util

// Early-return on error inside a function that returns a Result of another type.
#define MYNAH_TRY(expr)                                   \
  do {                                                    \
    auto mynah_try_status_ = (expr);                      \
    if (!mynah_try_status_.ok()) return mynah_try_status_.take_error(); \
  } while (0)

#ifdef NDEBUG
#define MYNAH_DCHECK(cond) ((void)0)
#else
#include <cassert>
#define MYNAH_DCHECK(cond) assert(cond)
#endif

#define MYNAH_RESTRICT __restrict__
