package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// feedsView is the collection page: the news feeds and their health, for
// member parties (the audience of the reports feeds make); the chair's
// officers configure them.
type feedsView struct {
	Feeds []feedRow
	// Chair: the visitor is an officer of the chairing party.
	Chair bool
}

// A feedRow is a feed and how its polling goes.
type feedRow struct {
	ID, URL, Language, Interval string
	Reliability                 center.Reliability
	PartyName                   string
	LastPoll, LastSuccess       string
	NextPoll                    string
	Error                       string
	Items                       string
	Healthy                     bool
}

// requireMember lets member parties through: an associate never sees the
// feeds, whose reports are shared with the members only.
func (s *Server) requireMember(r *http.Request, v *visit) (center.Directory, error) {
	dir, err := s.store.Directory(r.Context())
	if err != nil {
		return dir, err
	}
	if !slices.Contains(dir.Members(), v.party()) {
		return dir, center.ErrNotFound
	}
	return dir, nil
}

// listFeeds shows every feed and its health.
func (s *Server) listFeeds(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	dir, err := s.requireMember(r, v)
	if err != nil {
		return err
	}
	chair, err := s.recorder.ChairParty(ctx)
	if err != nil {
		return err
	}
	feeds, states, err := s.store.Feeds(ctx)
	if err != nil {
		return err
	}
	view := feedsView{Chair: isChairOfficer(v, chair)}
	when := func(t time.Time) string {
		if t.IsZero() {
			return v.L.T("feeds.never")
		}
		return v.L.DateTime(t)
	}
	for i, f := range feeds {
		st := states[i]
		view.Feeds = append(view.Feeds, feedRow{
			ID: f.ID, URL: f.URL, Language: f.Language, Reliability: f.Reliability,
			Interval:  v.L.T("feeds.every_minutes", "N", v.L.Num(int(f.Interval/time.Minute))),
			PartyName: partyName(dir, v.L, f.Party),
			LastPoll:  when(st.LastPoll), LastSuccess: when(st.LastSuccess), NextPoll: when(st.NextPoll),
			Error: st.LastError, Items: v.L.Num(int(st.ItemsTaken)),
			Healthy: st.LastError == "" && !st.LastSuccess.IsZero(),
		})
	}
	return s.render(w, r, v, http.StatusOK, "feeds", v.L.T("feeds.title"), view)
}

// addFeed configures a feed: a chair power, which the recorder checks.
func (s *Server) addFeed(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := r.PostForm
	minutes, err := strconv.Atoi(f.Get("interval"))
	if err != nil {
		return center.Invalid("interval", "must be a number of minutes")
	}
	if _, err := s.recorder.AddFeed(r.Context(), *v.who, store.Feed{URL: f.Get("url"), Interval: time.Duration(minutes) * time.Minute,
		Language: f.Get("language"), Reliability: center.Reliability(f.Get("reliability"))}); err != nil {
		return err
	}
	http.Redirect(w, r, "/feeds", http.StatusSeeOther)
	return nil
}

// removeFeed stops a feed: a chair power.
func (s *Server) removeFeed(w http.ResponseWriter, r *http.Request, v *visit) error {
	if _, err := s.requireMember(r, v); err != nil {
		return err
	}
	if err := s.recorder.RemoveFeed(r.Context(), *v.who, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/feeds", http.StatusSeeOther)
	return nil
}

func init() {
	templateFuncs["split"] = func(s string) []string { return strings.Split(s, "") }
}
