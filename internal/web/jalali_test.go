package web

import "testing"

// Known dates, from Iran's official calendar: each Nowruz (1 Farvardin)
// falls on the day of the March equinox if it comes before noon in
// Tehran, else the day after.
func TestToJalali(t *testing.T) {
	tests := []struct {
		desc       string
		gy, gm, gd int
		jy, jm, jd int
	}{
		{"the revolution's anniversary, 22 Bahman 1357", 1979, 2, 11, 1357, 11, 22},
		{"1 January 2000", 2000, 1, 1, 1378, 10, 11},
		{"Nowruz 1403, equinox 06:36 Tehran", 2024, 3, 20, 1403, 1, 1},
		{"the day before Nowruz 1403: 29 Esfand 1402", 2024, 3, 19, 1402, 12, 29},
		{"Nowruz 1404, equinox 12:31 Tehran: the next day", 2025, 3, 21, 1404, 1, 1},
		{"30 Esfand 1403, a leap year's last day", 2025, 3, 20, 1403, 12, 30},
		{"1 Dey 1402, the day after Yalda", 2023, 12, 22, 1402, 10, 1},
		{"31 Shahrivar, the last 31-day month's end", 2025, 9, 22, 1404, 6, 31},
		{"1 Mehr, the first 30-day month", 2025, 9, 23, 1404, 7, 1},
		{"Nowruz 1405", 2026, 3, 21, 1405, 1, 1},
		{"the demo chair's term end, 1 March 2027", 2027, 3, 1, 1405, 12, 10},
	}
	for _, tt := range tests {
		jy, jm, jd := toJalali(tt.gy, tt.gm, tt.gd)
		if jy != tt.jy || jm != tt.jm || jd != tt.jd {
			t.Errorf("%s: toJalali(%d-%02d-%02d) = %d-%02d-%02d, want %d-%02d-%02d",
				tt.desc, tt.gy, tt.gm, tt.gd, jy, jm, jd, tt.jy, tt.jm, tt.jd)
		}
	}
}

// TestJDNRoundTrip checks the day-number arithmetic over a century.
func TestJDNRoundTrip(t *testing.T) {
	start := gregorianToJDN(1950, 1, 1)
	for d := start; d < start+365*100; d++ {
		gy, gm, gd := jdnToGregorian(d)
		if back := gregorianToJDN(gy, gm, gd); back != d {
			t.Fatalf("jdn %d -> %d-%d-%d -> %d", d, gy, gm, gd, back)
		}
	}
}
