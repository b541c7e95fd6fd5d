// Package center holds Tabadul's domain: parties, committees, users, reports,
// their markings, and the one visibility rule.
//
// Everything here is pure: values in, values out, no I/O and no clock reads.
// Storage and HTTP live above this package and call into it; this package
// imports nothing else of Tabadul's.
//
// # Visibility
//
// Who may see a report version is decided once, when the version is recorded:
// [Directory.Audience] turns the version's source and [Distribution] into the
// set of parties that may see it, and that set is stored with the version. Every
// read path — lists, lookups, versions, and later search, exports, TAXII,
// webhooks and the stream — asks [Report.VisibleTo] or filters on the stored
// audience, which is the same decision. The audience is a snapshot: a party
// that later joins a committee or the center does not gain access to what was
// shared before it joined, and the log records exactly who each version was
// shared with.
package center
