package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/net/html"

	"aftercare/content"
	"aftercare/courses"
)

// xssPayloads is the corpus pushed through every place where text from authors, admins,
// supervisors or trainees reaches a page. Each one that could run calls alert('xssN') or sets
// the title to PWNED, so the browser test notices any that executes.
var xssPayloads = []string{
	`<script>alert('xss1')</script>`,
	`<img src=x onerror=alert('xss2')>`,
	`<svg onload=alert('xss3')>`,
	`<svg><script>alert('xss4')</script></svg>`,
	`[点我](javascript:alert('xss5'))`,
	`[点我](JaVaScRiPt:alert('xss6'))`,
	`[点我](&#106;avascript:alert('xss7'))`,
	`<a href="javascript:alert('xss8')">链接</a>`,
	`<a href="&#x6A;avascript:alert('xss9')">链接</a>`,
	`[数据](data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzMTAnKTwvc2NyaXB0Pg==)`,
	`![图](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoJ3hzczExJyk+)`,
	`<javascript:alert('xss12')>`,
	`<iframe src="javascript:alert('xss13')"></iframe>`,
	`<iframe srcdoc="<script>alert('xss14')</script>"></iframe>`,
	`<div style="background:url(javascript:alert('xss15'))">x</div>`,
	`<div style="width:expression(alert('xss16'))">x</div>`,
	`"><script>alert('xss17')</script>`,
	`'><img src=x onerror=alert('xss18')>`,
	`{{ alert('xss19') }}`,
	`${alert('xss20')}`,
	`{{constructor.constructor('alert("xss21")')()}}`,
	`<details open ontoggle=alert('xss22')>`,
	`<body onload=alert('xss23')>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert('xss24')>`,
	`[脚本](vbscript:msgbox('xss25'))`,
	`<object data="javascript:alert('xss26')"></object>`,
	`<embed src="javascript:alert('xss27')">`,
	`<form action="javascript:alert('xss28')"><button>提交</button></form>`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert('xss29')">`,
	`<base href="javascript:alert('xss30')//">`,
	`[点我](java&#x09;script:alert('xss31'))`,
	`<a href=" javascript:alert('xss32')">链接</a>`,
	`<input autofocus onfocus=alert('xss33')>`,
	`</textarea><script>alert('xss34')</script>`,
	`</title><script>document.title='PWNED'</script>`,
	`<a href="#" onclick="alert('xss36')">链接</a>`,
	`<img src="x" onerror="&#97;lert('xss37')">`,
	`javascript:alert('xss38')`,
	`<https://example.invalid/"onmouseover="alert('xss39')>`,
	`[点我](<javascript:alert('xss40')>)`,
}

// xssRef is a reference-style link whose definition is a javascript: URL.
const xssRef = "[参考链接][evil]\n\n[evil]: javascript:alert('xss41')\n"

// giftEscape escapes the characters GIFT gives a meaning to, so a payload reaches the question
// text as written.
func giftEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `~`, `\~`, `=`, `\=`, `#`, `\#`, `{`, `\{`, `}`, `\}`, `:`, `\:`).Replace(s)
}

// yamlString quotes a payload for front matter (YAML accepts JSON strings).
func yamlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSpace(b.String())
}

