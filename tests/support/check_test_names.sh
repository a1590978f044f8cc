#!/bin/bash
# Every test's name reads as written by its author: no parameter dumped as bytes ("GetParam() =
# 4-byte object <00-00 00-00>"), which is what CTest shows when a parameterized test has no
# name generator or gtest_discover_tests is not told NO_PRETTY_VALUES.
#
# Reads the names from the files gtest_discover_tests writes, not from `ctest -N`: run from
# inside ctest, that would overwrite the run's LastTest.log, where scripts/test finds why tests
# were skipped.
set -euo pipefail
build=${1:?usage: check_test_names.sh BUILD_DIR}
names=$(find "$build" -name '*_tests.cmake' -print0 | xargs -0 -r grep -ohP 'add_test\(\s*\[=\[\K.*?(?=\]=\])' || true)
count=$(grep -c . <<<"$names" || true)
if [ "$count" -eq 0 ]; then
  echo "no discovered test found under $build"
  exit 1
fi
bad=$(grep -E 'GetParam|TypeParam|object <| #' <<<"$names" || true)
if [ -n "$bad" ]; then
  echo "test names with a parameter dump (give INSTANTIATE_TEST_SUITE_P a name generator):"
  echo "$bad"
  exit 1
fi
echo "$count test names, all readable"
