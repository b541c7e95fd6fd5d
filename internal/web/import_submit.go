package web

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/misp"
	"github.com/tabadul/tabadul/internal/collect/stix"
)

// maxImportBytes bounds a bundle uploaded from the page, as the API
// bounds its request; larger ones go through `tabadul import`.
const maxImportBytes = 64 << 20

// importView is the import form and, after an import, what it recorded.
type importView struct {
	Parties []partyOption
	TLPs    []center.TLP
	Done    *stix.Summary
	// Rejected lists why objects were refused, in the user's language;
	// nothing was recorded then.
	Rejected []template.HTML
}

func (s *Server) importView(r *http.Request, v *visit) (importView, error) {
	dir, err := s.store.Directory(r.Context())
	if err != nil {
		return importView{}, err
	}
	return importView{Parties: partyOptions(dir, v.L), TLPs: center.TLPs}, nil
}

// showImport shows the form to import a STIX 2.1 bundle or MISP events.
func (s *Server) showImport(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := s.importView(r, v)
	if err != nil {
		return err
	}
	return s.render(w, r, v, http.StatusOK, "import", v.L.T("import.title"), view)
}

// submitImport records an uploaded bundle as the visitor's party, all of
// it or nothing, exactly as the API's import does.
func (s *Server) submitImport(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := s.importView(r, v)
	if err != nil {
		return err
	}
	file, _, err := r.FormFile("bundle")
	if err != nil {
		return center.Invalid("bundle", "choose a file to import")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxImportBytes+1))
	if err != nil {
		return err
	}
	if len(data) > maxImportBytes {
		return center.Invalid("bundle", "larger than %d bytes", maxImportBytes)
	}
	opt := stix.Options{AllOrNothing: true, DefaultTLP: center.TLPAmber}
	if t := r.PostFormValue("tlp"); t != "" {
		tlp, ok := center.ParseTLP(t)
		if !ok {
			return center.Invalid("tlp", "unknown TLP %q", t)
		}
		opt.DefaultTLP = tlp
	}
	for _, p := range r.PostForm["to"] {
		opt.Distribution.Parties = append(opt.Distribution.Parties, center.PartyCode(p))
	}
	opt.Distribution.All = len(opt.Distribution.Parties) == 0
	head := data[:min(len(data), 4096)]
	im := stix.Importer{Recorder: s.recorder, Store: s.store}
	var sum stix.Summary
	if bytes.Contains(head, []byte(`"Event"`)) || bytes.Contains(head, []byte(`"Attribute"`)) {
		sum, err = misp.ImportEvents(r.Context(), im, *v.who, data, misp.Options{STIX: opt})
	} else {
		sum, err = im.Import(r.Context(), *v.who, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, opt)
	}
	if errors.Is(err, stix.ErrInput) {
		view.Rejected = v.L.Explain(err)
		if view.Rejected == nil { // a MISP input error, worded in English
			view.Rejected = []template.HTML{v.L.sayText(strings.TrimPrefix(err.Error(), stix.ErrInput.Error()+": "))}
		}
		return s.render(w, r, v, http.StatusBadRequest, "import", v.L.T("import.title"), view)
	}
	if err != nil {
		return err
	}
	if len(sum.Rejected) > 0 {
		for _, rj := range sum.Rejected {
			view.Rejected = append(view.Rejected, v.L.sayRejection(rj))
		}
		return s.render(w, r, v, http.StatusBadRequest, "import", v.L.T("import.title"), view)
	}
	view.Done = &sum
	return s.render(w, r, v, http.StatusOK, "import", v.L.T("import.title"), view)
}

// parseForm reads a POST's form: URL-encoded, or multipart (a file
// upload, whose parts beyond memory go to temporary files).
func parseForm(r *http.Request) error {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		return r.ParseMultipartForm(1 << 20)
	}
	return r.ParseForm()
}
