#!/bin/bash
# Drives the bash completion (completion/accrochd.bash) as bash does: sources it, sets
# COMP_WORDS and COMP_CWORD for a command line, calls the completion function and compares
# COMPREPLY, against the real accrochd binary it asks for commands, options and mapping names.
#
#   completion_test.sh commands|options|mappings COMPLETION_FILE ACCROCHD_BIN
set -euo pipefail

mode=${1:?commands|options|mappings}
completion=${2:?COMPLETION_FILE}
bin=${3:?ACCROCHD_BIN}

# The completion runs "accrochd" as the user typed it: the binary under test comes first.
PATH=$(dirname "$bin"):$PATH
# shellcheck source=/dev/null
source "$completion"
[ "$(complete -p accrochd)" = "complete -F _accrochd accrochd" ] ||
  { echo "FAIL: $completion does not register _accrochd for accrochd" >&2; exit 1; }

failures=0
# expect "WORD WORD ... <cursor word>" "EXPECTED REPLIES": the completion of the last word.
expect() {
  local line=$1 expected=$2
  read -ra COMP_WORDS <<<"$line"
  [[ $line == *" " ]] && COMP_WORDS+=("")  # the cursor after a space: an empty word
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _accrochd
  local actual="${COMPREPLY[*]}"
  if [ "$actual" = "$expected" ]; then
    printf 'ok    %-60s -> %s\n' "'$line'" "$actual"
  else
    printf 'FAIL  %-60s -> "%s", expected "%s"\n' "'$line'" "$actual" "$expected" >&2
    failures=$((failures + 1))
  fi
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"

case "$mode" in
  commands)
    expect "accrochd " "run once check preview profile status validate history deposits receipts passages alerts help"
    expect "accrochd pr" "preview profile"
    expect "accrochd -" "--help --version"
    expect "accrochd help st" "status"
    expect "accrochd nope " ""
    # Sub-actions, read from each command's help.
    expect "accrochd deposits " "list mark-uploaded"
    expect "accrochd deposits -c x.yaml m" "mark-uploaded"
    expect "accrochd receipts " "import"
    expect "accrochd passages " "retry withdraw correct"
    expect "accrochd alerts " "test"
    expect "accrochd deposits list " ""
    ;;
  options)
    expect "accrochd check --" "--help --config --print-config --no-connect --list-mappings"
    expect "accrochd validate --" "--help --schema --schema-version"
    expect "accrochd preview --l" "--limit"
    expect "accrochd validate --schema-" "--schema-version"
    # A command without positional arguments offers its options at once.
    expect "accrochd check " "--help --config --print-config --no-connect --list-mappings"
    # An option's value: nothing to offer for a number, file names for a file.
    expect "accrochd preview --limit " ""
    mkdir -p xsd
    touch accrochd.yaml xsd/cdc.xsd deposit-1.xml
    expect "accrochd check --config acc" "accrochd.yaml"
    expect "accrochd check -c acc" "accrochd.yaml"
    expect "accrochd validate --schema xsd/" "xsd/cdc.xsd"
    expect "accrochd validate dep" "deposit-1.xml"
    expect "accrochd deposits mark-uploaded dep" "deposit-1.xml"
    expect "accrochd receipts import dep" "deposit-1.xml"
    ;;
  mappings)
    # Two certifiers, three mapping files (one named twice). The mapping files do not exist and
    # the password is a credential nobody provides here: listing the names needs neither.
    cat >accrochd.yaml <<'YAML'
sources:
  scolarite:
    connection: "Driver=PostgreSQL Unicode;Server=db.exemple.fr;Database=scolarite;"
    password: {credential: secret_scolarite-db}
certifiers:
  institut:
    id_client: "03VML243"
    id_contrat: "MCFCER000209"
    mappings:
      - mappings/bts-compta.yaml
      - mappings/rncp-paie.yaml
  ecole:
    id_client: "04ABC123"
    id_contrat: "MCFCER000210"
    mappings: [mappings/rs-handicap.yaml, mappings/bts-compta.yaml]
YAML
    cp accrochd.yaml other.yaml
    sed -i 's/rs-handicap/rs-autre/' other.yaml
    expect "accrochd preview --config accrochd.yaml --mapping " "bts-compta rncp-paie rs-handicap"
    expect "accrochd preview --config accrochd.yaml -m r" "rncp-paie rs-handicap"
    expect "accrochd profile -c other.yaml --mapping rs" "rs-autre"
    # --config=FILE, as COMP_WORDBREAKS splits it.
    expect "accrochd preview --config = other.yaml -m rs" "rs-autre"
    expect "accrochd preview -c accrochd.yaml --mapping = bts" "bts-compta"
    # Without --config, accrochd's default configuration (under systemd's
    # $CONFIGURATION_DIRECTORY here, so that the test never reads /etc/accrochd).
    CONFIGURATION_DIRECTORY=$scratch expect "accrochd preview -m " "bts-compta rncp-paie rs-handicap"
    # The configuration may come after --mapping on the line.
    COMP_WORDS=(accrochd preview -m "" --config other.yaml) COMP_CWORD=3
    COMPREPLY=()
    _accrochd
    if [ "${COMPREPLY[*]}" = "bts-compta rncp-paie rs-autre" ]; then
      printf 'ok    %-60s -> %s\n' "'accrochd preview -m | --config other.yaml'" "${COMPREPLY[*]}"
    else
      printf 'FAIL  the configuration after the cursor: "%s"\n' "${COMPREPLY[*]}" >&2
      failures=$((failures + 1))
    fi
    # A configuration that cannot be read offers nothing, and prints nothing.
    expect "accrochd preview --config missing.yaml -m " ""
    ;;
  *)
    echo "usage: $0 commands|options|mappings COMPLETION_FILE ACCROCHD_BIN" >&2
    exit 2
    ;;
esac

[ "$failures" -eq 0 ] || { echo "FAIL: $failures completion(s) not as expected" >&2; exit 1; }
echo "all completions as expected"
