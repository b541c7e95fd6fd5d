package taxii

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The URL parameters of TAXII 2.1's filtering and paging.
const (
	paramAddedAfter  = "added_after"
	paramLimit       = "limit"
	paramNext        = "next"
	paramID          = "match[id]"
	paramType        = "match[type]"
	paramVersion     = "match[version]"
	paramSpecVersion = "match[spec_version]"
)

// maxValues bounds each filter's list of values, and maxValueBytes one
// value: the store builds its query from them.
const (
	maxValues     = 100
	maxValueBytes = 256
)

// A query is one request's filters and paging, parsed and checked.
type query struct {
	addedAfter time.Time
	ids, types []string
	specs      []string
	versions   store.VersionMatch
	// limit is 0 when the client gave none.
	limit int
	next  string
}

// parseQuery reads the parameters an endpoint supports; the others are
// ignored, as TAXII asks of parameters a server does not know. A
// parameter it supports with a bad value is a 400 naming it.
func parseQuery(v url.Values, supported ...string) (query, error) {
	var q query
	for _, name := range supported {
		vals, ok := v[name]
		if !ok {
			continue
		}
		var list []string
		for _, s := range vals {
			for part := range strings.SplitSeq(s, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					return q, refuse(http.StatusBadRequest, "Bad filter", "%s has an empty value", name)
				}
				if len(part) > maxValueBytes {
					return q, refuse(http.StatusBadRequest, "Bad filter", "a value of %s is over %d bytes", name, maxValueBytes)
				}
				list = append(list, part)
			}
		}
		if len(list) > maxValues {
			return q, refuse(http.StatusBadRequest, "Bad filter", "%s has over %d values", name, maxValues)
		}
		switch name {
		case paramAddedAfter, paramLimit, paramNext:
			if len(vals) != 1 || len(list) != 1 {
				return q, refuse(http.StatusBadRequest, "Bad parameter", "%s takes one value", name)
			}
		}
		switch name {
		case paramAddedAfter:
			t, err := stix.ParseTimestamp(list[0])
			if err != nil {
				return q, refuse(http.StatusBadRequest, "Bad parameter", "added_after %q is not a timestamp such as 2026-12-01T09:00:00.000000Z", list[0])
			}
			q.addedAfter = t
		case paramLimit:
			n, err := strconv.Atoi(list[0])
			if err != nil || n < 1 {
				return q, refuse(http.StatusBadRequest, "Bad parameter", "limit %q must be a positive integer", list[0])
			}
			q.limit = n
		case paramNext:
			q.next = list[0]
		case paramID:
			q.ids = dedupe(list)
		case paramType:
			q.types = dedupe(list)
		case paramSpecVersion:
			q.specs = dedupe(list)
		case paramVersion:
			for _, s := range list {
				switch s {
				case "all":
					q.versions.All = true
				case "first":
					q.versions.First = true
				case "last":
					q.versions.Last = true
				default:
					t, err := stix.ParseTimestamp(s)
					if err != nil {
						return q, refuse(http.StatusBadRequest, "Bad filter", "match[version] %q is not first, last, all or a timestamp", s)
					}
					q.versions.Exact = append(q.versions.Exact, t)
				}
			}
			slices.SortFunc(q.versions.Exact, func(a, b time.Time) int { return a.Compare(b) })
			q.versions.Exact = slices.CompactFunc(q.versions.Exact, func(a, b time.Time) bool { return a.Equal(b) })
		}
	}
	return q, nil
}

func dedupe(l []string) []string {
	slices.Sort(l)
	return slices.Compact(l)
}

// binding renders the filters of q canonically: what a next token is bound
// to. The limit is left out: a client may change it between pages.
func (q query) binding() string {
	var b strings.Builder
	b.WriteString("after=")
	if !q.addedAfter.IsZero() {
		b.WriteString(strconv.FormatInt(q.addedAfter.UnixMicro(), 10))
	}
	for _, l := range []struct {
		name string
		vals []string
	}{{"id", q.ids}, {"type", q.types}, {"spec", q.specs}} {
		b.WriteString("\x00" + l.name + "=")
		b.WriteString(strings.Join(l.vals, ","))
	}
	b.WriteString("\x00version=")
	v := q.versions
	for _, f := range []struct {
		on   bool
		name string
	}{{v.All, "all"}, {v.First, "first"}, {v.Last, "last"}} {
		if f.on {
			b.WriteString(f.name + ",")
		}
	}
	for _, t := range v.Exact {
		b.WriteString(strconv.FormatInt(t.UnixMicro(), 10) + ",")
	}
	return b.String()
}

// pageSize is the limit a request gets: the client's, capped by the
// server's maximum, or the server's default.
func (s *Server) pageSize(q query) int {
	if q.limit == 0 {
		return s.cfg.DefaultPageSize
	}
	return min(q.limit, s.cfg.MaxPageSize)
}
