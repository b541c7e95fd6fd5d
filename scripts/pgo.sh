#!/usr/bin/env bash
# Rebuilds the CPU profiles that Go's profile-guided optimization (PGO)
# compiles the binaries with: cmd/tabadul/default.pgo for the server and
# CLI, bench/search/default.pgo for the search benchmark. `go build` and
# `go run` pick up a main package's default.pgo on their own.
#
# The server's profile is the work that dominates a center's CPU:
# recording and indexing reports (the search benchmark's load of 30,000
# documents, and reports submitted over HTTP) and answering searches (its
# timed query rounds). The benchmark's profile holds Bleve's indexing and
# queries too, so that both engines it compares are compiled the same way.
#
# Usage: scripts/pgo.sh      (from anywhere inside the repository; about
#                             a minute on two cores, and the builds)
# Then commit both files; rerun after changes that move the hot paths.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "==> the search benchmark: 30,000 documents, both engines" >&2
(cd bench && go run ./search -docs 30000 -out "$work/search" -tabadul-batch 1000 -rounds 3 -no-recall \
	-index-cpuprofile "$work/tabadul-index.pprof" -bleve-index-cpuprofile "$work/bleve-index.pprof" \
	-cpuprofile "$work/query.pprof" >/dev/null)
# The query rounds of both engines are one profile, each sample labeled
# with its engine.
go tool pprof -tagfocus engine=tabadul -proto "$work/query.pprof" >"$work/tabadul-query.pprof" 2>/dev/null

echo "==> reports submitted over HTTP" >&2
go test -run '^$' -bench 'BenchmarkSubmit/http$' -benchtime 10000x -cpuprofile "$work/submit.pprof" \
	-o "$work/api.test" ./internal/api/ >/dev/null

go tool pprof -proto "$work/tabadul-index.pprof" "$work/tabadul-query.pprof" "$work/submit.pprof" \
	>cmd/tabadul/default.pgo
go tool pprof -proto "$work/tabadul-index.pprof" "$work/bleve-index.pprof" "$work/query.pprof" \
	>bench/search/default.pgo
ls -l cmd/tabadul/default.pgo bench/search/default.pgo >&2
