// Runs SQL on a database file directly, bypassing the Store (as an older
// or newer ndrlink, or another tool, would — or a test playing a fault).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace ndrlink::testing {

inline void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);  // a running daemon may hold the write lock a moment
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

}  // namespace ndrlink::testing