// xssContent writes a copy of the bundled content with one more course whose course page,
// module text, front matter and quiz carry every payload, and loads it.
func xssContent(t testing.TB) *courses.Catalog {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, content.FS); err != nil {
		t.Fatal(err)
	}
	course := filepath.Join(dir, "courses", "99-xss-lab")
	if err := os.MkdirAll(course, 0o755); err != nil {
		t.Fatal(err)
	}
	intro := "---\ntitle: " + yamlString("安全测试 "+xssPayloads[17]) + "\nsummary: " + yamlString(xssPayloads[1]) + "\n---\n\n" +
		strings.Join(xssPayloads, "\n\n") + "\n"
	var body strings.Builder
	body.WriteString("---\ntitle: " + yamlString("载荷 "+xssPayloads[0]) + "\nsummary: " + yamlString(xssPayloads[16]) + "\nhours: 0.25\ntags: [service]\n---\n\n")
	for i, p := range xssPayloads {
		fmt.Fprintf(&body, "## 载荷 %d %s\n\n%s\n\n- 列表里：%s\n\n| 表格 | %s |\n| --- | --- |\n| 单元格 | %s |\n\n> 引用：%s\n\n`%s`\n\n",
			i+1, p, p, p, p, p, p, p)
	}
	body.WriteString(xssRef)
	body.WriteString("\n```quiz\n")
	for i, p := range xssPayloads {
		e := giftEscape(p)
		fmt.Fprintf(&body, "// [tag:service]\n::第%d题:: 题目 %s {\n  =正确 %s # 反馈 %s\n  ~错误 %s # 错的反馈 %s\n  #### 总评 %s\n}\n\n", i+1, e, e, e, e, e, e)
	}
	fmt.Fprintf(&body, "// [tag:service]\n::判断题:: 判断 %s {T#错了 %s#对了 %s}\n\n", giftEscape(xssPayloads[2]), giftEscape(xssPayloads[3]), giftEscape(xssPayloads[4]))
	fmt.Fprintf(&body, "// [tag:service]\n::填空题:: 填空 %s {=%s =答案}\n\n", giftEscape(xssPayloads[12]), giftEscape(xssPayloads[13]))
	fmt.Fprintf(&body, "// [tag:service]\n::配对题:: 配对 %s {\n  =%s -> 甲\n  =乙 -> %s\n  =丙 -> 丙答\n}\n", giftEscape(xssPayloads[7]), giftEscape(xssPayloads[8]), giftEscape(xssPayloads[9]))
	body.WriteString("```\n")
	for name, text := range map[string]string{"_course.md": intro, "01-payloads.md": body.String()} {
		if err := os.WriteFile(filepath.Join(course, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := courses.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("the content with payloads does not load:\n%v", err)
	}
	return cat
}

// useCatalog restarts the test server with another catalogue on the same database.
func (env *testEnv) useCatalog(t *testing.T, cat *courses.Catalog) {
	t.Helper()
	s, err := New(Config{SessionKey: []byte("test key of at least thirty-two bytes"), PasswordCost: bcrypt.MinCost,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, env.store, cat)
	if err != nil {
		t.Fatal(err)
	}
	env.srv.Close()
	env.srv = httptest.NewServer(s.Handler())
	env.app = s
	t.Cleanup(env.srv.Close)
}

// xssPage is a page to check and who looks at it.
type xssPage struct{ actor, path string }

// seedXSS puts every payload into the platform through its real forms and returns the pages
// where they show, per actor.
func seedXSS(t *testing.T) (*testEnv, []xssPage) {
	t.Helper()
	env := newTestEnv(t)
	cat := xssContent(t)
	env.useCatalog(t, cat)
	m, ok := cat.Module("xss-lab/payloads")
	if !ok {
		t.Fatal("no payload module")
	}
	admin, super, trainee := env.as("admin"), env.as("super-a"), env.as("trainee-a")

	// User names, through the admin form (names over 40 characters come back in the form)
	// and through a staff list import (refused whole when a name is too long, shown in the
	// per-line report; accepted otherwise and shown with the passwords).
	token := admin.csrfFrom("/admin/users")
	var short [][]string
	for i, p := range xssPayloads {
		login := fmt.Sprintf("xss%02d", i+1)
		r, _ := admin.post("/admin/users", url.Values{"login": {login}, "name": {p}, "role": {"trainee"}, "shop": {"001"},
			"password": {"a long enough password"}}, token)
		if utf8.RuneCountInString(p) <= 40 {
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("create user named %q: %d", p, r.StatusCode)
			}
			short = append(short, []string{fmt.Sprintf("xssi%02d", i+1), p, "学员", "001", "2026-01-05"})
		} else {
			checkInert(t, "admin: POST /admin/users (refused name)", r.body)
		}
	}
	list := func(rows [][]string) []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write([]string{"登录名", "姓名", "角色", "门店编号", "入职日期"})
		w.WriteAll(rows)
		return b.Bytes()
	}
	var all [][]string
	for i, p := range xssPayloads {
		all = append(all, []string{fmt.Sprintf("xssr%02d", i+1), p, "学员", "001", "2026-01-05"})
	}
	r := admin.upload(t, "/admin/users/import", token, `名单"><img src=x onerror=alert('xss42')>.csv`, list(all))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("import with over-long names: %d", r.StatusCode)
	}
	checkInert(t, "admin: POST /admin/users/import (refused)", r.body)
	r = admin.upload(t, "/admin/users/import", token, "名单.csv", list(short))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("import of payload names: %d\n%s", r.StatusCode, r.body)
	}
	checkInert(t, "admin: POST /admin/users/import", r.body)

	// Drill comments and notes: every criterion's comment is a payload.
	id := bookDrill(t, env, super, "trainee-a", tileScenario, false, true)
	path := drillPath(id, "/rate")
	form := url.Values{"action": {"save"}, "notes": {strings.Join(xssPayloads, "\n")}}
	for i, k := range criterionKeys {
		form.Set("score-"+k, "2")
		form.Set("comment-"+k, strings.Join(xssPayloads[i*len(xssPayloads)/len(criterionKeys):(i+1)*len(xssPayloads)/len(criterionKeys)], " "))
	}
	if r, _ := super.post(path, form, super.csrfFrom(path)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save drill rating: %d\n%s", r.StatusCode, r.body)
	}
	if r := super.get(path); r.StatusCode != http.StatusOK || !strings.Contains(r.body, "xss40") {
		t.Fatalf("rating form with the saved comments: %d", r.StatusCode)
	} else {
		checkInert(t, "super-a: GET "+path+" (draft)", r.body)
	}
	form.Set("action", "submit")
	if r, _ := super.post(path, form, super.csrfFrom(path)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit drill rating: %d\n%s", r.StatusCode, r.body)
	}
	if r, _ := super.post(drillPath(id, "/release"), url.Values{}, super.csrfFrom(drillPath(id, ""))); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("release drill: %d", r.StatusCode)
	}

	// Offline hours with a note, where the platform has them.
	traineeID := strconv.FormatInt(env.users["trainee-a"].ID, 10)
	staffPage := ""
	if hasRoute(env, "POST /staff/:user/offline") {
		p, _ := cat.Programme("onboarding")
		staffPage = "/staff/" + traineeID
		tok := super.csrfFrom(staffPage)
		for _, payload := range xssPayloads[:8] {
			r, _ := super.post(staffPage+"/offline", url.Values{"activity": {p.Offline[0].Key}, "hours": {"0.5"},
				"on_date": {time.Now().AddDate(0, 0, -2).Format(time.DateOnly)}, "note": {payload}}, tok)
			if r.StatusCode != http.StatusSeeOther {
				checkInert(t, "super-a: POST offline (refused)", r.body)
			}
		}
	}

	// A KPI sheet whose logins, months, values, column titles and file name are payloads: the
	// preview reports every cell it refuses, quoting it.
	if hasRoute(env, "POST /kpis/import") {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write([]string{"登录名", "月份", "顾客满意度", xssPayloads[1]})
		for i, p := range xssPayloads {
			w.Write([]string{p, xssPayloads[(i+1)%len(xssPayloads)], xssPayloads[(i+2)%len(xssPayloads)], ""})
		}
		w.Write([]string{"trainee-a", "2026-01", "4.5", ""})
		w.Flush()
		r := admin.upload(t, "/kpis/import", admin.csrfFrom("/kpis/import"), `绩效"><svg onload=alert('xss46')>.csv`, b.Bytes())
		if r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusOK {
			t.Fatalf("KPI sheet with payloads: %d", r.StatusCode)
		}
		checkInert(t, "admin: POST /kpis/import", r.body)
	}

	// The quiz: the trainee types payloads as answers; the review shows them with the feedback.
	r, _ = trainee.post(m.URL()+"/quiz", url.Values{}, trainee.csrfFrom(m.URL()))
	attempt := "/attempts/" + strconv.FormatInt(attemptID(t, r), 10)
	answers := url.Values{}
	a, err := env.store.Attempt(t.Context(), attemptID(t, r))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range a.Items {
		b, _ := cat.Question(it.Key)
		if b.Question.Name == "填空题" {
			answers.Set("q"+strconv.Itoa(it.Position), xssPayloads[33])
		}
	}
	inProgress := attempt
	if r, _ := trainee.post(attempt+"/save", answers, trainee.csrfFrom(attempt)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save answers: %d", r.StatusCode)
	}
	checkInert(t, "trainee-a: GET "+attempt+" (open)", trainee.get(inProgress).body)
	if r, _ := trainee.post(attempt+"/submit", answers, trainee.csrfFrom(attempt)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.StatusCode)
	}

	quizReport := "/reports/quiz?quiz=" + url.QueryEscape("module:"+m.ID)
	pages := []xssPage{
		{"anonymous", "/login?next=" + url.QueryEscape(`"><script>alert('xss43')</script>`)},
		{"anonymous", "/login?next=" + url.QueryEscape(`javascript:alert('xss44')`)},
		{"anonymous", "/nothing-here/" + url.PathEscape(`<script>alert('xss45')</script>`)},
	}
	for _, who := range []string{"trainee-a", "super-a", "admin"} {
		pages = append(pages,
			xssPage{who, "/courses"}, xssPage{who, "/courses/xss-lab"}, xssPage{who, m.URL()},
			xssPage{who, "/me/progress"}, xssPage{who, "/drills"}, xssPage{who, drillPath(id, "")})
	}
	pages = append(pages, xssPage{"trainee-a", attempt})
	for _, who := range []string{"super-a", "admin"} {
		pages = append(pages,
			xssPage{who, attempt}, xssPage{who, "/admin/users"}, xssPage{who, "/staff/" + traineeID + "/drills"},
			xssPage{who, "/reports/quizzes"}, xssPage{who, quizReport}, xssPage{who, "/drills/calibration"})
		if staffPage != "" {
			pages = append(pages, xssPage{who, staffPage})
		}
	}
	// Pages of features that list people by name, where the platform has them.
	for _, extra := range []xssPage{
		{"trainee-a", "/kpis/appraisal"},
		{"super-a", "/store"}, {"super-a", "/kpis"}, {"super-a", "/kpis/appraisal"}, {"super-a", "/staff/" + traineeID + "/certificate"},
		{"admin", "/store?shop=001"}, {"admin", "/company"}, {"admin", "/kpis"}, {"admin", "/kpis/import"},
	} {
		if hasRoute(env, "GET "+strings.SplitN(strings.ReplaceAll(extra.path, traineeID, ":user"), "?", 2)[0]) {
			pages = append(pages, extra)
		}
	}
	return env, pages
}

