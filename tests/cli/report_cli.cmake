# ndrlink report end to end: record acceptances, ingest the sample bounces,
# then report the day in every format (text, JSON, CSV, HTML to a file);
# the HTML must be well-formed and self-contained (check_html.py), and
# bad options must fail with one line.
set(work ${WORK_DIR}/report_cli)
file(REMOVE_RECURSE ${work})
file(MAKE_DIRECTORY ${work})
set(db ${work}/ndrlink.db)

set(NOW 2026-12-02T08:00:00Z)
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)

run(record --rcpt kijitora@example.co.jp --code 252 --at 2026-12-01T10:00:00Z
    --message-id "<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>")
expect_ok("record failed")
run(record --rcpt neko@example.org --code 250 --at 2026-12-01T11:00:00Z)
expect_ok("record failed")
execute_process(COMMAND ${NDRLINK} --db ${db} --now 2026-12-01T20:00:00Z ingest ${SAMPLES}/bounces
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
expect_ok("ingest failed")

run(report --yesterday --tz Europe/Berlin)
expect_ok("text report failed")
expect_match("${out}" "ndrlink report for 2026-12-01 \\(Europe/Berlin, 24 h\\)" "text title")
expect_match("${out}" "total accepted +2 +0 +\\+2" "text total")
expect_match("${out}" "userunknown +1 +1 +0" "text reason")

run(report --date 2026-12-01 --format json)
expect_ok("json report failed")
string(JSON accepted GET "${out}" acceptances total accepted)
string(JSON bounced GET "${out}" acceptances total bounced_hard)
string(JSON complaints GET "${out}" reports complaints)
if(NOT accepted EQUAL 2 OR NOT bounced EQUAL 1 OR NOT complaints EQUAL 1)
  fail("json: accepted ${accepted}, hard ${bounced}, complaints ${complaints}")
endif()

run(report --date 2026-12-01 --format csv)
expect_ok("csv report failed")
expect_match("${out}" "acceptances,252,bounced_hard,1[^0-9]" "csv row")

run(report --date 2026-12-01 --format html --output ${work}/report.html)
expect_ok("html report failed")
execute_process(COMMAND ${PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_html.py ${work}/report.html 2
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_ok("HTML report is not well-formed or not self-contained")

run(report --date 2026-12-01 --tz Mars/Olympus)
expect_match("${err}" "unknown time zone Mars/Olympus" "an unknown zone was accepted")
if(rc EQUAL 0)
  fail("an unknown zone exited 0")
endif()
run(report --date 2026-12-01 --yesterday)
if(rc EQUAL 0)
  fail("--date with --yesterday exited 0")
endif()
run(report --since 2026-12-02 --until 2026-12-01)
expect_match("${err}" "--until must be after --since" "an empty range was accepted")
