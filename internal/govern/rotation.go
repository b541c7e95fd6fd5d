package govern

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// MaxTermMonths is the ceiling of every term: no party administers the
// center for more than three months in a row.
const MaxTermMonths = 3

// Rotation is the charter's rule for the chair.
type Rotation struct {
	// Order lists the member parties in the order they chair; it repeats.
	Order []string
	// FirstChair holds the first term.
	FirstChair string
	// Start is the first term's first instant, 00:00 UTC.
	Start time.Time
	// TermMonths is a term's length in calendar months, 1..MaxTermMonths.
	TermMonths int
	// MaxTermMonths caps TermMonths here and in amendments; at most
	// MaxTermMonths.
	MaxTermMonths int
}

// Validate checks the rotation's own rules.
func (r Rotation) Validate() error {
	var errs []error
	if len(r.Order) < 2 {
		// With one member the chair could never pass: no term limit could hold.
		errs = append(errs, errors.New("govern: the rotation needs at least two member parties"))
	}
	seen := map[string]bool{}
	for _, p := range r.Order {
		if seen[p] {
			errs = append(errs, fmt.Errorf("govern: party %q appears twice in the rotation order", p))
		}
		seen[p] = true
	}
	if !slices.Contains(r.Order, r.FirstChair) {
		errs = append(errs, fmt.Errorf("govern: first chair %q is not in the rotation order", r.FirstChair))
	}
	if !r.Start.Equal(Midnight(r.Start)) {
		errs = append(errs, fmt.Errorf("govern: start %s is not 00:00 UTC", r.Start.Format(time.RFC3339)))
	}
	if r.MaxTermMonths < 1 || r.MaxTermMonths > MaxTermMonths {
		errs = append(errs, fmt.Errorf("govern: maximum term of %d months is outside 1..%d", r.MaxTermMonths, MaxTermMonths))
	}
	if r.TermMonths < 1 || r.TermMonths > r.MaxTermMonths {
		errs = append(errs, fmt.Errorf("govern: term of %d months is outside 1..%d", r.TermMonths, r.MaxTermMonths))
	}
	return errors.Join(errs...)
}

// ActKind names a recorded act that changes the rotation.
type ActKind string

// The acts the rotation follows.
const (
	// Handover: the chair hands over early to the next party in order.
	Handover ActKind = "handover"
	// SetOrder: a new rotation order, from the next term.
	SetOrder ActKind = "set_order"
	// SetTerm: a new term length, from the next term.
	SetTerm ActKind = "set_term"
	// AddMember: a new member party joins at the end of the order.
	AddMember ActKind = "add_member"
	// RemoveMember: a member party leaves the rotation.
	RemoveMember ActKind = "remove_member"
)

// An Act is a recorded change to the rotation, effective at At: a handover
// by the chair, or an amendment that took effect.
type Act struct {
	Kind   ActKind   `json:"kind"`
	At     time.Time `json:"at"`
	Party  string    `json:"party,omitempty"`  // Handover: the chair handing over; Add/RemoveMember: the party
	Order  []string  `json:"order,omitempty"`  // SetOrder
	Months int       `json:"months,omitempty"` // SetTerm
}

// A Term is one party's time in the chair: [Start, End).
type Term struct {
	Party string    `json:"party"`
	Start time.Time `json:"term_start"`
	End   time.Time `json:"term_end"`
	// Early is set when the term ended before its full length, by a
	// handover or the chair's removal.
	Early bool `json:"early,omitempty"`
}

// Contains reports whether t falls in the term.
func (t Term) Contains(at time.Time) bool { return !at.Before(t.Start) && at.Before(t.End) }

// state is the rotation as it stands while replaying acts.
type state struct {
	order         []string
	termMonths    int
	maxTermMonths int
	// pendingOrder and pendingMonths wait for the next term.
	pendingOrder  []string
	pendingMonths int
	// leaving is a removed chair that leaves when its term ends.
	leaving string
	term    Term
	// endEarly, if set, is when the current term ends before its length.
	endEarly time.Time
}

