#!/bin/bash
# Checks the Debian package scripts/package builds, with Debian's own tools: what it holds
# (`dpkg-deb -c`, `dpkg-deb -I`), what lintian says of it, and the packaged binary run from an
# unpacked copy (`dpkg-deb -x`), never installed on this machine.
#
#   package_test.sh contents DEB SOURCE_DIR VERSION
#   package_test.sh lintian  DEB
#   package_test.sh unpacked DEB SOURCE_DIR VERSION
#
# Exit status 0 passed, 1 failed, 77 skipped (CTest's SKIP_RETURN_CODE): only when the package
# has not been built (scripts/package) or lintian is not installed, and ACCROCHD_REQUIRE_PACKAGE
# is not set. scripts/test builds the package and sets it, so CI never skips.
set -euo pipefail

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
skip() {  # skip WHAT WHY
  if [ -n "${ACCROCHD_REQUIRE_PACKAGE:-}" ]; then
    fail "$2 (and ACCROCHD_REQUIRE_PACKAGE is set)"
  fi
  printf 'SKIPPED for want of %s: %s\n' "$1" "$2"
  exit 77
}
need_deb() {
  [ -f "$1" ] || skip "the Debian package" "$1 does not exist (scripts/package builds it)"
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The listing of `dpkg-deb -c`, reduced to "MODE OWNER PATH" lines.
listing() {
  dpkg-deb -c "$1" | awk '{ path = $6; for (i = 7; i <= NF; i++) path = path " " $i;
                            print $1, $2, path }'
}

expect_entry() {  # expect_entry LISTING MODE PATH
  grep -qxF -e "$2 root/root $3" <<<"$1" ||
    fail "the package has no $3 with mode $2 root/root; it has: $(grep -F " $3" <<<"$1" || echo nothing)"
}

