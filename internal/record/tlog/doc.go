// Package tlog is the center's transparency log: every event the one write
// path records becomes, in order, a leaf of a Merkle tree whose signed and
// witness-cosigned checkpoints let every party check that no one — the
// chair included — altered, hid or reordered history.
//
// # Entries
//
// A leaf is an [Entry], encoded as UTF-8 text, one "key value" line per
// field in this fixed order, each line ending in "\n":
//
//	tabadul/event/v1
//	id event--6f1c0b1e-2d2b-4c55-9d8e-3b7f1d0f5a10
//	type report.submitted
//	party IQ
//	user iq-analyst
//	at 2026-12-01T08:00:00.000000Z
//	subject report--0b0c8a3e-58a2-4a0e-8d63-0a4c52c5b1e2
//	digest 3f0a…(64 lowercase hex digits)
//
// A field with no value is its key alone ("party"). Times are UTC with
// exactly six fractional digits. Values hold no control characters. An
// entry is at most [MaxEntrySize] bytes. The encoding is canonical:
// [ParseEntry] accepts exactly the bytes [Entry.Marshal] produces, so one
// event has one leaf. The record hash of an entry is tlog.RecordHash of
// its bytes (RFC 6962 leaf hash).
//
// The digest is SHA-256(salt || content): the entry commits to the content
// without revealing it, since every member may read every entry. The salt
// stays in the database and is given only to parties entitled to the
// content, who can then prove what text was logged.
//
// # Tree, checkpoints, witnesses
//
// The [Integrator] is the log's one writer: it gives pending events the
// next indexes in batches, stores the tree's hashes (tlog stored-hash
// indexes), and signs a c2sp.org/tlog-checkpoint with the center's Ed25519
// note key, all in one transaction through the store. The [Cosigner] sends
// each new checkpoint with a consistency proof to every registered witness
// (c2sp.org/tlog-witness) and publishes it once the charter's quorum of
// parties cosigned it (c2sp.org/tlog-cosignature). The witnesses and the
// quorum are the charter's, changed only by amendment and recorded by the
// write path like any other change ([ReadWitnessPolicy]); [Check] verifies
// a checkpoint's cosignatures with every key a party's witness has had, a
// replaced key counting only on checkpoints made before the amendment that
// replaced it was logged. [Handler] serves what
// lies within the latest published checkpoint as c2sp.org/tlog-tiles, so
// that standard tlog clients can follow the log; [Prove] makes the
// offline-verifiable c2sp.org/tlog-proof of one entry. [AuditParty] is a
// party's counterpart of Check's audit: it matches the entries a party read
// through the tiles with what the center's API shows that party, sharing
// with Check the content each entry commits to and the replay of the
// rotation.
//
// Invariants: an event's index never changes once given; stored hashes are
// written once; the tree of every checkpoint is a prefix of the tree of
// every larger one; nothing beyond the latest published checkpoint is
// served.
package tlog
