# The store commands end to end on a fresh database in a temp directory:
# record (twice = no-op), import with bad lines (line numbers, good rows
# kept), ingest a directory twice (stored once), and the query commands'
# JSON fields.
set(work ${WORK_DIR}/store_cli)
file(REMOVE_RECURSE ${work})
file(MAKE_DIRECTORY ${work})
set(db ${work}/ndrlink.db)

set(NOW 2026-12-01T12:00:00Z)
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)

# record prints the id and the VERP address; the same (message-id, rcpt) is a no-op.
run(record --rcpt kijitora@example.co.jp --code 252 --text "2.1.5 Cannot VRFY user" --sender shironeko@example.ne.jp
    --message-id "<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>" --at 2026-12-01T10:00:00Z)
expect_rc(0 "record failed")
expect_match("${out}" "bounces\\+" "record did not print a VERP address")
string(REGEX MATCH "^[0-9]+" first_id "${out}")
run(record --rcpt KIJITORA@example.co.jp --code 252
    --message-id "<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>")
expect_rc(0 "second record failed")
string(REGEX MATCH "^[0-9]+" second_id "${out}")
if(NOT first_id STREQUAL second_id)
  fail("recording twice created a second acceptance")
endif()

# import: bad lines are named by number, the good ones are kept.
file(WRITE ${work}/a.jsonl
  "{\"rcpt\":\"userunknown@example.org\",\"code\":252,\"message_id\":\"<C6625D0F-A302-4980-BEAB-2AF883EA0116@example.jp>\"}\n"
  "{\"rcpt\":\"b@example.jp\",\"code\":252,\"state\":\"exploded\"}\n"
  "this is not json\n"
  "{\"rcpt\":\"filtered@example.com\",\"code\":\"250\",\"message_id\":\"<C6625D0F-A302-4980-BEAB-2AF883EA0116@example.jp>\"}\n")
run(import ${work}/a.jsonl)
expect_rc(1 "import with bad lines exited 0")
expect_match("${err}" "a.jsonl:2: .*exploded" "unknown state not reported with its line number")
expect_match("${err}" "a.jsonl:3: " "malformed JSON not reported with its line number")
expect_match("${err}" "2 recorded" "good rows not kept")
file(WRITE ${work}/b.csv "rcpt,code,message_id\nc@example.jp,252,<c@x>\n\"d@example.jp,252\n")
run(import ${work}/b.csv)
expect_match("${err}" "b.csv:3: " "malformed CSV not reported with its line number")
expect_match("${err}" "1 recorded" "good CSV row not kept")

# ingest a directory twice: stored once.
run(ingest ${SAMPLES}/bounces)
expect_rc(0 "ingest failed")
expect_match("${out}" "kijitora@example.co.jp.*bounced" "postfix bounce did not resolve its acceptance")
run(ingest --format json ${SAMPLES}/bounces)
expect_rc(0 "second ingest failed")
expect_match("${out}" "duplicate" "second ingest did not report duplicates")
run(unmatched --format json)
expect_match("${out}" "\"recipient\":\"kijitora@example.ne.jp\"" "the unrecorded qmail recipient is not listed as unmatched")

# Queries: JSON with the fields people rely on.
run(status kijitora@example.co.jp --format json)  # JSON Lines: one acceptance here
expect_rc(0 "status failed")
foreach(field recipient state reason hard reply_code accepted_at resolved_at link_method confidence message_id report_id)
  string(JSON v ERROR_VARIABLE jerr GET "${out}" ${field})
  if(NOT jerr STREQUAL "NOTFOUND")
  fail("status JSON lacks ${field}: ${jerr}")
endif()
endforeach()
string(JSON state GET "${out}" state)
string(JSON method GET "${out}" link_method)
if(NOT state STREQUAL "bounced")
  fail("state is ${state}")
endif()
if(NOT method STREQUAL "message_id")
  fail("link method is ${method}")
endif()
run(list --state bounced --format csv)
expect_match("${out}" "userunknown@example.org" "list --state bounced misses the sendmail recipient")
run(show --message-id "<C6625D0F-A302-4980-BEAB-2AF883EA0116@example.jp>" --format json)
expect_match("${out}" "filtered@example.com" "show --message-id misses a recipient")
run(list --state exploded)
expect_rc(1 "an unknown --state was accepted")
