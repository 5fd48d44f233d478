package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium for a test. Without a browser the test is skipped on a
// developer's machine and fails in CI (CI is set), where .ci/run installs Debian's chromium.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium found; CI must run the browser tests (apt-get install chromium)")
		}
		t.Skip("no Chromium installed; install Debian's chromium to run the browser journeys")
	}
	// The profile folder is removed by hand: Chromium may still be flushing it for a moment after
	// the context is cancelled, which t.TempDir's strict cleanup would report as a failure.
	profile, err := os.MkdirTemp("", "academy-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(420, 900), // a phone-sized window: staff use phones on the floor
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	})
	return ctx
}

// screenshot saves a full-page PNG when ACADEMY_SCREENSHOTS names a folder.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("ACADEMY_SCREENSHOTS")
	if dir == "" {
		return
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// follow clicks the element sel matches (a link or a submit button; a field submits its form)
// and waits until the page it leads to has loaded and has an element matching ready. Both steps run as JavaScript
// in the page, and the wait polls through the navigation: chromedp's node queries race a page
// being replaced ("Could not find node with given id"), which made the journeys flaky. The
// old page is marked before the click, so ready is only ever found on the new one.
func follow(sel, ready string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var clicked bool
		click := fmt.Sprintf(`(() => {
			const e = document.querySelector(%q);
			if (e === null) { return false; }
			window.academyLeaving = true;
			if (e.matches("input:not([type=submit]), textarea, select")) { e.form.requestSubmit(); } else { e.click(); }
			return true;
		})()`, sel)
		if err := chromedp.Evaluate(click, &clicked).Do(ctx); err != nil {
			return fmt.Errorf("clicking %s: %w", sel, err)
		}
		if !clicked {
			return fmt.Errorf("nothing on the page matches %s", sel)
		}
		loaded := fmt.Sprintf(`window.academyLeaving !== true && document.readyState === "complete" &&
			document.querySelector(%q) !== null`, ready)
		for {
			var done bool
			err := chromedp.Evaluate(loaded, &done).Do(ctx) // fails while the page is being replaced
			if err == nil && done {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("after following %s, %s never showed: %w (last evaluation error: %v)", sel, ready, ctx.Err(), err)
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}

func TestBrowserLoginCatalogueModule(t *testing.T) {
	env := newTestEnv(t)
	ctx := browser(t)
	cat := realCatalog(t)
	module := cat.Courses[0].Modules[0]

	var title, heading, lesson, adminPage string
	err := chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+"/courses"),
		chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.Title(&title),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "登录") {
		t.Fatalf("anonymous visit did not land on the login page: %q", title)
	}
	screenshot(t, ctx, "login")
	// A wrong password re-renders the form with the message.
	var alert string
	err = chromedp.Run(ctx,
		chromedp.SendKeys(`#login`, "trainee-a", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "not the password", chromedp.ByQuery),
		follow(`#password`, `.alert`),
		chromedp.Text(`.alert`, &alert, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(alert, "登录名或密码不正确") {
		t.Fatalf("wrong password: %q, %v", alert, err)
	}
	err = chromedp.Run(ctx,
		chromedp.SendKeys(`#password`, testPassword, chromedp.ByQuery),
		follow(`#password`, `.grid`),
		chromedp.Text(`h1`, &heading, chromedp.ByQuery),
	)
	if err != nil || heading != "课程" {
		t.Fatalf("after login: heading %q, %v", heading, err)
	}
	screenshot(t, ctx, "catalogue")
	err = chromedp.Run(ctx,
		follow(`a[href="/courses/`+module.Course.Slug+`"]`, `ol.modules`),
		follow(`a[href="`+module.URL()+`"]`, `article.lesson`),
		chromedp.Text(`h1`, &heading, chromedp.ByQuery),
		chromedp.Text(`article.lesson`, &lesson, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if heading != module.Title || len([]rune(lesson)) < 500 {
		t.Fatalf("module page: heading %q, lesson of %d characters", heading, len([]rune(lesson)))
	}
	screenshot(t, ctx, "module")
	// Take the module's quiz: pick the first option of every choice question, type into the
	// rest, submit, and read the graded review.
	var score string
	err = chromedp.Run(ctx,
		follow(`#quiz button[type=submit]`, `form.quiz`),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "quiz")
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`document.querySelectorAll("fieldset.question").forEach(f => {
			const choice = f.querySelector("input[type=radio], input[type=checkbox]");
			if (choice) { choice.click(); }
			f.querySelectorAll("select").forEach(s => { s.selectedIndex = 1; });
			const text = f.querySelector("input:not([type]), textarea");
			if (text) { text.value = "24"; }
		})`, nil),
		follow(`.actions button:not(.secondary)`, `section.result`),
		chromedp.Text(`section.result .score`, &score, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(score, "%") || !(strings.Contains(score, "通过")) {
		t.Fatalf("review score %q", score)
	}
	screenshot(t, ctx, "review")
	// A trainee who types the admin address gets the friendly refusal, not the page.
	err = chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+"/admin/users"),
		chromedp.WaitVisible(`main h1`, chromedp.ByQuery),
		chromedp.Text(`main`, &adminPage, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(adminPage, "没有权限") || strings.Contains(adminPage, "trainee-b") {
		t.Fatalf("trainee on the admin page saw %q (%v)", adminPage, err)
	}
}
