package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"aftercare/views"
)

// browserLogin signs in through the login form (signing out first when someone is signed in).
func browserLogin(ctx context.Context, base, login string) error {
	var signedIn bool
	return chromedp.Run(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitReady(`body`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector(".who button.link") !== null`, &signedIn),
		chromedp.ActionFunc(func(ctx context.Context) error {
			if !signedIn {
				return nil
			}
			return chromedp.Run(ctx, follow(`.who button.link`, `#login`))
		}),
		chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#login`, login, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, testPassword, chromedp.ByQuery),
		follow(`#password`, `nav.main`),
	)
}

// TestBrowserPracticeDialogueWithoutJavaScript plays a self-practice dialogue from the
// practice list to its ending in headless Chromium with JavaScript switched off: every choice
// is a plain form POST, and the score on the result page is the server's replay of the path.
func TestBrowserPracticeDialogueWithoutJavaScript(t *testing.T) {
	env := newTestEnv(t)
	ctx := browser(t)
	rp, _ := realCatalog(t).Roleplay(tileScenario)
	if err := chromedp.Run(ctx, emulation.SetScriptExecutionDisabled(true)); err != nil {
		t.Fatal(err)
	}
	if err := browserLogin(ctx, env.srv.URL, "trainee-a"); err != nil {
		t.Fatal(err)
	}
	var heading string
	err := chromedp.Run(ctx,
		follow(`nav.main a[href="/practice"]`, `section.practice-scenario`),
		chromedp.Text(`h1`, &heading, chromedp.ByQuery),
	)
	if err != nil || heading != "自我练习" {
		t.Fatalf("practice list: %q, %v", heading, err)
	}
	screenshot(t, ctx, "practice-list")
	err = chromedp.Run(ctx,
		follow(`form:has(input[name="scenario"][value="`+tileScenario+`"]) button`, `.choices button.choice`),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "practice-start")
	// Take the second reply first (a weaker one), then always the first offered.
	var path []int
	for step := 0; step < 12; step++ {
		var n int
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll(".choices button.choice").length`, &n)); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		pick := 0
		if step == 0 {
			pick = 1
		}
		next := fmt.Sprintf(`input[name="step"][value="%d"], section.practice-result`, step+1)
		err := chromedp.Run(ctx,
			follow(fmt.Sprintf(`.choices form:nth-child(%d) button.choice`, pick+1), next),
		)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		path = append(path, pick)
		if step == 1 {
			screenshot(t, ctx, "practice-midway")
		}
	}
	play, err := rp.Dialogue.Play(path)
	if err != nil || !play.Ended {
		t.Fatalf("path %v: %v (ended %v)", path, err, play.Ended)
	}
	var score, outcome, transcript string
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`section.practice-result`, chromedp.ByQuery),
		chromedp.Text(`section.practice-result .score`, &score, chromedp.ByQuery),
		chromedp.Text(`section.practice-result`, &outcome, chromedp.ByQuery),
		chromedp.Text(`ol.transcript`, &transcript, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d / %d 分", play.Points, rp.Dialogue.MaxPoints()); strings.TrimSpace(score) != want {
		t.Fatalf("result %q, want %q", score, want)
	}
	if !strings.Contains(outcome, play.Node.Outcome) || !strings.Contains(transcript, "点评") {
		t.Fatalf("result page lacks the outcome or the feedback: %q", outcome)
	}
	screenshot(t, ctx, "practice-result")
	runs, _ := env.store.PracticeSessions(t.Context(), env.users["trainee-a"].ID)
	if len(runs) != 1 || !runs[0].Finished || runs[0].Points != play.Points {
		t.Fatalf("stored runs %+v", runs)
	}
}

// TestBrowserDrillJourney: a supervisor books, scores and releases a drill on a phone-sized
// screen; the trainee reads the result and the progress chart; an admin reads the calibration
// figures of two double-rated drills.
func TestBrowserDrillJourney(t *testing.T) {
	env := newTestEnv(t)
	addSupervisor(t, env, "super-a2", "主管丙", "001")
	// Two released calibration drills rated by supervisors A and A2, for the calibration page
	// and the trainee's progress chart, a week apart (the clock starts two weeks back, since
	// sessions expire by the real clock).
	env.clock.advance(-16 * 24 * time.Hour)
	superA, superA2 := env.as("super-a"), env.as("super-a2")
	for _, round := range []struct{ a, b map[string]int }{
		{levels(3, 2, 2, 0, 3, 1), levels(3, 1, 2, 1, 3, 1)},
		{levels(2, 2, 1, 1, 2, 2), levels(3, 2, 1, 0, 2, 3)},
	} {
		id := bookDrill(t, env, superA, "trainee-a", "gold-weight-dispute", true, true)
		rateDrill(t, superA, id, round.a, "甲", "主评总评", "submit")
		rateDrill(t, superA2, id, round.b, "丙", "第二评分总评", "submit")
		superA.post(drillPath(id, "/release"), url.Values{}, superA.csrfFrom(drillPath(id, "")))
		env.clock.advance(8 * 24 * time.Hour)
	}
	ctx := browser(t)
	if err := browserLogin(ctx, env.srv.URL, "super-a"); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Run(ctx,
		follow(`nav.main a[href="/drills"]`, `ul.queue-counts`),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "drills-queue")
	err = chromedp.Run(ctx,
		follow(`a[href="/drills/new"]`, `#trainee`),
		chromedp.SetValue(`#trainee`, strconv.FormatInt(env.users["trainee-a"].ID, 10), chromedp.ByQuery),
		chromedp.SetValue(`#scenario`, tileScenario, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "drill-new")
	err = chromedp.Run(ctx,
		follow(`button[name="now"]`, `form.rate`),
	)
	if err != nil {
		t.Fatal(err)
	}
	scores := levels(3, 2, 3, 1, 2, 2)
	var actions []chromedp.Action
	for k, v := range scores {
		actions = append(actions,
			chromedp.Click(fmt.Sprintf(`input[name="score-%s"][value="%d"]`, k, v), chromedp.ByQuery),
			chromedp.SendKeys(`#comment-`+k, "做得好的地方和要改进的地方："+k, chromedp.ByQuery))
	}
	actions = append(actions, chromedp.SendKeys(`#notes`, "整体表现稳定，政策解释还要更准确。", chromedp.ByQuery))
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "drill-rate")
	var notice string
	err = chromedp.Run(ctx,
		follow(`button[name="action"][value="submit"]`, `form[action$="/release"] button`),
		chromedp.Text(`.notice`, &notice, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(notice, "评分已提交") {
		t.Fatalf("submit: %q, %v", notice, err)
	}
	screenshot(t, ctx, "drill-submitted")
	err = chromedp.Run(ctx,
		follow(`form[action$="/release"] button`, `.notice`),
		chromedp.WaitNotPresent(`form[action$="/release"]`, chromedp.ByQuery),
		chromedp.Text(`.notice`, &notice, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(notice, "已发布") {
		t.Fatalf("release: %q, %v", notice, err)
	}
	rp, _ := realCatalog(t).Roleplay(tileScenario)
	want, _ := rp.Rubric.Score(scores)

	if err := browserLogin(ctx, env.srv.URL, "trainee-a"); err != nil {
		t.Fatal(err)
	}
	var chart, result string
	err = chromedp.Run(ctx,
		follow(`nav.main a[href="/drills"]`, `svg.chart`),
		chromedp.OuterHTML(`svg.chart`, &chart, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(chart, "<path") {
		t.Fatalf("trainee chart: %v", err)
	}
	screenshot(t, ctx, "trainee-drills")
	err = chromedp.Run(ctx,
		follow(`table.data tbody tr:last-child td a`, `section.rating`), // the newest released drill
		chromedp.Text(`section.rating`, &result, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(result, "演练结果") || !strings.Contains(result, views.Score1(want)) || !strings.Contains(result, "整体表现稳定") {
		t.Fatalf("trainee result: %q, want %s", result, views.Score1(want))
	}
	screenshot(t, ctx, "trainee-drill-result")

	if err := browserLogin(ctx, env.srv.URL, "admin"); err != nil {
		t.Fatal(err)
	}
	var page string
	err = chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+"/drills/calibration"),
		chromedp.WaitVisible(`table.disagreement`, chromedp.ByQuery),
		chromedp.Text(`main`, &page, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(page, "主管丙") || !strings.Contains(page, "分歧最大") {
		t.Fatalf("calibration page: %v\n%s", err, page)
	}
	screenshot(t, ctx, "calibration-admin")
	err = chromedp.Run(ctx,
		follow(`table.data a[href^="/drills/"]`, `table.compare`),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "drill-compare")
}
