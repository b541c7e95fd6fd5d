// Package invariants holds checks over the whole source tree that keep the
// codebase honest: no wall-clock reads outside the clock, error chains that
// wrap with %w, and a core that imports neither storage nor HTTP.
package invariants