// hasRoute reports whether the platform has the route ("METHOD /path"), for features that
// bring their own free text.
func hasRoute(env *testEnv, key string) bool {
	for _, r := range env.app.routes() {
		if r.method+" "+r.path == key {
			return true
		}
	}
	return false
}

// checkInert fails the test if the page holds anything from the payloads that a browser would
// run or follow: a script that is not the platform's own file, an event-handler attribute, a
// javascript:, vbscript: or data: address, an embedded frame or object, a base or refresh
// element, a script-bearing style. It also checks that no payload with markup appears
// unescaped.
func checkInert(t *testing.T, where, body string) {
	t.Helper()
	for _, p := range liveContent(body) {
		t.Errorf("%s: %s", where, p)
	}
}

// liveContent lists what checkInert complains about.
func liveContent(body string) []string {
	var out []string
	errorf := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, p := range xssPayloads {
		if strings.Contains(p, "<") && strings.Contains(body, p) {
			errorf("payload appears unescaped: %s", p)
		}
	}
	z := html.NewTokenizer(strings.NewReader(body))
	inScript := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.TextToken:
			if inScript && strings.TrimSpace(string(z.Text())) != "" {
				errorf("inline script %q", z.Text())
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "script" {
				inScript = false
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script":
				inScript = tt == html.StartTagToken
				src := attr(tok, "src")
				if !strings.HasPrefix(src, "/static/") {
					errorf("script not from /static/: %s", tok.String())
				}
			case "iframe", "frame", "frameset", "object", "embed", "applet", "base":
				errorf("<%s> element: %s", tok.Data, tok.String())
			case "meta":
				if strings.EqualFold(attr(tok, "http-equiv"), "refresh") {
					errorf("refresh meta: %s", tok.String())
				}
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(key, "on"):
					errorf("event handler attribute %s in %s", key, tok.String())
				case key == "srcdoc":
					errorf("srcdoc attribute in %s", tok.String())
				case key == "style" && dangerousStyle.MatchString(a.Val):
					errorf("style runs script: %s", tok.String())
				case urlAttrs[key] && dangerousURL(a.Val):
					errorf("dangerous address in %s=%q of <%s>", key, a.Val, tok.Data)
				}
			}
		}
	}
}

