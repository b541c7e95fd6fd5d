// Package taxii is the center's TAXII 2.1 server (OASIS Standard, 10 June
// 2021, sections 4.1–5.8), mounted at /taxii2/.
//
// One API root, /taxii2/center/, holds the collections of each caller:
//
//	shared-with-me  read-only: every STIX object version the caller's party may see
//	from-XX         one per party: what the caller may see of party XX's objects;
//	                the caller's own party's is also writable
//
// Visibility is the center's rule, decided when each version was recorded
// (store.STIXObject.Audience) and applied inside every query: a version a
// party may not see is never read for it, so no endpoint, filter, header
// or count can tell it exists. A collection a party cannot read is 404.
//
// Every response, errors included, is application/taxii+json;version=2.1;
// errors are TAXII error resources (title, description, http_status).
// Callers authenticate with HTTP Basic (username, and an API token as the
// password) or a Bearer API token, checked as the REST API checks them.
//
// Objects POSTed to the caller's own collection are recorded as its party
// through the one write path (record.Recorder.ImportSTIX), shared by the
// party's TAXII distribution (all members unless its officers set
// another) at the TLP of their markings. The status resource is kept in
// the database: small envelopes are recorded before the answer, larger
// ones in the background while the status says "pending". A pending
// status is written at least every five minutes; one unchanged for
// fifteen belongs to a node that stopped, and the next poll of it, on any
// node, turns its pending objects into failures to send again.
//
// Pagination is by the server's date_added, unique and strictly
// increasing per version: a page is "added after the last one seen", so
// its cost does not depend on its depth. A `next` token is 25 bytes,
// base64url: a format byte, the last date_added of the page (µs, big
// endian) and the first 16 bytes of an HMAC-SHA256, under a key kept in
// the database, over those bytes, the caller's party and the query (the
// endpoint, the collection and every filter; not the limit, which a
// client may change between pages). A token is thus good on every node
// and after restarts, never expires, and is refused (400) with another
// query.
//
// The key is not a credential: a token only says where a page starts,
// which added_after says as well, and every page is read inside the
// caller's visibility whatever the token. Binding tokens to the query
// tells a client that changed its query mid-way, instead of serving it
// pages of another query.
package taxii
