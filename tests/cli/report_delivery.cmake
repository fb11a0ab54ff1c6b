# ndrlink report --config: the [report] section's archive directory and
# mail (through a stand-in sendmail that keeps what it is given).
set(work ${WORK_DIR}/report_delivery)
file(REMOVE_RECURSE ${work})
file(MAKE_DIRECTORY ${work}/archive)
file(WRITE ${work}/fake-sendmail "#!/bin/sh\necho \"$@\" > ${work}/sendmail.args\ncat > ${work}/sent.eml\n")
file(CHMOD ${work}/fake-sendmail PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
file(WRITE ${work}/ndrlink.toml "[store]\npath = \"${work}/ndrlink.db\"\n[[maildir]]\npath = \"${work}/Maildir\"\n"
  "[report]\ntime_zone = \"Europe/Berlin\"\narchive_dir = \"${work}/archive\"\n"
  "mail_to = [\"ops@example.org\", \"lead@example.org\"]\nmail_from = \"ndrlink@example.org\"\n"
  "sendmail = \"${work}/fake-sendmail\"\n")
execute_process(COMMAND ${NDRLINK} --db ${work}/ndrlink.db record --rcpt kijitora@example.co.jp --code 252
                        --message-id "<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>" --at 2026-12-03T10:00:00Z
                RESULT_VARIABLE rc OUTPUT_QUIET)
execute_process(COMMAND ${NDRLINK} --db ${work}/ndrlink.db --now 2026-12-03T12:00:00Z ingest ${SAMPLES}/bounces
                RESULT_VARIABLE rc OUTPUT_QUIET)
# The database comes from [store]; nothing on standard output.
execute_process(COMMAND ${NDRLINK} --now 2026-12-04T06:00:00Z report --config ${work}/ndrlink.toml --yesterday
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "report --config failed (${rc}): ${err}")
endif()
if(NOT out STREQUAL "")
  message(FATAL_ERROR "the timer's run printed a report: ${out}")
endif()
foreach(f archive/2026-12-03.html archive/2026-12-03.json sent.eml sendmail.args)
  if(NOT EXISTS ${work}/${f})
    message(FATAL_ERROR "missing ${f}; stderr: ${err}")
  endif()
endforeach()
file(READ ${work}/archive/2026-12-03.json json)
string(JSON zone GET "${json}" time_zone)
if(NOT zone STREQUAL "Europe/Berlin")
  message(FATAL_ERROR "archive JSON time zone is ${zone}")
endif()
file(READ ${work}/sent.eml mail)
foreach(want "To: ops@example.org, lead@example.org" "From: ndrlink@example.org" "Subject: ndrlink report 2026-12-03"
        "Content-Type: text/plain; charset=utf-8" "Content-Type: text/html; charset=utf-8" "kijitora")
  string(FIND "${mail}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "mail lacks \"${want}\":\n${mail}")
  endif()
endforeach()
file(READ ${work}/sendmail.args args)
if(NOT args MATCHES "^-oi -t")
  message(FATAL_ERROR "sendmail called with: ${args}")
endif()
# A failing sendmail is an error with its status.
file(WRITE ${work}/fake-sendmail "#!/bin/sh\ncat >/dev/null\nexit 75\n")
execute_process(COMMAND ${NDRLINK} --now 2026-12-04T06:00:00Z report --config ${work}/ndrlink.toml --yesterday
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "exit status 75")
  message(FATAL_ERROR "a failing sendmail was not reported (${rc}): ${err}")
endif()