var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "data": true,
	"xlink:href": true, "background": true, "poster": true, "cite": true, "longdesc": true, "ping": true, "srcset": true}

var dangerousStyle = regexp.MustCompile(`(?i)expression\s*\(|javascript:|url\s*\(\s*['"]?\s*(javascript|vbscript|data):`)

// dangerousURL reports whether a browser would run the address (after the entity decoding the
// tokenizer has done and the whitespace and control characters browsers ignore).
func dangerousURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToLower(v))
	switch {
	case strings.HasPrefix(v, "javascript:"), strings.HasPrefix(v, "vbscript:"):
		return true
	case strings.HasPrefix(v, "data:"):
		return !regexp.MustCompile(`^data:image/(png|gif|jpeg|webp);`).MatchString(v)
	}
	return false
}

func attr(tok html.Token, name string) string {
	for _, a := range tok.Attr {
		if strings.EqualFold(a.Key, name) {
			return a.Val
		}
	}
	return ""
}

// The checker itself: every payload pasted raw into a page is caught.
func TestInertCheckCatchesLivePayloads(t *testing.T) {
	caught := 0
	for _, p := range append(xssPayloads, `<a href="java&#x0A;script:alert(1)">x</a>`, `<p style="x:expression(alert(1))">`) {
		page := "<!doctype html><html><head><script src=\"/static/app.js\"></script></head><body>" + p + "</body></html>"
		if len(liveContent(page)) > 0 {
			caught++
		} else if strings.Contains(p, "<") && !strings.HasPrefix(p, "[") {
			t.Errorf("raw payload not caught: %s", p)
		}
	}
	if clean := liveContent(`<html><body><a href="/courses">x</a><img src="data:image/png;base64,AA"><script src="/static/a.js"></script>&lt;script&gt;</body></html>`); len(clean) > 0 {
		t.Errorf("a clean page is flagged: %v", clean)
	}
	t.Logf("%d of %d raw payloads caught (the rest are Markdown or plain text, harmless outside Markdown)", caught, len(xssPayloads)+2)
}

