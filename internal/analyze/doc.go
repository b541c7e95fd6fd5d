// Package analyze is the analysts' side of the center: search over every
// report a party may see, in the query language below, with the text
// analyzed exactly as it was at index time (package lang), aliases expanded
// across the four languages, results ranked by BM25 and shown with
// highlighted snippets of the original text.
//
// # Query language
//
//	word                 a word: matches its normalized form or its stem
//	"two words"          a phrase: the words' stems in this order
//	a OR b               either (binds tighter than the implicit AND)
//	-word, -"a phrase"   must not match
//	source:IQ            the report's source party (repeat for any of several)
//	tlp:amber            its TLP marking (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)
//	lang:ar              its language
//	tag:border           one of its tags ("tag:two words" quoted)
//	since:2026-01-01     versions recorded on or after (a date or RFC 3339 time)
//	until:2026-02-01     versions recorded before
//
// Words are ANDed. A query of filters alone lists the matching reports
// newest first. Visibility is applied by the store inside the query, so a
// party's results, total, facets and snippets never reflect a report it
// may not see.
//
// # Correlation
//
// The Correlator links reports for one viewer: related reports (those that
// share entities or observables, ranked by the rarity of what they share),
// entity pages (names, reports per day, co-occurring entities) and
// near-duplicate clusters with their independent sources. Every count and
// list comes from the store's viewer-bound reads, so a report hidden from
// the viewer changes none of its answers. The Registry is the live entity
// registry: the recorder's extractor at write time, and the aliases search
// expands names with.
package analyze
