# One helper declares every target with the same flags (style.md §10).
#
#   accrochd_library(NAME <target> SOURCES <files...> [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
#   accrochd_executable(NAME <target> SOURCES <files...> [DEPS ...])
#   accrochd_test(NAME <target> SOURCES <files...> [DEPS ...] [LABELS ...] [ENVIRONMENT ...]
#                 [FIXTURES ...])
#
# Include paths are rooted at the repository top, so headers are included as
# "core/error.h", "connectors/source/source.h": where a thing lives is visible at every use.

# -Wnull-dereference is left out: with g++ 12 at -O2 it fires inside libstdc++'s own headers.
set(ACCROCHD_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough -Wmissing-declarations -Wcast-qual -Wundef)

function(_accrochd_common target)
  target_compile_options(${target} PRIVATE ${ACCROCHD_WARNINGS})
  if(ACCROCHD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(ACCROCHD_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

function(accrochd_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${ARG_NAME} STATIC ${ARG_SOURCES})
  target_include_directories(${ARG_NAME} PUBLIC "${PROJECT_SOURCE_DIR}" "${PROJECT_BINARY_DIR}")
  target_link_libraries(${ARG_NAME} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  _accrochd_common(${ARG_NAME})
endfunction()

function(accrochd_executable)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  _accrochd_common(${ARG_NAME})
endfunction()

function(accrochd_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;LABELS;ENVIRONMENT;FIXTURES" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  _accrochd_common(${ARG_NAME})
  set(properties LABELS "${ARG_LABELS}")
  if(ARG_FIXTURES)
    # Tests on the shared servers run one at a time: some kill the test user's sessions.
    list(APPEND properties FIXTURES_REQUIRED "${ARG_FIXTURES}" RESOURCE_LOCK "${ARG_FIXTURES}")
  endif()
  if("unit" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY ACCROCHD_UNIT_TESTS ${ARG_NAME})
  endif()
  set(environment ${ARG_ENVIRONMENT} ${ACCROCHD_TEST_ENVIRONMENT})
  if(environment)
    # gtest_discover_tests flattens lists: escape the separators of this one.
    string(REPLACE ";" "\\;" environment "${environment}")
    list(APPEND properties ENVIRONMENT "${environment}")
  endif()
  # NO_PRETTY_VALUES: parameterized tests are named by their name generators ("…/v112"), not
  # followed by a dump of the parameter's bytes.
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 NO_PRETTY_VALUES PROPERTIES ${properties})
endfunction()
