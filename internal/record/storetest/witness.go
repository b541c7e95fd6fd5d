package storetest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// lastEvent returns the newest event and how many there are.
func (f *fixture) lastEvent() (center.Event, int) {
	f.t.Helper()
	evs, err := f.s.Events(f.ctx, 0, 100000)
	if err != nil || len(evs) == 0 {
		f.t.Fatalf("Events = %d, %v", len(evs), err)
	}
	return evs[len(evs)-1], len(evs)
}

// wantWitnessEvent checks that the newest event is of type typ about w's
// party, committing to w's party, key and URL.
func (f *fixture) wantWitnessEvent(typ center.EventType, w store.Witness) {
	f.t.Helper()
	e, _ := f.lastEvent()
	content, _ := json.Marshal(struct {
		Party     center.PartyCode
		VKey, URL string
	}{w.Party, w.VKey, w.URL})
	if e.Type != typ || e.Subject != string(w.Party) || e.Party != "" || e.User != "" ||
		string(e.Digest) != string(record.Commitment(e.Salt, content)) {
		f.t.Errorf("last event = %s %s by %q, digest matches: %v; want %s %s by nobody, committing to %+v",
			e.Type, e.Subject, e.Party, string(e.Digest) == string(record.Commitment(e.Salt, content)), typ, w.Party, w)
	}
}

// witnessOf returns the party's registered witness.
func (f *fixture) witnessOf(p center.PartyCode) (store.Witness, bool) {
	f.t.Helper()
	ws, err := f.s.Witnesses(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, w := range ws {
		if w.Party == p {
			return w, true
		}
	}
	return store.Witness{}, false
}

// approveAll proposes an amendment as IQ's officer and has the voters
// approve it.
func (f *fixture) approveAll(a govern.Amendment, voters ...center.PartyCode) govern.Amendment {
	f.t.Helper()
	a, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), a)
	if err != nil {
		f.t.Fatalf("propose %s: %v", a.Kind, err)
	}
	for _, p := range voters {
		if a, err = f.rec.VoteOnAmendment(f.ctx, testkit.Officer(p), a.ID, true); err != nil {
			f.t.Fatalf("vote %s on %s: %v", p, a.Kind, err)
		}
	}
	return a
}

// allMembers are the members of testkit.Charter, who vote on amendments.
var allMembers = []center.PartyCode{"IQ", "SY", "IR", "RU"}

