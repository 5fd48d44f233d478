package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"aftercare/views"
)

func TestSeatTimeIsMeasuredOnTheServerAndIdleTimeDoesNotCount(t *testing.T) {
	env := newTestEnv(t)
	c := env.as("trainee-a")
	cat := realCatalog(t)
	a, b := cat.Courses[0].Modules[0], cat.Courses[0].Modules[1]
	beat := func() {
		t.Helper()
		r, _ := c.post(a.URL()+"/activity", url.Values{}, c.csrfFrom("/courses"))
		if r.StatusCode != http.StatusNoContent {
			t.Fatalf("heartbeat: %d", r.StatusCode)
		}
	}
	active := func() int {
		p, _ := env.store.ModuleProgress(t.Context(), env.users["trainee-a"].ID)
		return p[a.ID].ActiveSeconds
	}
	c.get(a.URL())
	env.clock.advance(2 * time.Minute)
	beat()
	env.clock.advance(2 * time.Minute)
	beat()
	if got := active(); got < 239 || got > 241 {
		t.Fatalf("after two 2-minute heartbeats: %d s, want 240", got)
	}
	env.clock.advance(16 * time.Minute) // the reader was away: none of this counts
	beat()
	if got := active(); got < 239 || got > 241 {
		t.Fatalf("idle gap was counted: %d s", got)
	}
	env.clock.advance(time.Minute)
	beat()
	env.clock.advance(time.Minute)
	c.get(b.URL()) // page-to-page: the minute before moving on counts for a
	if got := active(); got < 359 || got > 361 {
		t.Fatalf("after resuming and moving on: %d s, want 360", got)
	}
	// A heartbeat without a CSRF token is refused and credits nothing.
	env.clock.advance(time.Minute)
	r, _ := c.post(a.URL()+"/activity", url.Values{}, "")
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("heartbeat without token: %d", r.StatusCode)
	}
	if r := c.get("/me/progress"); !strings.Contains(r.body, "6 / ") {
		t.Error("progress page does not show 6 active minutes")
	}
}

func TestModuleHoursAreCreditedOnlyAfterReadingAndAPassedQuiz(t *testing.T) {
	env := newTestEnv(t)
	c := env.as("trainee-a")
	m := realCatalog(t).Courses[0].Modules[0]
	credited := func() bool {
		r := c.get("/me/progress")
		return strings.Contains(r.body, "已获学时 "+hoursText(m.Hours)+" / ")
	}
	// Passing the quiz without reading credits nothing.
	takeQuiz(t, env, c, m.URL(), true)
	if credited() {
		t.Fatal("hours credited without reading time")
	}
	c.get(m.URL())
	for read := 0; read < m.Minutes; read += 4 {
		env.clock.advance(4 * time.Minute)
		c.post(m.URL()+"/activity", url.Values{}, c.csrfFrom("/courses"))
	}
	if !credited() {
		t.Fatalf("hours not credited after %d minutes of reading and a passed quiz", m.Minutes)
	}
}

func hoursText(h float64) string { return views.Hours(h) }

func TestAReleasedPassedDrillCreditsItsHours(t *testing.T) {
	env := newTestEnv(t)
	super, trainee := env.as("super-a"), env.as("trainee-a")
	rp, _ := realCatalog(t).Roleplay(tileScenario)
	id := bookDrill(t, env, super, "trainee-a", tileScenario, false, true)
	if r := rateDrill(t, super, id, levels(3, 3, 3, 3, 3, 3), "好", "很好", "submit"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.StatusCode)
	}
	if p := trainee.get("/me/progress"); !strings.Contains(p.body, "演练 0，") {
		t.Fatal("drill hours credited before the result was released")
	}
	if r, _ := super.post(drillPath(id, "/release"), url.Values{}, super.csrfFrom(drillPath(id, ""))); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("release: %d", r.StatusCode)
	}
	if p := trainee.get("/me/progress"); !strings.Contains(p.body, "演练 "+views.Hours(rp.Hours)+"，") {
		t.Fatalf("released passed drill not credited:\n%s", p.body)
	}
}
