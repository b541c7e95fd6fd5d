// Package govern computes who chairs the center, when, and what the parties
// have agreed to change: the rotation of the chair among the member parties
// and the amendments that change the charter: the roster, the rotation, the
// committees and the transparency log's witness policy.
//
// Everything here is a pure function of the charter's rotation, the acts
// recorded since (handovers and amendments that took effect) and a time. It
// does no I/O and reads no clock, so the rules are tested over simulated
// decades.
//
// # Rules
//
//   - Terms start and end at 00:00 UTC. A term lasts TermMonths calendar
//     months, counted from its first day and clamped at month ends (a term
//     from 30 November lasts until 28 or 29 February, never into March).
//   - At every instant exactly one member party chairs. Terms follow Order,
//     starting with FirstChair; associates never appear in Order.
//   - The chair may hand over early: the next party in Order takes over at
//     the next 00:00 UTC. Nothing extends a term.
//   - Changes of Order or TermMonths take effect when the next term starts.
//     A new member joins at the end of Order at once; a removed party leaves
//     Order at once, unless it is chairing, in which case its term ends at
//     the next 00:00 UTC and it leaves then.
//   - Amendments need the approval of every member party (for a removal,
//     every member but the one removed); one rejection ends them; they
//     expire 30 days after being proposed.
package govern
