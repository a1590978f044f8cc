#!/bin/bash
# The folders' dependency rule, checked on the sources' #include lines (README, Layout): core/
# includes nothing of the project outside core/; mappings/ -- the domain: the dictionary, the
# mapping language, validation -- includes core/ and itself only, so it builds and is tested
# without ODBC, SOCI, libxml2 or the store. The link side is mappings/CMakeLists.txt.
set -euo pipefail
src=${1:?usage: check_layers.sh SOURCE_DIR}
status=0
check() {  # check FOLDER ALLOWED_PREFIX_REGEX
  local folder=$1 allowed=$2 bad
  bad=$(grep -rnE '^#include "' --include='*.h' --include='*.cc' "$src/$folder" |
        grep -vE "#include \"($allowed)" || true)
  if [ -n "$bad" ]; then
    echo "$folder/ includes what it may not (allowed: $allowed):"
    sed "s#^$src/##" <<<"$bad"
    status=1
  fi
}
check core 'core/'
check mappings 'core/|mappings/'
[ "$status" -eq 0 ] && echo "core/ and mappings/ include only what the layers allow"
exit "$status"
