package taxii

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// DefaultTLP marks an added object that carries no TLP marking, as the
// importer does.
const DefaultTLP = center.TLPAmber

// wrapStart opens the bundle each added object is read in.
const wrapStart = `{"type":"bundle","id":"bundle--6f0c0a8e-3f4c-4b6a-9a55-2f1de4f1c2a1","objects":[`

// The outcomes of an object of an addition.
const (
	pending = iota
	succeeded
	failed
)

// An addition records the objects of one POSTed envelope and keeps its
// status resource.
type addition struct {
	s    *Server
	who  center.Principal
	base store.TAXIIStatus
	objs []envelopeObject

	mu      sync.Mutex
	outcome []int8
	message []string
}

func newAddition(s *Server, who center.Principal, st store.TAXIIStatus, objs []envelopeObject) *addition {
	return &addition{s: s, who: who, base: st, objs: objs, outcome: make([]int8, len(objs)), message: make([]string, len(objs))}
}

func (a *addition) set(i int, outcome int8, format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.outcome[i], a.message[i] = outcome, fmt.Sprintf(format, args...)
}

// status is the status resource as it stands, objects in envelope order.
func (a *addition) status() store.TAXIIStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.base
	st.Successes, st.Failures, st.Pendings = []store.TAXIIStatusDetail{}, []store.TAXIIStatusDetail{}, []store.TAXIIStatusDetail{}
	for i, o := range a.objs {
		d := store.TAXIIStatusDetail{ID: o.id, Version: o.version, Message: a.message[i]}
		switch a.outcome[i] {
		case succeeded:
			st.Successes = append(st.Successes, d)
		case failed:
			st.Failures = append(st.Failures, d)
		default:
			st.Pendings = append(st.Pendings, d)
		}
	}
	return st
}

func (a *addition) put(ctx context.Context) error {
	return a.s.recorder.PutTAXIIStatus(ctx, a.status())
}

// run checks and records every object, then stores the final status. If
// ctx ends first (the server stops), what is not yet recorded is marked
// failed, so no status stays pending for ever.
func (a *addition) run(ctx context.Context) error {
	err := a.record(ctx)
	if err != nil {
		a.mu.Lock()
		for i, oc := range a.outcome {
			if oc == pending {
				a.outcome[i], a.message[i] = failed, "not recorded: the server stopped or failed before recording it; add it again"
			}
		}
		a.mu.Unlock()
	}
	// The final status is stored even when ctx has ended.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if perr := a.put(pctx); perr != nil {
		return errors.Join(err, fmt.Errorf("taxii: store status %s: %w", a.base.ID, perr))
	}
	return err
}

func (a *addition) record(ctx context.Context) error {
	s, party := a.s, a.who.Party()
	dist, ok, err := s.store.TAXIIDistribution(ctx, party)
	if err != nil {
		return err
	}
	if !ok {
		dist = center.Distribution{All: true}
	}
	// Check each object as the importer does.
	parsed := make([]*stix.Object, len(a.objs))
	defined := map[string]bool{}
	for i, eo := range a.objs {
		// Each object is read as the one object of a bundle, so that the
		// importer's checks apply to it exactly (an object given alone
		// would be taken for a bundle if it had "objects" of its own, as
		// observed-data may).
		wrapped := make([]byte, 0, len(eo.raw)+len(wrapStart)+2)
		wrapped = append(append(append(wrapped, wrapStart...), eo.raw...), "]}"...)
		o, err := stix.NewReader(bytes.NewReader(wrapped), 0).Next()
		var rej *stix.Rejection
		switch {
		case errors.As(err, &rej):
			a.set(i, failed, "%s", rej.Reason)
			continue
		case err != nil:
			a.set(i, failed, "%s", strings.TrimPrefix(err.Error(), stix.ErrInput.Error()+": "))
			continue
		}
		parsed[i] = &o
		if o.Type == "marking-definition" {
			defined[o.ID] = true
		}
	}
	known := map[string]bool{}
	var batch []record.STIXInput
	var index []int
	for i, o := range parsed {
		if o == nil {
			continue
		}
		if o.Type == "marking-definition" {
			if _, std := stix.StandardTLP(o.ID); std {
				a.set(i, succeeded, "a standard TLP marking definition, which the center knows")
				continue
			}
		}
		unknown, err := a.unknownMarking(ctx, o, defined, known)
		if err != nil {
			return err
		}
		if unknown != "" {
			a.set(i, failed, "unknown marking %s: not a TLP marking, not defined in the envelope nor recorded", unknown)
			continue
		}
		in, err := stix.RecordInput(*o)
		if err != nil {
			var rej *stix.Rejection
			if errors.As(err, &rej) {
				a.set(i, failed, "%s", rej.Reason)
				continue
			}
			return err
		}
		batch = append(batch, in)
		index = append(index, i)
	}
	for start := 0; start < len(batch); start += s.cfg.BatchSize {
		end := min(start+s.cfg.BatchSize, len(batch))
		res, err := s.recorder.ImportSTIX(ctx, a.who, record.STIXImport{Distribution: dist, DefaultTLP: DefaultTLP, Objects: batch[start:end]})
		if err != nil {
			return err
		}
		for k, oc := range res.Outcomes {
			i := index[start+k]
			switch oc {
			case record.STIXImported:
				a.set(i, succeeded, "")
			case record.STIXNewVersion:
				a.set(i, succeeded, "a new version")
			case record.STIXUnchanged:
				a.set(i, succeeded, "already recorded: this version or a newer one is held")
			default:
				a.set(i, failed, "%s", res.Reasons[k])
			}
		}
		// Progress is visible to a poller between batches; the last
		// batch's status is stored by run.
		if end < len(batch) {
			if err := a.put(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// unknownMarking returns the first marking of o that is neither a TLP
// marking, nor defined in the envelope, nor recorded and visible to the
// caller's party; "" if there is none.
func (a *addition) unknownMarking(ctx context.Context, o *stix.Object, defined, known map[string]bool) (string, error) {
	for _, m := range o.Markings {
		if _, std := stix.StandardTLP(m); std || defined[m] {
			continue
		}
		ok, seen := known[m]
		if !seen {
			_, err := a.s.store.STIXObjectVersions(ctx, a.who.Party(), m)
			switch {
			case err == nil:
				ok = true
			case !errors.Is(err, center.ErrNotFound):
				return "", err
			}
			known[m] = ok
		}
		if !ok {
			return m, nil
		}
	}
	return "", nil
}
