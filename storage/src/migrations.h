// Schema migrations, embedded at build time from storage/schema/NNNN_*.sql
// (see storage/CMakeLists.txt). Version N is applied when user_version < N.
#pragma once

#include <span>
#include <string_view>

namespace ndrlink::storage {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Sorted by version, starting at 1, without gaps.
std::span<const Migration> migrations();

}  // namespace ndrlink::storage
