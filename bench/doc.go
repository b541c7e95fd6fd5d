// Package bench holds Tabadul's comparative benchmarks: programs that run
// Tabadul next to other software on the same data and report both. It is
// a module of its own so that the peers it compares against stay out of
// the main module's go.mod; it reaches Tabadul's internal packages through
// the replace directive (the internal-package rule is by import path).
//
//	search/   Tabadul's search against Bleve v2 (go run ./search -h)
//
// Figures and the commands that produced them are in BENCHMARKS.md at the
// repository's root.
package bench
