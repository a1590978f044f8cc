#!/bin/bash
# Checks the systemd files as shipped, with systemd's own tools and never against the live
# system: the unit's hardening (`systemd-analyze security --offline=true`, exposure <= 2.0, the
# bar of design.md "Security and privacy"), the unit's syntax (`systemd-analyze verify`), and the
# sysusers.d and tmpfiles.d files applied to a temporary root.
#
#   systemd_files_test.sh security UNIT
#   systemd_files_test.sh verify   UNIT ACCROCHD_BIN ARGUMENTS [TIMER]   (ExecStart=ACCROCHD_BIN ARGUMENTS)
#   systemd_files_test.sh sysusers SYSUSERS_FILE
#   systemd_files_test.sh tmpfiles TMPFILES_FILE SYSUSERS_FILE UNIT   (and the unit's User=, Group=)
#
# Exit status 0 passed, 1 failed, 77 skipped (CTest's SKIP_RETURN_CODE): only when a systemd
# tool is not installed (package systemd; scripts/deps test installs it, so CI never skips), or
# for the sysusers/tmpfiles checks when not run as root (they create root-owned files).
set -euo pipefail

readonly kMaxExposure=2.0

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
skip() { printf 'SKIPPED: %s\n' "$*"; exit 77; }
need_tool() {
  command -v "$1" >/dev/null || skip "$1 is not installed (Debian package systemd)"
}
need_root() {
  [ "$(id -u)" -eq 0 ] || skip "$1 writes root-owned files into a temporary root: run as root"
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The overall exposure must be at most kMaxExposure; the table is printed either way, so a
# passing run's log also shows what is left exposed.
check_security() {
  local unit=$1
  need_tool systemd-analyze
  [ -f "$unit" ] || fail "$unit does not exist (configured by systemd/CMakeLists.txt)"
  local table
  # The exit status is ignored: without --threshold it is 0, and the number is checked below.
  table=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
  printf '%s\n' "$table"
  local exposure
  exposure=$(printf '%s\n' "$table" |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]*\).*/\1/p')
  [ -n "$exposure" ] || fail "no 'Overall exposure level' line in the output above"
  if ! awk -v e="$exposure" -v max="$kMaxExposure" 'BEGIN { exit !(e + 0 <= max + 0) }'; then
    fail "exposure $exposure is above $kMaxExposure: see the ✗ lines above"
  fi
  # A misspelt setting is ignored by systemd with a warning, and would quietly weaken the unit.
  if printf '%s\n' "$table" | grep -E 'Unknown (key|section)|Failed to parse|ignoring' >&2; then
    fail "systemd-analyze warned about the unit (above)"
  fi
  printf 'exposure %s <= %s\n' "$exposure" "$kMaxExposure"
}

# verify wants every command of the unit to exist; the configured accrochd path is where it
# will be installed, not where it is now, so a copy of the unit runs a stub instead. Everything
# else (setpriv, env, kill, the targets it depends on) is checked as it is.
check_verify() {
  local unit=$1 bin=$2 arguments=$3 timer=${4:-}
  need_tool systemd-analyze
  [ -f "$unit" ] || fail "$unit does not exist"
  local text name
  text=$(<"$unit")
  name=$(basename "$unit")
  grep -qxF "ExecStart=$bin $arguments" "$unit" || fail "$unit: ExecStart= is not \"$bin $arguments\""
  mkdir -p "$scratch/bin" "$scratch/unit"
  printf '#!/bin/sh\nexit 0\n' >"$scratch/bin/accrochd"
  chmod 0755 "$scratch/bin/accrochd"
  printf '%s\n' "${text//"$bin"/"$scratch/bin/accrochd"}" >"$scratch/unit/$name"
  local to_verify=("$scratch/unit/$name")
  if [ -n "$timer" ]; then
    [ -f "$timer" ] || fail "$timer does not exist"
    cp "$timer" "$scratch/unit/"
    to_verify+=("$scratch/unit/$(basename "$timer")")
  fi
  local output status=0
  # --man=no: the man pages named by Documentation= are not installed where tests run.
  output=$(systemd-analyze verify --man=no "${to_verify[@]}" 2>&1) || status=$?
  [ -z "$output" ] || printf '%s\n' "$output" >&2
  [ "$status" -eq 0 ] || fail "systemd-analyze verify exited with status $status"
  # verify exits 0 after warnings such as "Unknown key ..., ignoring": they fail here.
  [ -z "$output" ] || fail "systemd-analyze verify printed warnings (above)"
  printf 'systemd-analyze verify %s: no warning\n' "${to_verify[*]##*/}"
}

# A root with only root in it, as on a fresh system.
make_root() {
  local root=$1
  mkdir -p "$root/etc"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
}

apply_sysusers() {  # apply_sysusers ROOT FILE
  local output
  # The file is given by absolute path: with --root a relative one is looked up inside ROOT.
  output=$(systemd-sysusers --root="$1" "$(realpath "$2")" 2>&1) ||
    fail "systemd-sysusers failed: $output"
  printf '%s\n' "$output"
  if printf '%s\n' "$output" | grep -iE 'ignoring|unknown|invalid|failed|warn' >&2; then
    fail "systemd-sysusers warned (above)"
  fi
}

