package sqlrow

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The STIX objects (migration 00010), what the TAXII server serves of them
// and keeps (00012), and the collectors' state: TAXII remotes and news
// feeds. A STIX version time of 0 is an object without created or
// modified (ZeroTime, ZeroMicros).

// STIXColumns orders a STIX object row for [Backend.STIXObjects], from
// stix_objects o.
const STIXColumns = `o.added, o.id, o.type, o.spec_version, o.modified, o.source, o.tlp, o.distribution, o.audience,
	coalesce(o.report, ''), coalesce(o.report_seq, 0), o.digest, o.object, o.revoked`

// STIXObjects decodes every row of STIXColumns. A row that does not scan
// is named "stix objects"; one that does not decode names its object.
func (b Backend) STIXObjects(rows Rows) ([]store.STIXObject, error) {
	var out []store.STIXObject
	for rows.Next() {
		var o store.STIXObject
		var added, mod int64
		var source, tlp, dist, audience, obj string
		var revoked sql.NullInt64
		if err := rows.Scan(&added, &o.ID, &o.Type, &o.SpecVersion, &mod, &source, &tlp, &dist, &audience,
			&o.Report, &o.ReportSeq, &o.Digest, &obj, &revoked); err != nil {
			return nil, fmt.Errorf("%s: stix objects: %w", b, err)
		}
		o.Added, o.Modified, o.Revoked = Time(added), ZeroTime(mod), TimePtr(revoked)
		o.Source, o.TLP = center.PartyCode(source), center.TLP(tlp)
		if err := json.Unmarshal([]byte(dist), &o.Distribution); err != nil {
			return nil, fmt.Errorf("%s: stix %s distribution: %w", b, o.ID, err)
		}
		if err := json.Unmarshal([]byte(audience), &o.Audience); err != nil {
			return nil, fmt.Errorf("%s: stix %s audience: %w", b, o.ID, err)
		}
		o.JSON = []byte(obj)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: stix objects: %w", b, err)
	}
	return out, nil
}

// STIXPage is a page of limit objects out of objs, read with one more than
// limit to learn whether another page follows.
func STIXPage(objs []store.STIXObject, limit int) store.STIXPage {
	page := store.STIXPage{Objects: objs}
	if len(objs) > limit {
		page.Objects, page.More = objs[:limit], true
	}
	return page
}

// STIXVersion scans a row of (id, modified, source, digest, report).
func STIXVersion(sc Scanner) (store.STIXVersion, error) {
	var v store.STIXVersion
	var mod int64
	err := sc.Scan(&v.ID, &mod, (*string)(&v.Source), &v.Digest, &v.Report)
	v.Modified = ZeroTime(mod)
	return v, err
}

// TAXIIColumns are what TAXII serves of a version, from stix_objects o:
// not its visibility decision (the query applied it) nor its digest, which
// a full sync would otherwise decode a million times.
const TAXIIColumns = `o.added, o.id, o.type, o.spec_version, o.modified, o.source, o.tlp, o.object`

// TAXIIObject scans a row of TAXIIColumns.
func TAXIIObject(sc Scanner) (store.STIXObject, error) {
	var o store.STIXObject
	var added, mod int64
	err := sc.Scan(&added, &o.ID, &o.Type, &o.SpecVersion, &mod, (*string)(&o.Source), (*string)(&o.TLP), &o.JSON)
	o.Added, o.Modified = Time(added), ZeroTime(mod)
	return o, err
}

// TAXIIStatusColumns orders a TAXII status row for [TAXIIStatus].
const TAXIIStatusColumns = `username, requested, updated, total, successes, failures, pendings`

// TAXIIStatus scans a row of TAXIIStatusColumns, the status id of viewer.
// Its error, the scan's or its lists' decoding, is returned as it is, for
// the backend to tell a missing row.
func TAXIIStatus(sc Scanner, viewer center.PartyCode, id string) (store.TAXIIStatus, error) {
	st := store.TAXIIStatus{ID: id, Party: viewer}
	var requested, updated int64
	var lists [3]string
	if err := sc.Scan(&st.Username, &requested, &updated, &st.Total, &lists[0], &lists[1], &lists[2]); err != nil {
		return store.TAXIIStatus{}, err
	}
	st.Requested, st.Updated = Time(requested), Time(updated)
	for i, p := range []*[]store.TAXIIStatusDetail{&st.Successes, &st.Failures, &st.Pendings} {
		if err := json.Unmarshal([]byte(lists[i]), p); err != nil {
			return store.TAXIIStatus{}, err
		}
	}
	return st, nil
}

// RemoteColumns orders a TAXII remote row for [Backend.Remote], from
// taxii_remotes r.
const RemoteColumns = `r.id, r.party, r.distribution, r.default_tlp, r.api_root, r.collection, r.username, r.sealed_secret, r.created, r.removed`

