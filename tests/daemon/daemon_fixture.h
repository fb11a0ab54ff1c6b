// A temp directory with a ndrlinkd configuration (store, Maildir, socket
// inside it) and small helpers to look into the store.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../integration/test_support.h"
#include "daemon_process.h"

namespace ndrlink::testing {

// The single integer `sql` gives on the database at `db`, opened read-only
// (-1 on error).
inline long long query_scalar(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  long long v = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return v;
}

class DaemonFixture {
 public:
  explicit DaemonFixture(const std::string& extra_toml = "") {
    for (const char* sub : {"new", "cur", "tmp"}) std::filesystem::create_directories(dir_.path() / "Maildir" / sub);
    std::ofstream(config_path()) << "[store]\npath = \"" << db_path() << "\"\n"
                                 << "[socket]\npath = \"" << socket_path() << "\"\n"
                                 << "[daemon]\nworkers = 2\nqueue_size = 64\n"
                                 << "[[maildir]]\npath = \"" << maildir() << "\"\n"
                                 << extra_toml;
  }
  std::string config_path() const { return dir_.file("ndrlink.toml"); }
  std::string db_path() const { return db_override_.empty() ? dir_.file("ndrlink.db") : db_override_; }
  // For configurations that put the database elsewhere.
  void set_db_path(std::string path) { db_override_ = std::move(path); }
  std::string socket_path() const { return dir_.file("ingest.sock"); }
  std::string maildir() const { return dir_.file("Maildir"); }
  std::string log_path() const { return dir_.file("ndrlinkd.log"); }
  const TempDir& dir() const { return dir_; }

  // Delivers `raw` the Maildir way: write to tmp/, rename into new/.
  void deliver(const std::string& unique, const std::string& raw) const {
    const auto tmp = std::filesystem::path(maildir()) / "tmp" / unique;
    std::ofstream(tmp, std::ios::binary) << raw;
    std::filesystem::rename(tmp, std::filesystem::path(maildir()) / "new" / unique);
  }

  std::size_t files_in(const std::string& sub) const {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(maildir()) / sub, ec)) {
      (void)e;
      ++n;
    }
    return n;
  }

  // The single integer a query returns (-1 on error).
  long long scalar(const std::string& sql) const { return query_scalar(db_path(), sql); }

 private:
  TempDir dir_;
  std::string db_override_;
};

}  // namespace ndrlink::testing
