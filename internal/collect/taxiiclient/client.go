// Package taxiiclient pulls STIX objects from remote TAXII 2.1 collections
// (a peer center or any TAXII server) into the center.
//
// A pull pages through a collection's objects endpoint with added_after
// and limit, following the server's next token while it says more, and
// records each page through the STIX importer as the subscribing party.
// After each page the remote's cursor — the page's X-TAXII-Date-Added-Last,
// exactly as the server wrote it — is stored, so a pull that stops (a
// restart, a failure) resumes with added_after at the last page recorded;
// a page pulled twice is recognized by the versioning rule and counted
// unchanged. Credentials are per remote: HTTP Basic, or a bearer token,
// with the secret sealed at rest (Sealer).
package taxiiclient

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/fetch"
	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/secret"
)

// MediaType is TAXII 2.1's media type.
const MediaType = "application/taxii+json;version=2.1"

// A Sealer seals remote credentials with the center's collector key, so
// that the database alone does not give them. It seals as webhook
// secrets are sealed (secret.Seal); only the key's home differs: a file in
// the data directory, not the database it protects against.
type Sealer struct{ key []byte }

// NewSealer returns a sealer with a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != secret.SealKeySize {
		return nil, fmt.Errorf("taxiiclient: the key must be %d bytes", secret.SealKeySize)
	}
	return &Sealer{key: key}, nil
}

// LoadSealer reads the key file at path, creating it (readable by its
// owner only) with a fresh key if it does not exist.
func LoadSealer(path string) (*Sealer, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := secret.NewSealKey()
		enc := base64.StdEncoding.EncodeToString(key) + "\n"
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("taxiiclient: key file: %w", err)
		}
		if _, err := f.WriteString(enc); err != nil {
			f.Close()
			return nil, fmt.Errorf("taxiiclient: key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("taxiiclient: key file: %w", err)
		}
		return NewSealer(key)
	}
	if err != nil {
		return nil, fmt.Errorf("taxiiclient: key file: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("taxiiclient: key file %s is not base64", path)
	}
	return NewSealer(key)
}

// sealedFor binds a sealed credential to its use.
var sealedFor = []byte("tabadul taxii remote")

// Seal encrypts a secret.
func (s *Sealer) Seal(plain string) []byte {
	sealed, err := secret.Seal(s.key, []byte(plain), sealedFor)
	if err != nil {
		panic(err) // NewSealer checked the key
	}
	return sealed
}

// Open decrypts a sealed secret.
func (s *Sealer) Open(sealed []byte) (string, error) {
	plain, err := secret.Unseal(s.key, sealed, sealedFor)
	if err != nil {
		return "", errors.New("taxiiclient: the secret does not open with this key")
	}
	return string(plain), nil
}

// Credentials authenticate to a remote: Basic with a username, else a
// bearer token; none when both are empty.
type Credentials struct {
	Username, Secret string
}

func (c Credentials) header() http.Header {
	h := http.Header{"Accept": {MediaType}}
	switch {
	case c.Username != "":
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Secret)))
	case c.Secret != "":
		h.Set("Authorization", "Bearer "+c.Secret)
	}
	return h
}

// A Client speaks TAXII 2.1 over fetch.Client (deadline, size cap, safe
// redirects).
type Client struct {
	HTTP *fetch.Client
}

// Discovery is a server's discovery resource.
type Discovery struct {
	Title    string   `json:"title"`
	Default  string   `json:"default,omitempty"`
	APIRoots []string `json:"api_roots"`
}

// Collection is a collection resource.
type Collection struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	CanRead  bool   `json:"can_read"`
	CanWrite bool   `json:"can_write"`
}

// A Page is one page of a collection's objects.
type Page struct {
	More    bool              `json:"more"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects"`
	// DateAddedFirst and DateAddedLast are the page's X-TAXII-Date-Added-*
	// headers, as sent.
	DateAddedFirst, DateAddedLast string `json:"-"`
}

func (c *Client) get(ctx context.Context, u string, cr Credentials, v any) (http.Header, error) {
	resp, err := c.HTTP.Get(ctx, fetch.Request{URL: u, Header: cr.header()})
	if err != nil {
		return nil, err
	}
	if mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/taxii+json" ||
		(params["version"] != "" && params["version"] != "2.1") {
		return nil, fmt.Errorf("taxiiclient: %s answered %q, not %s", u, resp.Header.Get("Content-Type"), MediaType)
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return nil, fmt.Errorf("taxiiclient: %s: malformed JSON: %w", u, err)
	}
	return resp.Header, nil
}

// Discover reads a server's discovery resource at serverURL (".../taxii2/").
func (c *Client) Discover(ctx context.Context, serverURL string, cr Credentials) (Discovery, error) {
	var d Discovery
	_, err := c.get(ctx, withSlash(serverURL), cr, &d)
	return d, err
}

// Collections lists an API root's collections.
func (c *Client) Collections(ctx context.Context, apiRoot string, cr Credentials) ([]Collection, error) {
	var out struct {
		Collections []Collection `json:"collections"`
	}
	_, err := c.get(ctx, withSlash(apiRoot)+"collections/", cr, &out)
	return out.Collections, err
}