check_sysusers() {
  local file=$1 root="$scratch/root"
  need_tool systemd-sysusers
  need_root "systemd-sysusers --root"
  make_root "$root"
  apply_sysusers "$root" "$file"
  local entry uid gid home shell
  entry=$(grep '^accrochd:' "$root/etc/passwd") || fail "no user accrochd in $root/etc/passwd"
  IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
  [ "$home" = /var/lib/accrochd ] || fail "accrochd's home is '$home', not /var/lib/accrochd"
  [ "$shell" = /usr/sbin/nologin ] || fail "accrochd's shell is '$shell', not /usr/sbin/nologin"
  [ "$uid" -lt 1000 ] || fail "accrochd's uid $uid is not a system uid"
  grep -q "^accrochd:x:$gid:" "$root/etc/group" || fail "accrochd's primary group is not accrochd"
  grep -qE '^accrochd-depot:x:[0-9]+:(.*,)?accrochd(,.*)?$' "$root/etc/group" ||
    fail "accrochd is not a member of accrochd-depot: $(grep '^accrochd-depot:' "$root/etc/group")"
  # A second run (every boot does one) changes nothing.
  cp "$root/etc/passwd" "$scratch/passwd.before"
  cp "$root/etc/group" "$scratch/group.before"
  apply_sysusers "$root" "$file"
  cmp -s "$root/etc/passwd" "$scratch/passwd.before" || fail "a second run changed /etc/passwd"
  cmp -s "$root/etc/group" "$scratch/group.before" || fail "a second run changed /etc/group"
  printf 'sysusers: %s\n' "$entry"
}

apply_tmpfiles() {  # apply_tmpfiles ROOT FILE
  local output
  output=$(systemd-tmpfiles --root="$1" --create "$(realpath "$2")" 2>&1) ||
    fail "systemd-tmpfiles --create failed: $output"
  if [ -n "$output" ]; then
    printf '%s\n' "$output" >&2
    fail "systemd-tmpfiles printed warnings (above)"
  fi
}

expect_mode() {  # expect_mode PATH MODE USER:GROUP
  [ -d "$1" ] || fail "$1 was not created"
  local actual
  actual=$(stat -c '%a %U:%G' "$1")
  [ "$actual" = "$2 $3" ] || fail "$1 is $actual, expected $2 $3"
}

check_tmpfiles() {
  local file=$1 sysusers=$2 unit=$3 root="$scratch/root"
  need_tool systemd-tmpfiles
  need_tool systemd-sysusers
  need_root "systemd-tmpfiles --root"
  make_root "$root"
  apply_sysusers "$root" "$sysusers" >/dev/null
  apply_tmpfiles "$root" "$file"
  expect_mode "$root/etc/accrochd" 755 root:root
  expect_mode "$root/etc/accrochd/mappings" 755 root:root
  expect_mode "$root/etc/accrochd/credentials" 700 root:root

  # Every boot applies the file again: the credentials directory is put back to 0700 root, and
  # an administrator's choice for /etc/accrochd is kept.
  chmod 0750 "$root/etc/accrochd"
  chgrp accrochd "$root/etc/accrochd" 2>/dev/null ||
    chgrp "$(awk -F: '$1 == "accrochd" { print $3 }' "$root/etc/group")" "$root/etc/accrochd"
  chmod 0755 "$root/etc/accrochd/credentials"
  apply_tmpfiles "$root" "$file"
  expect_mode "$root/etc/accrochd/credentials" 700 root:root
  [ "$(stat -c '%a' "$root/etc/accrochd")" = 750 ] ||
    fail "systemd-tmpfiles changed the mode the administrator gave /etc/accrochd"

  # The directory the unit loads credentials from is the one made here: if it were missing,
  # systemd would refuse to start the unit.
  local credentials
  credentials=$(sed -n 's/^LoadCredential=[^:]*:\(\/.*\)$/\1/p' "$unit")
  [ -n "$credentials" ] || fail "$unit has no LoadCredential=ID:/absolute/path"
  expect_mode "$root$credentials" 700 root:root

  # The unit runs as a user and group the sysusers file makes.
  local user group
  user=$(sed -n 's/^User=//p' "$unit")
  group=$(sed -n 's/^Group=//p' "$unit")
  grep -q "^$user:" "$root/etc/passwd" || fail "User=$user of the unit is not made by $sysusers"
  grep -q "^$group:" "$root/etc/group" || fail "Group=$group of the unit is not made by $sysusers"
  printf 'tmpfiles: /etc/accrochd 755, mappings 755, credentials (%s) 700 root\n' "$credentials"
}

case "${1:-}" in
  security) check_security "${2:?UNIT}" ;;
  verify) check_verify "${2:?UNIT}" "${3:?ACCROCHD_BIN}" "${4:?ARGUMENTS}" "${5:-}" ;;
  sysusers) check_sysusers "${2:?SYSUSERS_FILE}" ;;
  tmpfiles) check_tmpfiles "${2:?TMPFILES_FILE}" "${3:?SYSUSERS_FILE}" "${4:?UNIT}" ;;
  *) echo "usage: $0 security|verify|sysusers|tmpfiles FILE..." >&2; exit 2 ;;
esac
