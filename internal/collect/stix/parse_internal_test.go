package stix

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// The hand-written checks agree with the schemas' own patterns.
func TestChecksMatchTheSchemaPatterns(t *testing.T) {
	idRE := regexp.MustCompile(`^([a-z0-9][a-z0-9-]+[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)
	tsRE := regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?Z$`)
	typeRE := regexp.MustCompile(`^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-?$`)
	seeds := []string{
		"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "x-my--type--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"ab--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "2016-05-12T08:17:27.000Z", "2016-05-12T08:17:27Z", "2016-05-12T08:17:27.Z",
		"x-custom-", "a--b", "indicator", "ipv4-addr", "-x",
	}
	alphabet := "abz09-AF8T:.Z"
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := range 200000 {
		s := seeds[i%len(seeds)]
		b := []byte(s)
		for range rnd.IntN(3) {
			switch rnd.IntN(3) {
			case 0:
				if len(b) > 0 {
					b[rnd.IntN(len(b))] = alphabet[rnd.IntN(len(alphabet))]
				}
			case 1:
				if len(b) > 0 {
					j := rnd.IntN(len(b))
					b = append(b[:j], b[j+1:]...)
				}
			case 2:
				j := rnd.IntN(len(b) + 1)
				b = append(b[:j], append([]byte{alphabet[rnd.IntN(len(alphabet))]}, b[j:]...)...)
			}
		}
		s = string(b)
		if got, want := ValidID(s), idRE.MatchString(s); got != want {
			t.Fatalf("ValidID(%q) = %v, the pattern says %v", s, got, want)
		}
		if m := idRE.FindStringSubmatch(s); m != nil && idType(s) != m[1] {
			t.Fatalf("idType(%q) = %q, want %q", s, idType(s), m[1])
		}
		// The pattern lets any month have a 31st; time.Parse does not.
		if _, err := ParseTimestamp(s); tsRE.MatchString(s) && err != nil && s[8:10] <= "28" || !tsRE.MatchString(s) && err == nil {
			t.Fatalf("ParseTimestamp(%q) = %v, pattern %v", s, err, tsRE.MatchString(s))
		}
		if got, want := validType(s), typeRE.MatchString(s); got != want {
			t.Fatalf("validType(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
