package web

import (
	"strconv"
	"strings"
	"time"
)

// digits are each locale's digits 0–9: Arabic-Indic in Arabic (as written
// in Iraq and Syria), Extended Arabic-Indic in Persian.
var digits = map[string][10]rune{
	"ar": {'٠', '١', '٢', '٣', '٤', '٥', '٦', '٧', '٨', '٩'},
	"fa": {'۰', '۱', '۲', '۳', '۴', '۵', '۶', '۷', '۸', '۹'},
}

// groupSeparators separate thousands (CLDR): the Arabic thousands
// separator U+066C in Arabic and Persian, a no-break space in Russian.
var groupSeparators = map[string]string{"ar": "٬", "fa": "٬", "ru": "\u00a0", "en": ","}

// gregorianMonths are the Gregorian months' names: in Arabic the names used
// in Iraq and the Levant, in Russian the genitive a date takes.
var gregorianMonths = map[string][12]string{
	"ar": {"كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"},
	"fa": {"ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر"},
	"ru": {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// jalaliMonths are the Solar Hijri months' names.
var jalaliMonths = [12]string{"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"}

// Digits writes the ASCII digits of s in the locale's digits.
func (l *Locale) Digits(s string) string {
	ds, ok := digits[l.Lang]
	if !ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(ds[r-'0'])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Num writes an integer with the locale's digits and thousands separator.
func (l *Locale) Num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(groupSeparators[l.Lang])
		}
		b.WriteRune(r)
	}
	out := l.Digits(b.String())
	if neg {
		out = "-" + out
	}
	return out
}

// Date writes a day of the Gregorian calendar, in UTC, the center's time:
// "1 March 2027", "١ آذار ٢٠٢٧", "1 марта 2027 г.". Persian adds the Solar
// Hijri date.
func (l *Locale) Date(t time.Time) string {
	t = t.UTC()
	s := l.Digits(strconv.Itoa(t.Day())) + " " + gregorianMonths[l.Lang][t.Month()-1] + " " + l.Digits(strconv.Itoa(t.Year()))
	switch l.Lang {
	case "ru":
		s += " г."
	case "fa":
		s += " (" + l.Solar(t) + ")"
	}
	return s
}

// Solar writes the Solar Hijri date of t, in Persian: "۱۰ اسفند ۱۴۰۵".
// Iran's calendar turns at midnight Iran time; the center's days are UTC
// days, and a UTC day is given the Solar Hijri date it starts in.
func (l *Locale) Solar(t time.Time) string {
	t = t.UTC()
	jy, jm, jd := toJalali(t.Year(), int(t.Month()), t.Day())
	fa := Locale{Lang: "fa"}
	return fa.Digits(strconv.Itoa(jd)) + " " + jalaliMonths[jm-1] + " " + fa.Digits(strconv.Itoa(jy))
}

// DateTime writes a date and the time of day, in UTC.
func (l *Locale) DateTime(t time.Time) string {
	t = t.UTC()
	return l.Date(t) + " " + l.Digits(t.Format("15:04")) + " " + l.T("time.utc")
}

// ISO writes t as an RFC 3339 instant, for <time datetime>.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }
