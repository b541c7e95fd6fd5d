package stix

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// DefaultBatchSize is how many objects one write records: large enough
// that a commit's cost is shared by many objects, small enough that other
// writers wait little behind it.
const DefaultBatchSize = 2000

// Options set how an input is imported.
type Options struct {
	// Distribution shares every imported object; DefaultTLP marks those
	// without a TLP marking of their own.
	Distribution center.Distribution
	DefaultTLP   center.TLP
	// MaxObjectBytes caps one object (0: DefaultMaxObjectBytes).
	MaxObjectBytes int64
	// BatchSize is how many objects one write records (0:
	// DefaultBatchSize). With AllOrNothing the whole input is one write.
	BatchSize int
	// AllOrNothing records nothing if any object is rejected.
	AllOrNothing bool
	// Progress, if set, is called with the bytes read so far as the input
	// is read, twice over: first checked, then recorded.
	Progress func(pass int, read int64)
}

// A Summary is the outcome of an import.
type Summary struct {
	Objects     int         `json:"objects"`
	Imported    int         `json:"imported"`
	NewVersions int         `json:"new_versions"`
	Unchanged   int         `json:"unchanged"`
	Rejected    []Rejection `json:"rejected"`
}

// Add counts another summary into s.
func (s *Summary) Add(o Summary) {
	s.Objects += o.Objects
	s.Imported += o.Imported
	s.NewVersions += o.NewVersions
	s.Unchanged += o.Unchanged
	s.Rejected = append(s.Rejected, o.Rejected...)
}

// Opener opens the input afresh; an import reads it twice.
type Opener func() (io.ReadCloser, error)

// An Importer records STIX bundles through the one write path.
type Importer struct {
	Recorder *record.Recorder
	// Store is read for marking definitions recorded earlier.
	Store store.Reader
}

// Import records a bundle for the principal's party. It reads the input
// twice: first to check all of it, so that a bundle that turns out to be
// malformed, truncated or oversized at its last byte records nothing;
// then to record its objects in batches. Objects that are refused are
// listed with their reasons in the summary; the error is non-nil only when
// the input as a whole is refused (errors.Is(err, ErrInput)) or recording
// failed.
func (im Importer) Import(ctx context.Context, who center.Principal, open Opener, opt Options) (Summary, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatchSize
	}
	if opt.DefaultTLP == "" {
		opt.DefaultTLP = center.TLPAmber
	}
	rejected, n, err := im.check(ctx, who, open, opt)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Objects: n}
	for _, r := range rejected {
		sum.Rejected = append(sum.Rejected, r)
	}
	if opt.AllOrNothing && len(rejected) > 0 {
		sortRejections(sum.Rejected)
		return sum, nil
	}
	f, err := open()
	if err != nil {
		return Summary{}, fmt.Errorf("stix: reopen input: %w", err)
	}
	defer f.Close()
	// One goroutine reads and maps the next batch while this one records
	// the last: parsing and the database each get a core.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 1)
	var readErr error
	go func() {
		defer close(batches)
		readErr = im.read(ctx, f, rejected, opt, batches)
	}()
	for bt := range batches {
		sum.Unchanged += bt.standard
		sum.Rejected = append(sum.Rejected, bt.rejected...)
		if len(bt.objects) == 0 {
			continue
		}
		res, err := im.Recorder.ImportSTIX(ctx, who, record.STIXImport{
			Distribution: opt.Distribution, DefaultTLP: opt.DefaultTLP, Objects: bt.objects, AllOrNothing: opt.AllOrNothing})
		if err != nil && !errors.Is(err, record.ErrSTIXRejected) {
			cancel()
			for range batches {
			}
			return sum, err
		}
		if errors.Is(err, record.ErrSTIXRejected) {
			// Nothing of the batch was recorded: only its rejections count.
			for k, oc := range res.Outcomes {
				if oc == record.STIXRejected {
					sum.Rejected = append(sum.Rejected, Rejection{Index: bt.indexes[k], ID: bt.objects[k].ID, Reason: res.Reasons[k], Cause: res.Causes[k]})
				}
			}
			continue
		}
		for k, oc := range res.Outcomes {
			switch oc {
			case record.STIXImported:
				sum.Imported++
			case record.STIXNewVersion:
				sum.NewVersions++
			case record.STIXUnchanged:
				sum.Unchanged++
			case record.STIXRejected:
				sum.Rejected = append(sum.Rejected, Rejection{Index: bt.indexes[k], ID: bt.objects[k].ID, Reason: res.Reasons[k], Cause: res.Causes[k]})
			}
		}
	}
	if readErr != nil {
		return sum, readErr
	}
	sortRejections(sum.Rejected)
	return sum, nil
}

// A batch is what the reader hands the recorder: objects to record and
// what it settled itself.
type batch struct {
	objects  []record.STIXInput
	indexes  []int
	rejected []Rejection
	standard int // standard TLP marking definitions, known already
}

// read is the second pass's reader: it parses the input again and sends
// batches of objects to record, skipping those the first pass refused.
func (im Importer) read(ctx context.Context, f io.Reader, rejected map[int]Rejection, opt Options, out chan<- batch) error {
	rd := NewReader(f, opt.MaxObjectBytes)
	var bt batch
	send := func() bool {
		select {
		case out <- bt:
			bt = batch{}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		if opt.Progress != nil {
			opt.Progress(2, rd.BytesRead())
		}
		o, err := rd.Next()
		if err == io.EOF {
			break
		}
		var rej *Rejection
		if errors.As(err, &rej) {
			continue // counted by the first pass
		}
		if err != nil {
			// The first pass read the same bytes whole.
			return fmt.Errorf("stix: input changed between passes: %w", err)
		}
		if _, ok := rejected[o.Index]; ok {
			continue
		}
		if o.Type == "marking-definition" {
			if _, ok := StandardTLP(o.ID); ok {
				bt.standard++ // the center knows the standard ones
				continue
			}
		}
		in, rej2 := input(o)
		if rej2 != nil {
			bt.rejected = append(bt.rejected, *rej2)
			continue
		}
		bt.objects = append(bt.objects, in)
		bt.indexes = append(bt.indexes, o.Index)
		if !opt.AllOrNothing && len(bt.objects) >= opt.BatchSize {
			if !send() {
				return ctx.Err()
			}
		}
	}
	if !send() {
		return ctx.Err()
	}
	return nil
}

// check is the first pass: it reads the whole input, returning the
// objects it refuses by index and how many objects there are.
func (im Importer) check(ctx context.Context, who center.Principal, open Opener, opt Options) (map[int]Rejection, int, error) {
	f, err := open()
	if err != nil {
		return nil, 0, fmt.Errorf("stix: open input: %w", err)
	}
	defer f.Close()
	rd := NewReader(f, opt.MaxObjectBytes)
	rd.deferParse = true
	rejected := map[int]Rejection{}
	defined := map[string]bool{}
	// refs holds the objects that use a marking neither standard nor
	// (yet) defined: few in practice.
	type use struct {
		index int
		id    string
		ref   string
	}
	var refs []use
	n := 0
	// One goroutine tokenizes, this one checks: each gets a core.
	type raw struct {
		index int
		json  []byte
	}
	chunks := make(chan []raw, 4)
	var readErr error
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(chunks)
		chunk := make([]raw, 0, 256)
		send := func() bool {
			select {
			case chunks <- chunk:
				chunk = make([]raw, 0, 256)
				return true
			case <-stop:
				return false
			}
		}
		for k := 0; ; k++ {
			if opt.Progress != nil {
				opt.Progress(1, rd.BytesRead())
			}
			if k%4096 == 0 && ctx.Err() != nil {
				readErr = ctx.Err()
				return
			}
			o, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = err
				return
			}
			chunk = append(chunk, raw{o.Index, o.JSON})
			if len(chunk) == cap(chunk) && !send() {
				return
			}
		}
		send()
	}()
	for chunk := range chunks {
		for _, r := range chunk {
			n++
			o, err := parseObject(r.index, r.json, true)
			var rej *Rejection
			if errors.As(err, &rej) {
				rejected[rej.Index] = *rej
				continue
			}
			if err != nil {
				return nil, 0, err
			}
			if o.Type == "marking-definition" {
				defined[o.ID] = true
			}
			for _, m := range o.Markings {
				if _, ok := StandardTLP(m); !ok {
					refs = append(refs, use{o.Index, o.ID, m})
				}
			}
		}
	}
	if readErr != nil {
		return nil, 0, readErr
	}
	known := map[string]bool{}
	for _, u := range refs {
		if defined[u.ref] {
			continue
		}
		ok, seen := known[u.ref]
		if !seen {
			_, err := im.Store.STIXObjectVersions(ctx, who.Party(), u.ref)
			switch {
			case err == nil:
				ok = true
			case !errors.Is(err, center.ErrNotFound):
				return nil, 0, err
			}
			known[u.ref] = ok
		}
		if !ok {
			if _, dup := rejected[u.index]; !dup {
				const format = "unknown marking %s: not a TLP marking, not defined in the bundle nor recorded"
				rejected[u.index] = Rejection{Index: u.index, ID: u.id, Reason: fmt.Sprintf(format, u.ref), Format: format, Args: []any{u.ref}}
			}
		}
	}
	return rejected, n, nil
}

// input turns a checked object into what the write path records, mapping
// a report to its Tabadul draft.
func input(o Object) (record.STIXInput, *Rejection) {
	in := record.STIXInput{ID: o.ID, Type: o.Type, SpecVersion: o.SpecVersion, Version: o.Version, JSON: o.JSON, Digest: o.Digest}
	if t, ok := TLPOf(o.Markings); ok {
		in.TLP = t
	}
	if o.Type == "report" && center.ValidReportID(o.ID) {
		d, prop := reportDraft(o)
		if prop != "" {
			const format = "report property %q has the wrong type"
			return in, &Rejection{Index: o.Index, ID: o.ID, Reason: fmt.Sprintf(format, prop), Format: format, Args: []any{prop}}
		}
		in.Report = &d
	}
	return in, nil
}

// reportDraft maps a STIX report to a Tabadul report (see the mapping in
// doc.go), or names the property it could not read. The STIX object
// itself is kept whole beside it.
func reportDraft(o Object) (center.Draft, string) {
	var name, desc, lang, published, reliability string
	var labels []string
	var confidence *int
	for _, p := range []struct {
		name string
		v    any
	}{{"name", &name}, {"description", &desc}, {"lang", &lang}, {"published", &published},
		{"labels", &labels}, {"confidence", &confidence}, {"x_tabadul_reliability", &reliability}} {
		if _, err := o.Prop(p.name, p.v); err != nil {
			return center.Draft{}, p.name
		}
	}
	lim := center.DefaultLimits
	d := center.Draft{Title: truncateRunes(name, lim.MaxTitleRunes), Body: desc}
	if strings.TrimSpace(d.Body) == "" {
		d.Body = name
	}
	if l := strings.ToLower(lang); len(l) >= 2 && len(l) <= 3 {
		d.Language = l
	}
	for _, l := range labels {
		if len(d.Tags) < lim.MaxTags && utf8.RuneCountInString(l) <= lim.MaxTagRunes {
			d.Tags = append(d.Tags, l)
		}
	}
	if confidence != nil {
		d.Credibility = CredibilityOf(*confidence)
	}
	if r := center.Reliability(reliability); r.Valid() {
		d.Reliability = r
	}
	if t, err := ParseTimestamp(published); err == nil {
		d.ObservedAt = &t
	}
	return d, ""
}

// CredibilityOf maps a STIX confidence (0–100) to the Admiralty
// credibility, by STIX 2.1 Appendix B's scale read backwards: 80–100 is 1
// (confirmed), 60–79 is 2, 40–59 is 3, 20–39 is 4, 1–19 is 5, 0 is 6.
func CredibilityOf(confidence int) center.Credibility {
	switch {
	case confidence >= 80:
		return "1"
	case confidence >= 60:
		return "2"
	case confidence >= 40:
		return "3"
	case confidence >= 20:
		return "4"
	case confidence >= 1:
		return "5"
	}
	return "6"
}

// Confidence maps an Admiralty credibility to STIX confidence by STIX 2.1
// Appendix B: 1→90, 2→70, 3→50, 4→30, 5→10; 6 (cannot be judged) and ""
// have none.
func Confidence(c center.Credibility) (int, bool) {
	switch c {
	case "1":
		return 90, true
	case "2":
		return 70, true
	case "3":
		return 50, true
	case "4":
		return 30, true
	case "5":
		return 10, true
	}
	return 0, false
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func sortRejections(rs []Rejection) {
	slices.SortStableFunc(rs, func(a, b Rejection) int { return cmp.Compare(a.Index, b.Index) })
}

// stixTime renders a time as STIX does, to the microsecond.
func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
