//go:build race

package main

// raceDetector is true when the tests run under the race detector, which
// slows the test process (not the nodes, built without it) several times.
const raceDetector = true
