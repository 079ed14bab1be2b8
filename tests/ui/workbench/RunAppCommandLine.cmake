# precision-studio's command line end to end (see tests/ui/workbench/CMakeLists.txt).
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

function(run expected_rc)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 150)
  if(NOT "${rc}" STREQUAL "${expected_rc}")
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "${cmd}\nexited with ${rc}, expected ${expected_rc}\n${out}\n${err}")
  endif()
  set(out "${out}${err}" PARENT_SCOPE)
endfunction()

# --version needs no display, on both programs.
run(0 ${CMAKE_COMMAND} -E env --unset=DISPLAY --unset=WAYLAND_DISPLAY --unset=QT_QPA_PLATFORM ${APP} --version)
if(NOT out MATCHES "Precision Studio 0\\.")
  message(FATAL_ERROR "precision-studio --version printed: ${out}")
endif()
run(0 ${CLI} --version)
if(NOT out MATCHES "Precision Studio 0\\.")
  message(FATAL_ERROR "precision-cli --version printed: ${out}")
endif()

# Unknown values of --audit and --view are usage errors (exit 2) that name the value.
run(2 ${APP} --settings ${OUT}/settings0.ini --data-dir ${OUT}/data0 --audit paranoid --quit-after-ms 1)
if(NOT out MATCHES "unknown --audit level 'paranoid'")
  message(FATAL_ERROR "--audit paranoid printed: ${out}")
endif()
run(2 ${APP} --settings ${OUT}/settings0.ini --data-dir ${OUT}/data0 --view sideways --quit-after-ms 1)
if(NOT out MATCHES "unknown --view 'sideways'")
  message(FATAL_ERROR "--view sideways printed: ${out}")
endif()

run(2 ${APP} --settings ${OUT}/settings0.ini --data-dir ${OUT}/data0 --inject melt:dit --quit-after-ms 1)
if(NOT out MATCHES "--inject: unknown fault 'melt:dit'")
  message(FATAL_ERROR "--inject melt:dit printed: ${out}")
endif()

# An export made by the CLI, opened by file name: its prompt is restored (and autosaved on exit).
run(0 ${CLI} init-random --preset tiny --out ${OUT}/tiny --seed 2)
run(0 ${CLI} generate --model ${OUT}/tiny --prompt "1girl, command_line_marker" --seed 11 --steps 2
    --width 64 --height 64 --out ${OUT}/export.png --no-progress)
run(0 ${APP} --settings ${OUT}/settings.ini --data-dir ${OUT}/data --size 1280x800 ${OUT}/export.png
    --screenshot ${OUT}/opened.png --quit-after-ms 60000)
if(NOT EXISTS ${OUT}/opened.png)
  message(FATAL_ERROR "no screenshot written\n${out}")
endif()
file(READ ${OUT}/data/autosave.json autosave)
if(NOT autosave MATCHES "command_line_marker")
  message(FATAL_ERROR "the export's prompt was not restored: ${autosave}")
endif()

# A screenshot that cannot be taken before --quit-after-ms is a failure, not a silent success.
run(3 ${APP} --settings ${OUT}/settings2.ini --data-dir ${OUT}/data2 --screenshot ${OUT}/late.png --quit-after-ms 1)
if(EXISTS ${OUT}/late.png)
  message(FATAL_ERROR "the late screenshot should not exist")
endif()

# A --sweep that has not finished by --quit-after-ms is a failure too, and says so.
run(3 ${APP} --settings ${OUT}/settings3.ini --data-dir ${OUT}/data3 --model ${OUT}/tiny --sweep --quit-after-ms 1)
if(NOT out MATCHES "the sweep had not finished")
  message(FATAL_ERROR "--sweep cut short did not say so: ${out}")
endif()

# A diagnostic fault injected from the command line reaches the runs, and the audit flags it.
run(0 ${APP} --settings ${OUT}/settings-inject.ini --data-dir ${OUT}/data-inject --model ${OUT}/tiny --compare
    --inject inf:dit.layers.1 --view audit --size 1280x800 --screenshot ${OUT}/inject.png --quit-after-ms 120000)
if(NOT out MATCHES "diagnostic fault inf:dit.layers.1 is injected" OR NOT out MATCHES "finding nonfinite dit.layers.1")
  message(FATAL_ERROR "the injected fault was not reported:\n${out}")
endif()
