package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// bigStaffList is a well-formed staff CSV of about size bytes.
func bigStaffList(size int) []byte {
	var b bytes.Buffer
	b.WriteString("登录名,姓名,角色,门店编号,入职日期\r\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "big%06d,大名单%d,学员,001,2026-01-05\r\n", i, i)
	}
	return b.Bytes()
}

// multipartBody is the staff import form with the file; chunked sends it without a length, as
// a client streaming the upload would.
func multipartBody(token string, file []byte) (io.Reader, string, int) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", token)
	fw, _ := w.CreateFormFile("file", "名单.csv")
	fw.Write(file)
	w.Close()
	return &body, w.FormDataContentType(), body.Len()
}

func TestOversizedBodiesAreRefusedWithAMessageAndWriteNothing(t *testing.T) {
	env := newTestEnv(t)
	admin := env.as("admin")
	token := admin.csrfFrom("/admin/users")
	users := func() int64 {
		n, err := env.store.CountUsers(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := users()
	tooBig := bigStaffList(3 << 20)

	// With a length: refused before the body is read.
	body, ctype, _ := multipartBody(token, tooBig)
	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/admin/users/import", body)
	req.Header.Set("Content-Type", ctype)
	checkTooLarge(t, admin, req, "CSV import of 3 MB")

	// Streamed without a length: refused when the limit is crossed while reading.
	body, ctype, _ = multipartBody(token, tooBig)
	req, _ = http.NewRequest(http.MethodPost, env.srv.URL+"/admin/users/import", io.MultiReader(body))
	req.Header.Set("Content-Type", ctype)
	req.ContentLength = -1
	checkTooLarge(t, admin, req, "chunked CSV import of 3 MB")

	// Other forms: a login and a quiz submit of 3 MB.
	anon := env.anonymous()
	form := url.Values{"login": {"admin"}, "password": {strings.Repeat("x", 3<<20)}, "_csrf": {anon.csrfFrom("/login")}}
	req, _ = http.NewRequest(http.MethodPost, env.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	checkTooLarge(t, anon, req, "login of 3 MB")

	trainee := env.as("trainee-a")
	m := realCatalog(t).Courses[0].Modules[0]
	tok := trainee.csrfFrom(m.URL())
	r, _ := trainee.post(m.URL()+"/quiz", url.Values{}, tok)
	attempt := attemptID(t, r)
	form = url.Values{"q0": {strings.Repeat("答", 1<<20)}, "_csrf": {tok}}
	req, _ = http.NewRequest(http.MethodPost, fmt.Sprintf("%s/attempts/%d/submit", env.srv.URL, attempt), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	checkTooLarge(t, trainee, req, "quiz submit of 3 MB")
	if a, err := env.store.Attempt(t.Context(), attempt); err != nil || a.State != "open" {
		t.Fatalf("the refused submit changed the attempt: %s %v", a.State, err)
	}

	if users() != before {
		t.Fatalf("refused requests wrote %d users", users()-before)
	}
	// Under the limit, a long list is read and imported whole (each person gets a bcrypt hash,
	// so the list is kept to a size the test can afford).
	fits := bigStaffList(64 << 10)
	r = admin.upload(t, "/admin/users/import", token, "名单.csv", fits)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "已导入") {
		t.Fatalf("64 KB list: %d", r.StatusCode)
	}
	if after, want := users(), before+int64(bytes.Count(fits, []byte("\n"))-1); after != want {
		t.Fatalf("64 KB list: %d users after the import, want %d", after, want)
	}
}

// checkTooLarge sends the request and expects the friendly 413 page, and no new users.
func checkTooLarge(t *testing.T, c *client, req *http.Request, what string) {
	t.Helper()
	n, _ := c.env.store.CountUsers(t.Context())
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "内容太大") || !strings.Contains(string(b), "2 MB") {
		t.Errorf("%s: %d, want 413 with the Chinese message\n%.300s", what, res.StatusCode, b)
	}
	if after, _ := c.env.store.CountUsers(t.Context()); after != n {
		t.Errorf("%s: %d users written", what, after-n)
	}
}

// rawGet sends the request line exactly as given, without the client cleaning the path.
func rawGet(t *testing.T, env *testEnv, path string, cookies []*http.Cookie) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cookie strings.Builder
	for _, c := range cookies {
		fmt.Fprintf(&cookie, "%s=%s; ", c.Name, c.Value)
	}
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\nCookie: %s\r\nConnection: close\r\n\r\n", path, cookie.String())
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestPathTraversalFindsNothingOutside(t *testing.T) {
	env := newTestEnv(t)
	trainee := env.as("trainee-a")
	cookies := trainee.http.Jar.Cookies(mustURL(env.srv.URL))
	if code, body := rawGet(t, env, "/static/app.css", cookies); code != http.StatusOK || len(body) == 0 {
		t.Fatalf("a real static file: %d", code)
	}
	paths := []string{
		"/static/../go.mod", "/static/../../go.mod", "/static/%2e%2e/go.mod", "/static/%2E%2E/%2E%2E/go.mod",
		"/static/..%2fgo.mod", "/static/..%2f..%2fgo.mod", "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/static/..%5cgo.mod", "/static/..\\go.mod", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
		"/static/static.go", "/static/", "/static/..", "/static/....//go.mod", "/static/%252e%252e/go.mod",
		"/courses/..%2f..%2fgo.mod", "/courses/../go.mod", "/courses/%2e%2e/%2e%2e", "/courses/service-basics/..%2f..%2fgo.mod",
		"/courses/service-basics/..", "/courses/..%2fcontent/courses", "/courses/service-basics/%2e%2e%2f02-service-mindset",
		"/courses/service-basics/why-after-sales/../../../go.mod", "/../go.mod", "/%2e%2e/go.mod",
	}
	for _, p := range paths {
		code, body := rawGet(t, env, p, cookies)
		if code != http.StatusNotFound && code != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
		for _, leak := range []string{"module aftercare", "root:x:", "package static", "go:embed", "title: "} {
			if strings.Contains(body, leak) {
				t.Errorf("GET %s: the answer contains %q", p, leak)
			}
		}
	}
	for _, p := range []string{"/courses/..%2f..%2fgo.mod/x/activity", "/courses/service-basics/..%2f..%2fgo.mod/quiz"} {
		r, _ := trainee.post(p, url.Values{}, trainee.csrfFrom("/courses"))
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", p, r.StatusCode)
		}
	}
	t.Logf("%d traversal paths and 2 module-id POSTs: none reached a file outside the static folder", len(paths))
}