// Timeline replays the rotation and its acts and returns every term that
// starts before until, in order. Acts must be sorted by At; acts the rules
// do not allow (a handover by a party not chairing, a term over the
// maximum) are errors, so a recorded history that breaks the rules is caught
// on replay.
func Timeline(r Rotation, acts []Act, until time.Time) ([]Term, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	s := &state{order: slices.Clone(r.Order), termMonths: r.TermMonths, maxTermMonths: r.MaxTermMonths}
	first := r.FirstChair
	i := 0
	// Amendments that took effect before the first term shape it.
	for ; i < len(acts) && acts[i].At.Before(r.Start); i++ {
		if i > 0 && acts[i].At.Before(acts[i-1].At) {
			return nil, fmt.Errorf("govern: act %d at %s is before act %d", i, acts[i].At.Format(time.RFC3339), i-1)
		}
		var err error
		if first, err = s.applyBeforeStart(acts[i], first); err != nil {
			return nil, fmt.Errorf("govern: act %d (%s at %s): %w", i, acts[i].Kind, acts[i].At.Format(time.RFC3339), err)
		}
	}
	s.term = Term{Party: first, Start: r.Start, End: AddMonths(r.Start, s.termMonths)}
	var out []Term
	for s.term.Start.Before(until) {
		// Apply every act that happens during the current term.
		for i < len(acts) && acts[i].At.Before(s.currentEnd()) {
			if i > 0 && acts[i].At.Before(acts[i-1].At) {
				return nil, fmt.Errorf("govern: act %d at %s is before act %d", i, acts[i].At.Format(time.RFC3339), i-1)
			}
			if err := s.apply(acts[i]); err != nil {
				return nil, fmt.Errorf("govern: act %d (%s at %s): %w", i, acts[i].Kind, acts[i].At.Format(time.RFC3339), err)
			}
			i++
		}
		t := s.term
		t.End = s.currentEnd()
		t.Early = !s.endEarly.IsZero()
		out = append(out, t)
		s.next(t.End)
	}
	return out, nil
}

// applyBeforeStart applies an act recorded before the first term, when
// changes take effect for the first term itself, and returns the first
// chair.
func (s *state) applyBeforeStart(a Act, first string) (string, error) {
	switch a.Kind {
	case Handover:
		return first, errorf("there is no term to hand over before the rotation starts")
	case SetOrder:
		if err := sameMembers(a.Order, s.order); err != nil {
			return first, err
		}
		s.order = slices.Clone(a.Order)
	case SetTerm:
		if a.Months < 1 || a.Months > s.maxTermMonths {
			return first, errorf("term of %d months is outside 1..%d", a.Months, s.maxTermMonths)
		}
		s.termMonths = a.Months
	case AddMember:
		if slices.Contains(s.order, a.Party) {
			return first, errorf("%s is already in the rotation", a.Party)
		}
		s.order = append(s.order, a.Party)
	case RemoveMember:
		if !slices.Contains(s.order, a.Party) {
			return first, errorf("%s is not in the rotation", a.Party)
		}
		if len(s.order) <= 2 {
			return first, errorf("removing %s would leave fewer than two members to rotate", a.Party)
		}
		if a.Party == first {
			first = after(s.order, first, "")
		}
		s.order = slices.DeleteFunc(s.order, func(p string) bool { return p == a.Party })
	default:
		return first, errorf("unknown act %q", a.Kind)
	}
	return first, nil
}

func (s *state) currentEnd() time.Time {
	if !s.endEarly.IsZero() {
		return s.endEarly
	}
	return s.term.End
}

func (s *state) apply(a Act) error {
	switch a.Kind {
	case Handover:
		if a.Party != s.term.Party {
			return errorf("%s does not chair; %s does", a.Party, s.term.Party)
		}
		if !s.endEarly.IsZero() {
			return errorf("the term is already ending early")
		}
		end := NextMidnight(a.At)
		if !end.Before(s.term.End) {
			return errorf("the term ends then anyway")
		}
		if len(s.effectiveOrderWithout(s.term.Party)) == 0 {
			return errorf("there is no other member to hand over to")
		}
		s.endEarly = end
	case SetOrder:
		if err := sameMembers(a.Order, s.order); err != nil {
			return err
		}
		s.pendingOrder = slices.Clone(a.Order)
	case SetTerm:
		if a.Months < 1 || a.Months > s.maxTermMonths {
			return errorf("term of %d months is outside 1..%d", a.Months, s.maxTermMonths)
		}
		s.pendingMonths = a.Months
	case AddMember:
		if slices.Contains(s.order, a.Party) {
			return errorf("%s is already in the rotation", a.Party)
		}
		s.order = append(s.order, a.Party)
		if s.pendingOrder != nil {
			s.pendingOrder = append(s.pendingOrder, a.Party)
		}
	case RemoveMember:
		if !slices.Contains(s.order, a.Party) {
			return errorf("%s is not in the rotation", a.Party)
		}
		if len(s.effectiveOrderWithout(a.Party)) < 2 {
			return errorf("removing %s would leave fewer than two members to rotate", a.Party)
		}
		if a.Party == s.term.Party {
			// The chair serves until the next midnight, then leaves.
			s.leaving = a.Party
			if end := NextMidnight(a.At); s.endEarly.IsZero() || end.Before(s.endEarly) {
				if end.Before(s.term.End) {
					s.endEarly = end
				}
			}
			return nil
		}
		s.order = slices.DeleteFunc(s.order, func(p string) bool { return p == a.Party })
		if s.pendingOrder != nil {
			s.pendingOrder = slices.DeleteFunc(s.pendingOrder, func(p string) bool { return p == a.Party })
		}
	default:
		return errorf("unknown act %q", a.Kind)
	}
	return nil
}

