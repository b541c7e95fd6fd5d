// Package stix imports and exports STIX 2.1.
//
// Import streams a bundle token by token (encoding/json's Decoder), so a
// bundle of any size needs memory for one object at a time; each object is
// capped (DefaultMaxObjectBytes). An input is read twice: first checked
// whole — malformed JSON, a truncated or trailing input, an object over
// the cap or a bundle of another STIX version refuses the whole input and
// records nothing — then recorded in batches through the one write path
// (record.Recorder.ImportSTIX). An object that breaks a rule (wrong
// spec_version, invalid id or timestamp, missing required property,
// unknown marking, invalid UTF-8) is refused alone, with its reason;
// Options.AllOrNothing refuses the whole input instead.
//
// Objects are kept exactly as received (compacted): unknown types and
// custom properties round-trip unchanged. Each version is recorded with
// the importing party as its source and the visibility decision of the
// import (Directory.Audience of the party and the distribution, the rule
// of reports); its TLP is the most restrictive TLP 1.0 or 2.0 marking it
// carries (by the standard marking-definition ids), else the import's
// default.
//
// Versioning is by modified (else created), per source party: a newer
// version is recorded, an older or equal one is ignored and counted,
// different content at the same version is refused ("conflicting
// content"). Content is compared by a digest of the canonical object, so
// a re-serialized copy is the same version.
//
// A STIX report is also a Tabadul report with the same id, so it is
// searchable and shared like any other:
//
//	STIX report          Tabadul report
//	name                 title (cut to the title limit)
//	description          body (the name when there is none)
//	lang                 language
//	labels               tags
//	confidence           credibility (Appendix B: 80–100→1, 60–79→2, 40–59→3, 20–39→4, 1–19→5, 0→6)
//	published            observed_at
//	object_marking_refs  TLP
//	x_tabadul_reliability reliability
//
// Export writes what a party may see as one bundle: stored objects
// exactly as recorded, and reports mapped back the same way (with the TLP
// 2.0 marking definitions and the parties' identities they refer to).
// What a party may not see — an AMBER+STRICT or RED report outside its
// distribution included — is never written.
package stix
