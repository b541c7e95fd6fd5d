package center

import "time"

// A Clock tells the time. Everything that needs the time takes one, so that
// governance, retries and retention can be tested over simulated years.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
