package misp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/fetch"
	"github.com/tabadul/tabadul/internal/collect/stix"
)

// Options set how MISP data is imported.
type Options struct {
	// STIX are the options of the STIX import each event goes through;
	// its Distribution is what MISP distributions 1 and 2 (community)
	// map to.
	STIX stix.Options
}

// MaxEventBytes caps one event file.
const MaxEventBytes = 64 << 20

// ImportEvents records one MISP event or a list of them for the
// principal's party.
func ImportEvents(ctx context.Context, im stix.Importer, who center.Principal, b []byte, opt Options) (stix.Summary, error) {
	evs, err := ParseEvents(b)
	if err != nil {
		return stix.Summary{}, fmt.Errorf("%w: %w", stix.ErrInput, err)
	}
	var total stix.Summary
	for _, ev := range evs {
		sum, err := importEvent(ctx, im, who, ev, opt)
		total.Add(sum)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func importEvent(ctx context.Context, im stix.Importer, who center.Principal, ev Event, opt Options) (stix.Summary, error) {
	conv, err := Convert(ev)
	if err != nil {
		rj := stix.Rejection{ID: "misp-event " + string(ev.UUID), Reason: err.Error()}
		var me *Error
		if errors.As(err, &me) {
			rj.Format, rj.Args = me.Format, me.Args
		}
		return stix.Summary{Objects: 1, Rejected: []stix.Rejection{rj}}, nil
	}
	var total stix.Summary
	for _, r := range []Reach{ReachAll, ReachImport, ReachParty} {
		b, ok := conv.Bundles[r]
		if !ok {
			continue
		}
		o := opt.STIX
		switch r {
		case ReachAll:
			o.Distribution = center.Distribution{All: true}
		case ReachParty:
			o.Distribution = center.Distribution{Parties: []center.PartyCode{who.Party()}}
		}
		sum, err := im.Import(ctx, who, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, o)
		for i := range sum.Rejected {
			sum.Rejected[i].Reason = "misp event " + string(ev.UUID) + ": " + sum.Rejected[i].Reason
		}
		total.Add(sum)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// A FeedSource serves a MISP feed's files by name: manifest.json,
// <uuid>.json and hashes.csv.
type FeedSource interface {
	Open(ctx context.Context, name string) (io.ReadCloser, error)
}

// DirFeed is a feed in a local folder.
type DirFeed string

// Open implements FeedSource.
func (d DirFeed) Open(_ context.Context, name string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(string(d), name))
}

// HTTPFeed is a feed served over HTTP: URL ends with "/" and the files
// are under it.
type HTTPFeed struct {
	URL    string
	Client *fetch.Client
	// Header is sent with every request (an Authorization, say).
	Header http.Header
}

// Open implements FeedSource; the body is read whole, within the client's
// cap.
func (h HTTPFeed) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	resp, err := h.Client.Get(ctx, fetch.Request{URL: strings.TrimSuffix(h.URL, "/") + "/" + name, Header: h.Header})
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) && se.Status == http.StatusNotFound {
			return nil, fmt.Errorf("misp: feed %s: %w", name, os.ErrNotExist)
		}
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(resp.Body)), nil
}

// ManifestEntry is what a feed's manifest says of one event.
type ManifestEntry struct {
	Info      flex  `json:"info"`
	Timestamp flex  `json:"timestamp"`
	Orgc      *Org  `json:"Orgc"`
	Tag       []Tag `json:"Tag"`
}

var feedUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func readAll(ctx context.Context, src FeedSource, name string, limit int64) ([]byte, error) {
	f, err := src.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: feed file %s is over %d bytes", stix.ErrInput, name, limit)
	}
	return b, nil
}

// ImportFeed records every event a MISP feed lists in its manifest, in
// the manifest's order of UUIDs. The manifest's timestamps are the
// events' versions: an event already held at that version is counted
// unchanged by the STIX versioning rule. hashes.csv, a correlation cache,
// is checked for form when present and otherwise not needed.
func ImportFeed(ctx context.Context, im stix.Importer, who center.Principal, src FeedSource, opt Options) (stix.Summary, error) {
	b, err := readAll(ctx, src, "manifest.json", MaxEventBytes)
	if err != nil {
		return stix.Summary{}, fmt.Errorf("misp: feed manifest: %w", err)
	}
	var manifest map[string]ManifestEntry
	if err := json.Unmarshal(b, &manifest); err != nil {
		return stix.Summary{}, fmt.Errorf("%w: misp feed manifest: %w", stix.ErrInput, err)
	}
	ids := make([]string, 0, len(manifest))
	for id := range manifest {
		if !feedUUID.MatchString(id) {
			return stix.Summary{}, fmt.Errorf("%w: misp feed manifest: %q is not an event UUID", stix.ErrInput, id)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if hb, err := readAll(ctx, src, "hashes.csv", MaxEventBytes); err == nil {
		if err := checkHashes(hb, manifest); err != nil {
			return stix.Summary{}, err
		}
	}
	var total stix.Summary
	for _, id := range ids {
		eb, err := readAll(ctx, src, id+".json", MaxEventBytes)
		if err != nil {
			total.Objects++
			total.Rejected = append(total.Rejected, stix.Rejection{ID: "misp-event " + id, Reason: "cannot read the event: " + err.Error()})
			continue
		}
		evs, err := ParseEvents(eb)
		if err != nil || len(evs) != 1 || !strings.EqualFold(string(evs[0].UUID), id) {
			reason := "the event file does not hold exactly that event"
			if err != nil {
				reason = err.Error()
			}
			total.Objects++
			total.Rejected = append(total.Rejected, stix.Rejection{ID: "misp-event " + id, Reason: reason})
			continue
		}
		if evs[0].Timestamp == "" {
			evs[0].Timestamp = manifest[id].Timestamp
		}
		sum, err := importEvent(ctx, im, who, evs[0], opt)
		total.Add(sum)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// checkHashes checks hashes.csv: "<hex digest>,<event uuid>" per line,
// each uuid one of the manifest's.
func checkHashes(b []byte, manifest map[string]ManifestEntry) error {
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		h, id, ok := strings.Cut(line, ",")
		if !ok || !isHex(h) || len(h) < 32 {
			return fmt.Errorf("%w: misp feed hashes.csv line %d is not <hex digest>,<event uuid>", stix.ErrInput, i+1)
		}
		if _, ok := manifest[id]; !ok {
			return fmt.Errorf("%w: misp feed hashes.csv line %d names event %q, not in the manifest", stix.ErrInput, i+1, id)
		}
	}
	return nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}
