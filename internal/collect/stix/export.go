package stix

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// partyNamespace derives a party's identity id from its code, so that the
// same party is the same identity in every export.
var partyNamespace = uuid.MustParse("6f3b7c1e-2d4a-5b8e-9c0f-1a2b3c4d5e6f")

// PartyIdentity returns the STIX identity id of a party.
func PartyIdentity(code center.PartyCode) string {
	return "identity--" + uuid.NewSHA1(partyNamespace, []byte("tabadul party "+string(code))).String()
}

// identityCreated is the created/modified time of the parties' identity
// objects: fixed, so that every export of a party's identity is the same
// version.
const identityCreated = "2026-01-01T00:00:00.000Z"

// Export writes, as one STIX 2.1 bundle, everything viewer may see: the
// newest version of every STIX object it may see (exactly as recorded)
// and the newest version of every report it may see that is not revoked
// (as recorded when it came in as STIX and has not changed since, else
// mapped from the Tabadul report), with the TLP 2.0 marking definitions
// and party identities they refer to. It streams: memory grows with the
// number of reports, not their size.
//
// What viewer may see is decided by the stored audience, as for every
// read: an AMBER+STRICT or RED report reaches only its distribution.
func Export(ctx context.Context, st store.Reader, viewer center.PartyCode, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	dir, err := st.Directory(ctx)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(bw, `{"type":"bundle","id":"bundle--%s","objects":[`, uuid.NewString())
	n := 0
	emit := func(b []byte) {
		if n > 0 {
			bw.WriteByte(',')
		}
		bw.Write(b)
		n++
	}
	emitted := map[string]bool{}
	need := map[string]any{}
	var needOrder []string
	require := func(id string, obj any) {
		if !emitted[id] && need[id] == nil {
			need[id] = obj
			needOrder = append(needOrder, id)
		}
	}
	reportSeen := map[string]bool{}
	q := store.STIXQuery{LatestOnly: true, Limit: 1000}
	for {
		page, err := st.STIXObjects(ctx, viewer, q)
		if err != nil {
			return n, err
		}
		for _, o := range page.Objects {
			if o.Report != "" {
				reportSeen[o.Report] = true
				rep, err := st.Report(ctx, viewer, o.Report)
				if err != nil || rep.Revoked != nil {
					continue // not visible in its newest version, or revoked
				}
				if rep.Seq != o.ReportSeq {
					continue // revised since in Tabadul: mapped below
				}
			}
			if o.Type == "marking-definition" || o.Type == "identity" {
				if emitted[o.ID] {
					continue
				}
				delete(need, o.ID)
			}
			// Two parties may hold the same version of an object (an
			// observable, say): it goes out once.
			key := o.ID + "|" + stixTime(o.Modified)
			if emitted[key] {
				continue
			}
			emitted[key], emitted[o.ID] = true, true
			emit(o.JSON)
		}
		if !page.More {
			break
		}
		q.AddedAfter = page.Objects[len(page.Objects)-1].Added
	}
	rq := store.ReportQuery{Limit: store.MaxPageSize, Revoked: new(bool)}
	for {
		page, err := st.Reports(ctx, viewer, rq)
		if err != nil {
			return n, err
		}
		for _, rep := range page.Items {
			if reportSeen[rep.ID] {
				// Its STIX row was either emitted or stale.
				objs, err := st.STIXObjectVersions(ctx, viewer, rep.ID)
				if err == nil && objs[len(objs)-1].ReportSeq == rep.Seq {
					continue
				}
			}
			obj := ReportObject(rep)
			b, err := json.Marshal(obj)
			if err != nil {
				return n, fmt.Errorf("stix: export report %s: %w", rep.ID, err)
			}
			emitted[rep.ID] = true
			emit(b)
			require(MarkingID(rep.TLP), MarkingDefinition(rep.TLP))
			p, _ := dir.Party(rep.Source)
			require(PartyIdentity(rep.Source), identityObject(rep.Source, p))
		}
		if page.Next == 0 {
			break
		}
		rq.After = page.Next
	}
	for _, id := range needOrder {
		if obj, ok := need[id]; ok && !emitted[id] {
			b, err := json.Marshal(obj)
			if err != nil {
				return n, fmt.Errorf("stix: export %s: %w", id, err)
			}
			emit(b)
		}
	}
	bw.WriteString("]}\n")
	return n, bw.Flush()
}

func identityObject(code center.PartyCode, p center.Party) map[string]any {
	name := p.Names.In("en")
	if name == "" {
		name = string(code)
	}
	return map[string]any{
		"type": "identity", "spec_version": "2.1", "id": PartyIdentity(code),
		"created": identityCreated, "modified": identityCreated,
		"name": name, "identity_class": "organization",
		"x_tabadul_party": string(code),
	}
}

// ReportObject maps a Tabadul report version to a STIX 2.1 report. The
// report refers to its source party's identity, which a STIX report must
// refer to something and which every reader can resolve.
func ReportObject(rep center.Report) map[string]any {
	published := rep.Created
	if rep.ObservedAt != nil {
		published = *rep.ObservedAt
	}
	obj := map[string]any{
		"type": "report", "spec_version": "2.1", "id": rep.ID,
		"created": stixTime(rep.Created), "modified": stixTime(rep.Version),
		"created_by_ref": PartyIdentity(rep.Source),
		"name":           rep.Title, "description": rep.Body,
		"published":           stixTime(published),
		"report_types":        []string{"threat-report"},
		"object_refs":         []string{PartyIdentity(rep.Source)},
		"object_marking_refs": []string{MarkingID(rep.TLP)},
		"x_tabadul_source":    string(rep.Source),
	}
	if rep.Language != "" {
		obj["lang"] = rep.Language
	}
	if len(rep.Tags) > 0 {
		obj["labels"] = rep.Tags
	}
	if c, ok := Confidence(rep.Credibility); ok {
		obj["confidence"] = c
	}
	if rep.Reliability != "" {
		obj["x_tabadul_reliability"] = string(rep.Reliability)
	}
	return obj
}