func TestXSSPayloadsAreInertInEveryPage(t *testing.T) {
	env, pages := seedXSS(t)
	clients := map[string]*client{"anonymous": env.anonymous()}
	shown := map[string]bool{}
	ids := regexp.MustCompile(`xss\d+`)
	for _, p := range pages {
		c, ok := clients[p.actor]
		if !ok {
			c = env.as(p.actor)
			clients[p.actor] = c
		}
		r := c.get(p.path)
		if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: GET %s: %d", p.actor, p.path, r.StatusCode)
		}
		checkInert(t, p.actor+": GET "+p.path, r.body)
		for _, id := range ids.FindAllString(html.UnescapeString(r.body), -1) {
			shown[id] = true
		}
	}
	// The payloads did reach the pages (as text), so the checks above had something to check.
	if len(shown) < len(xssPayloads) {
		t.Errorf("only %d payload ids appear as text on the pages: %v", len(shown), shown)
	}
	t.Logf("%d payloads (+ link, file name and query cases) through module Markdown, front matter, GIFT text/answers/feedback, answers, user names (form and CSV), drill comments, offline notes and a KPI sheet; %d pages checked as %d actors; %d payload ids shown as text, none live",
		len(xssPayloads), len(pages), len(clients), len(shown))
}

// goldmark before 1.7.17 had cross-site scripting bugs in link handling; the platform renders
// authors' Markdown with it. The module file decides the version that is built.
func TestGoldmarkIsAtLeast1_7_17(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/yuin/goldmark v(\d+)\.(\d+)\.(\d+)`).FindStringSubmatch(string(mod))
	if m == nil {
		t.Fatal("go.mod does not require github.com/yuin/goldmark")
	}
	var v [3]int
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	if !versionAtLeast(v, [3]int{1, 7, 17}) {
		t.Fatalf("goldmark v%d.%d.%d is older than v1.7.17", v[0], v[1], v[2])
	}
	if regexp.MustCompile(`(?m)^\s*replace\s.*github\.com/yuin/goldmark`).Match(mod) {
		t.Fatal("go.mod replaces goldmark: check the replacement's version by hand")
	}
}

func versionAtLeast(v, min [3]int) bool {
	for i := range v {
		if v[i] != min[i] {
			return v[i] > min[i]
		}
	}
	return true
}
