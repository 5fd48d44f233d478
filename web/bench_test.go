package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"aftercare/views"
)

// BenchmarkRenderModulePage renders the module page component alone (Markdown was rendered at
// load, so this is templ writing HTML).
func BenchmarkRenderModulePage(b *testing.B) {
	cat := realCatalog(b)
	m := cat.Courses[0].Modules[0]
	p := views.Page{Title: m.Title, CSRF: "token"}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := views.ModulePage(p, m).Render(context.Background(), &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkModulePageRequest is a signed-in GET of a module page through the whole router:
// session lookup, the visit and seat-time writes, and rendering.
func BenchmarkModulePageRequest(b *testing.B) {
	env := newTestEnvB(b)
	c := env.as("trainee-a")
	m := realCatalog(b).Courses[0].Modules[0]
	u := env.srv.URL + m.URL()
	cookies := c.http.Jar.Cookies(mustURL(env.srv.URL))
	benchGET(b, env, u, cookies)
}

// BenchmarkQuizPageRequest is a signed-in GET of an open module-quiz attempt through the whole
// router: session lookup, loading the attempt and its owner, the time check (a read now, no
// write) and rendering every question.
func BenchmarkQuizPageRequest(b *testing.B) {
	env := newTestEnvB(b)
	c := env.as("trainee-a")
	m := realCatalog(b).Courses[0].Modules[0]
	r, _ := c.post(m.URL()+"/quiz", url.Values{}, c.csrfFrom(m.URL()))
	path := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(path, "/attempts/") {
		b.Fatalf("start: %d %q", r.StatusCode, path)
	}
	cookies := c.http.Jar.Cookies(mustURL(env.srv.URL))
	benchGET(b, env, env.srv.URL+path, cookies)
}

// benchGET times a signed-in GET of u through the whole router, failing on any status but 200.
func benchGET(b *testing.B, env *testEnv, u string, cookies []*http.Cookie) {
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, u, nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		env.app.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
