// Package fetch is the one HTTP client of the collectors (URL imports,
// MISP feeds, news feeds, TAXII pulls): every request has a deadline, every
// body a size cap, and a redirect may lead only to http or https — never
// to file:, ftp: or any other scheme — at most five times.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults of a Client.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultMaxBytes = 64 << 20
)

// ErrTooLarge means a response body is over the size cap.
var ErrTooLarge = errors.New("fetch: response over the size cap")

// ErrScheme means a URL or a redirect leads to a scheme other than http or
// https.
var ErrScheme = errors.New("fetch: only http and https URLs are followed")

// A Client fetches with a deadline and a size cap. The zero value uses
// the defaults.
type Client struct {
	// HTTP is the client to use; nil means one with no cookie jar.
	HTTP *http.Client
	// Timeout bounds a whole request, body included.
	Timeout time.Duration
	// MaxBytes caps a response body.
	MaxBytes int64
	// UserAgent is sent with every request.
	UserAgent string
}

// CheckURL accepts only absolute http and https URLs.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("fetch: url %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q", ErrScheme, raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("fetch: url %q has no host", raw)
	}
	return u, nil
}

func (c *Client) client() *http.Client {
	base := c.HTTP
	if base == nil {
		base = &http.Client{}
	}
	cl := *base
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("fetch: more than 5 redirects")
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: redirect to %s:", ErrScheme, req.URL.Scheme)
		}
		return nil
	}
	return &cl
}

// A Request is a conditional GET.
type Request struct {
	URL string
	// ETag and LastModified, from an earlier Response, make the GET
	// conditional.
	ETag, LastModified string
	// Header holds extra headers (credentials, Accept).
	Header http.Header
}

// A Response is a fetched body, whole and within the cap.
type Response struct {
	Status int
	// NotModified is set on 304: Body is empty and the earlier content
	// stands.
	NotModified        bool
	ETag, LastModified string
	Header             http.Header
	Body               []byte
}

// RetryAfter is the wait a 429 or 503 asked for, from its Retry-After
// header (seconds or an HTTP date), relative to now.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// A StatusError is a response other than 2xx or 304.
type StatusError struct {
	Status int
	Header http.Header
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("fetch: HTTP %d %s", e.Status, http.StatusText(e.Status))
}

// Get fetches a URL whole. A body over the cap is ErrTooLarge, read no
// further than the cap; a status other than 2xx or 304 is a *StatusError.
func (c *Client) Get(ctx context.Context, r Request) (Response, error) {
	var resp Response
	err := c.Stream(ctx, r, func(h Response, body io.Reader) error {
		resp = h
		b, err := io.ReadAll(body)
		resp.Body = b
		return err
	})
	return resp, err
}

// Stream fetches a URL and hands its body to fn as it arrives, capped: a
// read past the cap fails with ErrTooLarge. fn is not called on 304.
func (c *Client) Stream(ctx context.Context, r Request, fn func(Response, io.Reader) error) error {
	if _, err := CheckURL(r.URL); err != nil {
		return err
	}
	timeout, limit := c.Timeout, c.MaxBytes
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	res, err := c.client().Do(req)
	if err != nil {
		if errors.Is(err, ErrScheme) {
			return fmt.Errorf("fetch: %s: %w", r.URL, ErrScheme)
		}
		return fmt.Errorf("fetch: %s: %w", r.URL, err)
	}
	defer res.Body.Close()
	head := Response{Status: res.StatusCode, Header: res.Header, ETag: res.Header.Get("ETag"), LastModified: res.Header.Get("Last-Modified")}
	if res.StatusCode == http.StatusNotModified {
		head.NotModified = true
		return nil
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return &StatusError{Status: res.StatusCode, Header: res.Header}
	}
	if res.ContentLength > limit {
		return fmt.Errorf("fetch: %s: %w (%d bytes announced, cap %d)", r.URL, ErrTooLarge, res.ContentLength, limit)
	}
	if err := fn(head, &capReader{r: res.Body, left: limit}); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return fmt.Errorf("fetch: %s: %w (cap %d bytes)", r.URL, ErrTooLarge, limit)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("fetch: %s: %w", r.URL, ctx.Err())
		}
		return err
	}
	return nil
}

// capReader fails with ErrTooLarge once more than left bytes would be read.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a body of exactly the cap from a longer one.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		if err == nil {
			err = io.EOF // a reader that gives nothing and no error: stop here
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
