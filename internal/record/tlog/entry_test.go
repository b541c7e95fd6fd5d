package tlog_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/tlog"
)

var digest = bytes.Repeat([]byte{0xab}, 32)

func TestEntryEncoding(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 123456000, time.UTC)
	tests := []struct {
		desc  string
		entry tlog.Entry
		want  string // "" when Marshal must fail
	}{
		{"a report", tlog.Entry{ID: "event--1", Type: center.ReportSubmitted, Party: "IQ", User: "iq-analyst", At: at, Subject: "report--x", Digest: digest},
			"tabadul/event/v1\nid event--1\ntype report.submitted\nparty IQ\nuser iq-analyst\nat 2026-12-01T08:00:00.123456Z\nsubject report--x\ndigest " + strings.Repeat("ab", 32) + "\n"},
		{"no party or user", tlog.Entry{ID: "event--2", Type: center.PartyAdded, At: at.Truncate(time.Second), Subject: "IQ", Digest: digest},
			"tabadul/event/v1\nid event--2\ntype party.added\nparty\nuser\nat 2026-12-01T08:00:00.000000Z\nsubject IQ\ndigest " + strings.Repeat("ab", 32) + "\n"},
		{"a time in another zone is written in UTC", tlog.Entry{ID: "e", Type: "t", At: at.In(time.FixedZone("AST", 3*3600)), Subject: "s", Digest: digest},
			"tabadul/event/v1\nid e\ntype t\nparty\nuser\nat 2026-12-01T08:00:00.123456Z\nsubject s\ndigest " + strings.Repeat("ab", 32) + "\n"},
		{"Arabic in a subject", tlog.Entry{ID: "e", Type: "t", At: at, Subject: "لجنة", Digest: digest},
			"tabadul/event/v1\nid e\ntype t\nparty\nuser\nat 2026-12-01T08:00:00.123456Z\nsubject لجنة\ndigest " + strings.Repeat("ab", 32) + "\n"},
		{"a newline in a value", tlog.Entry{ID: "e", Type: "t", At: at, Subject: "a\nid forged", Digest: digest}, ""},
		{"a line separator in a value", tlog.Entry{ID: "e", Type: "t", At: at, Subject: "a\u2028b", Digest: digest}, ""},
		{"invalid UTF-8", tlog.Entry{ID: "e", Type: "t", At: at, Subject: "\xff", Digest: digest}, ""},
		{"a short digest", tlog.Entry{ID: "e", Type: "t", At: at, Subject: "s", Digest: digest[:31]}, ""},
		{"nanoseconds", tlog.Entry{ID: "e", Type: "t", At: at.Add(1), Subject: "s", Digest: digest}, ""},
		{"no time", tlog.Entry{ID: "e", Type: "t", Subject: "s", Digest: digest}, ""},
		{"no id", tlog.Entry{Type: "t", At: at, Subject: "s", Digest: digest}, ""},
		{"too large", tlog.Entry{ID: "e", Type: "t", At: at, Subject: strings.Repeat("x", tlog.MaxEntrySize), Digest: digest}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			b, err := tt.entry.Marshal()
			if tt.want == "" {
				if !errors.Is(err, tlog.ErrBadEntry) {
					t.Fatalf("Marshal = %q, %v; want ErrBadEntry", b, err)
				}
				return
			}
			if err != nil || string(b) != tt.want {
				t.Fatalf("Marshal = %q, %v\nwant %q", b, err, tt.want)
			}
			back, err := tlog.ParseEntry(b)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := back.Marshal()
			if !bytes.Equal(again, b) || !back.At.Equal(tt.entry.At) || back.Subject != tt.entry.Subject {
				t.Errorf("round trip: %+v", back)
			}
		})
	}
}

func TestParseEntryRefusesNonCanonicalForms(t *testing.T) {
	good, err := tlog.Entry{ID: "e", Type: "t", Party: "IQ", At: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Subject: "s", Digest: digest}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tlog.ParseEntry(good); err != nil {
		t.Fatal(err)
	}
	for desc, bad := range map[string]string{
		"no final newline":     strings.TrimSuffix(string(good), "\n"),
		"CRLF":                 strings.ReplaceAll(string(good), "\n", "\r\n"),
		"uppercase digest":     strings.Replace(string(good), strings.Repeat("ab", 32), strings.Repeat("AB", 32), 1),
		"an empty value space": strings.Replace(string(good), "user\n", "user \n", 1),
		"fields reordered":     strings.Replace(strings.Replace(string(good), "id e\ntype t\n", "type t\nid e\n", 1), "", "", 1),
		"another version":      strings.Replace(string(good), "/v1", "/v2", 1),
		"an extra line":        string(good) + "extra x\n",
		"a time with offset":   strings.Replace(string(good), "00:00:00.000000Z", "03:00:00.000000+03:00", 1),
		"seconds only":         strings.Replace(string(good), "00:00:00.000000Z", "00:00:00Z", 1),
		"two spaces":           strings.Replace(string(good), "party IQ", "party  IQ", 1),
		"empty":                "",
	} {
		if _, err := tlog.ParseEntry([]byte(bad)); !errors.Is(err, tlog.ErrBadEntry) {
			t.Errorf("%s: ParseEntry(%q) = %v, want ErrBadEntry", desc, bad, err)
		}
	}
}

// FuzzParseEntry checks that whatever ParseEntry accepts, Marshal gives
// back byte for byte: one event has one encoding.
func FuzzParseEntry(f *testing.F) {
	good, _ := tlog.Entry{ID: "event--1", Type: center.ReportSubmitted, Party: "IQ", User: "iq-analyst",
		At: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Subject: "report--x", Digest: digest}.Marshal()
	f.Add(good)
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := tlog.ParseEntry(b)
		if err != nil {
			if !errors.Is(err, tlog.ErrBadEntry) {
				t.Fatalf("ParseEntry error %v does not wrap ErrBadEntry", err)
			}
			return
		}
		again, err := e.Marshal()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("ParseEntry(%q) = %+v, which marshals to %q, %v", b, e, again, err)
		}
	})
}
