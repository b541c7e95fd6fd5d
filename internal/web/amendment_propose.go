package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
)

// amendmentKinds are the kinds the proposal form offers, in its order.
var amendmentKinds = []govern.AmendmentKind{
	govern.SetTermAmendment, govern.SetOrderAmendment, govern.AddMemberAmendment, govern.AddAssociateAmendment,
	govern.RemovePartyAmendment, govern.SetCommitteeAmendment, govern.SetWitnessAmendment, govern.SetWitnessQuorumAmendment,
}

// proposalForm is the amendment proposal form as filled in, with a
// message per field the write path refused.
type proposalForm struct {
	Kind, Party, Order, Months, Committee, VKey, URL, Quorum string
	Names                                                    map[string]string
	Members                                                  []string
	Errors                                                   map[string]template.HTML
}

// amendmentFields maps the fields the write path names to the form's
// label keys.
var amendmentFields = map[string]string{
	"kind": "amend.kind", "party": "amend.party", "names": "amend.names", "order": "amend.order",
	"months": "amend.months", "committee": "amend.committee", "members": "amend.members",
	"vkey": "amend.vkey", "url": "amend.url", "quorum": "amend.quorum",
}

func proposalFromForm(f url.Values) (govern.Amendment, proposalForm) {
	pf := proposalForm{
		Kind: f.Get("kind"), Party: strings.ToUpper(strings.TrimSpace(f.Get("party"))), Order: f.Get("order"),
		Months: f.Get("months"), Committee: strings.TrimSpace(f.Get("committee")), VKey: f.Get("vkey"), URL: f.Get("url"),
		Quorum: f.Get("quorum"), Names: map[string]string{}, Members: f["member"],
	}
	a := govern.Amendment{Kind: govern.AmendmentKind(pf.Kind), Party: pf.Party, Committee: pf.Committee, VKey: pf.VKey, URL: pf.URL, Members: pf.Members}
	for _, l := range languages {
		if n := strings.TrimSpace(f.Get("name_" + l)); n != "" {
			pf.Names[l] = n
		}
	}
	if len(pf.Names) > 0 {
		a.Names = pf.Names
	}
	for _, code := range strings.FieldsFunc(pf.Order, func(r rune) bool { return r == ',' || r == '،' || r == ' ' }) {
		a.Order = append(a.Order, strings.ToUpper(code))
	}
	a.Months, _ = strconv.Atoi(strings.TrimSpace(pf.Months))
	a.Quorum, _ = strconv.Atoi(strings.TrimSpace(pf.Quorum))
	return a, pf
}

// proposeAmendment records a proposal of an officer of a member party. A
// refused proposal comes back to the form, each refused field named in
// the user's language.
func (s *Server) proposeAmendment(w http.ResponseWriter, r *http.Request, v *visit) error {
	a, pf := proposalFromForm(r.PostForm)
	a, err := s.recorder.ProposeAmendment(r.Context(), *v.who, a)
	var ie *center.InvalidError
	if errors.As(err, &ie) {
		pf.Errors = map[string]template.HTML{}
		for _, fe := range ie.Fields {
			field := fe.Field
			if i := strings.IndexAny(field, ".["); i >= 0 {
				field = field[:i]
			}
			key, ok := amendmentFields[field]
			if !ok {
				field, key = "kind", "amend.kind"
			}
			if _, seen := pf.Errors[field]; !seen {
				pf.Errors[field] = template.HTML(template.HTMLEscapeString(v.L.T(key))) + template.HTML(": ") + v.L.sayField(fe)
			}
		}
		return s.renderGovernance(w, r, v, http.StatusBadRequest, bulletinForm{}, pf)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/governance#"+a.ID, http.StatusSeeOther)
	return nil
}

// A choice is one option of a select.
type choice struct {
	Value, Name string
	Selected    bool
}

// kindOptions are the form's kinds, localized.
func kindOptions(l *Locale, selected string) []choice {
	out := make([]choice, len(amendmentKinds))
	for i, k := range amendmentKinds {
		out[i] = choice{Value: string(k), Name: l.T("amendment.kind." + string(k)), Selected: string(k) == selected}
	}
	return out
}

// memberOptions are the parties a committee may hold, ticked as chosen.
func memberOptions(dir center.Directory, l *Locale, chosen []string) []partyOption {
	out := partyOptions(dir, l)
	for i := range out {
		out[i].Selected = slices.Contains(chosen, string(out[i].Code))
	}
	return out
}