// Remote scans a row of RemoteColumns.
func (b Backend) Remote(sc Scanner) (store.TAXIIRemote, error) {
	return b.remote(sc)
}

// RemoteCursorColumns follows RemoteColumns with the remote's cursor,
// from taxii_cursors c left-joined (a remote never polled has none).
const RemoteCursorColumns = RemoteColumns + `, coalesce(c.added_after, ''), coalesce(c.last_poll, 0),
	coalesce(c.last_success, 0), coalesce(c.last_error, ''), coalesce(c.objects, 0)`

// RemoteCursor scans a row of RemoteCursorColumns.
func (b Backend) RemoteCursor(sc Scanner) (store.TAXIIRemote, store.TAXIICursor, error) {
	var c store.TAXIICursor
	var lastPoll, lastSuccess int64
	r, err := b.remote(sc, &c.AddedAfter, &lastPoll, &lastSuccess, &c.LastError, &c.Objects)
	c.ID, c.LastPoll, c.LastSuccess = r.ID, ZeroTime(lastPoll), ZeroTime(lastSuccess)
	return r, c, err
}

func (b Backend) remote(sc Scanner, extra ...any) (store.TAXIIRemote, error) {
	var r store.TAXIIRemote
	var dist string
	var created int64
	var removed sql.NullInt64
	dest := append([]any{&r.ID, (*string)(&r.Party), &dist, (*string)(&r.DefaultTLP), &r.APIRoot, &r.Collection,
		&r.Username, &r.SealedSecret, &created, &removed}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(dist), &r.Distribution); err != nil {
		return r, fmt.Errorf("%s: taxii remote %s distribution: %w", b, r.ID, err)
	}
	r.Created, r.Removed = Time(created), TimePtr(removed)
	return r, nil
}

// FeedColumns orders a feed row for [Feed], from feeds f.
const FeedColumns = `f.id, f.url, f.interval_s, f.language, f.reliability, f.party, f.created, f.removed`

// Feed scans a row of FeedColumns.
func Feed(sc Scanner) (store.Feed, error) {
	return feed(sc)
}

// FeedStateColumns follows FeedColumns with the feed's state, from
// feed_states s left-joined (a feed never polled has none).
const FeedStateColumns = FeedColumns + `,
	coalesce(s.etag, ''), coalesce(s.last_modified, ''), coalesce(s.last_poll, 0), coalesce(s.last_success, 0),
	coalesce(s.last_error, ''), coalesce(s.items_taken, 0), coalesce(s.next_poll, 0)`

// FeedState scans a row of FeedStateColumns.
func FeedState(sc Scanner) (store.Feed, store.FeedState, error) {
	var st store.FeedState
	var lastPoll, lastSuccess, nextPoll int64
	f, err := feed(sc, &st.ETag, &st.LastModified, &lastPoll, &lastSuccess, &st.LastError, &st.ItemsTaken, &nextPoll)
	st.ID = f.ID
	st.LastPoll, st.LastSuccess, st.NextPoll = ZeroTime(lastPoll), ZeroTime(lastSuccess), ZeroTime(nextPoll)
	return f, st, err
}

func feed(sc Scanner, extra ...any) (store.Feed, error) {
	var f store.Feed
	var interval, created int64
	var removed sql.NullInt64
	dest := append([]any{&f.ID, &f.URL, &interval, &f.Language, (*string)(&f.Reliability), (*string)(&f.Party),
		&created, &removed}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return f, err
	}
	f.Interval = time.Duration(interval) * time.Second
	f.Created, f.Removed = Time(created), TimePtr(removed)
	return f, nil
}

// FeedItem scans a row of (feed, key, report, words, taken).
func FeedItem(sc Scanner) (store.FeedItem, error) {
	var it store.FeedItem
	var taken int64
	err := sc.Scan(&it.Feed, &it.Key, &it.Report, &it.Words, &taken)
	it.Taken = Time(taken)
	return it, err
}

// MaxTAXIIValues bounds each list of a TAXII filter: the query is built
// from them.
const MaxTAXIIValues = 1000

// CheckTAXIIQuery refuses a TAXII query whose page size or filter lists
// are out of bounds, before any SQL is built from it.
func CheckTAXIIQuery(q store.TAXIIQuery) error {
	if q.Limit < 1 || q.Limit > store.MaxSTIXPageSize {
		return center.Invalid("limit", "must be between 1 and %d", store.MaxSTIXPageSize)
	}
	for _, l := range [][]string{q.IDs, q.Types, q.SpecVersions} {
		if len(l) > MaxTAXIIValues {
			return center.Invalid("match", "at most %d values per filter", MaxTAXIIValues)
		}
	}
	if len(q.Versions.Exact) > MaxTAXIIValues {
		return center.Invalid("match[version]", "at most %d values", MaxTAXIIValues)
	}
	return nil
}
