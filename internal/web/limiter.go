package web

import (
	"sync"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// Sign-in limits: failures count per username and per client address over
// a sliding window; past the limit, sign-in is refused without checking
// the password until the window has passed. The limiter is per node: n
// nodes allow n times as many guesses, still far too few to matter against
// the random passwords the center makes.
const (
	limitWindow      = 15 * time.Minute
	limitPerUser     = 5
	limitPerAddress  = 20
	limiterMaxTracks = 100_000
)

// limiter counts failed sign-ins. It is safe for concurrent use.
type limiter struct {
	clock center.Clock
	mu    sync.Mutex
	fails map[string][]time.Time
}

func newLimiter(clock center.Clock) *limiter {
	return &limiter{clock: clock, fails: map[string][]time.Time{}}
}

func userKey(u string) string    { return "u:" + u }
func addressKey(a string) string { return "a:" + a }

// allowed reports whether a sign-in as user from address may be tried now.
func (l *limiter) allowed(user, address string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	return len(l.recent(userKey(user), now)) < limitPerUser &&
		len(l.recent(addressKey(address), now)) < limitPerAddress
}

// failed records a failed sign-in.
func (l *limiter) failed(user, address string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if len(l.fails) > limiterMaxTracks {
		// Under a flood of distinct names, forget the quiet ones first.
		for k := range l.fails {
			if len(l.recent(k, now)) == 0 {
				delete(l.fails, k)
			}
		}
	}
	for _, k := range []string{userKey(user), addressKey(address)} {
		l.fails[k] = append(l.recent(k, now), now)
	}
}

// succeeded forgets a user's failures.
func (l *limiter) succeeded(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, userKey(user))
}

// recent returns k's failures within the window, dropping older ones.
func (l *limiter) recent(k string, now time.Time) []time.Time {
	ts := l.fails[k]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= limitWindow {
		i++
	}
	if i == len(ts) {
		delete(l.fails, k)
		return nil
	}
	ts = ts[i:]
	l.fails[k] = ts
	return ts
}