// testRegisterWitness checks the operator's registration: a first key is
// registered, the same key may move, a new key is refused (it takes an
// amendment), and each change is an event.
func testRegisterWitness(t *testing.T, f *fixture) {
	f.found()
	iq := store.Witness{Party: "IQ", VKey: testkit.WitnessVKey("witness/IQ"), URL: "http://iq.example:9380"}
	if err := f.rec.RegisterWitness(f.ctx, iq); err != nil {
		t.Fatal(err)
	}
	if got, ok := f.witnessOf("IQ"); !ok || got != iq {
		t.Fatalf("IQ's witness = %+v, %v", got, ok)
	}
	f.wantWitnessEvent(center.WitnessRegistered, iq)

	// The same registration again changes nothing and records nothing.
	_, n := f.lastEvent()
	if err := f.rec.RegisterWitness(f.ctx, iq); err != nil {
		t.Fatalf("registering the same witness again: %v", err)
	}
	if _, m := f.lastEvent(); m != n {
		t.Errorf("a registration that changed nothing recorded %d events", m-n)
	}

	// The same key at a new URL is a move.
	f.clock.Advance(time.Minute)
	moved := iq
	moved.URL = "https://iq.example/witness"
	if err := f.rec.RegisterWitness(f.ctx, moved); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.witnessOf("IQ"); got != moved {
		t.Errorf("IQ's witness after the move = %+v", got)
	}
	f.wantWitnessEvent(center.WitnessMoved, moved)

	// An associate's witness may be registered too.
	jo := store.Witness{Party: "JO", VKey: testkit.WitnessVKey("witness/JO"), URL: "http://jo.example"}
	if err := f.rec.RegisterWitness(f.ctx, jo); err != nil {
		t.Fatalf("registering an associate's witness: %v", err)
	}

	_, n = f.lastEvent()
	bad := []struct {
		desc string
		w    store.Witness
		want error
	}{
		{"a new key for a party that has one", store.Witness{Party: "IQ", VKey: testkit.WitnessVKey("witness/IQ"), URL: moved.URL}, center.ErrConflict},
		{"an unknown party", store.Witness{Party: "XX", VKey: testkit.WitnessVKey("witness/XX"), URL: "http://xx.example"}, center.ErrInvalid},
		{"a key that is not a cosignature key", store.Witness{Party: "SY", VKey: "witness/SY+00000000+AAAA", URL: "http://sy.example"}, center.ErrInvalid},
		{"a URL that is not http", store.Witness{Party: "SY", VKey: testkit.WitnessVKey("witness/SY"), URL: "ftp://sy.example"}, center.ErrInvalid},
		{"a URL with no host", store.Witness{Party: "SY", VKey: testkit.WitnessVKey("witness/SY"), URL: "http://"}, center.ErrInvalid},
		{"another party's key", store.Witness{Party: "SY", VKey: iq.VKey, URL: "http://sy.example"}, center.ErrInvalid},
	}
	for _, tt := range bad {
		err := f.rec.RegisterWitness(f.ctx, tt.w)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.desc, err, tt.want)
		}
		if tt.want == center.ErrConflict && (err == nil || !strings.Contains(err.Error(), "set_witness")) {
			t.Errorf("%s: %v does not point to the amendment", tt.desc, err)
		}
	}
	if _, m := f.lastEvent(); m != n {
		t.Errorf("refused registrations recorded %d events", m-n)
	}
	if got, _ := f.witnessOf("IQ"); got != moved {
		t.Errorf("a refused registration changed IQ's witness: %+v", got)
	}
	if keys, err := f.s.WitnessKeys(f.ctx); err != nil || len(keys) != 2 {
		t.Errorf("WitnessKeys = %+v, %v; want IQ's and JO's", keys, err)
	}
}

// testCharterWitnesses checks that a charter's witnesses are registered at
// founding, and that a charter with a malformed key founds nothing.
func testCharterWitnesses(t *testing.T, f *fixture) {
	ch := testkit.Charter()
	ch.Witnesses = []center.Witness{{Party: "IQ", VKey: "witness/IQ+00000000+AAAA", URL: "http://iq.example"}}
	if err := f.rec.Found(f.ctx, ch); !errors.Is(err, center.ErrInvalid) {
		t.Fatalf("Found with a malformed witness key = %v, want ErrInvalid", err)
	}
	if founded, _ := f.rec.Founded(f.ctx); founded {
		t.Fatal("a refused charter founded the center")
	}
	iq := store.Witness{Party: "IQ", VKey: testkit.WitnessVKey("witness/IQ"), URL: "http://iq.example"}
	sy := store.Witness{Party: "SY", VKey: testkit.WitnessVKey("witness/SY"), URL: "https://sy.example"}
	ch.Witnesses = []center.Witness{iq, sy}
	if err := f.rec.Found(f.ctx, ch); err != nil {
		t.Fatal(err)
	}
	if ws, err := f.s.Witnesses(f.ctx); err != nil || len(ws) != 2 || ws[0] != iq || ws[1] != sy {
		t.Fatalf("Witnesses after founding = %+v, %v", ws, err)
	}
	evs, err := f.s.SubjectEvents(f.ctx, "SY")
	if err != nil || !containsType(evs, center.WitnessRegistered) {
		t.Errorf("no witness.registered event about SY: %+v, %v", evs, err)
	}
	other := sy
	other.VKey = testkit.WitnessVKey("witness/SY")
	if err := f.rec.RegisterWitness(f.ctx, other); !errors.Is(err, center.ErrConflict) {
		t.Errorf("a new key for a witness the charter names = %v, want ErrConflict", err)
	}
}

