package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tabadul/tabadul/internal/record/store"
)

// metrics are the API's Prometheus series. Labels are the route pattern
// ("GET /api/v1/reports/{id}", or "unmatched") and the status code, never
// anything a client chooses, so the number of series stays bounded.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// newMetrics registers the API's metrics in reg, or in a fresh registry
// with the Go and process collectors if reg is nil. Registering twice in one
// registry fails rather than panics.
func newMetrics(reg *prometheus.Registry, reports store.Reader) (*metrics, error) {
	var cs []prometheus.Collector
	if reg == nil {
		reg = prometheus.NewRegistry()
		cs = append(cs,
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
	}
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tabadul_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tabadul_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "status"}),
	}
	cs = append(cs, m.requests, m.latency, newReportsCollector(reports))
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("api: metrics: %w", err)
		}
	}
	return m, nil
}

// observe records one answered request.
func (m *metrics) observe(route string, status int, elapsed time.Duration) {
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, code).Inc()
	m.latency.WithLabelValues(route, code).Observe(elapsed.Seconds())
}

// handler serves the registry in the Prometheus exposition formats. A
// failing collector (the database not answering) leaves its series out
// and logs, rather than failing the whole scrape.
func (m *metrics) handler(log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.registry,
	})
}

// reportsCollector reports tabadul_reports, the number of reports in the
// whole center, asked of the store at each scrape. The count is the
// center's, not a party's; every party can already count report events in
// the log, so it reveals nothing about what is shared with whom.
type reportsCollector struct {
	store store.Reader
	desc  *prometheus.Desc
}

func newReportsCollector(s store.Reader) *reportsCollector {
	return &reportsCollector{
		store: s,
		desc:  prometheus.NewDesc("tabadul_reports", "Reports recorded in the center (not versions).", nil, nil),
	}
}

// scrapeTimeout bounds the store query of one scrape.
const scrapeTimeout = 5 * time.Second

func (c *reportsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *reportsCollector) Collect(ch chan<- prometheus.Metric) {
	// Collect has no context of its own; the scrape's request is not
	// passed through by promhttp.
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	n, err := c.store.CountReports(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, fmt.Errorf("api: count reports: %w", err))
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}
