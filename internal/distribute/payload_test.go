package distribute

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// TestPayloadIsItsJSON: the body assembled around a version's cached JSON
// is byte for byte json.Marshal of the Payload, for every party's entry
// of the version, and a revoked or erased version is never served from
// the cache.
func TestPayloadIsItsJSON(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	rep := center.Report{Seq: 7, ID: "report--1", Version: at, Created: at, Source: "IQ", Author: "iq-analyst",
		Title: "قافلة <شاحنات> & \"convoy\"", Body: "Колонна\n\u2028 грузовиков", Language: "ar", TLP: center.TLPAmber,
		Distribution: center.Distribution{Parties: []center.PartyCode{"SY"}}, Tags: []string{"a&b"},
		Audience: []center.PartyCode{"IQ", "SY"}}
	revoked := rep
	revokedAt := at.Add(time.Hour)
	revoked.Revoked = &revokedAt
	purged := revoked
	purged.Purged = &revokedAt
	purged.Body = ""
	w := &Worker{}
	for i, it := range []store.InboxItem{
		{InboxEntry: store.InboxEntry{Seq: 1, Party: "IQ", Type: store.InboxCreated, Report: rep.ID, VersionSeq: 7, At: at}, Version: rep},
		{InboxEntry: store.InboxEntry{Seq: 2, Party: "SY", Type: store.InboxShared, Report: rep.ID, VersionSeq: 7, At: at.Add(time.Second)}, Version: rep},
		{InboxEntry: store.InboxEntry{Seq: 3, Party: "SY", Type: store.InboxRevoked, Report: rep.ID, VersionSeq: 7, At: revokedAt}, Version: revoked},
		{InboxEntry: store.InboxEntry{Seq: 1 << 40, Party: "IQ", Type: store.InboxRevoked, Report: rep.ID, VersionSeq: 7, At: revokedAt}, Version: purged},
	} {
		got, err := w.payload(it)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(Payload{Type: it.Type, Timestamp: it.At, Data: it.Version, EventSeq: it.Seq})
		if !bytes.Equal(got, want) {
			t.Errorf("entry %d:\n got %s\nwant %s", i, got, want)
		}
	}
	if len(w.versions) != 1 {
		t.Errorf("%d versions cached, want the one neither revoked nor erased", len(w.versions))
	}
}