check_contents() {
  local deb=$1 source=$2 version=$3
  need_deb "$deb"
  local files
  files=$(listing "$deb")
  printf '%s\n' "$files"

  # Every file and directory belongs to root.
  local foreign
  foreign=$(awk '$2 != "root/root"' <<<"$files")
  [ -z "$foreign" ] || fail "entries not owned by root/root: $foreign"

  expect_entry "$files" -rwxr-xr-x ./usr/bin/accrochd
  expect_entry "$files" -rw-r--r-- ./usr/share/man/man8/accrochd.8.gz
  expect_entry "$files" -rw-r--r-- ./usr/share/man/man5/accrochd.yaml.5.gz
  expect_entry "$files" -rw-r--r-- ./usr/share/man/man5/accrochd.mapping.5.gz
  expect_entry "$files" -rw-r--r-- ./lib/systemd/system/accrochd.service
  expect_entry "$files" -rw-r--r-- ./lib/systemd/system/accrochd-once.service
  expect_entry "$files" -rw-r--r-- ./lib/systemd/system/accrochd-once.timer
  expect_entry "$files" -rw-r--r-- ./usr/share/doc/accrochd/examples/accrochd.rules.yml
  expect_entry "$files" -rw-r--r-- ./usr/lib/sysusers.d/accrochd.conf
  expect_entry "$files" -rw-r--r-- ./usr/lib/tmpfiles.d/accrochd.conf
  expect_entry "$files" drwxr-xr-x ./etc/accrochd/
  expect_entry "$files" -rw-r--r-- ./etc/accrochd/accrochd.yaml
  expect_entry "$files" drwxr-xr-x ./etc/accrochd/mappings/
  expect_entry "$files" -rw-r--r-- ./etc/accrochd/mappings/exemple-rncp.yaml
  expect_entry "$files" drwx------ ./etc/accrochd/credentials/
  expect_entry "$files" -rw-r--r-- ./usr/share/doc/accrochd/examples/accrochd.yaml.example
  expect_entry "$files" -rw-r--r-- ./usr/share/doc/accrochd/examples/mappings/exemple-rncp.yaml
  expect_entry "$files" -rw-r--r-- ./usr/share/bash-completion/completions/accrochd
  expect_entry "$files" -rw-r--r-- ./usr/share/doc/accrochd/copyright
  local template
  for template in "$source"/templates/*.mustache; do
    expect_entry "$files" -rw-r--r-- "./usr/share/accrochd/templates/$(basename "$template")"
  done
  # The credentials directory ships empty: secrets are the administrator's.
  ! grep -q ' \./etc/accrochd/credentials/.' <<<"$files" || fail "the package ships a secret"

  # Only the configuration is a conffile, and all of it.
  local conffiles
  conffiles=$(dpkg-deb -I "$deb" conffiles)
  [ "$conffiles" = $'/etc/accrochd/accrochd.yaml\n/etc/accrochd/mappings/exemple-rncp.yaml' ] ||
    fail "conffiles are not the configuration and its mapping: $conffiles"

  # The control fields.
  local field
  field=$(dpkg-deb -f "$deb" Version)
  [ "$field" = "$version" ] || fail "Version is $field, CMakeLists.txt says $version"
  field=$(dpkg-deb -f "$deb" Architecture)
  [ "$field" = "$(dpkg --print-architecture)" ] || fail "Architecture is $field"
  local depends recommends
  depends=$(dpkg-deb -f "$deb" Depends)
  recommends=$(dpkg-deb -f "$deb" Recommends)
  printf 'Depends: %s\nRecommends: %s\n' "$depends" "$recommends"
  # dh_shlibdeps found the libraries the binary links (a sample of them), debhelper the tools
  # its maintainer scripts run, and debian/control what no tool can find.
  local dependency
  for dependency in libsoci-core4.0 libsoci-odbc4.0 libodbc2 libxml2 libyaml-cpp0.7 libcurl4 \
                    libsystemd0 libjemalloc2 libc6 procps tzdata "systemd | systemd-standalone-sysusers"; do
    [[ ", $depends" == *", $dependency"* ]] || fail "Depends lacks $dependency: $depends"
  done
  [ "$recommends" = "odbc-postgresql | odbc-mariadb | tdsodbc | libsqliteodbc" ] ||
    fail "Recommends is not the ODBC drivers: $recommends"

  # The files are the sources' (the unit as CMake configures it for the prefix /usr).
  dpkg-deb -x "$deb" "$scratch/root"
  local root=$scratch/root
  cmp "$source/etc/accrochd.yaml.example" "$root/etc/accrochd/accrochd.yaml" ||
    fail "/etc/accrochd/accrochd.yaml is not etc/accrochd.yaml.example"
  cmp "$source/etc/mappings/exemple-rncp.yaml" "$root/etc/accrochd/mappings/exemple-rncp.yaml" ||
    fail "/etc/accrochd/mappings/exemple-rncp.yaml is not etc/mappings/exemple-rncp.yaml"
  cmp "$source/systemd/accrochd.sysusers" "$root/usr/lib/sysusers.d/accrochd.conf" ||
    fail "the sysusers.d file is not systemd/accrochd.sysusers"
  cmp "$source/systemd/accrochd.tmpfiles" "$root/usr/lib/tmpfiles.d/accrochd.conf" ||
    fail "the tmpfiles.d file is not systemd/accrochd.tmpfiles"
  cmp "$source/completion/accrochd.bash" "$root/usr/share/bash-completion/completions/accrochd" ||
    fail "the bash completion is not completion/accrochd.bash"
  sed 's|@ACCROCHD_BIN@|/usr/bin/accrochd|g' "$source/systemd/accrochd.service.in" >"$scratch/unit"
  diff -u "$scratch/unit" "$root/lib/systemd/system/accrochd.service" ||
    fail "the unit is not systemd/accrochd.service.in configured for /usr/bin/accrochd (above)"

  # The maintainer scripts: debhelper's snippets apply the sysusers.d and tmpfiles.d files and
  # install the unit without enabling it; no hand-written user creation; purge names the state.
  local postinst postrm
  postinst=$(dpkg-deb -I "$deb" postinst)
  postrm=$(dpkg-deb -I "$deb" postrm)
  grep -q 'systemd-sysusers .*accrochd\.conf' <<<"$postinst" ||
    fail "postinst does not run systemd-sysusers accrochd.conf"
  grep -q 'systemd-tmpfiles .*--create accrochd\.conf' <<<"$postinst" ||
    fail "postinst does not run systemd-tmpfiles --create accrochd.conf"
  # dh_installsystemd --no-enable: the unit is enabled again only where it was enabled before
  # (an upgrade), never on a first install; the snippet that enables it has no debian-installed.
  grep -qE "if deb-systemd-helper debian-installed '?accrochd\.service'?; then" <<<"$postinst" ||
    fail "postinst enables accrochd.service on a first install (no dh_installsystemd --no-enable)"
  # The timer and its one-shot unit: never enabled nor started by dpkg (a cycle from dpkg on an
  # unconfigured machine would fail, and a site picks the daemon or the timer).
  ! grep -qE "deb-systemd-invoke .*accrochd-once" <<<"$postinst" ||
    fail "postinst starts accrochd-once.service or its timer"
  ! grep -qE 'useradd|adduser|groupadd|addgroup' <<<"$postinst" ||
    fail "postinst creates users by hand"
  grep -q 'the state is kept in /var/lib/accrochd' <<<"$postrm" ||
    fail "postrm does not say where the state is kept on purge"
  printf 'contents: every file, mode, conffile and dependency as expected\n'
}

check_lintian() {
  local deb=$1
  need_deb "$deb"
  command -v lintian >/dev/null ||
    skip "lintian" "lintian is not installed (Debian package lintian; scripts/deps test installs it)"
  local output status=0
  # --pedantic and --info show everything, for the log; only errors and warnings fail.
  output=$(lintian --info --pedantic --tag-display-limit 0 "$deb" 2>&1) || status=$?
  printf '%s\n' "$output"
  local bad
  bad=$(grep -E '^[EW]: ' <<<"$output" || true)
  [ -z "$bad" ] || fail "lintian reports errors or warnings (above)"
  # Status 2 is lintian itself failing (not tags): that is no verdict.
  [ "$status" -ne 2 ] || fail "lintian failed (status 2, above)"
  [ -n "$(dpkg-deb -f "$deb" Package)" ] || fail "no Package field"
  printf 'lintian: no error, no warning\n'
}

check_unpacked() {
  local deb=$1 source=$2 version=$3
  need_deb "$deb"
  local root=$scratch/root
  dpkg-deb -x "$deb" "$root"
  local bin=$root/usr/bin/accrochd output status

  output=$("$bin" --version) || fail "accrochd --version exited with $?"
  printf '%s\n' "$output"
  [[ $(head -1 <<<"$output") =~ ^accrochd\ ${version//./\\.}(\ \(git\ [0-9a-f]+\))?$ ]] ||
    fail "--version does not say accrochd $version"
  # The package's binary allocates through jemalloc (daemon/CMakeLists.txt), not glibc's malloc.
  grep -qx 'allocator jemalloc 5\.[0-9.]*' <<<"$output" ||
    fail "--version does not name jemalloc as the allocator"

  # The configuration as installed, checked as the unit's ExecStartPre= does: in /etc/accrochd
  # (here the unpacked copy), with the credential the unit would load.
  local credentials=$scratch/credentials state=$scratch/state
  mkdir -p "$credentials" "$state"
  printf 'mot-de-passe\n' >"$credentials/secret_scolarite-db"
  chmod 0600 "$credentials/secret_scolarite-db"
  status=0
  output=$(CREDENTIALS_DIRECTORY=$credentials STATE_DIRECTORY=$state \
    "$bin" check --no-connect --config "$root/etc/accrochd/accrochd.yaml" 2>&1) || status=$?
  printf '%s\n' "$output"
  [ "$status" -eq 0 ] || fail "check --no-connect on the installed configuration exited with $status"
  grep -q 'is valid: 1 source, 1 certifier, 1 mapping' <<<"$output" ||
    fail "check did not find the example's source, certifier and mapping"

  # On a machine not configured yet the secret is missing: the unit's check fails, naming it,
  # so the daemon cannot start before the administrator has written it.
  rm "$credentials/secret_scolarite-db"
  status=0
  output=$(CREDENTIALS_DIRECTORY=$credentials STATE_DIRECTORY=$state \
    "$bin" check --no-connect --config "$root/etc/accrochd/accrochd.yaml" 2>&1) || status=$?
  printf '%s\n' "$output"
  [ "$status" -eq 1 ] || fail "check without the secret exited with $status, not 1"
  grep -q 'secret_scolarite-db' <<<"$output" || fail "check without the secret does not name it"

  # The mapping names the packaged completion offers.
  output=$("$bin" check --list-mappings --config "$root/etc/accrochd/accrochd.yaml")
  [ "$output" = exemple-rncp ] || fail "check --list-mappings printed '$output'"
  [ -z "$(ls -A "$state")" ] || fail "check wrote into the state directory: $(ls -A "$state")"
  printf 'unpacked: the packaged binary runs and accepts the packaged configuration\n'
}

case "${1:-}" in
  contents) check_contents "${2:?DEB}" "${3:?SOURCE_DIR}" "${4:?VERSION}" ;;
  lintian) check_lintian "${2:?DEB}" ;;
  unpacked) check_unpacked "${2:?DEB}" "${3:?SOURCE_DIR}" "${4:?VERSION}" ;;
  *) echo "usage: $0 contents|lintian|unpacked DEB [SOURCE_DIR VERSION]" >&2; exit 2 ;;
esac