// effectiveOrderWithout is the order that will apply next, less p.
func (s *state) effectiveOrderWithout(p string) []string {
	o := s.order
	if s.pendingOrder != nil {
		o = s.pendingOrder
	}
	return slices.DeleteFunc(slices.Clone(o), func(q string) bool { return q == p || q == s.leaving })
}

// next starts the term after the current one, at start.
func (s *state) next(start time.Time) {
	prev := s.term.Party
	// The successor is the party after prev in the order that applies
	// now; with a new order, the one after prev's place in it.
	order := s.order
	if s.pendingOrder != nil {
		order = s.pendingOrder
		s.pendingOrder = nil
	}
	if s.pendingMonths != 0 {
		s.termMonths, s.pendingMonths = s.pendingMonths, 0
	}
	successor := after(order, prev, s.leaving)
	if s.leaving != "" {
		order = slices.DeleteFunc(slices.Clone(order), func(p string) bool { return p == s.leaving })
		s.leaving = ""
	}
	s.order = order
	s.term = Term{Party: successor, Start: start, End: AddMonths(start, s.termMonths)}
	s.endEarly = time.Time{}
}

// after returns the party that follows prev in order, skipping skip. If
// prev is not in order, the first party chairs.
func after(order []string, prev, skip string) string {
	i := slices.Index(order, prev)
	for k := 1; k <= len(order); k++ {
		p := order[(i+k+len(order))%len(order)]
		if i < 0 {
			p = order[k-1]
		}
		if p != skip {
			return p
		}
	}
	return prev // only prev remains
}

func sameMembers(a, b []string) error {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	if !slices.Equal(x, y) {
		return errorf("a new order must list exactly the current members %v", b)
	}
	if len(slices.Compact(x)) != len(a) {
		return errorf("a new order must not repeat a party")
	}
	return nil
}

// ErrNotStarted means the rotation's first term has not begun: a center
// may be founded before its charter's start date, and until then no party
// chairs.
var ErrNotStarted = errors.New("govern: the rotation has not started")

// ChairAt returns the term that holds at time at, or an error wrapping
// ErrNotStarted before the first term.
func ChairAt(r Rotation, acts []Act, at time.Time) (Term, error) {
	if at.Before(r.Start) {
		return Term{}, fmt.Errorf("%w: it starts on %s with %s", ErrNotStarted, r.Start.Format(time.DateOnly), r.FirstChair)
	}
	terms, err := Timeline(r, acts, at.Add(time.Nanosecond))
	if err != nil {
		return Term{}, err
	}
	return terms[len(terms)-1], nil
}

// Schedule returns the term that holds at time at and the n terms after it
// as they stand now (later acts may change them). Before the rotation
// starts, the current term is the zero Term and next begins with the first.
func Schedule(r Rotation, acts []Act, at time.Time, n int) (Term, []Term, error) {
	cur, err := ChairAt(r, acts, at)
	from := cur.End
	switch {
	case errors.Is(err, ErrNotStarted):
		cur, from = Term{}, r.Start
	case err != nil:
		return Term{}, nil, err
	}
	// n terms of at most MaxTermMonths each start before this bound.
	terms, err := Timeline(r, acts, AddMonths(from, (n+1)*MaxTermMonths))
	if err != nil {
		return Term{}, nil, err
	}
	i := slices.IndexFunc(terms, func(t Term) bool { return !t.Start.Before(from) })
	next := terms[i:]
	if len(next) > n {
		next = next[:n]
	}
	return cur, next, nil
}

// An Error says why an act breaks the rotation's rules, in English;
// Format and Args make its message, for an interface that says it in its
// user's language.
type Error struct {
	Format string
	Args   []any
}

func (e *Error) Error() string { return fmt.Sprintf(e.Format, e.Args...) }

// errorf returns an *Error; format must be a constant string, the
// message's id in the translations.
func errorf(format string, args ...any) error { return &Error{Format: format, Args: args} }
