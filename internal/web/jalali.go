package web

// The Solar Hijri (Jalali) calendar, Iran's official calendar, by the
// arithmetic of Kazimierz Borkowski as published in jalaali-js: the years
// where the 33-year cycle breaks are listed, and within them leap years
// follow the cycle. It agrees with the astronomical calendar for the Solar
// Hijri years -61 to 3177; the tests check it against known dates.

// jalaliBreaks are the Jalali years where the leap-year cycle restarts.
var jalaliBreaks = [...]int{-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210,
	1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178}

// jalaliCal returns, for Jalali year jy, how far it is from the last leap
// year (0 means leap), the Gregorian year of its start, and the day of
// March its first day (1 Farvardin) falls on.
func jalaliCal(jy int) (leap, gy, march int) {
	gy = jy + 621
	leapJ := -14
	jp := jalaliBreaks[0]
	jump := 0
	for i := 1; i < len(jalaliBreaks); i++ {
		jm := jalaliBreaks[i]
		jump = jm - jp
		if jy < jm {
			break
		}
		leapJ += jump/33*8 + jump%33/4
		jp = jm
	}
	n := jy - jp
	leapJ += n/33*8 + (n%33+3)/4
	if jump%33 == 4 && jump-n == 4 {
		leapJ++
	}
	leapG := gy/4 - (gy/100+1)*3/4 - 150
	march = 20 + leapJ - leapG
	if jump-n < 6 {
		n = n - jump + (jump+4)/33*33
	}
	leap = ((n+1)%33 - 1) % 4
	if leap == -1 {
		leap = 4
	}
	return leap, gy, march
}

// gregorianToJDN returns the Julian day number of a Gregorian date.
func gregorianToJDN(gy, gm, gd int) int {
	d := (gy+(gm-8)/6+100100)*1461/4 + (153*((gm+9)%12)+2)/5 + gd - 34840408
	return d - (gy+100100+(gm-8)/6)/100*3/4 + 752
}

// jdnToGregorian returns the Gregorian date of a Julian day number.
func jdnToGregorian(jdn int) (gy, gm, gd int) {
	j := 4*jdn + 139361631
	j += (4*jdn+183187720)/146097*3/4*4 - 3908
	i := j%1461/4*5 + 308
	gd = i%153/5 + 1
	gm = i/153%12 + 1
	gy = j/1461 - 100100 + (8-gm)/6
	return gy, gm, gd
}

// toJalali converts a Gregorian date to the Solar Hijri calendar.
func toJalali(gy, gm, gd int) (jy, jm, jd int) {
	jdn := gregorianToJDN(gy, gm, gd)
	gy, _, _ = jdnToGregorian(jdn)
	jy = gy - 621
	leap, _, march := jalaliCal(jy)
	k := jdn - gregorianToJDN(gy, 3, march)
	if k >= 0 {
		if k <= 185 {
			return jy, 1 + k/31, k%31 + 1
		}
		k -= 186
	} else {
		jy--
		k += 179
		if leap == 1 {
			k++
		}
	}
	return jy, 7 + k/30, k%30 + 1
}
