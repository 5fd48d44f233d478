package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestLoginLogoutAndSessions(t *testing.T) {
	env := newTestEnv(t)
	c := env.anonymous()

	r := c.get("/courses")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous /courses: %d %s, want a redirect to login", r.StatusCode, r.Header.Get("Location"))
	}
	token := c.csrfFrom("/login")
	r, _ = c.post("/login", url.Values{"login": {"trainee-a"}, "password": {"wrong password"}}, token)
	if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.body, "登录名或密码不正确") {
		t.Fatalf("wrong password: %d, body lacks the message", r.StatusCode)
	}
	r, _ = c.post("/login", url.Values{"login": {"nobody"}, "password": {testPassword}}, token)
	if r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown login: %d", r.StatusCode)
	}
	r, _ = c.post("/login", url.Values{"login": {""}, "password": {""}}, token)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "请输入登录名") || !strings.Contains(r.body, "请输入密码") {
		t.Fatalf("empty form: %d, want both field messages", r.StatusCode)
	}
	r, _ = c.post("/login", url.Values{"login": {"trainee-a"}, "password": {testPassword}, "next": {"//evil.example/"}}, token)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("login: %d to %q, want / (the dashboard) (an off-site next is ignored)", r.StatusCode, r.Header.Get("Location"))
	}
	var session string
	for _, ck := range r.Cookies() {
		if ck.Name == sessionCookie {
			session = ck.Value
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie flags: HttpOnly=%v SameSite=%v", ck.HttpOnly, ck.SameSite)
			}
		}
	}
	if session == "" {
		t.Fatal("no session cookie after login")
	}
	if r := c.get("/courses"); r.StatusCode != http.StatusOK {
		t.Fatalf("signed-in /courses: %d", r.StatusCode)
	}
	r, _ = c.post("/logout", url.Values{}, c.csrfFrom("/courses"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.StatusCode)
	}
	// The old session token is dead on the server, not only forgotten by the browser.
	replay := env.anonymous()
	u, _ := url.Parse(env.srv.URL)
	replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: session}})
	if r := replay.get("/courses"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("replayed session after logout: %d, want redirect to login", r.StatusCode)
	}
}

func TestEveryFormNeedsCSRF(t *testing.T) {
	env := newTestEnv(t)
	anon := env.anonymous()
	anon.get("/login")
	r, _ := anon.post("/login", url.Values{"login": {"trainee-a"}, "password": {testPassword}}, "")
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.body, "页面已过期") {
		t.Fatalf("login without CSRF: %d", r.StatusCode)
	}
	admin := env.as("admin")
	r, _ = admin.post("/admin/users", url.Values{"login": {"x1"}}, "forged")
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("admin form with a forged token: %d", r.StatusCode)
	}
	// A token from another session is refused too.
	other := env.as("super-a")
	r, _ = admin.post("/admin/users", url.Values{"login": {"x1"}}, other.csrfFrom("/courses"))
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("token of another session: %d", r.StatusCode)
	}
}

func TestRolesAndStoreScope(t *testing.T) {
	env := newTestEnv(t)
	trainee := env.as("trainee-a")
	if r := trainee.get("/admin/users"); r.StatusCode != http.StatusForbidden || !strings.Contains(r.body, "没有权限") {
		t.Fatalf("trainee opens the admin page: %d", r.StatusCode)
	}
	r, _ := trainee.post("/admin/users", url.Values{"login": {"sneaky"}}, trainee.csrfFrom("/courses"))
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("trainee posts to the admin form: %d", r.StatusCode)
	}
	super := env.as("super-a")
	r = super.get("/admin/users")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "trainee-a") || strings.Contains(r.body, "trainee-b") {
		t.Fatalf("supervisor of 001 must see trainee-a and not trainee-b (status %d)", r.StatusCode)
	}
	if strings.Contains(r.body, `action="/admin/users"`) {
		t.Error("supervisor is offered the add-user form")
	}
	r, _ = super.post("/admin/users", url.Values{"login": {"sneaky"}}, super.csrfFrom("/admin/users"))
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("supervisor adds a user: %d", r.StatusCode)
	}
	if r := env.as("admin").get("/admin/users"); !strings.Contains(r.body, "trainee-b") || !strings.Contains(r.body, "trainee-a") {
		t.Fatal("admin must see every store")
	}
}

