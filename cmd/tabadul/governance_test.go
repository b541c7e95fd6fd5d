package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestGovernancePrintsTheCalendar founds a center from the example charter
// (Iraq first, three-month terms from its start date) and reads the
// calendar back from the binary.
func TestGovernancePrintsTheCalendar(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	if r := tabadul(t, "", "init", "--charter", "../../docs/charter.example.yaml", "--data", data); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	r := tabadul(t, "", "governance", "--data", data, "--terms", "4")
	if r.code != 0 {
		t.Fatalf("governance: %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if !strings.HasPrefix(lines[0], "Chair: ") {
		t.Fatalf("first line %q is not the chair banner", lines[0])
	}
	var terms []string
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 5 && (f[0] == "now" || strings.HasPrefix(f[0], "+")) {
			terms = append(terms, f[1])
		}
	}
	// Before the charter's start date no one chairs yet and four terms are
	// listed; after it, the current term and four more.
	if len(terms) != 4 && len(terms) != 5 {
		t.Fatalf("calendar has %d terms, want 4 or 5:\n%s", len(terms), r.stdout)
	}
	// The members chair in the charter's order, whoever chairs now.
	order := "IQ SY IR RU IQ SY IR RU IQ"
	if !strings.Contains(order, strings.Join(terms, " ")) {
		t.Errorf("terms %v do not follow the rotation order %s", terms, order)
	}
	if r := tabadul(t, "", "governance", "--data", data, "--terms", "0"); r.code != 2 {
		t.Errorf("--terms 0: exit %d, want 2", r.code)
	}
}
