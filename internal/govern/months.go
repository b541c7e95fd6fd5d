package govern

import "time"

// AddMonths returns t moved n calendar months later, keeping the time of
// day and clamping the day to the end of a shorter month: 31 January plus
// one month is 28 (or 29) February, not 3 March.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if last := daysIn(first.Year(), first.Month()); d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Midnight returns the 00:00 UTC that starts t's day.
func Midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// NextMidnight returns the first 00:00 UTC strictly after t.
func NextMidnight(t time.Time) time.Time {
	return Midnight(t).AddDate(0, 0, 1)
}
