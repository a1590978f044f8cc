#!/bin/bash
# Every test's name reads as written by its author: no parameter dumped as bytes ("GetParam() =
# 4-byte object <00-00 00-00>"), which is what CTest shows when a parameterized test has no
# name generator or gtest_discover_tests is not told NO_PRETTY_VALUES.
set -euo pipefail
build=${1:?usage: check_test_names.sh BUILD_DIR}
listing=$(ctest --test-dir "$build" -N)
names=$(grep -E '^ *Test +#[0-9]+: ' <<<"$listing" | sed -E 's/^ *Test +#[0-9]+: //' || true)
count=$(grep -c . <<<"$names" || true)
bad=$(grep -E 'GetParam|TypeParam|object <| #' <<<"$names" || true)
if [ -n "$bad" ]; then
  echo "test names with a parameter dump (give INSTANTIATE_TEST_SUITE_P a name generator):"
  echo "$bad"
  exit 1
fi
echo "$count test names, all readable"
