package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"aftercare/accounts"
	"aftercare/store"
)

// onboardFully takes a trainee of store 001 from day one to cleared through the pages (reading
// with heartbeats, module quizzes, the final) and the supervisor's drills and offline hours.
func onboardFully(t *testing.T, env *testEnv, login string) {
	t.Helper()
	cat := realCatalog(t)
	p, _ := cat.Programme("onboarding")
	c := env.as(login)
	token := c.csrfFrom("/me/progress")
	me, boss := env.users[login], env.users["super-a"]
	for _, id := range p.Modules {
		m, _ := cat.Module(id)
		readModule(t, env, c, token, m.URL(), m.Minutes)
		takeQuiz(t, env, c, m.URL(), true)
	}
	for _, slug := range p.Drills {
		releaseDrill(t, env, me, boss, slug)
	}
	r, _ := c.post("/programmes/onboarding/assessment", url.Values{}, token)
	final := attemptID(t, r)
	a, _ := env.store.Attempt(t.Context(), final)
	c.post("/attempts/"+strconv.FormatInt(final, 10)+"/submit", rightAnswers(t, env, a), token)
	for _, o := range p.Offline {
		id, err := env.store.LogOffline(t.Context(), store.NewOfflineEntry{UserID: me.ID, Activity: o.Key, Hours: o.Hours, OnDate: env.clock.now(), ActorID: boss.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := env.store.SignOffOffline(t.Context(), id, boss.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowserProgressAndStoreDashboard renders the trainee's progress page, the certificate and
// the supervisor's store dashboard with real data in headless Chromium, and saves screenshots
// when ACADEMY_SCREENSHOTS names a folder.
func TestBrowserProgressAndStoreDashboard(t *testing.T) {
	env := newTestEnv(t)
	ctx := browser(t)
	cat := realCatalog(t)
	p, _ := cat.Programme("onboarding")
	hash, _ := accounts.HashPassword(testPassword, bcrypt.MinCost)
	for i, name := range []string{"王芳", "李娜", "张伟", "刘洋"} {
		u, err := env.store.CreateUser(t.Context(), accounts.NewUser{Login: "staff" + strconv.Itoa(i), Name: name, Role: accounts.Trainee, ShopCode: "001"}, hash)
		if err != nil {
			t.Fatal(err)
		}
		env.users[u.Login] = u
	}
	onboardFully(t, env, "staff0")
	// The others are part-way: some modules read and passed, a drill, offline hours pending.
	for i, login := range []string{"staff1", "staff2", "staff3", "trainee-a"} {
		c := env.as(login)
		token := c.csrfFrom("/me/progress")
		for _, id := range p.Modules[:2*(i+1)] {
			m, _ := cat.Module(id)
			readModule(t, env, c, token, m.URL(), m.Minutes)
			takeQuiz(t, env, c, m.URL(), i%2 == 0 || id != p.Modules[0])
		}
		releaseDrill(t, env, env.users[login], env.users["super-a"], p.Drills[i])
		if _, err := env.store.LogOffline(t.Context(), store.NewOfflineEntry{UserID: env.users[login].ID, Activity: "shadowing", Hours: 2,
			OnDate: env.clock.now(), ActorID: env.users["super-a"].ID}); err != nil {
			t.Fatal(err)
		}
	}

	var progress, dashboard, certificate string
	err := chromedp.Run(ctx,
		chromedp.ActionFunc(func(c2 context.Context) error { return browserLogin(c2, env.srv.URL, "trainee-a") }),
		chromedp.Navigate(env.srv.URL+"/me/progress"),
		chromedp.WaitVisible(`#clearance`, chromedp.ByQuery),
		chromedp.Text(`main`, &progress, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress, "实测合计") || !strings.Contains(progress, "待签核") {
		t.Fatalf("progress page: %q", progress)
	}
	screenshot(t, ctx, "trainee-progress")
	err = chromedp.Run(ctx,
		chromedp.ActionFunc(func(c2 context.Context) error { return browserLogin(c2, env.srv.URL, "staff0") }),
		chromedp.Navigate(env.srv.URL+"/me/certificate"),
		chromedp.WaitVisible(`article.certificate`, chromedp.ByQuery),
		chromedp.Text(`article.certificate`, &certificate, chromedp.ByQuery),
	)
	if err != nil || !codePattern.MatchString(certificate) || !strings.Contains(certificate, "王芳") {
		t.Fatalf("certificate: %q, %v", certificate, err)
	}
	screenshot(t, ctx, "certificate")
	err = chromedp.Run(ctx,
		chromedp.ActionFunc(func(c2 context.Context) error { return browserLogin(c2, env.srv.URL, "super-a") }),
		chromedp.EmulateViewport(1024, 900),
		chromedp.Navigate(env.srv.URL+"/store"),
		chromedp.WaitVisible(`svg.chart`, chromedp.ByQuery),
		chromedp.Text(`main`, &dashboard, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dashboard, "今日可上岗") || !strings.Contains(dashboard, "王芳") || !strings.Contains(dashboard, "可上岗") {
		t.Fatalf("dashboard: %q", dashboard)
	}
	screenshot(t, ctx, "store-dashboard")
	err = chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+staffPath(env.users["trainee-a"], "")),
		chromedp.WaitVisible(`#log`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "staff-page")
}