func containsType(evs []store.LogEvent, t center.EventType) bool {
	for _, e := range evs {
		if e.Type == t {
			return true
		}
	}
	return false
}

// testWitnessAmendments checks set_witness and set_witness_quorum: what
// they may propose, what they change when approved, and their events.
func testWitnessAmendments(t *testing.T, f *fixture) {
	f.found()
	iq := store.Witness{Party: "IQ", VKey: testkit.WitnessVKey("witness/IQ"), URL: "http://iq.example"}
	sy := store.Witness{Party: "SY", VKey: testkit.WitnessVKey("witness/SY"), URL: "http://sy.example"}
	for _, w := range []store.Witness{iq, sy} {
		if err := f.rec.RegisterWitness(f.ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	setWitness := func(p center.PartyCode, vkey, url string) govern.Amendment {
		return govern.Amendment{Kind: govern.SetWitnessAmendment, Party: string(p), VKey: vkey, URL: url}
	}
	quorum := func(q int) govern.Amendment {
		return govern.Amendment{Kind: govern.SetWitnessQuorumAmendment, Quorum: q}
	}
	// A log's key, not a witness's: Ed25519 signed-note, not cosignature.
	_, noteKey, err := note.GenerateKey(rand.Reader, "witness/IQ")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		desc string
		a    govern.Amendment
	}{
		{"set_witness of an unknown party", setWitness("XX", testkit.WitnessVKey("witness/XX"), "http://xx.example")},
		{"set_witness without a key", setWitness("IQ", "", "http://iq.example")},
		{"set_witness with a malformed key", setWitness("IQ", "witness/IQ+00000000+AAAA", "http://iq.example")},
		{"set_witness with a signed-note key", setWitness("IQ", noteKey, "http://iq.example")},
		{"set_witness with a bad URL", setWitness("IQ", testkit.WitnessVKey("witness/IQ"), "iq.example")},
		{"set_witness with the key it has", setWitness("IQ", iq.VKey, "http://iq2.example")},
		{"set_witness with another party's key", setWitness("IQ", sy.VKey, "http://iq.example")},
		{"a negative quorum", quorum(-1)},
		{"a quorum over the members", quorum(5)},
		{"the quorum it is", quorum(0)},
	} {
		if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), tt.a); !errors.Is(err, center.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tt.desc, err)
		}
	}

	// A new key for IQ, by amendment: the old key ends as the new one
	// starts, at the approval.
	f.clock.Advance(time.Hour)
	newIQ := store.Witness{Party: "IQ", VKey: testkit.WitnessVKey("witness/IQ"), URL: "https://iq.example/w"}
	a := f.approveAll(setWitness("IQ", newIQ.VKey, newIQ.URL), allMembers...)
	if st := a.Status(codes(allMembers), f.clock.Now()); st != govern.Approved {
		t.Fatalf("amendment %s", st)
	}
	approved := a.Votes[len(a.Votes)-1].At
	if got, _ := f.witnessOf("IQ"); got != newIQ {
		t.Fatalf("IQ's witness after the amendment = %+v", got)
	}
	evs, err := f.s.SubjectEvents(f.ctx, "IQ")
	if err != nil {
		t.Fatal(err)
	}
	if e := evs[len(evs)-1]; e.Type != center.WitnessSet || !e.At.Equal(approved) {
		t.Errorf("IQ's last event = %s at %s, want %s at the approval, %s", e.Type, e.At, center.WitnessSet, approved)
	}
	keys, err := f.s.WitnessKeys(f.ctx)
	if err != nil || len(keys) != 3 || keys[0].VKey != iq.VKey || !keys[0].Until.Equal(approved) ||
		keys[1].VKey != newIQ.VKey || !keys[1].Since.Equal(approved) || !keys[1].Until.IsZero() {
		t.Errorf("WitnessKeys = %+v, %v", keys, err)
	}
	// IQ's former key stays IQ's: no other party may take it.
	if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), setWitness("SY", iq.VKey, "http://sy.example")); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("set_witness with another party's former key: %v, want ErrInvalid", err)
	}
	// The operator may move the new witness, but not bring back the old key.
	if err := f.rec.RegisterWitness(f.ctx, iq); !errors.Is(err, center.ErrConflict) {
		t.Errorf("re-registering IQ's former key = %v, want ErrConflict", err)
	}
	// set_witness may name a party's first witness.
	jo := store.Witness{Party: "JO", VKey: testkit.WitnessVKey("witness/JO"), URL: "http://jo.example"}
	f.approveAll(setWitness("JO", jo.VKey, jo.URL), allMembers...)
	if got, ok := f.witnessOf("JO"); !ok || got != jo {
		t.Errorf("JO's witness = %+v, %v", got, ok)
	}

	// An amendment that would change nothing by the time it is approved
	// is refused at the last vote.
	third := testkit.WitnessVKey("witness/SY")
	first, _ := f.rec.ProposeAmendment(f.ctx, testkit.Officer("SY"), setWitness("SY", third, "http://sy.example"))
	second, _ := f.rec.ProposeAmendment(f.ctx, testkit.Officer("SY"), setWitness("SY", third, "http://sy.example"))
	for _, p := range allMembers {
		if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer(p), first.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range allMembers {
		_, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer(p), second.ID, true)
		if last := i == len(allMembers)-1; last != (err != nil) || last && !errors.Is(err, center.ErrConflict) {
			t.Errorf("vote %d of %s on a stale set_witness: %v", i, p, err)
		}
	}

	// The quorum: set, then back to the default.
	if v, _ := f.s.Meta(f.ctx, record.MetaWitnessQuorum); v != "0" {
		t.Fatalf("the charter's quorum = %q, want 0", v)
	}
	f.approveAll(quorum(4), allMembers...)
	if v, _ := f.s.Meta(f.ctx, record.MetaWitnessQuorum); v != "4" {
		t.Errorf("quorum after the amendment = %q, want 4", v)
	}
	if e, _ := f.lastEvent(); e.Type != center.AmendmentApproved {
		t.Errorf("last event = %s, want the approval", e.Type)
	}
	if evs, _ := f.s.SubjectEvents(f.ctx, "witness_quorum"); len(evs) != 1 || evs[0].Type != center.WitnessQuorumSet {
		t.Errorf("quorum events = %+v", evs)
	}
	// With a quorum of 4 among 5 parties, one more may leave, not two.
	f.approveAll(govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "JO"}, allMembers...)
	if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "RU"}); !errors.Is(err, center.ErrInvalid) ||
		!strings.Contains(err.Error(), "set_witness_quorum") {
		t.Errorf("a removal below the witness quorum = %v, want ErrInvalid naming set_witness_quorum", err)
	}
	f.approveAll(quorum(0), allMembers...)
	if v, _ := f.s.Meta(f.ctx, record.MetaWitnessQuorum); v != "0" {
		t.Errorf("quorum back to the default = %q, want 0", v)
	}
	// A removed party's witness can no longer be set or registered.
	if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), setWitness("JO", testkit.WitnessVKey("witness/JO"), "http://jo.example")); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("set_witness of a removed party = %v, want ErrInvalid", err)
	}
	if err := f.rec.RegisterWitness(f.ctx, store.Witness{Party: "JO", VKey: jo.VKey, URL: "http://jo2.example"}); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("moving a removed party's witness = %v, want ErrInvalid", err)
	}
}

func codes(ps []center.PartyCode) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}
