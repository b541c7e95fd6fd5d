package sqlrow

// EndpointAttemptsQuery reads the last 20 attempts to endpoint $1, newest
// first, for store.EndpointHealth. An attempt that delivered is kept in
// its delivery's row alone (a delivered row never changes again), every
// other attempt in delivery_attempts.
const EndpointAttemptsQuery = `
	SELECT id, n, at, status, latency, error FROM (
		SELECT d.id, a.n, a.at, a.status, a.latency, a.error, a.delivery FROM delivery_attempts a
		JOIN deliveries d ON d.seq = a.delivery
		WHERE d.endpoint = $1
		UNION ALL
		SELECT d.id, d.attempts, d.done, d.last_status, d.last_latency, d.last_error, d.seq FROM deliveries d
		WHERE d.endpoint = $1 AND d.state = 'delivered'
	) attempts ORDER BY at DESC, delivery DESC, n DESC LIMIT 20`
