// A prepared SQLite statement with typed binding; reset after each use so
// it can be cached for the life of the connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ndrlink/storage/store.h"

namespace ndrlink::storage {

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding: 1-based positions. Empty text binds NULL where `empty_is_null`.
  Statement& bind(int pos, std::int64_t v);
  Statement& bind(int pos, int v) { return bind(pos, static_cast<std::int64_t>(v)); }
  Statement& bind(int pos, double v);
  Statement& bind(int pos, std::string_view v, bool empty_is_null = true);
  Statement& bind(int pos, const std::string& v, bool empty_is_null = true) {
    return bind(pos, std::string_view(v), empty_is_null);
  }
  Statement& bind(int pos, const char* v) { return bind(pos, std::string_view(v)); }
  Statement& bind_blob(int pos, std::string_view v);
  Statement& bind_null(int pos);
  template <typename T>
  Statement& bind(int pos, const std::optional<T>& v) {
    return v ? bind(pos, *v) : bind_null(pos);
  }
  Statement& bind(int pos, const std::optional<bool>& v) {
    return v ? bind(pos, static_cast<std::int64_t>(*v)) : bind_null(pos);
  }

  // Steps once: true while a row is available. Throws StoreError on error.
  bool step();
  // Runs to completion (for writes); resets.
  void run();
  void reset();

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::int64_t>(int64(col));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

// Resets a statement when the scope ends, whatever happens.
class StatementScope {
 public:
  explicit StatementScope(Statement& s) : s_(s) {}
  ~StatementScope() { s_.reset(); }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;

 private:
  Statement& s_;
};

}  // namespace ndrlink::storage
