# ndrlink parse on the shipped samples: JSON lines for every file, and an
# unreadable path reported on stderr with a non-zero exit after the rest.
execute_process(COMMAND ${NDRLINK} parse ${SAMPLES}/bounces ${SAMPLES}/does-not-exist.eml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "expected a non-zero exit for a missing file")
endif()
if(NOT err MATCHES "does-not-exist.eml")
  message(FATAL_ERROR "missing file not named on stderr: ${err}")
endif()
string(REGEX MATCHALL "\"kind\":\"dsn\"" dsn "${out}")
list(LENGTH dsn n)
if(n LESS 1)
  message(FATAL_ERROR "no dsn result in output: ${out}")
endif()
if(NOT out MATCHES "\"reason\":\"userunknown\"")
  message(FATAL_ERROR "no userunknown result: ${out}")
endif()
