package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aftercare/store"
	"aftercare/store/storetest"
)

// set moves the test clock so that it reads t now.
func (c *testClock) set(t time.Time) { c.offset.Store(int64(time.Until(t))) }

// novemberSecond is a working morning in November 2026 (Q4) in the stores' zone.
var novemberSecond = time.Date(2026, 11, 2, 9, 0, 0, 0, displayZone)

// clearForDuty writes a complete onboarding record for a person straight into the database —
// every onboarding module read for its full time with its quiz passed, every required drill
// released and passed, every offline activity signed off and the final assessment passed — so
// that the real clearance rule (s.onboarding) finds them cleared for duty, as a member of
// staff who finished onboarding months ago.
func clearForDuty(t *testing.T, env *testEnv, login string) {
	t.Helper()
	ctx := context.Background()
	cat := realCatalog(t)
	p, ok := cat.Programme("onboarding")
	if !ok {
		t.Fatal("no onboarding programme")
	}
	db := storetest.Raw(t, env.store.Path()) // SQLite or PostgreSQL, as the test runs
	u, super := env.users[login], env.users["super-a"]
	long := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatalf("seed %s: %v", q, err)
		}
	}
	attempt := func(quizID string) {
		exec(`INSERT INTO attempts (user_id, quiz, number, state, started_at, submitted_at, pass, score, passed)
			VALUES (?, ?, 1, 'finished', ?, ?, 80, 100, TRUE)`, u.ID, quizID, long, long)
	}
	for _, id := range p.Modules {
		m, _ := cat.Module(id)
		exec(`INSERT INTO module_progress (user_id, module_id, first_opened_at, last_seen_at, active_seconds, visits)
			VALUES (?, ?, ?, ?, ?, 1)`, u.ID, id, long, long, m.Minutes*60)
		attempt("module:" + id)
	}
	for _, slug := range p.Drills {
		exec(`INSERT INTO drills (trainee_id, scenario, state, pass, rater_id, created_by, created_at, released_at, score, passed)
			VALUES (?, ?, 'released', 70, ?, ?, ?, ?, 90, TRUE)`, u.ID, slug, super.ID, super.ID, long, long)
	}
	for _, o := range p.Offline {
		exec(`INSERT INTO offline_hours (user_id, activity, hours, on_date, logged_by, logged_at, signed_off_by, signed_off_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, o.Key, o.Hours, long, super.ID, long, super.ID, long)
	}
	attempt(store.ProgrammeQuiz(p.Slug, ""))
	d, err := env.app.onboarding(ctx, u.ID)
	if err != nil || !d.Clearance.Cleared {
		t.Fatalf("seeded onboarding does not clear %s (%v): missing %v", login, err, d.Clearance.Missing)
	}
}

func TestSchedulerAssignsClearedStaffOncePerPeriod(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	clearForDuty(t, env, "trainee-a") // trainee-b is a new hire still in onboarding
	now := novemberSecond.UTC()

	made, err := env.app.RunScheduler(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 2 {
		t.Fatalf("first run assigned %d: %+v, want trainee A's refresher and quarterly assessment", len(made), made)
	}
	for i := 0; i < 2; i++ {
		if again, err := env.app.RunScheduler(ctx, now.Add(time.Duration(i)*time.Hour)); err != nil || len(again) != 0 {
			t.Fatalf("run %d assigned %d more (%v)", i+2, len(again), err)
		}
	}
	got := map[string]store.Assignment{}
	all, _ := env.store.ShopAssignments(ctx, 0)
	for _, a := range all {
		if a.UserID != env.users["trainee-a"].ID {
			t.Fatalf("assigned someone not cleared for duty: %+v", a)
		}
		got[a.Programme] = a
	}
	refresher, quarterly := got["monthly-refresher"], got["quarterly-assessment"]
	if refresher.Period != "2026-11" || refresher.Kind != store.KindRefresher ||
		!refresher.DueAt.Equal(time.Date(2026, 11, 15, 23, 59, 59, 0, displayZone)) {
		t.Fatalf("refresher %+v, want 2026-11 due 15 Nov 23:59:59 (14 days from 2 Nov)", refresher)
	}
	if quarterly.Period != "2026-Q4" || quarterly.Kind != store.KindAssessment ||
		!quarterly.DueAt.Equal(time.Date(2026, 11, 22, 23, 59, 59, 0, displayZone)) {
		t.Fatalf("quarterly %+v, want 2026-Q4 due 22 Nov (21 days)", quarterly)
	}
	if mine, _ := env.store.UserAssignments(ctx, env.users["trainee-b"].ID); len(mine) != 0 {
		t.Fatalf("a new hire not yet cleared got %+v", mine)
	}

	// December: a new refresher, no new quarterly (still Q4).
	dec, err := env.app.RunScheduler(ctx, time.Date(2026, 12, 1, 0, 30, 0, 0, displayZone))
	if err != nil || len(dec) != 1 || dec[0].Period != "2026-12" {
		t.Fatalf("December run: %+v %v, want one refresher for 2026-12", dec, err)
	}
}

func TestSchedulersOnTwoServersAssignOnce(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	clearForDuty(t, env, "trainee-a")
	// A second server on the same database file, as behind a load balancer.
	other, err := store.Open(ctx, env.store.Path(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	second, err := New(env.app.cfg, other, env.app.catalog)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < 6; i++ {
		srv := env.app
		if i%2 == 1 {
			srv = second
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			made, err := srv.RunScheduler(ctx, novemberSecond.UTC())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += len(made)
			mu.Unlock()
		}()
	}
	wg.Wait()
	all, _ := env.store.ShopAssignments(ctx, 0)
	if total != 2 || len(all) != 2 {
		t.Fatalf("six concurrent runs on two servers created %d (stored %d), want 2", total, len(all))
	}
}

func TestRefresherNeedsAnAssignmentAndSubmittingCompletesIt(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	env.clock.set(novemberSecond)
	clearForDuty(t, env, "trainee-a")
	if _, err := env.app.RunScheduler(ctx, env.clock.now()); err != nil {
		t.Fatal(err)
	}

	b := env.as("trainee-b")
	r, _ := b.post("/programmes/monthly-refresher/assessment", url.Values{}, b.csrfFrom("/"))
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.body, "没有这项任务") {
		t.Fatalf("unassigned trainee starts a refresher: %d", r.StatusCode)
	}
	a := env.as("trainee-a")
	token := a.csrfFrom("/")
	if r, _ := a.post("/programmes/monthly-refresher/assessment", url.Values{"period": {"2026-10"}}, token); r.StatusCode != http.StatusForbidden {
		t.Fatalf("refresher of a period not assigned: %d", r.StatusCode)
	}
	r, _ = a.post("/programmes/monthly-refresher/assessment", url.Values{"period": {"2026-11"}}, token)
	id := attemptID(t, r)
	at, _ := env.store.Attempt(ctx, id)
	if at.Quiz != "programme:monthly-refresher:2026-11" || len(at.Items) != 15 || at.Deadline.Sub(at.StartedAt) != 30*time.Minute {
		t.Fatalf("refresher attempt %s with %d questions, %v", at.Quiz, len(at.Items), at.Deadline.Sub(at.StartedAt))
	}
	// Starting again resumes the open attempt.
	if r, _ := a.post("/programmes/monthly-refresher/assessment", url.Values{"period": {"2026-11"}}, token); attemptID(t, r) != id {
		t.Fatal("a second start opened another attempt")
	}
	if r, _ := a.post("/attempts/"+strconv.FormatInt(id, 10)+"/submit", rightAnswers(t, env, at), token); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.StatusCode)
	}
	done, err := env.store.UserAssignment(ctx, env.users["trainee-a"].ID, "monthly-refresher", "2026-11")
	if err != nil || done.CompletedAt == nil || done.AttemptID == nil || *done.AttemptID != id {
		t.Fatalf("assignment after submitting: %+v %v", done, err)
	}
	home := a.get("/")
	if !strings.Contains(home.body, "已完成") || !strings.Contains(home.body, "100%") {
		t.Fatalf("home after completing: want 已完成 with the score\n%s", home.body)
	}
	// The quarterly assessment is still to do; onboarding's final stays as it was.
	if !strings.Contains(home.body, "季度综合考核") || !strings.Contains(home.body, "待完成") {
		t.Fatal("home lost the open quarterly assessment")
	}

	// Reports list the period's refresher under its own title and analyse it.
	super := env.as("super-a")
	if r := super.get("/reports/quizzes"); !strings.Contains(r.body, "月度技能复训 · 2026年11月") {
		t.Fatalf("quiz report does not list the refresher by period (status %d)", r.StatusCode)
	}
	if r := super.get("/reports/quiz?quiz=" + url.QueryEscape(at.Quiz)); r.StatusCode != http.StatusOK || !strings.Contains(r.body, "学员甲") {
		t.Fatalf("refresher item analysis: %d", r.StatusCode)
	}
	if r := env.as("super-b").get("/reports/quiz?quiz=" + url.QueryEscape(at.Quiz)); strings.Contains(r.body, "学员甲") {
		t.Fatal("another store's supervisor sees trainee A's refresher")
	}
}

func TestMissedRefresherQuestionsComeBackFirstAfterADay(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	env.clock.set(novemberSecond)
	clearForDuty(t, env, "trainee-a")
	if _, err := env.app.RunScheduler(ctx, env.clock.now()); err != nil {
		t.Fatal(err)
	}
	a := env.as("trainee-a")
	token := a.csrfFrom("/")
	start := func() int64 {
		r, _ := a.post("/programmes/monthly-refresher/assessment", url.Values{"period": {"2026-11"}}, token)
		return attemptID(t, r)
	}
	first := start()
	a.post("/attempts/"+strconv.FormatInt(first, 10)+"/submit", url.Values{}, token) // every answer missed
	firstAttempt, _ := env.store.Attempt(ctx, first)
	missed := map[string]bool{}
	for _, it := range firstAttempt.Items {
		missed[it.Key] = true
	}
	if home := a.get("/"); !strings.Contains(home.body, "复习队列中有 15 道题") {
		t.Fatal("home does not show the 15 missed questions queued")
	}

	env.clock.advance(24 * time.Hour)
	a = env.as("trainee-a") // the session of a day ago has expired
	token = a.csrfFrom("/")
	if home := a.get("/"); !strings.Contains(home.body, "有 <strong>15</strong> 道答错过的题已到复习时间") {
		t.Fatal("home does not show the review due after a day")
	}
	second, _ := env.store.Attempt(ctx, start())
	back := 0
	for _, it := range second.Items {
		if missed[it.Key] {
			back++
		}
	}
	if len(second.Items) != 15 || back != 15/reviewShare {
		t.Fatalf("second refresher: %d questions, %d of them missed last time; want 15 with %d review questions", len(second.Items), back, 15/reviewShare)
	}
	// Answered rightly, those come back again only in three days.
	a.post("/attempts/"+strconv.FormatInt(second.ID, 10)+"/submit", rightAnswers(t, env, second), token)
	items, _ := env.store.ReviewItems(ctx, env.users["trainee-a"].ID)
	advanced := 0
	for _, it := range items {
		if it.CorrectStreak == 1 {
			advanced++
			if d := it.Due.Sub(env.clock.now()); d < 3*24*time.Hour-time.Minute || d > 3*24*time.Hour {
				t.Fatalf("reviewed question due in %v, want 3 days", d)
			}
		}
	}
	if advanced != back {
		t.Fatalf("%d review questions advanced, want %d", advanced, back)
	}
}
