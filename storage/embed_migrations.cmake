# Generates migrations.cpp from schema/NNNN_name.sql files (build time).
file(GLOB sql_files "${SCHEMA_DIR}/[0-9][0-9][0-9][0-9]_*.sql")
list(SORT sql_files)
set(body "")
set(entries "")
foreach(f IN LISTS sql_files)
  get_filename_component(name "${f}" NAME_WE)
  string(SUBSTRING "${name}" 0 4 num)
  math(EXPR version "${num}")
  file(READ "${f}" sql)
  string(APPEND body "constexpr char kMigration${version}[] = R\"ndrlink_sql(${sql})ndrlink_sql\";\n")
  string(APPEND entries "    Migration{${version}, \"${name}\", kMigration${version}},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from storage/schema by embed_migrations.cmake; do not edit.
#include \"migrations.h\"

#include <array>

namespace ndrlink::storage {
namespace {
${body}}  // namespace

std::span<const Migration> migrations() {
  static constexpr std::array kAll = {
${entries}  };
  return kAll;
}

}  // namespace ndrlink::storage
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
