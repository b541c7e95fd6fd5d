package center

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors callers branch on. Wrap them with %w; the HTTP layer maps
// them to status codes in one place.
var (
	// ErrNotFound: the thing does not exist, or the caller may not learn that
	// it does. The two are deliberately indistinguishable.
	ErrNotFound = errors.New("center: not found")
	// ErrForbidden: the caller is known and may see the thing, but may not do
	// this to it (another party's report, an analyst doing an officer's job).
	ErrForbidden = errors.New("center: forbidden")
	// ErrUnauthenticated: no valid credentials.
	ErrUnauthenticated = errors.New("center: unauthenticated")
	// ErrInvalid: the input breaks a rule; an *InvalidError carries the fields.
	ErrInvalid = errors.New("center: invalid input")
	// ErrConflict: the input is valid but clashes with recorded state.
	ErrConflict = errors.New("center: conflict")
)

// FieldError names one invalid field of an input and why.
//
// Message is the reason in English. Format and Args are what made it, so
// that an interface in another language can look Format up in its
// catalogue of translations (Format is the message's id) and fill in the
// same Args; a FieldError built with a Message alone has the Message as
// its Format.
type FieldError struct {
	Field   string // JSON path, e.g. "distribution.parties[1]"
	Message string
	Format  string
	Args    []any
	Value   any // the offending value, if it is safe to echo
}

// InvalidError collects every field that broke a rule, so a client can fix
// them all at once. errors.Is(err, ErrInvalid) holds.
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "center: invalid input: " + strings.Join(parts, "; ")
}

func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// add records a problem with a field.
func (e *InvalidError) add(field, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// err returns e if it holds any field error, else nil.
func (e *InvalidError) err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid returns an *InvalidError for a single field. format is the
// message's id in the interface's translations (a test finds every format
// passed here in the sources and checks each language has it), so it
// must be a constant string.
func Invalid(field, format string, args ...any) error {
	e := &InvalidError{}
	e.add(field, format, args...)
	return e
}

// A Refusal is an error whose message is meant for the caller: it says why
// a change was refused, in words safe to show to someone entitled to the
// thing being changed. Kind is the sentinel callers branch on; Reason is
// in English, made of Format and Args as a FieldError's Message is.
type Refusal struct {
	Kind   error
	Reason string
	Format string
	Args   []any
}

// Refuse returns a *Refusal of the given kind. Like Invalid's, format is
// the message's id in the translations and must be a constant string.
func Refuse(kind error, format string, args ...any) error {
	return &Refusal{Kind: kind, Reason: fmt.Sprintf(format, args...), Format: format, Args: args}
}

func (r *Refusal) Error() string { return r.Reason }

func (r *Refusal) Unwrap() error { return r.Kind }

// PublicDetail is the message to show the caller.
func (r *Refusal) PublicDetail() string { return r.Reason }

// A Phrase is words for a person inside a message, such as "the bundle"
// in "%s: the input ends early": an English format and its arguments,
// which an interface says in its reader's language like the message
// around it. Formatted with %s or %v it is the English.
type Phrase struct {
	Format string
	Args   []any
}

// Phrasef returns a Phrase. Like Invalid's, format is the phrase's id in
// the translations and must be a constant string.
func Phrasef(format string, args ...any) Phrase { return Phrase{Format: format, Args: args} }

func (p Phrase) String() string { return fmt.Sprintf(p.Format, p.Args...) }
