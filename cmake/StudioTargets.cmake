# Common settings for every project target.
function(studio_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_17)
  target_compile_definitions(${target} PUBLIC QT_NO_KEYWORDS)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter -Winvalid-pch)
  endif()
  if(STUDIO_SANITIZE_ADDRESS)
    target_compile_options(${target} PRIVATE -fsanitize=address -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address)
  endif()
  if(STUDIO_SANITIZE)
    # UBSan findings abort (a test fails) instead of printing and going on.
    target_compile_options(${target} PRIVATE -fsanitize=${STUDIO_SANITIZE} -fno-omit-frame-pointer -g
                                             -fno-sanitize-recover=all)
    string(REPLACE "fuzzer-no-link," "" _link_sanitize "${STUDIO_SANITIZE}")
    target_link_options(${target} PRIVATE -fsanitize=${_link_sanitize})
  endif()
endfunction()

# Targets that use libtorch share one precompiled header: a TU with <torch/torch.h>
# costs ~30 s on 2 cores, ~8 s with the PCH.
function(studio_use_torch target)
  target_link_libraries(${target} PUBLIC studio_torch)
  target_precompile_headers(${target} REUSE_FROM studio_base)
  # GCC ignores a PCH built with other PIC flags: executables would get -fPIE while the
  # shared header was built -fPIC. PIC objects link fine into a PIE executable.
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "EXECUTABLE")
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_compile_options(${target} PRIVATE -fPIC)
  endif()
endfunction()

# A GoogleTest executable registered with CTest under the given labels.
# Usage: studio_add_gtest(NAME name LABELS unit SOURCES a.cpp b.cpp LIBS lib1 lib2 [TORCH]
#                         [FIXTURE_TESTS regex])
# With FIXTURE_TESTS, tests whose full name (Suite.Test) matches the regex are labelled
# `fixtures` (they read STUDIO_FIXTURES_DIR) and the others get LABELS.
function(studio_add_gtest)
  cmake_parse_arguments(T "TORCH" "NAME;FIXTURE_TESTS" "LABELS;SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  studio_target_defaults(${T_NAME})
  if(T_TORCH)
    studio_use_torch(${T_NAME})
  endif()
  target_compile_definitions(${T_NAME} PRIVATE
    STUDIO_DEFAULT_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/../shared/fixtures"
    STUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(T_FIXTURE_TESTS)
    # The discovered test list exists only at ctest time: a script run after the discovery
    # include sets the labels (ctest appends LABELS, so discovery gets none).
    gtest_discover_tests(${T_NAME} DISCOVERY_TIMEOUT 120 DISCOVERY_MODE PRE_TEST)
    set(_relabel ${CMAKE_CURRENT_BINARY_DIR}/${T_NAME}_labels.cmake)
    file(WRITE ${_relabel} "foreach(_t IN LISTS ${T_NAME}_TESTS)
  if(_t MATCHES \"${T_FIXTURE_TESTS}\")
    set_tests_properties(\"\${_t}\" PROPERTIES LABELS fixtures)
  else()
    set_tests_properties(\"\${_t}\" PROPERTIES LABELS \"${T_LABELS}\")
  endif()
endforeach()
")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${_relabel})
    return()
  endif()
  # Several labels must reach CTest as one list value, not as separate property words.
  string(REPLACE ";" "\\;" _labels "${T_LABELS}")
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${_labels}"
    DISCOVERY_TIMEOUT 120
    DISCOVERY_MODE PRE_TEST)
endfunction()
