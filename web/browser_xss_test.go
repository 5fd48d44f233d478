package web

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// executions records anything the browser ran or refused to run: dialogs (alert, confirm,
// prompt), console output, uncaught exceptions and Content-Security-Policy violations. A page
// of the platform produces none of them, so any entry means a payload got somewhere.
type executions struct {
	mu     sync.Mutex
	events []string
}

func (e *executions) add(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, fmt.Sprintf(format, args...))
}

func (e *executions) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.events
	e.events = nil
	return out
}

func TestBrowserXSSPayloadsDoNotExecute(t *testing.T) {
	env, pages := seedXSS(t)
	ctx := browser(t)
	seen := &executions{}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			seen.add("dialog %s: %q", ev.Type, ev.Message)
			go func() { _ = chromedp.Run(ctx, page.HandleJavaScriptDialog(true)) }()
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			seen.add("console.%s(%s)", ev.Type, strings.Join(args, ", "))
		case *runtime.EventExceptionThrown:
			seen.add("exception: %s", ev.ExceptionDetails.Error())
		case *log.EventEntryAdded:
			// The browser's own notes (a 404 document, form hints) are not executions; script
			// errors and refusals by the Content-Security-Policy are.
			if ev.Entry.Source == log.SourceJavascript || ev.Entry.Source == log.SourceSecurity ||
				strings.Contains(ev.Entry.Text, "Content Security Policy") {
				seen.add("browser log (%s, %s): %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text)
			}
		}
	})
	if err := chromedp.Run(ctx, log.Enable(), runtime.Enable()); err != nil {
		t.Fatal(err)
	}
	// The hook works: a page that does run a payload is noticed.
	if err := chromedp.Run(ctx, chromedp.Navigate(`data:text/html,<script>console.log("probe");alert("probe")</script>`)); err != nil {
		t.Fatal(err)
	}
	if probe := seen.take(); len(probe) < 2 {
		t.Fatalf("the execution hook missed a script that ran: %v", probe)
	}
	sort.SliceStable(pages, func(i, j int) bool { return pages[i].actor < pages[j].actor }) // one sign-in per actor
	checked := 0
	actor := ""
	for _, p := range pages {
		if p.actor != actor {
			actor = p.actor
			if err := signInBrowser(ctx, env, actor); err != nil {
				t.Fatalf("sign in as %s: %v", actor, err)
			}
			seen.take()
		}
		var title string
		if err := chromedp.Run(ctx,
			chromedp.Navigate(env.srv.URL+p.path),
			chromedp.WaitReady("body", chromedp.ByQuery),
			// Give anything that fires on focus, toggle or idle a chance, then read the title.
			chromedp.Evaluate(`new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))`, nil, awaitPromise),
			chromedp.Title(&title),
		); err != nil {
			t.Fatalf("%s: %s: %v", p.actor, p.path, err)
		}
		checked++
		if title == "PWNED" {
			t.Errorf("%s: %s: a payload set the title", p.actor, p.path)
		}
		for _, ev := range seen.take() {
			t.Errorf("%s: %s: %s", p.actor, p.path, ev)
		}
	}
	t.Logf("%d pages visited in Chromium as anonymous, trainee, supervisor and admin: no dialog, console output, exception or CSP violation", checked)
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// signInBrowser clears the browser's cookies and signs in through the login form, or stays
// signed out for "anonymous".
func signInBrowser(ctx context.Context, env *testEnv, login string) error {
	if err := chromedp.Run(ctx, network.ClearBrowserCookies()); err != nil {
		return err
	}
	if login == "anonymous" {
		return nil
	}
	return chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+"/login"),
		chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#login`, login, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, testPassword, chromedp.ByQuery),
		// Only a signed-in page has the logout form; waiting for it waits out the login's
		// redirect, which a navigation started earlier would abort.
		follow(`#password`, `form[action="/logout"]`),
	)
}
