# Starts precision-studio with private settings, grabs the window and checks the PNG.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
execute_process(
  COMMAND ${APP} --settings ${OUT}/settings.ini --data-dir ${OUT}/data --size 1280x800
          --screenshot ${OUT}/main.png --quit-after-ms 60000
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 100)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "precision-studio exited with ${rc}\n${out}\n${err}")
endif()
if(NOT EXISTS ${OUT}/main.png)
  message(FATAL_ERROR "no screenshot written\n${out}\n${err}")
endif()
file(SIZE ${OUT}/main.png size)
if(size LESS 10000)
  message(FATAL_ERROR "screenshot is suspiciously small (${size} bytes)")
endif()
if(NOT EXISTS ${OUT}/data/autosave.json)
  message(FATAL_ERROR "the prompt was not autosaved on exit")
endif()
