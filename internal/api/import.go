package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/misp"
	"github.com/tabadul/tabadul/internal/collect/stix"
)

// maxImportBytes bounds an import's request body; larger bundles go
// through `tabadul import`, which streams from disk.
const maxImportBytes = 64 << 20

type importInput struct {
	Format    string   `query:"format" enum:"stix,misp" doc:"The body's format; detected when absent (MISP events carry \"Event\" or \"Attribute\")."`
	TLP       string   `query:"tlp" doc:"The TLP of objects without a TLP marking of their own (default AMBER)." example:"GREEN"`
	To        []string `query:"to" doc:"Share with these parties only (comma-separated); every member when neither to nor committee is given."`
	Committee string   `query:"committee" doc:"Share with this committee only."`
	RawBody   []byte
}

type importOutput struct {
	Body stix.Summary
}

// importBundle records a STIX bundle or MISP events as the caller's party.
// It records all of it or nothing: a rejected object refuses the whole
// request with every reason listed.
func (s *Server) importBundle(ctx context.Context, in *importInput) (*importOutput, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	opt := stix.Options{AllOrNothing: true, DefaultTLP: center.TLPAmber}
	e := &requestError{}
	if in.TLP != "" {
		t, ok := center.ParseTLP(in.TLP)
		if !ok {
			e.add("query.tlp", in.TLP, "must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED")
		}
		opt.DefaultTLP = t
	}
	switch {
	case len(in.To) > 0 && in.Committee != "":
		e.add("query.to", nil, "give to or committee, not both")
	case len(in.To) > 0:
		for _, p := range in.To {
			for _, q := range strings.Split(p, ",") {
				opt.Distribution.Parties = append(opt.Distribution.Parties, center.PartyCode(strings.ToUpper(strings.TrimSpace(q))))
			}
		}
	case in.Committee != "":
		opt.Distribution.Committee = in.Committee
	default:
		opt.Distribution.All = true
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	format := in.Format
	if format == "" {
		head := in.RawBody[:min(len(in.RawBody), 4096)]
		format = "stix"
		if bytes.Contains(head, []byte(`"Event"`)) || bytes.Contains(head, []byte(`"Attribute"`)) {
			format = "misp"
		}
	}
	im := stix.Importer{Recorder: s.recorder, Store: s.store}
	var sum stix.Summary
	if format == "misp" {
		sum, err = misp.ImportEvents(ctx, im, who, in.RawBody, misp.Options{STIX: opt})
	} else {
		sum, err = im.Import(ctx, who, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(in.RawBody)), nil }, opt)
	}
	if errors.Is(err, stix.ErrInput) {
		return nil, center.Invalid("bundle", "%s", strings.TrimPrefix(err.Error(), stix.ErrInput.Error()+": "))
	}
	if err != nil {
		return nil, err
	}
	if len(sum.Rejected) > 0 {
		inv := &center.InvalidError{}
		for _, r := range sum.Rejected {
			inv.Fields = append(inv.Fields, center.FieldError{Field: fmt.Sprintf("objects[%d]", r.Index), Message: r.Error()})
		}
		return nil, inv
	}
	return &importOutput{Body: sum}, nil
}
