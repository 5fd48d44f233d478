package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftercare/store"
)

func TestHomeShowsDueDatesAndOverdue(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	env.clock.set(novemberSecond)
	clearForDuty(t, env, "trainee-a")
	if _, err := env.app.RunScheduler(ctx, env.clock.now()); err != nil {
		t.Fatal(err)
	}
	a := env.as("trainee-a")
	home := a.get("/")
	for _, want := range []string{"我的学习", "月度技能复训", "2026年11月", "待完成", "截止 2026-11-15 23:59",
		`action="/programmes/monthly-refresher/assessment"`, `name="period" value="2026-11"`, `href="/me/progress"`, "已获学时"} {
		if !strings.Contains(home.body, want) {
			t.Fatalf("home lacks %q", want)
		}
	}
	if strings.Contains(home.body, "逾期") || strings.Contains(home.body, `href="/store"`) {
		t.Fatal("a trainee's home on time shows overdue or the store dashboard")
	}
	// Two days before the due date it is flagged as due soon; after it, as overdue.
	// Sessions last hours, not days: sign in again after each move of the clock.
	env.clock.set(time.Date(2026, 11, 13, 9, 0, 0, 0, displayZone))
	a = env.as("trainee-a")
	if home = a.get("/"); !strings.Contains(home.body, "即将到期") {
		t.Fatal("no due-soon reminder two days before the due date")
	}
	env.clock.set(time.Date(2026, 11, 16, 0, 0, 1, 0, displayZone))
	a = env.as("trainee-a")
	home = a.get("/")
	if !strings.Contains(home.body, "已逾期") || !strings.Contains(home.body, "项培训任务已逾期") || !strings.Contains(home.body, "pill bad") {
		t.Fatal("after the due date the home page does not show the refresher overdue")
	}
	if home := env.as("trainee-b").get("/"); home.StatusCode != http.StatusOK || !strings.Contains(home.body, "目前没有待完成的任务") {
		t.Fatalf("new hire's home: %d", home.StatusCode)
	}
	if home := env.as("super-a").get("/"); !strings.Contains(home.body, `href="/store"`) {
		t.Fatal("a supervisor's home has no link to the store dashboard")
	}
}

func TestHomeShowsRemedialWorkUntilItsModulesArePassed(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	env.clock.set(novemberSecond)
	cat := realCatalog(t)
	m1, m2 := cat.Courses[0].Modules[0], cat.Courses[1].Modules[0]
	now := env.clock.now()
	if n, err := env.store.Assign(ctx, []store.Assignment{{UserID: env.users["trainee-a"].ID, Programme: store.RemedialProgramme,
		Kind: store.KindRemedial, Period: "2026-11", Reason: "10 月顾客满意度 85%，低于目标 90%",
		Modules: []string{m1.ID, m2.ID}, AssignedAt: now, DueAt: now.Add(14 * 24 * time.Hour)}}); n != 1 || err != nil {
		t.Fatalf("assign remedial: %d %v", n, err)
	}
	a := env.as("trainee-a")
	home := a.get("/")
	for _, want := range []string{"补充学习", "10 月顾客满意度 85%，低于目标 90%", `href="` + m1.URL() + `"`, `href="` + m2.URL() + `"`, "待完成"} {
		if !strings.Contains(home.body, want) {
			t.Fatalf("home lacks %q", want)
		}
	}
	if strings.Contains(home.body, `name="period"`) {
		t.Fatal("remedial work shows a start button")
	}
	takeQuiz(t, env, a, m1.URL(), true)
	if got, _ := env.store.UserAssignments(ctx, env.users["trainee-a"].ID); got[0].CompletedAt != nil {
		t.Fatal("remedial work done with one of two modules passed")
	}
	last := takeQuiz(t, env, a, m2.URL(), true)
	got, _ := env.store.UserAssignments(ctx, env.users["trainee-a"].ID)
	if got[0].CompletedAt == nil || *got[0].AttemptID != last {
		t.Fatalf("remedial after both modules passed: %+v", got[0])
	}
	if home = a.get("/"); !strings.Contains(home.body, "已完成") || strings.Count(home.body, "已通过") != 2 {
		t.Fatal("home does not show the remedial work done with both modules passed")
	}
}

func TestBrowserHomeShowsOverdueAndStartsTheRefresher(t *testing.T) {
	env := newTestEnv(t)
	env.clock.set(novemberSecond)
	clearForDuty(t, env, "trainee-a")
	if _, err := env.app.RunScheduler(context.Background(), env.clock.now()); err != nil {
		t.Fatal(err)
	}
	env.clock.set(time.Date(2026, 11, 16, 9, 0, 0, 0, displayZone)) // the refresher is a day overdue
	ctx := browser(t)
	var alert, heading string
	err := chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+"/login?next=/"),
		chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#login`, "trainee-a", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, testPassword, chromedp.ByQuery),
		follow(`#password`, `.alert`),
		chromedp.Text(`.alert`, &alert, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(alert, "逾期") {
		t.Fatalf("home after login: alert %q, %v", alert, err)
	}
	screenshot(t, ctx, "home-overdue")
	err = chromedp.Run(ctx,
		follow(`form[action="/programmes/monthly-refresher/assessment"] button`, `form[action$="/submit"]`),
		chromedp.Text(`h1`, &heading, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(heading, "月度技能复训 · 2026年11月") {
		t.Fatalf("starting the refresher from home: heading %q, %v", heading, err)
	}
	screenshot(t, ctx, "refresher-attempt")
}