func TestAdminAddsUserAndBadFormKeepsInput(t *testing.T) {
	env := newTestEnv(t)
	admin := env.as("admin")
	token := admin.csrfFrom("/admin/users")
	r, _ := admin.post("/admin/users", url.Values{"login": {"Bad Login!"}, "name": {"新人小王"}, "role": {"trainee"}, "shop": {""}, "hired_on": {"2026-13-40"}, "password": {"short"}}, token)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d", r.StatusCode)
	}
	for _, want := range []string{"登录名须为", "学员和主管必须属于一家门店", "入职日期格式", "密码至少 10 个字符", `value="新人小王"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	r, _ = admin.post("/admin/users", url.Values{"login": {"xiaowang"}, "name": {"新人小王"}, "role": {"trainee"}, "shop": {"002"}, "hired_on": {"2026-11-20"}, "password": {"a long enough password"}}, token)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("good form: %d\n%s", r.StatusCode, r.body)
	}
	if r := env.as("super-b").get("/admin/users"); !strings.Contains(r.body, "xiaowang") {
		t.Error("the new trainee is not listed for the supervisor of store 002")
	}
	r, _ = admin.post("/admin/users", url.Values{"login": {"xiaowang"}, "name": {"重名"}, "role": {"trainee"}, "shop": {"002"}, "password": {"a long enough password"}}, token)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "已被使用") {
		t.Fatalf("duplicate login: %d", r.StatusCode)
	}
	log, _ := env.store.AuditLog(t.Context(), 50)
	found := false
	for _, e := range log {
		found = found || (e.Action == "user.create" && e.Object == "user:xiaowang")
	}
	if !found {
		t.Error("user creation is not in the audit log")
	}
}

func TestCoursePagesRenderRealContentWithoutAnswers(t *testing.T) {
	env := newTestEnv(t)
	c := env.as("trainee-a")
	cat := realCatalog(t)
	r := c.get("/courses")
	for _, co := range cat.Courses {
		if !strings.Contains(r.body, co.Title) {
			t.Errorf("catalogue lacks course %q", co.Title)
		}
	}
	co := cat.Courses[0]
	if r := c.get("/courses/" + co.Slug); r.StatusCode != http.StatusOK || !strings.Contains(r.body, co.Modules[0].Title) {
		t.Fatalf("course page: %d", r.StatusCode)
	}
	for _, co := range cat.Courses {
		for _, m := range co.Modules {
			r := c.get(m.URL())
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", m.URL(), r.StatusCode)
			}
			if !strings.Contains(r.body, "开始测验") {
				t.Errorf("%s has no quiz entry point", m.ID)
			}
			// The quiz block is data, not lesson text: none of its syntax, tags or feedback
			// reaches the page.
			for _, leak := range []string{"[tag:", "```quiz", "::"} {
				if strings.Contains(r.body, leak) {
					t.Errorf("%s page contains quiz source %q", m.ID, leak)
				}
			}
			for _, q := range m.Questions {
				// (Feedback that repeats a sentence of the lesson itself is no leak.)
				fb := q.Question.GeneralFeedback
				if fb != "" && strings.Contains(r.body, fb) && !strings.Contains(m.HTML, fb) {
					t.Errorf("%s page shows the general feedback of %q", m.ID, q.Question.Name)
				}
			}
		}
	}
	if r := c.get("/me/progress"); r.StatusCode != http.StatusOK || !strings.Contains(r.body, "首次打开") {
		t.Fatalf("progress page: %d", r.StatusCode)
	}
	if r := c.get("/courses/no-such-course"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.body, "找不到页面") {
		t.Fatalf("unknown course: %d", r.StatusCode)
	}
	if r := c.get("/courses/tiles/no-such-module"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown module: %d", r.StatusCode)
	}
}

func TestSecurityHeadersStaticAndErrors(t *testing.T) {
	env := newTestEnv(t)
	c := env.anonymous()
	r := c.get("/login")
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP header: %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff header")
	}
	if r := c.get("/static/app.css"); r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("stylesheet: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
	}
	for _, p := range []string{"/static/", "/static/../go.mod", "/static/%2e%2e/content/tags.yaml"} {
		if r := c.get(p); r.StatusCode == http.StatusOK {
			t.Errorf("%s: 200, want refusal", p)
		}
	}
	if r := c.get("/healthz"); r.StatusCode != http.StatusOK || r.body != "ok" {
		t.Fatalf("healthz: %d %q", r.StatusCode, r.body)
	}
	if r := c.get("/nowhere"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.body, "找不到页面") || strings.Contains(r.body, "Not Found") {
		t.Fatalf("unknown route: %d, want the friendly page", r.StatusCode)
	}
}

func TestSupervisorWithoutAStoreSeesNobody(t *testing.T) {
	env := newTestEnv(t)
	admin := env.as("admin")
	r, _ := admin.post("/admin/users", url.Values{"login": {"floating"}, "name": {"无店主管"}, "role": {"supervisor"}, "shop": {"001"}, "password": {testPassword}}, admin.csrfFrom("/admin/users"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", r.StatusCode)
	}
	// Detach the supervisor from any store, as a data error or a half-finished transfer would.
	u, _, _ := env.store.UserByLogin(t.Context(), "floating")
	if err := env.store.SetShop(t.Context(), u.ID, ""); err != nil {
		t.Fatal(err)
	}
	c := env.as("floating")
	if r := c.get("/admin/users"); strings.Contains(r.body, "trainee-a") || strings.Contains(r.body, "trainee-b") {
		t.Fatal("a supervisor without a store sees staff")
	}
	if r := c.get("/reports/quizzes"); strings.Contains(r.body, "全部门店") {
		t.Fatal("a supervisor without a store reports on all stores")
	}
}
