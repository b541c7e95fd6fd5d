package center

import "time"

// A Bulletin is a notice the chair publishes to the whole center: every
// party sees every bulletin. It is how the administration speaks — a
// handover date, a meeting, a change of procedure — never a way to share a
// report around its distribution.
type Bulletin struct {
	ID        string    `json:"id"`
	Party     PartyCode `json:"party"` // the chair party that published it
	Author    string    `json:"author"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Language  string    `json:"language,omitempty"`
	Published time.Time `json:"published"`
}

// ValidateBulletin checks a bulletin's text against the report limits.
func ValidateBulletin(title, body, language string, lim Limits) error {
	e := &InvalidError{}
	if isBlank(title) {
		e.add("title", "title is required")
	} else {
		checkText(e, "title", title, lim.MaxTitleRunes, false)
	}
	if len(body) > lim.MaxBodyBytes {
		e.add("body", "must be at most %d bytes (got %d)", lim.MaxBodyBytes, len(body))
	} else if isBlank(body) {
		e.add("body", "body is required")
	} else {
		checkText(e, "body", body, lim.MaxBodyBytes, true)
	}
	if language != "" && !languageRE.MatchString(language) {
		e.add("language", "language %q must be an ISO 639 code such as ar, fa, ru or en", language)
	}
	return e.err()
}
