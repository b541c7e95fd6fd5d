package testkit

import (
	"strings"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// Roster returns the seed's four members IQ, SY, IR, RU, an associate JO,
// and two committees: "regional" (IQ, SY, JO) and "quad" (all four members).
func Roster() center.Directory {
	party := func(code center.PartyCode, kind center.PartyKind, ar, fa, ru, en string) center.Party {
		return center.Party{Code: code, Kind: kind, Names: center.Names{"ar": ar, "fa": fa, "ru": ru, "en": en}}
	}
	return center.Directory{
		Parties: []center.Party{
			party("IQ", center.Member, "العراق", "عراق", "Ирак", "Iraq"),
			party("SY", center.Member, "سوريا", "سوریه", "Сирия", "Syria"),
			party("IR", center.Member, "إيران", "ایران", "Иран", "Iran"),
			party("RU", center.Member, "روسيا", "روسیه", "Россия", "Russia"),
			party("JO", center.Associate, "الأردن", "اردن", "Иордания", "Jordan"),
		},
		Committees: []center.Committee{
			{Code: "regional", Names: center.Names{"en": "Regional states", "ar": "الدول الإقليمية"}, Members: []center.PartyCode{"IQ", "SY", "JO"}},
			{Code: "quad", Names: center.Names{"en": "Quadrilateral centre"}, Members: []center.PartyCode{"IQ", "SY", "IR", "RU"}},
		},
	}
}

// Analyst returns a principal for an analyst of party p.
func Analyst(p center.PartyCode) center.Principal {
	return center.Principal{User: center.User{Username: strings.ToLower(string(p)) + "-analyst", Party: p, Role: center.Analyst}}
}

// Officer returns a principal for an officer of party p.
func Officer(p center.PartyCode) center.Principal {
	return center.Principal{User: center.User{Username: strings.ToLower(string(p)) + "-officer", Party: p, Role: center.Officer}}
}

// Charter returns a charter founding Roster, with the seed's rotation: IQ,
// SY, IR, RU in that order, IQ first, three-month terms from 1 December 2026.
func Charter() center.Charter {
	dir := Roster()
	return center.Charter{
		Parties:    dir.Parties,
		Committees: dir.Committees,
		Rotation: center.Rotation{
			Order:      []center.PartyCode{"IQ", "SY", "IR", "RU"},
			FirstChair: "IQ",
			Start:      time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
			TermMonths: 3, MaxTermMonths: 3,
		},
	}
}
