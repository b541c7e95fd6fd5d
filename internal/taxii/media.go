package taxii

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The media types of TAXII 2.1 and STIX 2.1.
const (
	taxiiMediaType = "application/taxii+json;version=2.1"
	stixMediaType  = "application/stix+json;version=2.1"
)

// acceptable reports whether an Accept header admits TAXII 2.1: no header,
// a wildcard, or application/taxii+json of version 2.1 or of no version
// (which means the newest). Another version alone is 406.
func acceptable(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err != nil || f <= 0 {
				continue
			}
		}
		switch mt {
		case "*/*", "application/*":
			return true
		case "application/taxii+json":
			if v, ok := params["version"]; !ok || v == "2.1" {
				return true
			}
		}
	}
	return false
}

// taxiiContent reports whether a request's Content-Type is TAXII 2.1.
func taxiiContent(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/taxii+json" {
		return false
	}
	v, ok := params["version"]
	return !ok || v == "2.1"
}

// writeJSON answers with v as TAXII JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every value written is built here from plain fields.
		status, b = http.StatusInternalServerError, []byte(`{"title":"Internal error","http_status":"500"}`)
	}
	writeBody(w, status, b)
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", taxiiMediaType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// timestamp renders a time as TAXII's timestamps, to the microsecond:
// what date_added is stored at, so a client that sends it back as
// added_after gets exactly what follows.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// setAddedHeaders sets X-TAXII-Date-Added-First and -Last from a page's
// first and last date_added; an empty page has neither.
func setAddedHeaders(w http.ResponseWriter, first, last time.Time) {
	if first.IsZero() || last.IsZero() {
		return
	}
	w.Header().Set("X-TAXII-Date-Added-First", timestamp(first))
	w.Header().Set("X-TAXII-Date-Added-Last", timestamp(last))
}
