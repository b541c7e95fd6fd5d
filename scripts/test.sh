#!/usr/bin/env bash
# Runs every check Tabadul's code must pass, in the order a failure is
# cheapest to find: formatting, vet, the tests, and the race detector on the
# packages that run goroutines. Exits non-zero on the first failure.
#
# Usage: scripts/test.sh            (from anywhere inside the repository)
#
# Environment:
#   CI=true         nothing may be skipped: a missing tool or dependency is a
#                   failure, never a silent skip.
#   TEST_TIMEOUT    per-package test timeout (default 15m).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly TEST_TIMEOUT="${TEST_TIMEOUT:-15m}"
# The packages whose code runs goroutines: the store's group commit, the
# HTTP server, the binary's signal handling, the delivery worker, the
# TAXII server and the web interface.
readonly RACE_PACKAGES=(./internal/record/... ./internal/api/... ./internal/taxii/... ./internal/web/... ./cmd/... ./internal/distribute/...)

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

in_ci() { [[ "${CI:-}" == "true" ]]; }

# require_tools fails unless every named command is on PATH.
require_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed; it is needed to run the tests"
	done
}

# install_dependencies installs what the tests need beyond Go and its
# modules, from Debian's packages when it is missing, so that a fresh
# machine and CI run the same tests: PostgreSQL for the second backend,
# Chromium for the web interface's browser tests (internal/web).
install_dependencies() {
	ensure_postgresql
	ensure_debian_package chromium chromium
}

# ensure_postgresql installs Debian's postgresql package unless a server's
# programs are there: the PostgreSQL backend's tests run a throwaway server
# of their own (internal/record/postgres/pgtest). Its programs live in
# /usr/lib/postgresql/VERSION/bin, off PATH.
ensure_postgresql() {
	compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
	[[ -n "${PG_BINDIR:-}" && -x "${PG_BINDIR}/initdb" ]] && return 0
	ensure_debian_package initdb-of-postgresql postgresql
}

# ensure_debian_package CMD PACKAGE installs PACKAGE with apt-get unless CMD
# is already on PATH. Outside CI it only installs when it can (as root);
# otherwise it says what is missing and fails, rather than skipping the tests
# that need it.
ensure_debian_package() {
	local cmd="$1" pkg="$2"
	command -v "$cmd" >/dev/null 2>&1 && return 0
	if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
		fail "$cmd is missing: install the Debian package $pkg"
	fi
	step "installing $pkg"
	if [[ -z "${APT_UPDATED:-}" ]]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg"
}

check_format() {
	step "gofmt"
	local unformatted
	unformatted="$(gofmt -l .)"
	if [[ -n "$unformatted" ]]; then
		printf '%s\n' "$unformatted" >&2
		fail "these files need gofmt -w"
	fi
}

run_vet() {
	step "go vet"
	go vet ./...
}

# go_test runs go test verbosely so that skipped tests can be seen, prints
# all but the lines of tests that ran and passed, and fails under CI if any
# test was skipped: a skip there means a dependency is missing.
# Counts of test results over every go_test run, for the closing line.
PASSED=0 FAILED=0 SKIPPED=0

go_test() {
	local log status=0 skips
	log="$(mktemp)"
	go test -v -count=1 -timeout "$TEST_TIMEOUT" "$@" >"$log" 2>&1 || status=$?
	grep -Ev '^[[:space:]]*(=== (RUN|PAUSE|CONT|NAME)|--- PASS: )' "$log" || true
	PASSED=$((PASSED + $(grep -cE '^[[:space:]]*--- PASS: ' "$log" || true)))
	FAILED=$((FAILED + $(grep -cE '^[[:space:]]*--- FAIL: ' "$log" || true)))
	SKIPPED=$((SKIPPED + $(grep -cE '^[[:space:]]*--- SKIP: ' "$log" || true)))
	skips="$(grep -E '^[[:space:]]*--- SKIP: ' "$log" || true)"
	rm -f "$log"
	if [[ -n "$skips" ]]; then
		if in_ci; then
			printf '%s\n' "$skips" >&2
			fail "tests were skipped under CI=true"
		fi
		printf 'test.sh: warning: skipped tests:\n%s\n' "$skips" >&2
	fi
	return "$status"
}

run_tests() {
	step "go test ./..."
	go_test ./...
}

# The race detector's builds leave out profile-guided optimization
# (cmd/tabadul/default.pgo): it changes no behaviour, and compiling every
# dependency once more, with the profile and the detector, would add
# minutes. The tests above run the binary as `go build` makes it.
run_race_tests() {
	step "go test -race ${RACE_PACKAGES[*]}"
	go_test -race -pgo=off "${RACE_PACKAGES[@]}"
}

main() {
	require_tools go gofmt
	if in_ci; then
		echo "CI=true: every check runs; nothing is skipped."
	fi
	go version
	install_dependencies
	check_format
	run_vet
	run_tests
	run_race_tests
	step "all checks passed"
	printf 'tests: %d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
}

main "$@"