// Objects reads one page of a collection's objects added after
// addedAfter (a server timestamp, "" for the start), continuing with next
// when it is set. limit 0 lets the server choose.
func (c *Client) Objects(ctx context.Context, apiRoot, collection string, cr Credentials, addedAfter, next string, limit int) (Page, error) {
	q := url.Values{}
	if addedAfter != "" {
		q.Set("added_after", addedAfter)
	}
	if next != "" {
		q.Set("next", next)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	u := withSlash(apiRoot) + "collections/" + url.PathEscape(collection) + "/objects/"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var p Page
	h, err := c.get(ctx, u, cr, &p)
	if err != nil {
		return p, err
	}
	p.DateAddedFirst, p.DateAddedLast = h.Get("X-TAXII-Date-Added-First"), h.Get("X-TAXII-Date-Added-Last")
	if p.DateAddedLast != "" {
		if _, err := stix.ParseTimestamp(p.DateAddedLast); err != nil {
			return p, fmt.Errorf("taxiiclient: X-TAXII-Date-Added-Last: %w", err)
		}
	}
	return p, nil
}

func withSlash(u string) string {
	if strings.HasSuffix(u, "/") {
		return u
	}
	return u + "/"
}

// A Puller pulls every remote of the center.
type Puller struct {
	Store    store.Reader
	Recorder *record.Recorder
	Client   *Client
	Sealer   *Sealer
	Clock    center.Clock
	// PageSize is the limit asked of the server (0: 500); MaxPages bounds
	// one pull (0: 10,000).
	PageSize, MaxPages int
}

// PullAll pulls every remote in turn; a remote's failure is stored in its
// cursor and joined into the error.
func (p *Puller) PullAll(ctx context.Context) (stix.Summary, error) {
	remotes, cursors, err := p.Store.TAXIIRemotes(ctx)
	if err != nil {
		return stix.Summary{}, err
	}
	var total stix.Summary
	var errs []error
	for i, r := range remotes {
		sum, err := p.Pull(ctx, r, cursors[i])
		total.Add(sum)
		if err != nil {
			errs = append(errs, fmt.Errorf("remote %s: %w", r.ID, err))
		}
	}
	return total, errors.Join(errs...)
}

// Pull pulls one remote from its cursor until the server has no more,
// storing the cursor after each page.
func (p *Puller) Pull(ctx context.Context, r store.TAXIIRemote, cur store.TAXIICursor) (stix.Summary, error) {
	pageSize, maxPages := p.PageSize, p.MaxPages
	if pageSize <= 0 {
		pageSize = 500
	}
	if maxPages <= 0 {
		maxPages = 10000
	}
	cur.ID = r.ID
	cur.LastPoll = p.Clock.Now().UTC()
	fail := func(sum stix.Summary, err error) (stix.Summary, error) {
		cur.LastError = strings.Join(strings.Fields(err.Error()), " ")
		if rerr := p.Recorder.RecordTAXIICursor(ctx, cur); rerr != nil {
			return sum, errors.Join(err, rerr)
		}
		return sum, err
	}
	secret := ""
	if len(r.SealedSecret) > 0 {
		s, err := p.Sealer.Open(r.SealedSecret)
		if err != nil {
			return fail(stix.Summary{}, err)
		}
		secret = s
	}
	cr := Credentials{Username: r.Username, Secret: secret}
	who := center.Principal{User: center.User{Username: "taxii-pull", Party: r.Party, Role: center.Analyst}}
	im := stix.Importer{Recorder: p.Recorder, Store: p.Store}
	opt := stix.Options{Distribution: r.Distribution, DefaultTLP: r.DefaultTLP}
	var total stix.Summary
	// While following next, the query stays as it began (a server binds
	// next to its query); the cursor moves with each page recorded.
	query, next := cur.AddedAfter, ""
	for range maxPages {
		page, err := p.Client.Objects(ctx, r.APIRoot, r.Collection, cr, query, next, pageSize)
		if err != nil {
			return fail(total, err)
		}
		if len(page.Objects) > 0 {
			var b bytes.Buffer
			fmt.Fprintf(&b, `{"type":"bundle","id":"bundle--%s","objects":[`, uuid.NewString())
			for i, o := range page.Objects {
				if i > 0 {
					b.WriteByte(',')
				}
				b.Write(o)
			}
			b.WriteString("]}")
			data := b.Bytes()
			sum, err := im.Import(ctx, who, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, opt)
			total.Add(sum)
			if err != nil {
				return fail(total, err)
			}
			cur.Objects += int64(len(page.Objects))
		}
		if page.DateAddedLast != "" {
			cur.AddedAfter = page.DateAddedLast
		}
		cur.LastError = ""
		if err := p.Recorder.RecordTAXIICursor(ctx, cur); err != nil {
			return total, err
		}
		if !page.More || len(page.Objects) == 0 {
			break
		}
		switch {
		case page.Next != "":
			next = page.Next
		case page.DateAddedLast != "":
			query, next = page.DateAddedLast, ""
		default:
			return fail(total, errors.New("taxiiclient: the server says more but gives neither next nor X-TAXII-Date-Added-Last"))
		}
	}
	cur.LastSuccess = p.Clock.Now().UTC()
	return total, p.Recorder.RecordTAXIICursor(ctx, cur)
}
