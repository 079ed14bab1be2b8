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
# Usage: studio_add_gtest(NAME name LABELS unit fixtures SOURCES a.cpp b.cpp LIBS lib1 lib2 [TORCH])
function(studio_add_gtest)
  cmake_parse_arguments(T "TORCH" "NAME" "LABELS;SOURCES;LIBS" ${ARGN})
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
  # Several labels must reach CTest as one list value, not as separate property words.
  string(REPLACE ";" "\\;" _labels "${T_LABELS}")
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${_labels}"
    DISCOVERY_TIMEOUT 120
    DISCOVERY_MODE PRE_TEST)
endfunction()
